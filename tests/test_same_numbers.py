"""The flagship analyses give the numbers stored before the pipeline redesign (tests/data/expected).

Every number and every text value (verdicts, labels) in the stored summary.json and dynamics.json must
come out again; keys added since are allowed, keys removed are not. Numbers agree to 1e-6: the
redesign changed none (it passed at 1e-9), and the QRE speed-up then replaced the traced approximation
of the logit limit (off by up to ≈1e-6) with the exact limit, the bound the speed issue allows. For
the same reason a likely path whose probability is below 1e-6 may come or go. Rank correlations of the
final level with the parameters are no longer reported from fewer than 8 draws (over the stored run's 2
draws every one was ±1): ``drivers_of_final_level`` may be empty where it was not. The ``outline`` (the
sections' tables as text) is not compared: it lays out the records' numbers, and a new section changes it.
A claim's ``flags`` must all come out again, and flags added since are allowed (27 Nov 2026: "its two
sides differ only through M", where a knockout leaves the sides equal in every draw).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from escalade.cli import app

EXPECTED = Path(__file__).parent / "data" / "expected"


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``actual`` departs from ``expected`` (extra keys in ``actual`` are allowed)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {actual!r:.60}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}/{key}: missing")
            elif key == "drivers_of_final_level" and actual[key] == []:
                continue  # see the module docstring
            elif key == "outline":
                continue  # the sections' tables as text: the same numbers as the records, laid out
            elif key == "flags" and isinstance(actual[key], list):
                found += [f"{where}/flags: {flag!r:.60} missing" for flag in value if flag not in actual[key]]
            else:
                found += differences(value, actual[key], f"{where}/{key}")
        return found
    if isinstance(expected, list):
        expected, actual = _visible(expected), _visible(actual)
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {actual!r:.60}"]
        return [
            d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in differences(e, a, f"{where}[{i}]")
        ]
    if isinstance(expected, float) and isinstance(actual, int | float) and not isinstance(actual, bool):
        return [] if math.isclose(expected, actual, rel_tol=1e-6, abs_tol=1e-6) else [f"{where}: {expected} → {actual}"]
    return [] if expected == actual else [f"{where}: {expected!r:.60} → {actual!r:.60}"]


def _visible(items: Any) -> Any:
    """A list without the likely paths whose probability is below 1e-6 (see the module docstring)."""
    if not isinstance(items, list):
        return items
    return [item for item in items if not (isinstance(item, dict) and item.get("probability", 1.0) < 1e-6)]


@pytest.mark.parametrize(
    ("stored", "args", "output"),
    [
        ("run_flagship_64.json", ["run", "--draws", "64", "--sensitivity", "16"], "summary.json"),
        (
            "simulate_flagship_2x64x8.json",
            ["simulate", "dprk_russia_dynamic", "--draws", "2", "--runs", "64", "--rounds", "8"],
            "dynamics.json",
        ),
    ],
)
def test_the_flagship_gives_the_stored_numbers(tmp_path, stored, args, output):
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    expected = json.loads((EXPECTED / stored).read_text())
    actual = json.loads((tmp_path / output).read_text())
    assert differences(expected, actual) == []


def test_the_comparison_catches_a_changed_number():
    stored = json.loads((EXPECTED / "run_flagship_64.json").read_text())
    changed = json.loads(json.dumps(stored))
    changed["policies"][0]["expected_escalation"]["mean"] += 1e-5
    assert differences(stored, changed) != [] and differences(stored, stored) == []
