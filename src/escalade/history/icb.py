"""International Crisis Behavior (ICB) data: load it, name its variables, take base rates.

The ICB project's data (Brecher & Wilkenfeld 2000; codebook v14 by Brecher, Wilkenfeld, Beardsley,
James & Quinn) are free for research with citation but carry no open licence, so escalade does not
ship them: point :func:`load_icb` at your own download of the system-level (``icb1``) or actor-level
(``icb2``) CSV. Later releases with extra rows or columns load as they are; a file missing the
columns escalade needs, or with non-numbers in them, is refused with a message naming the column.

Variables keep their ICB codes; those escalade uses get plain-word names as well (below). Codes are
numbers as in the codebook; only the violence scale is labelled here (1 no violence, 2 minor clashes,
3 serious clashes, 4 full-scale war) — check other codes against the codebook.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from escalade.analyze.intervals import Share, wilson

# ICB code -> plain name, for the variables escalade reads (system level, icb1)
SYSTEM_VARIABLES = {
    "crisno": "crisis_id",
    "crisname": "crisis_name",
    "break": "trigger_act",
    "yrtrig": "year_triggered",
    "motrig": "month_triggered",
    "yrterm": "year_terminated",
    "brexit": "duration_days",
    "trigent": "triggering_entity",
    "gravcr": "gravity",
    "crismg": "crisis_management",
    "cenviosy": "violence_centrality",
    "sevviosy": "violence_severity",
    "viol": "violence",
    "timvio": "violence_timing",
    "iwcmb": "intra_war_crisis",
    "noactr": "number_of_actors",
    "gpinv": "great_power_involvement",
    "usinv": "us_involvement",
    "suinv": "soviet_involvement",
    "globorg": "global_organisation_involvement",
    "regorg": "regional_organisation_involvement",
    "outesr": "tension_outcome",
    "protrac": "protracted_conflict",
    "mediate": "mediation",
}
# actor level (icb2)
ACTOR_VARIABLES = {
    "crisno": "crisis_id",
    "crisname": "crisis_name",
    "actor": "actor",
    "yrtrig": "year_triggered",
    "triggr": "trigger",
    "majres": "major_response",
    "crismg": "crisis_management",
    "cenvio": "violence_centrality",
    "sevvio": "violence_severity",
    "viol": "violence",
    "outcom": "outcome",
    "outesr": "tension_outcome",
    "gravty": "gravity",
    "nuclear": "nuclear_capability",
    "powsta": "power_status",
    "powdis": "power_discrepancy",
}
REQUIRED = {"system": ("crisno", "crisname", "yrtrig", "viol"), "actor": ("crisno", "actor", "yrtrig", "viol")}
VIOLENCE_LABELS = {1: "no violence", 2: "minor clashes", 3: "serious clashes", 4: "full-scale war"}


class HistoryDataError(ValueError):
    """A crisis data file escalade cannot use; the message names the file, the column and a fix."""


def load_icb(path: str | Path, level: str = "system") -> pd.DataFrame:
    """Load an ICB CSV (``level`` "system" for icb1, "actor" for icb2) with plain-word column names.

    Every original column is kept; those in :data:`SYSTEM_VARIABLES` / :data:`ACTOR_VARIABLES` are
    renamed. Text columns (names, actor codes) stay text; all others become numbers (blank = NaN).
    """
    if level not in REQUIRED:
        raise HistoryDataError(f"level must be 'system' or 'actor', not {level!r}")
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise HistoryDataError(f"{path}: cannot read it as CSV ({exc}) — give the ICB {level}-level CSV file") from None
    frame.columns = [column.strip().lower() for column in frame.columns]
    missing = [column for column in REQUIRED[level] if column not in frame.columns]
    if missing:
        raise HistoryDataError(
            f"{path}: column(s) {', '.join(missing)} missing — is this the ICB {level}-level file "
            f"({'icb1' if level == 'system' else 'icb2'}*.csv)?"
        )
    if frame.empty:
        raise HistoryDataError(f"{path}: no rows — give a file with at least one crisis")
    names = SYSTEM_VARIABLES if level == "system" else ACTOR_VARIABLES
    text_columns = {"crisname", "actor", "icb1", "icb2"}
    for column in frame.columns:
        if column in text_columns:
            continue
        values = frame[column].str.strip()
        numbers = pd.to_numeric(values.where(values != ""), errors="coerce")
        bad = values[(values != "") & numbers.isna()]
        if len(bad) and column in names:
            row = int(bad.index[0]) + 2  # header is line 1
            raise HistoryDataError(
                f"{path}:{row}: column {column!r} holds {bad.iloc[0]!r}, not a number — fix or blank that cell"
            )
        frame[column] = numbers if not len(bad) else values
    return frame.rename(columns=names)


def reference_class(crises: pd.DataFrame, where: Mapping[str, float | Sequence[float]]) -> pd.DataFrame:
    """The crises whose variables take the given codes (a value, or any of a list of values)."""
    selected = pd.Series(True, index=crises.index)
    for name, wanted in where.items():
        values = list(wanted) if isinstance(wanted, Sequence) and not isinstance(wanted, str) else [wanted]
        selected &= crises[variable(crises, name)].isin(values)
    return crises[selected]


def variable(crises: pd.DataFrame, name: str) -> str:
    """The column ``name`` refers to: a column, or an ICB codebook name escalade renames on loading
    (``protrac`` → ``protracted_conflict``); otherwise an error with the closest names."""
    if name in crises.columns:
        return name
    plain = {**ACTOR_VARIABLES, **SYSTEM_VARIABLES}.get(name.lower())
    if plain in crises.columns:
        return plain
    known = [str(column) for column in crises.columns]
    close = difflib.get_close_matches(name, known + list(SYSTEM_VARIABLES) + list(ACTOR_VARIABLES), n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "see the ICB codebook"
    raise HistoryDataError(f"no variable {name!r} in the crisis data; {hint} (codebook and plain names both work)")


def violence_base_rates(crises: pd.DataFrame) -> dict[int, Share]:
    """Share of crises at each violence level (1–4), with Wilson intervals."""
    levels = crises["violence"].dropna().astype(int)
    return {level: wilson(int((levels == level).sum()), len(levels)) for level in VIOLENCE_LABELS}


def code_base_rates(crises: pd.DataFrame, column: str) -> dict[int, Share]:
    """Share of crises with each code of ``column`` (e.g. ``tension_outcome``), with Wilson intervals.

    Codes are reported as numbers: their meaning is in the ICB codebook.
    """
    codes = crises[variable(crises, column)].dropna().astype(int)
    return {int(code): wilson(int((codes == code).sum()), len(codes)) for code in sorted(codes.unique())}


def median_duration(crises: pd.DataFrame, seed: int = 0, n_boot: int = 2000) -> tuple[float, float, float]:
    """Median crisis duration in days with a 95% percentile-bootstrap interval."""
    days = crises["duration_days"].dropna().to_numpy(dtype=float)
    if days.size == 0:
        return (float("nan"),) * 3
    rng = np.random.default_rng(seed)
    medians = np.median(days[rng.integers(0, days.size, size=(n_boot, days.size))], axis=1)
    low, high = np.quantile(medians, [0.025, 0.975])
    return float(np.median(days)), float(low), float(high)
