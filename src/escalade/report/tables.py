"""Tidy tables of a sweep for other tools: one row per (draw, policy) in Parquet, a summary in CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from escalade.api import Analysis
from escalade.report.files import write_atomic_with


def runs_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per draw and policy: parameter values, expected escalation, P(escalation >= level)
    for each reported level, each actor's expected utility, and the solution's verified regret."""
    frames = []
    for runs in analysis.runs:
        columns: dict[str, object] = {"draw": range(runs.n_draws), "policy": runs.policy}
        columns |= {f"param_{name}": values for name, values in runs.values.items()}
        columns["expected_escalation"] = runs.expected_escalation
        columns |= {f"p_escalation_ge_{level:g}": runs.p_escalation_at_least(level) for level in analysis.levels}
        columns |= {f"value_{actor}": runs.actor_values[:, a] for a, actor in enumerate(runs.tree.players)}
        columns["max_regret"] = runs.max_regret
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def summary_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per policy: means over draws with their 95% bootstrap intervals."""
    rows = []
    for row in analysis.rows:
        record = {"policy": row.policy, "draws": analysis.draws, "seed": analysis.seed}
        estimates = {"expected_escalation": row.expected_escalation}
        estimates |= {f"p_escalation_ge_{level:g}": est for level, est in row.p_at_least.items()}
        for name, estimate in estimates.items():
            record |= {name: estimate.mean, f"{name}_low": estimate.low, f"{name}_high": estimate.high}
        rows.append(record)
    return pd.DataFrame(rows)


def write_tables(analysis: Analysis, folder: Path) -> list[Path]:
    """Write runs.parquet and summary.csv atomically into ``folder``."""
    runs, summary = runs_frame(analysis), summary_frame(analysis)
    return [
        write_atomic_with(folder / "runs.parquet", lambda path: runs.to_parquet(path, index=False)),
        write_atomic_with(folder / "summary.csv", lambda path: summary.to_csv(path, index=False)),
    ]
