"""What conditioning on the record changed: each parameter's prior beside its posterior, how surprising
each observation was, and the forecasts of the scenario's questions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from escalade.condition import Posterior
from escalade.scenario import Scenario

INFORMED = 0.1  # a posterior sd at least this much below the prior's (or a mean moved by this many prior sds)
CENTRAL = (5.0, 95.0)  # the intervals shown: the central 90%


@dataclass(frozen=True)
class ParameterShift:
    name: str
    prior: tuple[float, float, float]  # mean, 5%, 95%
    posterior: tuple[float, float, float]
    narrowing: float  # 1 − posterior sd / prior sd: 0 when the record says nothing, 1 when it pins the value
    shift: float  # (posterior mean − prior mean) / prior sd

    @property
    def informed(self) -> bool:
        """Whether the record moved this parameter beyond what resampling alone would."""
        return abs(self.narrowing) >= INFORMED or abs(self.shift) >= INFORMED


@dataclass(frozen=True)
class ObservationRow:
    date: str
    move: str
    source: str
    prior_predictive: float  # P(this move | the earlier ones), averaged over the prior draws
    posterior_mean: float  # the same, averaged over the posterior draws


@dataclass(frozen=True)
class ForecastRow:
    question: str
    outcome: str
    by: str
    prior: float  # P(outcome) before the record: the mean over the prior draws
    probability: float  # P(outcome | record), the posterior predictive: the mean over the posterior draws
    low: float  # 5% and 95% of the draws' own probabilities: how much the answer depends on the parameters
    high: float


def parameter_shifts(scenario: Scenario, posterior: Posterior) -> list[ParameterShift]:
    """Every uncertain parameter, those the record moved most first."""
    rows = []
    for name in sorted(scenario.parameters):
        before, after = np.asarray(posterior.prior[name], float), np.asarray(posterior.values[name], float)
        spread = before.std()
        if spread == 0:
            continue
        rows.append(
            ParameterShift(
                name,
                _summary(before),
                _summary(after),
                float(1.0 - after.std() / spread),
                float((after.mean() - before.mean()) / spread),
            )
        )
    return sorted(rows, key=lambda row: -max(abs(row.narrowing), abs(row.shift)))


def _summary(values: np.ndarray) -> tuple[float, float, float]:
    low, high = np.percentile(values, CENTRAL)
    return float(values.mean()), float(low), float(high)


def observation_rows(scenario: Scenario, posterior: Posterior) -> list[ObservationRow]:
    """Each observed move in date order with its predictive probability given the earlier ones.

    Under the prior, ``P(o_j | o_<j) = Σ_k P_k(o_≤j) / Σ_k P_k(o_<j)``: the prior predictive, where a
    move the prior draws rarely produce scores low. Under the posterior, the draws' own conditional
    probabilities are averaged.
    """
    observed = sorted(scenario.record.observed, key=lambda o: o.date)
    steps = posterior.prior_evidence.steps
    cumulative = np.concatenate([np.zeros((len(steps), 1)), np.cumsum(steps, axis=1)], axis=1)
    with np.errstate(invalid="ignore"):
        totals = special.logsumexp(cumulative, axis=0)  # log Σ_k P_k(first j moves), j = 0..J
    rows = []
    for j, observation in enumerate(observed):
        rows.append(
            ObservationRow(
                observation.date,
                observation.move,
                observation.source,
                float(np.exp(totals[j + 1] - totals[j])),
                float(np.mean(np.exp(posterior.evidence.steps[:, j]))),
            )
        )
    return rows


def least_likely(rows: list[ObservationRow]) -> ObservationRow | None:
    return min(rows, key=lambda row: row.prior_predictive) if rows else None


def forecast_rows(scenario: Scenario, posterior: Posterior) -> list[ForecastRow]:
    """Each question's probability before the record (prior draws, nothing observed) and given it
    (posterior draws, each conditioned on the observed moves)."""
    rows = []
    for q, (name, question) in enumerate(scenario.record.questions.items()):
        after = posterior.evidence.questions[:, q]
        low, high = np.percentile(after, CENTRAL)
        rows.append(
            ForecastRow(
                name,
                question.outcome,
                question.by,
                float(posterior.prior_evidence.unconditional[:, q].mean()),
                float(after.mean()),
                float(low),
                float(high),
            )
        )
    return rows
