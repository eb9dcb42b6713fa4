"""The writers show a report's text as written: square brackets are not rich markup, < and & are escaped."""

import io
import json

from rich.console import Console

from escalade.report.outline import Report, Section, Table, to_html, to_json, to_markdown, to_terminal

TRICKY = Report(
    "Title [bold]x",
    "about <b>this</b> & that",
    ["head [red]line"],
    ["warn [x]"],
    [
        Section(
            "Heading [b]",
            paragraphs=["para [i]"],
            tables=[Table(["col [u]"], [["cell [red]z & <tag>"]], caption="cap [b]")],
        )
    ],
    {"scenario": "t"},
    "foot [b]",
)


def test_the_terminal_shows_brackets_literally():
    console = Console(file=io.StringIO(), width=120, record=True)
    to_terminal(console, TRICKY)
    text = console.export_text()
    for literal in ("Title [bold]x", "head [red]line", "warn [x]", "Heading [b]", "para [i]", "cap [b]", "col [u]"):
        assert literal in text, literal
    assert "cell [red]z & <tag>" in text


def test_html_escapes_and_markdown_and_json_keep_the_text():
    page = to_html(TRICKY)
    assert "about &lt;b&gt;this&lt;/b&gt; &amp; that" in page and "<tag>" not in page
    assert "| cell [red]z & <tag> |" in to_markdown(TRICKY)
    assert json.loads(to_json(TRICKY))["outline"][0]["tables"][0]["rows"] == [["cell [red]z & <tag>"]]
