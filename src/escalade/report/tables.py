"""Tidy tables of a sweep written for other tools: runs in Parquet, the summary in CSV."""

from __future__ import annotations

from pathlib import Path

from escalade.analyze import Analysis, runs_frame, summary_frame
from escalade.report.files import write_atomic_with


def write_tables(analysis: Analysis, folder: Path) -> list[Path]:
    """Write runs.parquet and summary.csv atomically into ``folder``."""
    runs, summary = runs_frame(analysis), summary_frame(analysis)
    return [
        write_atomic_with(folder / "runs.parquet", lambda path: runs.to_parquet(path, index=False)),
        write_atomic_with(folder / "summary.csv", lambda path: summary.to_csv(path, index=False)),
    ]
