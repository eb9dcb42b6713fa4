"""The HTML report: self-contained, renders in a real browser without errors or network requests."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app
from tests.conftest import screenshots


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    varied = ["--vary", "audience_cost=0:3", "--vary", "deepen_gain=0.5:2", "--grid", "3"]  # curves and a map
    result = CliRunner().invoke(app, ["run", "--draws", "64", "--sensitivity", "16", *varied, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "report.html"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if (tag in ("script", "img", "iframe") and "src" in attributes) or (tag == "link" and "href" in attributes):
            self.external.append((tag, attributes))


def test_the_report_is_one_file_with_no_external_references(report):
    text = report.read_text()
    tags = _Tags()
    tags.feed(text)
    assert tags.external == []
    assert "sha256" in text and "seed 20241018" in text


def test_the_report_renders_without_console_errors_or_network_requests(report, browser):
    browser.get(report.as_uri())
    assert "North Korean troops for Russia" in browser.title
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    plots = browser.execute_script("return document.querySelectorAll('.plotly-graph-div .main-svg').length")
    # outcome bars, risk-payoff, escalation distribution, tornado, 2 × 2 response curves, the policy map
    assert plots >= 9
    assert browser.execute_script("return document.querySelectorAll('.game-tree li').length") > 100  # all 222 nodes
    opened = browser.execute_script(
        "return [...document.querySelectorAll('.game-tree .likely > details')].every(d => d.open)"
    )
    assert opened  # the likely path is unfolded; the rest waits for a click
    screenshots(browser, "report")
