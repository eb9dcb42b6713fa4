"""One outline per result, four writers: terminal, Markdown, HTML and JSON render the same sections.

A result (an analysis, a dynamic run) is turned into a :class:`Report`: a title, a headline, notes and
an ordered list of :class:`Section`s, each a heading with paragraphs, tables, figures and the
JSON-ready data it stands for. A new analysis output is one new section; every writer shows it.
Writers format; they compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plotly.offline import get_plotlyjs
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from escalade.report.charts import escape

if TYPE_CHECKING:
    import plotly.graph_objects as go
from escalade.report.files import json_text

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.finding { background: #eef5fb; border-left: 4px solid #0072B2; padding: 0.6em 1em; }
.note { color: #6b4e00; background: #fff7e0; padding: 0.4em 0.8em; }
footer { margin-top: 3em; font-size: 0.85em; color: #555; border-top: 1px solid #ccc; padding-top: 0.6em; }
svg text { font-family: inherit; } .wide { overflow-x: auto; } .plot { max-width: 100%; }
@media print { .plot { page-break-inside: avoid; } body { max-width: none; } }
"""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()  # columns right-aligned as numbers
    caption: str = ""  # a line above the table (e.g. which course of action it is)


@dataclass(frozen=True)
class Figure:
    html: str  # a Plotly fragment or inline SVG; shown in HTML only
    label: str  # what it shows, in words (the alt text, and what the other writers list)


def shown(figure: go.Figure, label: str) -> Figure:
    """A Plotly chart as the report shows it: an HTML fragment (Plotly's script is inlined once by the
    page), described by ``label`` for readers who cannot see it."""
    fragment = figure.to_html(full_html=False, include_plotlyjs=False)
    return Figure(f'<div class="plot" role="img" aria-label="{escape(label)}">{fragment}</div>', label)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # below the tables: how to read them
    record: dict[str, Any] = field(default_factory=dict)  # the section's data, merged into the JSON


@dataclass(frozen=True)
class Report:
    title: str
    description: str
    headline: list[str]  # the finding, in a few sentences
    warnings: list[str]  # shown prominently under the headline
    sections: list[Section]
    record: dict[str, Any]  # top-level JSON data: provenance, headline, notes
    footer: str  # what repeats the run: version, scenario hash, seed, size, date


def to_markdown(report: Report) -> str:
    out = [f"# {report.title}", "", report.description.strip(), "", "## Finding", "", *report.headline, ""]
    out += [f"> {warning}" for warning in report.warnings] + ([""] if report.warnings else [])
    for section in report.sections:
        out += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            out += [paragraph, ""]
        for table in section.tables:
            if table.caption:
                out += [f"### {table.caption}", ""]
            out += [*markdown_table(table.columns, table.rows), ""]
        if section.figures:
            out += [
                "Figures (in the HTML report beside this file): "
                + "; ".join(figure.label for figure in section.figures)
                + ".",
                "",
            ]
        for note in section.notes:
            out += [note, ""]
    return "\n".join([*out, "---", report.footer, ""])


def markdown_table(columns: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]


def to_html(report: Report) -> str:
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(report.title)} — escalade report</title><style>{STYLE}</style>",
        f"<script>{get_plotlyjs()}</script></head><body>",
        f"<h1>{escape(report.title)}</h1><p>{escape(report.description.strip())}</p>",
        '<div class="finding">' + "".join(f"<p>{escape(line)}</p>" for line in report.headline) + "</div>",
    ]
    out += [f'<p class="note">{escape(warning)}</p>' for warning in report.warnings]
    for section in report.sections:
        out.append(f"<h2>{escape(section.heading)}</h2>")
        out += [f"<p>{escape(paragraph)}</p>" for paragraph in section.paragraphs]
        out += [figure.html for figure in section.figures]
        for table in section.tables:
            if table.caption:
                out.append(f"<h3>{escape(table.caption)}</h3>")
            out.append(html_table(table))
        out += [f"<p>{escape(note)}</p>" for note in section.notes]
    out.append(f"<footer>{escape(report.footer)}</footer></body></html>")
    return "\n".join(out)


def html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(column)}</th>" for column in table.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(cell)}</td>' if i in table.numeric else f"<td>{escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    # a table wider than the window scrolls inside its own box: the page never scrolls sideways
    return f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def to_terminal(console: Console, report: Report) -> None:
    console.rule(f"[bold]{escape_markup(report.title)}")
    for line in report.headline:
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    for warning in report.warnings:
        console.print(f"[yellow]Note:[/] {escape_markup(warning)}", highlight=False, soft_wrap=True)
    for section in report.sections:
        console.print(f"\n[bold underline]{escape_markup(section.heading)}[/]")
        for paragraph in section.paragraphs:
            console.print(paragraph, highlight=False, soft_wrap=True, markup=False)
        for table in section.tables:
            shown = RichTable(title=Text(table.caption) if table.caption else None, title_justify="left")
            for i, column in enumerate(table.columns):
                # names wrap rather than end in "…": a cut effect name ("dprk_deploy.…") says nothing
                shown.add_column(Text(column), justify="right" if i in table.numeric else "left", overflow="fold")
            for row in table.rows:
                shown.add_row(*(Text(str(cell)) for cell in row))  # cells are text, never markup
            console.print(shown)
        if section.figures:
            labels = "; ".join(figure.label for figure in section.figures)
            console.print(f"[dim]figures in the HTML report: {escape_markup(labels)}[/]")
    console.print(f"[dim]{escape_markup(report.footer)}[/]")


def escape_markup(text: str) -> str:
    """Text shown literally by rich (square brackets are markup to it)."""
    return text.replace("[", "\\[")


def to_json(report: Report) -> str:
    """The report's data (top-level record, then each section's) and its outline, as strict JSON."""
    record: dict[str, Any] = dict(report.record)
    for section in report.sections:
        record.update(section.record)
    record["outline"] = [
        {
            "heading": section.heading,
            "paragraphs": section.paragraphs,
            "tables": [{"caption": t.caption, "columns": t.columns, "rows": t.rows} for t in section.tables],
            "figures": [figure.label for figure in section.figures],
            "notes": section.notes,
        }
        for section in report.sections
    ]
    return json_text(record)
