"""One CLI convention: every command takes --json (one JSON document on standard output, errors too)
and --quiet (nothing printed on success, files still written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app
from tests.history.synthetic_icb import write_synthetic_icb

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SMALL = ["--draws", "8"]


def commands(tmp: Path) -> dict[str, list[str]]:
    system, _ = write_synthetic_icb(tmp, crises=200, seed=3)
    return {
        "new": ["new", "started", "--out", str(tmp)],
        "validate": ["validate", "chicken"],
        "show": ["show", "chicken"],
        "scenarios": ["scenarios"],
        "export": ["export", "chicken", "-o", str(tmp / "chicken.efg")],
        "solve": ["solve", "chicken"],
        "fit": ["fit", str(EXAMPLES / "game.efg"), "--counts", str(EXAMPLES / "observed.json")],
        "history": ["history", "--data", str(system), "--where", "protracted_conflict=2,3"],
        "backtest": ["backtest", "--data", str(system), "--train-until", "1989"],
        "claims": ["claims", "dprk_russia_2024", *SMALL, "--sensitivity", "0", "--no-knockouts"],
        "run": ["run", "cuban_missile_1962", *SMALL, "--sensitivity", "0", "--out", str(tmp / "run")],
        "sweep": ["sweep", "cuban_missile_1962", *SMALL, "--sensitivity", "0", "--out", str(tmp / "sweep")],
        "condition": ["condition", "cuban_missile_1962", *SMALL, "--out", str(tmp / "condition")],
        "forecast": ["forecast", "cuban_missile_1962", "--as-of", "1962-10-22", *SMALL, "-o", str(tmp / "f.jsonl")],
        "score": ["score", str(_forecasts(tmp)), str(_resolved(tmp))],
        "deployments": ["deployments"],
        "simulate": [
            "simulate", "cuban_missile_1962_dynamic", "--draws", "2", "--runs", "32", "--rounds", "3",
            "--out", str(tmp / "simulate"),
        ],
    }  # fmt: skip


NAMES = ["new", "validate", "show", "scenarios", "export", "solve", "fit", "history", "backtest"]
NAMES += ["claims", "run", "sweep", "simulate", "condition", "forecast", "score", "deployments"]


def _forecasts(tmp: Path) -> Path:
    path = tmp / "made.jsonl"
    path.write_text('{"question": "a", "probability": 0.8, "as_of": "2025"}\n{"question": "b", "probability": 0.1}\n')
    return path


def _resolved(tmp: Path) -> Path:
    path = tmp / "resolved.yaml"
    path.write_text("a: true\nb: false\n")
    return path


@pytest.mark.parametrize("name", NAMES)
def test_every_command_prints_one_json_document_with_json(name, tmp_path):
    result = CliRunner().invoke(app, [*commands(tmp_path)[name], "--json"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # the whole of standard output is one document


@pytest.mark.parametrize("name", NAMES)
def test_every_command_prints_nothing_with_quiet(name, tmp_path):
    result = CliRunner().invoke(app, [*commands(tmp_path)[name], "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""


def test_quiet_still_writes_the_files(tmp_path):
    result = CliRunner().invoke(app, [*commands(tmp_path)["run"], "--quiet"])
    assert result.exit_code == 0 and (tmp_path / "run" / "report.html").is_file()


def test_a_failure_with_json_is_a_json_document_too(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: Bad\nactors: []\n")
    result = CliRunner().invoke(app, ["validate", str(bad), "--json"])
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["ok"] is False and any("bad.yaml" in problem for problem in record["problems"])


def test_serve_takes_the_same_flags():
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert "--json" in result.output and "--quiet" in result.output


def test_new_writes_a_scenario_that_validates_and_never_overwrites(tmp_path):
    from escalade.pipeline import StaticRequest, claims
    from escalade.scenario import load

    result = CliRunner().invoke(app, ["new", "my_case", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    scenario = load(tmp_path / "my_case.yaml")
    assert scenario.name == "my_case" and scenario.outcomes and scenario.mechanisms and scenario.claims
    (verdict,) = claims(scenario, StaticRequest(draws=16, claim_sensitivity=0))
    assert verdict.mechanisms  # the template's claim is tested with its mechanism knocked out
    again = CliRunner().invoke(app, ["new", "my_case", "--out", str(tmp_path)])
    assert again.exit_code == 1 and "exists already" in again.output
    bad = CliRunner().invoke(app, ["new", "9lives", "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "not a name" in bad.output and not (tmp_path / "9lives.yaml").exists()


def test_quiet_stays_quiet_when_a_small_sobol_sample_has_constant_resamples(tmp_path):
    """SALib warns when a bootstrap resample is constant (here at 8 base samples); escalade judges the
    estimates itself (sobol_warnings), so nothing reaches the terminal under --quiet. Run as a separate
    process: inside pytest, warnings are captured before they reach stderr."""
    import subprocess
    import sys

    escalade = Path(sys.executable).parent / "escalade"
    args = ["run", "cuban_missile_1962", "--draws", "64", "--sensitivity", "8", "--out", str(tmp_path), "--quiet"]
    result = subprocess.run([str(escalade), *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stderr
