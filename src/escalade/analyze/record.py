"""What conditioning on the record changed: each parameter's prior beside its posterior, how surprising
each observation was, and the forecasts of the scenario's questions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from escalade.condition import Posterior, log_mean_exp
from escalade.game import outcome_paths
from escalade.scenario import Scenario
from escalade.scenario.model import Outcome
from escalade.simulate import Runs

INFORMED = 0.1  # a posterior sd at least this much below the prior's (or a mean moved by this many prior sds),
# and beyond three Monte Carlo standard errors of those measures
CENTRAL = (5.0, 95.0)  # the intervals shown: the central 90%


@dataclass(frozen=True)
class ParameterShift:
    name: str
    prior: tuple[float, float, float]  # mean, 5%, 95%
    posterior: tuple[float, float, float]
    narrowing: float  # 1 − posterior sd / prior sd: 0 when the record says nothing, 1 when it pins the value
    shift: float  # (posterior mean − prior mean) / prior sd
    error: float  # Monte Carlo standard error of the shift (≈ 1/√ESS prior sds); the narrowing's is ≈ error/√2

    @property
    def informed(self) -> bool:
        """Whether the record narrowed or moved this parameter beyond what resampling alone would
        (a posterior wider than the prior is not information about it)."""
        return self.narrowing >= max(INFORMED, 3 * self.error / np.sqrt(2)) or abs(self.shift) >= max(
            INFORMED, 3 * self.error
        )


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
    prior: float  # P(outcome) before the record, under the logit QRE: the mean over the prior draws
    probability: float  # P(outcome | record), the posterior predictive: the mean over the posterior draws
    low: float  # 5% and 95% of the draws' own probabilities: how much the answer depends on the parameters
    high: float

    @property
    def settled(self) -> bool:
        """The record already decides it: the outcome happened (or cannot) in every posterior draw."""
        return self.low == self.high and self.low in (0.0, 1.0)


@dataclass(frozen=True)
class RecordFit:
    """Does the model explain the record better than chance, and does its equilibrium play it?"""

    log_evidence: float  # log P(record) under the model (logit QRE at λ), over the prior draws
    random_play: float  # log P(record) if every actor chose at random (λ = 0), over the same draws
    equilibrium_share: float  # share of posterior draws whose equilibrium gives the observed moves any chance
    equilibrium_mean: float  # their probability under the equilibrium, averaged over the posterior draws

    @property
    def beats_random_play(self) -> bool:
        return self.log_evidence > self.random_play


def record_fit(scenario: Scenario, posterior: Posterior, equilibrium: Runs) -> RecordFit:
    """The record's evidence beside random play's, and how often the equilibrium the tables report (the
    λ → ∞ limit, on the posterior draws ``equilibrium``) plays the observed moves at all."""
    moves = scenario.record.moves()
    mask = outcome_paths(equilibrium.tree, {"record": Outcome(doc="the record", path=moves)})[:, 0]
    chance = equilibrium.outcome_probs @ mask if moves else np.ones(equilibrium.n_draws)
    return RecordFit(
        posterior.log_evidence,
        log_mean_exp(posterior.prior_evidence.random_play),
        float(np.mean(chance > 1e-12)),
        float(np.mean(chance)),
    )


@dataclass(frozen=True)
class QreOutcome:
    name: str
    prior: float  # P(outcome) under the logit QRE, over the prior draws
    posterior: float  # the same over the posterior draws


def qre_outcomes(scenario: Scenario, posterior: Posterior) -> list[QreOutcome]:
    """Each named outcome's probability under the model the record is read with (the logit QRE at λ),
    before and after conditioning: beside the equilibrium's tables, what the record's own model says."""
    return [
        QreOutcome(
            name, float(posterior.prior_evidence.events[:, e].mean()), float(posterior.evidence.events[:, e].mean())
        )
        for e, name in enumerate(scenario.events())
    ]


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
                float(1.0 / np.sqrt(max(min(posterior.ess, posterior.n_draws), 1.0))),
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
    observed = scenario.record.in_order()
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
