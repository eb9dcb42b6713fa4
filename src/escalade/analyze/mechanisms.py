"""What each mechanism does: the equilibrium's outcomes with it knocked out, on the same draws.

A claim's knockouts ask whether one proposition survives without a mechanism; this asks the prior
question of each mechanism the modeller built in: does switching it off change any outcome at all?
Each mechanism is knocked out alone (its parameters pinned, its effects removed: the scenario's
``mechanisms:``) and the equilibrium is solved again on the same draws. Each outcome's probability
(and each conditional probability a claim names, on the draws where its condition can happen both
ways) changes draw by draw; the change's mean gets a bootstrap interval over the draws. A mechanism
*moves* an outcome when that interval excludes zero (the change exceeds its Monte Carlo error); a
mechanism that moves none does no work in the model, whatever its name promises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from escalade.analyze.claims import Solver
from escalade.analyze.policies import MARGIN, Bootstrap, Estimate
from escalade.scenario import Condition, Scenario
from escalade.scenario.model import probability_of
from escalade.scenario.override import knock_out


@dataclass(frozen=True)
class Knockout:
    """One mechanism knocked out: each outcome's probability as stated and its paired change."""

    mechanism: str
    doc: str
    stated: dict[str, float]  # output "P(outcome)" (or a claim's "P(a | b)") -> mean over the draws where defined
    change: dict[str, Estimate]  # output -> mean change (knocked out − stated) with its 95% interval

    @staticmethod
    def _moves(change: Estimate) -> bool:
        return abs(change.mean) > MARGIN and not change.low <= 0.0 <= change.high

    @property
    def moved(self) -> list[str]:
        """The outputs it moves beyond Monte Carlo error, the clearest first (change over the half-width
        of its interval)."""
        moved = [output for output, change in self.change.items() if self._moves(change)]
        return sorted(moved, key=lambda o: -abs(self.change[o].mean) / _half_width(self.change[o]))

    @property
    def verdict(self) -> str:
        moved = self.moved
        if not moved:
            return "moves no outcome beyond Monte Carlo error"
        return f"moves {len(moved)} of {len(self.change)} outcomes"


def _given(output: str) -> bool:
    """Whether ``output`` is a conditional probability, P(a | b)."""
    named = probability_of(output)
    return named is not None and named[1] is not None


def _half_width(estimate: Estimate) -> float:
    return max((estimate.high - estimate.low) / 2, np.finfo(float).tiny)


def knockout_effects(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    solve: Solver,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Knockout]:
    """Each mechanism of ``scenario`` knocked out alone: the equilibrium's outcome probabilities on
    ``values`` against those as stated, draw by draw (common random numbers); ``progress`` is told
    (solves done, solves in all) as it goes."""
    advance = progress or (lambda done, total: None)
    total = 1 + len(scenario.mechanisms)
    advance(0, total)
    equilibrium = [Condition()]
    (stated,) = next(solve([(scenario, values, equilibrium)]))
    conditional = [output for claim in scenario.claims.values() for output in claim.outputs if _given(output)]
    outputs = list(dict.fromkeys([*(f"P({name})" for name in stated.event_names), *conditional]))
    before = np.column_stack([stated.measure(output) for output in outputs])
    boot = Bootstrap(stated.n_draws, np.random.default_rng(seed))
    stated_means = {output: estimate.mean for output, estimate in zip(outputs, boot.estimates(before), strict=True)}
    advance(1, total)
    knockouts = []
    variants = ((*knock_out(scenario, [name], values), equilibrium) for name in scenario.mechanisms)
    for done, ((name, mechanism), (knocked,)) in enumerate(
        zip(scenario.mechanisms.items(), solve(variants), strict=True), start=2
    ):
        advance(done, total)
        after = np.column_stack([knocked.measure(output) for output in outputs])
        changes = boot.estimates(after - before)
        knockouts.append(
            Knockout(
                name,
                mechanism.doc,
                stated_means,
                dict(zip(outputs, changes, strict=True)),
            )
        )
    return knockouts
