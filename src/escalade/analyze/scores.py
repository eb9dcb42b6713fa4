"""Forecasts scored against what came to pass: Brier and log scores and a calibration table
(scikit-learn's ``brier_score_loss``, ``log_loss`` and ``calibration_curve``)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np

BINS = 5  # calibration bins over [0, 1]
TRUE = {True: 1, False: 0, "yes": 1, "no": 0, "true": 1, "false": 0}  # 1 and 0 are True and False as keys


class ScoringError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ScoredForecast:
    question: str
    as_of: str
    probability: float
    happened: int
    brier: float  # (p − y)²
    log_score: float  # log of the probability given to what happened (higher is better)


@dataclass(frozen=True)
class ForecastScores:
    forecasts_file: str
    resolved_file: str
    scored: list[ScoredForecast]
    brier: float  # mean Brier score (0 best, 0.25 for always saying ½)
    log_score: float  # mean log score (0 best, log ½ ≈ −0.693 for always saying ½)
    calibration: list[tuple[float, float, int]]  # per bin with forecasts: mean forecast, share that happened, count
    unresolved: list[str] = field(default_factory=list)  # questions forecast but not (yet) resolved
    certain_and_wrong: list[str] = field(default_factory=list)  # forecasts of 0 or 1 that missed (log score −∞)
    not_forecast: list[str] = field(default_factory=list)  # resolved questions no forecast asks (typos?), with hints


def score_forecasts(
    forecasts: list[tuple[int, dict]], resolved: dict, forecasts_file: str = "", resolved_file: str = ""
) -> ForecastScores:
    """Score each forecast (its line in the file, its record) whose question is resolved; every problem
    is reported at once. A forecast of exactly 0 or 1 that missed has a log score of −∞: it is scored at
    log(1e-15) and named in ``certain_and_wrong``."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, log_loss

    problems = []
    for name, value in resolved.items():
        if _happened(value) is None:
            problems.append(f"{resolved_file}: {name}: {value!r} is not an outcome; write true or false (1 or 0)")
    rows, unresolved = [], []
    for number, record in forecasts:
        question, p = record.get("question"), record.get("probability")
        number_ok = isinstance(p, int | float) and not isinstance(p, bool) and bool(np.isfinite(p))
        if not isinstance(question, str) or not number_ok or not 0 <= p <= 1:
            problems.append(f"{forecasts_file}:{number}: a forecast needs 'question' and a 'probability' in [0, 1]")
        elif question not in resolved:
            unresolved.append(question)
        else:
            rows.append((question, str(record.get("as_of", "")), float(p), _happened(resolved[question])))
    if not rows and not problems:
        problems.append(f"no forecast in {forecasts_file} has its question resolved in {resolved_file}")
    if problems:
        raise ScoringError(problems)
    p = np.array([row[2] for row in rows])
    y = np.array([row[3] for row in rows])
    clipped = np.clip(p, 1e-15, 1 - 1e-15)
    scored = [
        ScoredForecast(q, as_of, prob, happened, (prob - happened) ** 2, float(np.log(c if happened else 1 - c)))
        for (q, as_of, prob, happened), c in zip(rows, clipped, strict=True)
    ]
    shares, means = calibration_curve(y, p, n_bins=BINS, strategy="uniform")
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, BINS + 1)[1:-1], p), minlength=BINS)  # as sklearn bins
    calibration = list(zip(means.tolist(), shares.tolist(), counts[counts > 0].tolist(), strict=True))
    wrong = [row[0] for row in rows if row[2] in (0.0, 1.0) and row[2] != row[3]]
    asked = {record.get("question") for _, record in forecasts}
    not_forecast = []
    for name in resolved:
        if name not in asked:
            close = difflib.get_close_matches(name, unresolved, 1)
            not_forecast.append(f"{name} (did you mean {close[0]}?)" if close else name)
    return ForecastScores(
        forecasts_file,
        resolved_file,
        scored,
        float(brier_score_loss(y, p)),
        float(-log_loss(y, clipped, labels=[0, 1])),
        calibration,
        unresolved,
        wrong,
        not_forecast,
    )


def _happened(value: object) -> int | None:
    key = value.lower() if isinstance(value, str) else value
    return TRUE.get(key) if isinstance(key, bool | int | str) else None
