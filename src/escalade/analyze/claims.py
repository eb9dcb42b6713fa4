"""Claims put to the test: in what share of the stated ranges does a proposition hold, and why.

A claim says an output (an outcome's probability, an actor's expected utility, the expected
escalation level) is lower under one condition (a policy, chance outcomes forced) than under
another. Across the parameter draws it holds where the difference exceeds a solver-tolerance
margin; its share of draws gets a Wilson interval and its mean paired difference a bootstrap
interval. These are shares of the modeller's stated ranges, not evidence about the world.

A verdict is only worth something if it can fail, so every claim is also tested

- with each mechanism of the scenario knocked out (its parameters pinned, its effects removed):
  the mechanisms the claim names under ``because`` first, then the others;
- with each single effect of the tree taken out in turn (an automatic ablation), listing the
  effects whose removal changes the verdict;

all on the same draws (common random numbers). Two flags say what a reader must know: "holds
without its stated mechanism" and "decided by a single effect". The wording of a verdict is
defined once, in :func:`wording` (docs/claims.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from escalade.analyze.intervals import Share, wilson
from escalade.analyze.policies import MARGIN, Bootstrap, Estimate
from escalade.analyze.sensitivity import SobolIndex, scenario_sobol
from escalade.scenario import Claim, Condition, Scenario
from escalade.scenario.model import effect_refs
from escalade.scenario.override import knock_out, without_effects
from escalade.simulate import Runs

# Solve a scenario variant on the given draws under several conditions of claims (compiled once).
Solver = Callable[[Scenario, Mapping[str, np.ndarray], list[Condition]], list[Runs]]
NEARLY_ALL = 0.9  # a claim holding in at least this share of draws "holds in nearly all" of them


def status(holds: Share) -> str:
    """ "holds" when the Wilson interval of the share of draws lies above one half, "fails" when
    below, "undecided" when it contains one half."""
    if holds.low > 0.5:
        return "holds"
    if holds.high < 0.5:
        return "fails"
    return "undecided"


def wording(holds: Share, reversed: Share) -> str:
    """The graded verdict, defined once (docs/claims.md): holds / fails in most or nearly all draws (and
    whether a failure is the opposite or no difference), or undecided."""
    verdict = status(holds)
    if verdict == "holds":
        return "holds in nearly all draws" if holds.share >= NEARLY_ALL else "holds in most draws"
    if verdict == "fails":
        extent = "nearly all" if holds.share <= 1 - NEARLY_ALL else "most"
        tied = 1 - holds.share - reversed.share
        why = "the opposite holds" if reversed.share >= tied else "no difference"
        return f"fails in {extent} draws ({why} in {max(reversed.share, tied):.0%})"
    return "undecided: holds in about half the draws"


@dataclass(frozen=True)
class Trial:
    """The claim on one variant of the scenario: as stated, or with something switched off."""

    switched_off: str  # "" as stated; a mechanism's name; an effect "node.move.attribute"
    holds: Share  # draws where lower < higher - MARGIN
    reversed: Share  # draws where lower > higher + MARGIN
    gap: Estimate  # mean of (higher - lower) with its bootstrap interval
    stated: bool = False  # a mechanism the claim names under ``because``
    same_play: bool = False  # every actor plays as in the stated claim: only the scoring changed
    by_scoring: bool = False  # the claim's verdict changes even with every actor's play held as stated

    @property
    def status(self) -> str:
        return status(self.holds)

    @property
    def wording(self) -> str:
        return wording(self.holds, self.reversed)


@dataclass(frozen=True)
class ClaimVerdict:
    name: str
    text: str
    output: str
    because: list[str]
    result: Trial  # the claim as stated
    deciding: list[SobolIndex] = field(default_factory=list)  # largest total Sobol indices of the gap
    mechanisms: list[Trial] = field(default_factory=list)  # each mechanism knocked out (stated ones first)
    effects_tested: int = 0  # effects taken out one at a time
    deciding_effects: list[Trial] = field(default_factory=list)  # those whose removal changes the verdict

    @property
    def holds(self) -> Share:
        return self.result.holds

    @property
    def gap(self) -> Estimate:
        return self.result.gap

    @property
    def verdict(self) -> str:
        return self.result.wording

    @property
    def flags(self) -> list[str]:
        """What a reader must know before trusting the verdict, in words."""
        found = []
        stated = [test for test in self.mechanisms if test.stated]
        if not self.because and self.mechanisms:
            found.append("names no mechanism (add 'because:')")
        elif self.result.status == "holds" and stated and all(test.status == "holds" for test in stated):
            together = " (each, and all together)" if len(self.because) > 1 else ""
            found.append(f"holds without its stated mechanism{together}: {', '.join(self.because)}")
        if self.deciding_effects:
            named = ", ".join(test.switched_off for test in self.deciding_effects[:4])
            more = len(self.deciding_effects) - 4
            found.append(f"decided by a single effect: {named}" + (f" and {more} more" if more > 0 else ""))
        scoring = [test.switched_off for test in self.deciding_effects if test.by_scoring]
        if scoring:
            named = ", ".join(scoring[:4]) + (f" and {len(scoring) - 4} more" if len(scoring) > 4 else "")
            found.append(
                f"holds through score bookkeeping: without {named} the verdict changes with every actor's play held"
            )
        return found


def evaluate_claims(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    solve: Solver,
    seed: int,
    sobol_samples: int = 64,
    knockouts: bool = True,
) -> list[ClaimVerdict]:
    """A verdict per claim of the scenario on the given draws, with what decides it: Sobol indices of
    its gap (``sobol_samples`` base samples, 0: none) and, with ``knockouts``, every mechanism
    knocked out and every single effect taken out, on the same draws."""
    stated = outputs(scenario, values, solve)
    n = len(next(iter(values.values()))) if values else 1
    boot = Bootstrap(n, np.random.default_rng(seed))
    variants = {}
    if knockouts:
        for name in scenario.mechanisms:
            variants[name] = outputs(knock_out(scenario, [name]), _pinned(scenario, [name], values), solve)
        for claim in scenario.claims.values():
            key = "+".join(claim.because)
            if len(claim.because) > 1 and key not in variants:
                variants[key] = outputs(
                    knock_out(scenario, claim.because), _pinned(scenario, claim.because, values), solve
                )
    refs = effect_refs(scenario.nodes) if knockouts else []
    ablated = {ref: outputs(without_effects(scenario, [ref]), values, solve) for ref in refs}
    verdicts = []
    for name, claim in scenario.claims.items():
        result = judge(claim, stated[name], boot)
        deciding: list[SobolIndex] = []
        if sobol_samples:

            def difference(draws: dict[str, np.ndarray], claim: Claim = claim) -> np.ndarray:
                low, high = (runs.measure(claim.output) for runs in solve(scenario, draws, [claim.lower, claim.higher]))
                return (high - low)[:, None]

            deciding = scenario_sobol(scenario, difference, ["gap"], sobol_samples, seed)["gap"][:3]
        order = [*claim.because, *(m for m in scenario.mechanisms if m not in claim.because)]
        if len(claim.because) > 1:
            order.insert(len(claim.because), "+".join(claim.because))
        mechanisms = [
            judge(claim, variants[m][name], boot, switched_off=m, stated=m in claim.because or "+" in m)
            for m in order
            if m in variants
        ]
        flips = [
            judge(claim, ablated[ref][name], boot, stated[name], switched_off=ref)
            for ref in refs
            if _status(claim, ablated[ref][name]) != result.status
        ]
        verdicts.append(
            ClaimVerdict(
                name,
                claim.text,
                claim.output,
                list(claim.because),
                result,
                deciding,
                mechanisms,
                len(refs),
                [test for test in flips if test.status != result.status],
            )
        )
    return verdicts


Sides = dict[str, tuple[Runs, Runs]]  # claim -> its runs under ``lower`` and under ``higher``


def outputs(scenario: Scenario, values: Mapping[str, np.ndarray], solve: Solver) -> Sides:
    """Each claim's runs under its ``lower`` and its ``higher`` condition; the conditions are solved
    together, each once however many claims share it."""

    def key(condition: Condition) -> tuple:
        return condition.policy, tuple(sorted(condition.force.items()))

    conditions = {key(c): c for claim in scenario.claims.values() for c in (claim.lower, claim.higher)}
    solved = dict(zip(conditions, solve(scenario, values, list(conditions.values())), strict=True))
    return {name: (solved[key(claim.lower)], solved[key(claim.higher)]) for name, claim in scenario.claims.items()}


def _pinned(scenario: Scenario, mechanisms: list[str], values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The draws with the knocked-out mechanisms' parameters held at their ``fix`` values."""
    pinned = dict(values)
    n = len(next(iter(values.values()))) if values else 1
    for name in mechanisms:
        pinned |= {p: np.full(n, value) for p, value in scenario.mechanisms[name].fix.items()}
    return pinned


def judge(
    claim: Claim,
    sides: tuple[Runs, Runs],
    boot: Bootstrap,
    baseline: tuple[Runs, Runs] | None = None,
    **labels: Any,
) -> Trial:
    """The claim on one variant's runs; with the stated claim's runs as ``baseline``, whether every actor
    plays as it did there, and whether the verdict changes when the stated play is scored as the
    variant scores it (the change is then the scoring's, not the actors')."""
    lower, higher = (runs.measure(claim.output) for runs in sides)
    trial = compare(lower, higher, boot, **labels)
    if baseline is None:
        return trial
    same = all(np.allclose(a.profile, b.profile, rtol=0, atol=1e-9) for a, b in zip(sides, baseline, strict=True))
    held = [stated.scored_as(variant, claim.output) for stated, variant in zip(baseline, sides, strict=True)]
    by_scoring = False
    if held[0] is not None and held[1] is not None:
        by_scoring = status(_holds(held[0], held[1])) != _status(claim, baseline)
    return dataclasses.replace(trial, same_play=same, by_scoring=by_scoring)


def _holds(lower: np.ndarray, higher: np.ndarray) -> Share:
    """The share of draws in which ``lower < higher`` beyond the margin. An output that is not a finite
    number is an error: it must not count for or against a claim."""
    gap = higher - lower
    if not np.isfinite(gap).all():
        raise ValueError(f"a claim's output is not a finite number in {int((~np.isfinite(gap)).sum())} draws")
    return wilson(int((gap > MARGIN).sum()), len(gap))


def _status(claim: Claim, sides: tuple[Runs, Runs]) -> str:
    """The claim's status on a variant's runs, without the bootstrap of its gap."""
    return status(_holds(*(runs.measure(claim.output) for runs in sides)))


def compare(
    lower: np.ndarray,
    higher: np.ndarray,
    boot: Bootstrap,
    switched_off: str = "",
    stated: bool = False,
) -> Trial:
    """The test of "lower < higher", draw by draw, on the draws ``boot`` resamples."""
    holds = _holds(lower, higher)
    (estimate,) = boot.estimates((higher - lower)[:, None])
    return Trial(switched_off, holds, _holds(higher, lower), estimate, stated)
