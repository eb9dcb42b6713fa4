"""Shared fixtures: paths to the reference data in ../shared (used in place, never copied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GAMBIT_GAMES = ROOT.parent / "shared" / "data" / "gambit_games"


def gambit_reference() -> dict[str, dict]:
    if not (GAMBIT_GAMES / "reference.json").exists():
        return {}
    records = json.loads((GAMBIT_GAMES / "reference.json").read_text())
    return {record["file"]: record for record in records}


def gambit_efg_files() -> list[Path]:
    return sorted(GAMBIT_GAMES.glob("*.efg"))


@pytest.fixture
def gambit_games() -> Path:
    if not GAMBIT_GAMES.exists():
        pytest.skip("../shared/data/gambit_games is not beside this checkout")
    return GAMBIT_GAMES
