"""Tidy tables of a sweep written for other tools: runs in Parquet, the summary in CSV."""

from __future__ import annotations

from escalade.analyze import Analysis, runs_frame, summary_frame
from escalade.report.files import Writer


def table_writers(analysis: Analysis) -> dict[str, Writer]:
    """Writers of runs.parquet and summary.csv, for :func:`escalade.report.files.publish`."""
    runs, summary = runs_frame(analysis), summary_frame(analysis)
    return {
        "runs.parquet": lambda path: runs.to_parquet(path, index=False),
        "summary.csv": lambda path: summary.to_csv(path, index=False),
    }
