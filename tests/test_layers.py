"""The stages import only leftward, and no stage imports a front door (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "escalade"
# each package may import only those of lower or equal rank (history reads analyze's intervals)
RANK = {
    "version": 0,
    "scenario": 1,
    "game": 2,
    "solve": 3,
    "simulate": 4,
    "condition": 5,
    "analyze": 6,
    "history": 7,
    "pipeline": 8,
    "report": 8,
    "api": 9,
    "explorer": 9,
    "cli": 10,
}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        found |= {name.split(".")[1] for name in names if name.startswith("escalade.")}
    return found


@pytest.mark.parametrize("path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(SOURCE)))
def test_imports_run_leftward(path):
    relative = path.relative_to(SOURCE)
    package = relative.parts[0].removesuffix(".py")
    if package == "__init__":
        return  # the package's façade re-exports the front door
    bad = {name for name in imported_packages(path) if RANK[name] > RANK[package]}
    assert not bad, f"{relative} imports {sorted(bad)}, to the right of {package}"
    if package in ("pipeline", "report"):
        assert not imported_packages(path) & ({"pipeline", "report"} - {package})
