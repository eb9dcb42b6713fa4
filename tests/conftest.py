"""Shared fixtures: the Gambit reference games shipped under tests/data (see its PROVENANCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GAMBIT_GAMES = ROOT / "tests" / "data" / "gambit_games"


def gambit_reference() -> dict[str, dict]:
    records = json.loads((GAMBIT_GAMES / "reference.json").read_text())
    return {record["file"]: record for record in records}


def gambit_efg_files() -> list[Path]:
    return sorted(GAMBIT_GAMES.glob("*.efg"))


@pytest.fixture
def gambit_games() -> Path:
    return GAMBIT_GAMES
