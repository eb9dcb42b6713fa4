"""Claims put to the test: in what share of plausible worlds does a proposition hold, and why.

A claim says an output (expected escalation, or P(escalation >= K)) is lower under one condition
(a policy, chance outcomes forced) than under another. Across the parameter draws it holds where
the difference exceeds a solver-tolerance margin; its share of draws gets a Wilson interval, and
the parameters that decide it are those with the largest total Sobol index for the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from escalade.analyze.intervals import Share, wilson
from escalade.analyze.policies import Estimate, bootstrap_mean
from escalade.analyze.sensitivity import SobolIndex, scenario_sobol
from escalade.scenario import Claim, Scenario

MARGIN = 1e-6  # differences below this are solver tolerance, not a finding

Outputs = Callable[[dict[str, np.ndarray], Claim], tuple[np.ndarray, np.ndarray]]  # values, claim -> lower, higher


@dataclass(frozen=True)
class ClaimVerdict:
    name: str
    text: str
    holds: Share  # draws where lower < higher - MARGIN
    reversed: Share  # draws where lower > higher + MARGIN
    gap: Estimate  # mean of (higher - lower) with its bootstrap interval
    deciding: list[SobolIndex]  # largest total Sobol indices of the gap

    @property
    def verdict(self) -> str:
        if self.holds.low > 0.5:
            return "holds in most plausible worlds"
        if self.holds.high < 0.5:
            return "fails in most plausible worlds"
        return "undecided: it holds in about half the plausible worlds"


def evaluate_claims(
    scenario: Scenario, values: dict[str, np.ndarray], outputs: Outputs, seed: int, sobol_samples: int = 64
) -> list[ClaimVerdict]:
    """A verdict per claim of the scenario, on the given draws."""
    rng = np.random.default_rng(seed)
    verdicts = []
    for name, claim in scenario.claims.items():
        lower, higher = outputs(values, claim)
        deciding: list[SobolIndex] = []
        if sobol_samples:

            def difference(draws: dict[str, np.ndarray], claim: Claim = claim) -> np.ndarray:
                low, high = outputs(draws, claim)
                return (high - low)[:, None]

            deciding = scenario_sobol(scenario, difference, ["gap"], sobol_samples, seed)["gap"][:3]
        verdicts.append(compare(name, claim.text, lower, higher, rng, deciding))
    return verdicts


def compare(
    name: str,
    text: str,
    lower: np.ndarray,
    higher: np.ndarray,
    rng: np.random.Generator,
    deciding: list[SobolIndex] | None = None,
) -> ClaimVerdict:
    """The verdict on "lower < higher", draw by draw (draws where either is NaN are left out)."""
    gap = (higher - lower)[~(np.isnan(higher) | np.isnan(lower))]
    n = len(gap)
    return ClaimVerdict(
        name,
        text,
        wilson(int((gap > MARGIN).sum()), n),
        wilson(int((gap < -MARGIN).sum()), n),
        bootstrap_mean(gap, rng) if n else Estimate(float("nan"), float("nan"), float("nan"), 0.95),
        deciding or [],
    )
