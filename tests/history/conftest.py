"""Crisis data for the history tests: a synthetic ICB-format data set, written afresh for every run
(see synthetic_icb.py), and the real ICB v14 files when ESCALADE_ICB_DATA names a folder holding them.

Tests taking ``icb`` run on both (ids ``synthetic`` and the real file's name, e.g. ``icb1v14_pre2000``);
tests taking ``real_icb`` run on the real files only. Without the real files those are skipped, with
REAL_DATA_REASON. Several pairs of real files in the folder (the team's pre2000 cut beside a full
download) are each tested.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.history.synthetic_icb import write_synthetic_icb

REAL_DATA_REASON = (
    "set ESCALADE_ICB_DATA to a folder with the ICB v14 CSV files (not shippable: see docs/validation.md)"
)
SYNTHETIC_CRISES, SYNTHETIC_SEED = 1000, 20241018


@dataclass(frozen=True)
class IcbFiles:
    """A system-level (icb1) and an actor-level (icb2) file of the same release."""

    system: Path
    actor: Path
    synthetic: bool

    def system_rows(self) -> list[dict[str, str]]:
        return read_rows(self.system)

    def actor_rows(self) -> list[dict[str, str]]:
        return read_rows(self.actor)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The raw rows, read with the csv module (independently of escalade's loader)."""
    with open(path, newline="", encoding="utf-8-sig") as stream:  # some downloads start with a byte-order mark
        return list(csv.DictReader(stream))


def real_icb_sets() -> list:
    """One pytest.param per pair icb1v14*.csv + icb2v14*.csv in ESCALADE_ICB_DATA; never empty."""
    folder = os.environ.get("ESCALADE_ICB_DATA", "")
    if not folder:
        return [pytest.param(None, id="real-icb", marks=pytest.mark.skip(reason=REAL_DATA_REASON))]
    files = {path.name.lower(): path for path in Path(folder).expanduser().glob("*") if path.is_file()}
    sets = [
        pytest.param(IcbFiles(files[name], files["icb2" + name[4:]], synthetic=False), id=files[name].stem)
        for name in sorted(files)
        if fnmatch(name, "icb1v14*.csv") and "icb2" + name[4:] in files
    ]
    if sets:
        return sets
    reason = f"{REAL_DATA_REASON}; {folder} holds no icb1v14*.csv with its icb2v14*.csv"
    return [pytest.param(None, id="real-icb", marks=pytest.mark.skip(reason=reason))]


@pytest.fixture(scope="session")
def synthetic_icb(tmp_path_factory) -> IcbFiles:
    system, actor = write_synthetic_icb(tmp_path_factory.mktemp("icb"), SYNTHETIC_CRISES, SYNTHETIC_SEED)
    return IcbFiles(system, actor, synthetic=True)


@pytest.fixture(scope="session", params=[pytest.param("synthetic", id="synthetic"), *real_icb_sets()])
def icb(request) -> IcbFiles:
    """The synthetic files, then each pair of real ones."""
    return request.getfixturevalue("synthetic_icb") if request.param == "synthetic" else request.param


@pytest.fixture(scope="session", params=real_icb_sets())
def real_icb(request) -> IcbFiles:
    return request.param
