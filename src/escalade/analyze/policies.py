"""Compare courses of action on the same parameter draws (common random numbers).

Each policy's runs are summarised by the mean over draws of a per-draw quantity (expected
escalation level, probability of reaching a level), with a percentile bootstrap confidence
interval over draws (Efron & Tibshirani 1993, ch. 13). Because every policy is evaluated on the
same draws, differences between policies are paired: the share of draws in which one policy
gives a lower probability of escalation than another is reported as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalade.simulate import Runs


@dataclass(frozen=True)
class Estimate:
    """A mean over draws with its bootstrap confidence interval."""

    mean: float
    low: float
    high: float
    level: float = 0.95

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


@dataclass(frozen=True)
class PolicyRow:
    policy: str
    expected_escalation: Estimate
    p_at_least: dict[float, Estimate]  # escalation level -> P(escalation >= level)


def bootstrap_mean(samples: np.ndarray, rng: np.random.Generator, n_boot: int = 2000, level: float = 0.95) -> Estimate:
    """Mean of ``samples`` (n,) with a percentile bootstrap interval."""
    samples = np.asarray(samples, dtype=float)
    n = samples.size
    means = samples[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Estimate(float(samples.mean()), float(low), float(high), level)


def compare_policies(runs: list[Runs], levels: tuple[float, ...], seed: int, n_boot: int = 2000) -> list[PolicyRow]:
    """One row per policy: expected escalation and P(escalation >= level), with CIs."""
    rng = np.random.default_rng(seed)
    return [
        PolicyRow(
            r.policy,
            bootstrap_mean(r.expected_escalation, rng, n_boot),
            {level: bootstrap_mean(r.p_escalation_at_least(level), rng, n_boot) for level in levels},
        )
        for r in runs
    ]


def share_lower(a: Runs, b: Runs, level: float, margin: float = 1e-6) -> float:
    """Share of draws in which ``a`` gives a lower P(escalation >= level) than ``b`` by more than
    ``margin`` (differences below it are solver tolerance, e.g. of a traced QRE limit, not policy)."""
    return float(np.mean(a.p_escalation_at_least(level) < b.p_escalation_at_least(level) - margin))


def value_of_information(
    base: list[Runs], what_if: list[Runs], actor: int, seed: int, n_boot: int = 2000
) -> dict[str, Estimate]:
    """Per policy, the mean gain in ``actor``'s expected utility when it sees every move (paired)."""
    rng = np.random.default_rng(seed)
    return {
        a.policy: bootstrap_mean(b.actor_values[:, actor] - a.actor_values[:, actor], rng, n_boot)
        for a, b in zip(base, what_if, strict=True)
    }


def escalation_shares(runs: list[Runs]) -> dict[str, list[float]]:
    """Per policy: the probability (mean over draws) of ending at each whole escalation level, from 0
    to the highest level any policy's tree reaches."""
    top = max(0, *(int(np.rint(r.terminal_escalation).max()) for r in runs if r.terminal_escalation.size))
    shares = {}
    for r in runs:
        rounded = np.rint(r.terminal_escalation)
        per_level = [(r.outcome_probs * (rounded == level)).sum(axis=1).mean() for level in range(top + 1)]
        shares[r.policy] = [float(share) for share in per_level]
    return shares


def violence_distribution(runs: Runs, thresholds: list[float], seed: int) -> dict[int, Estimate]:
    """The model's probability of each ICB violence level (1–4), reading escalation through
    ``thresholds`` (see the scenario's ``reference_class``), averaged over draws with bootstrap CIs."""
    rng = np.random.default_rng(seed)
    low, middle, high = thresholds
    below = [runs.outcome_probs.sum(axis=1) - runs.p_escalation_at_least(t) for t in (low, middle, high)]
    per_level = [below[0], below[1] - below[0], below[2] - below[1], runs.p_escalation_at_least(high)]
    return {level: bootstrap_mean(share, rng) for level, share in enumerate(per_level, start=1)}
