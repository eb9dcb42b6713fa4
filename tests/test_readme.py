"""The README's tour runs on a fresh clone: every line, with the files the repository ships, at small sizes
(draws, runs and rounds cut down so the suite stays quick); the ICB lines run on the synthetic ICB file."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app
from tests.history.synthetic_icb import write_synthetic_icb

ROOT = Path(__file__).resolve().parents[1]
TOUR = re.search(r"## A ten-line tour\n\n```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
LINES = [line.split("#")[0].strip() for line in TOUR.splitlines() if line.strip()]
SMALLER = {"--draws": "16", "--runs": "64", "--rounds": "6", "--sensitivity": "8"}


def small(arguments: list[str]) -> list[str]:
    """The same command with its sizes cut down (and every `simulate` and `claims` on a few draws)."""
    out = [SMALLER.get(previous, argument) if previous in SMALLER else argument
           for previous, argument in zip(["", *arguments[:-1]], arguments, strict=True)]  # fmt: skip
    if out[0] in ("simulate", "run", "claims", "condition") and "--draws" not in out:
        out += ["--draws", "2" if out[0] == "simulate" else "16"]
    if out[0] == "simulate" and "--runs" not in out:
        out += ["--runs", "64", "--rounds", "6"]
    if out[0] == "run" and "--sensitivity" not in out:
        out += ["--sensitivity", "8"]
    return out


def test_the_tour_has_its_lines():
    assert len(LINES) >= 15 and all(line.startswith("escalade ") for line in LINES)


@pytest.mark.parametrize("line", LINES, ids=lambda line: " ".join(line.split()[1:3]))
def test_each_tour_line_runs(line, tmp_path, monkeypatch):
    arguments = small(shlex.split(line)[1:])
    if arguments[0] == "serve":
        pytest.skip("serve runs until stopped: tests/explorer/ starts it on a free port instead")
    if "icb1v14.csv" in arguments:
        system, _ = write_synthetic_icb(tmp_path, crises=300, seed=1)
        arguments = [str(system) if a == "icb1v14.csv" else a for a in arguments]
    arguments = [str(ROOT / a) if a.startswith("examples/") else a for a in arguments]
    monkeypatch.chdir(tmp_path)  # `-o cuban.efg` and `--out out/` write here
    if arguments[0] in ("run", "sweep", "simulate") and "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, f"{line}\n{result.output}"
