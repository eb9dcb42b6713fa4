"""The dynamics report: fan charts drawn by plotly, offline, with the run's provenance."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from tests.conftest import screenshots
from tests.report.test_html import _Tags


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dynamics")
    args = ["simulate", "cuban_missile_1962_dynamic", "--runs", "400", "--draws", "2", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--policy", "USA=deterrence", "--policy", "USA=equilibrium"])
    assert result.exit_code == 0, result.output
    return out


def test_simulate_writes_the_report_tables_and_provenance(folder):
    data = json.loads((folder / "dynamics.json").read_text())
    assert data["seed"] == 20241018 and len(data["scenario_sha256"]) == 64 and data["escalade_version"]
    assert [c["course"] for c in data["courses"]] == ["USA=deterrence", "equilibrium"]
    for course in data["courses"]:
        assert course["certificate"]["certified"]
        assert len(course["fan"]) == 13  # rounds 0..12, 16–28 October
        assert course["history"]["rounds"] == 12 and len(course["history"]["observed"]) == 13  # days 1..12 predicted
    frame = pd.read_parquet(folder / "trajectories.parquet")
    assert len(frame) == 2 * 400 * 12 * 2  # courses × runs × rounds × actors
    assert set(frame["category"]) <= {
        "de_escalation",
        "status_quo",
        "posturing",
        "non_violent_escalation",
        "violent_escalation",
        "nuclear",
    }
    assert "1962-10-28" in (folder / "dynamics.md").read_text()


def test_the_fan_charts_render_offline_without_errors(folder, browser):
    report = folder / "dynamics.html"
    tags = _Tags()
    tags.feed(report.read_text())
    assert tags.external == []
    browser.get(report.as_uri())
    assert "Cuban Missile Crisis" in browser.title
    assert browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    plots = browser.execute_script("return document.querySelectorAll('.plotly-graph-div .main-svg').length")
    assert plots >= 3  # two fan charts and the escalation-score chart
    screenshots(browser, "dynamics")


def test_a_bad_policy_exits_non_zero_and_writes_nothing(tmp_path):
    result = CliRunner().invoke(
        app, ["simulate", "cuban_missile_1962_dynamic", "--policy", "USA=bluff", "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "no dynamic policy 'bluff'" in result.output
    assert not (tmp_path / "x").exists()


def test_the_fan_chart_draws_the_observed_path_as_the_highest_rung_per_day(folder):
    """The history's rungs are per actor; the fan chart's escalation level is the highest of them (a list of
    per-actor pairs would draw nothing)."""
    html = (folder / "dynamics.html").read_text()
    trace = html[html.index('"name":"observed (highest rung)"') :]
    trace = trace[: trace.index('"type":"scatter"')]
    assert '"y":[4,4,4,4,4,4,4,5,5,5,5,6,5]' in trace  # the quarantine stayed after the withdrawal


def test_rungs_are_named_on_the_axes_and_each_rung_has_a_reached_by_round_chart(folder):
    html = (folder / "dynamics.html").read_text()
    assert '"5 blockade"' in html  # the fan chart's axis names the ladder's rungs
    assert "Reached rung 5 (blockade) by each day" in html


def test_time_to_each_rung_is_one_table_with_a_column_per_course(folder):
    markdown = (folder / "dynamics.md").read_text()
    section = markdown.split("## Time to each rung", 1)[1].split("\n## ", 1)[0]
    headers = [line for line in section.splitlines() if line.startswith("| rung |")]
    assert headers == ["| rung | name | USA=deterrence | equilibrium |"]
    data = json.loads((folder / "dynamics.json").read_text())
    for course in data["courses"]:  # what the table no longer shows per actor is in the JSON
        assert set(course["time_to_rung_by_actor"]) == {"USA", "USSR"}
