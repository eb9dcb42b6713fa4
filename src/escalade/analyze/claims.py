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
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from escalade.analyze.intervals import Share, wilson
from escalade.analyze.policies import MARGIN, Bootstrap, Estimate
from escalade.analyze.sensitivity import SobolIndex, scenario_sobol
from escalade.scenario import Claim, Condition, Decision, Scenario, Terminal
from escalade.scenario.model import effect_refs, probability_of
from escalade.scenario.override import knock_out, without_effects
from escalade.simulate import Runs, sample_parameters

# A scenario variant, its draws, and the claims' conditions to solve it under.
Job = tuple[Scenario, Mapping[str, np.ndarray], list[Condition]]
# Solves each job (the tree compiled once), yielding one run per condition for each job in order; it may
# solve several jobs at once (a claim's knockouts and ablations are dozens of small jobs).
Solver = Callable[[Iterable[Job]], Iterator[list[Runs]]]


def one_at_a_time(solve: Callable[[Scenario, Mapping[str, np.ndarray], list[Condition]], list[Runs]]) -> Solver:
    """A :data:`Solver` from a function that solves one job."""

    def solver(jobs: Iterable[Job]) -> Iterator[list[Runs]]:
        for job in jobs:
            yield solve(*job)

    return solver


NEARLY_ALL = 0.9  # a share of draws at least this large is "nearly all" of them
MATERIAL = 0.05  # a verdict changes only if the share of draws in which the claim holds moves this much


def status(holds: Share, reversed: Share) -> str:
    """ "holds" when the Wilson interval of the share of draws in which the claim holds lies above ½;
    "reversed" when that of the share in which the opposite holds does; "no difference" when that of
    the share with no difference does; "undefined" when the output is undefined in every draw (a
    condition that never happens); "undecided" otherwise."""
    if holds.total == 0:
        return "undefined"
    if holds.low > 0.5:
        return "holds"
    if reversed.low > 0.5:
        return "reversed"
    if wilson(holds.total - holds.count - reversed.count, holds.total).low > 0.5:
        return "no difference"
    return "undecided"


def wording(holds: Share, reversed: Share) -> str:
    """The graded verdict, defined once (docs/claims.md)."""
    verdict = status(holds, reversed)
    tied = 1 - holds.share - reversed.share
    if verdict == "holds":
        return "holds in nearly all draws" if holds.share >= NEARLY_ALL else "holds in most draws"
    if verdict == "reversed":
        return f"fails: the opposite holds in {'nearly all' if reversed.share >= NEARLY_ALL else 'most'} draws"
    if verdict == "undefined":
        return "undefined: its output is undefined in every draw"
    if verdict == "no difference":
        return "fails: no difference in any draw" if tied == 1 else f"fails: no difference in {tied:.0%} of draws"
    return f"undecided: holds in {holds.share:.0%} of draws, the opposite in {reversed.share:.0%}"


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
        return status(self.holds, self.reversed)

    @property
    def wording(self) -> str:
        return wording(self.holds, self.reversed)

    def changes(self, stated: Trial) -> bool:
        """Whether this variant changes the stated verdict: another status, and the share of draws in
        which the claim holds moved by at least ``MATERIAL`` (not a share that drifts across ½)."""
        return changed(self.holds, self.reversed, stated)


def changed(holds: Share, reversed: Share, stated: Trial) -> bool:
    return status(holds, reversed) != stated.status and abs(holds.share - stated.holds.share) >= MATERIAL


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
    draws: int = 0  # the draws it was put to; fewer are judged where its output is undefined in some
    switches: list[str] = field(default_factory=list)  # mechanisms without which its sides are equal in every draw
    toggles: list[str] = field(default_factory=list)  # those of them whose on and off are all its sides differ in
    declared: bool = False  # the scenario declares mechanisms and they were knocked out (where none ran for it)

    @property
    def undefined(self) -> str | None:
        """Where the output is undefined in some draws (a conditional probability whose condition has
        no probability there, a time to a rung never reached), on how many draws the claim was judged."""
        judged = self.result.holds.total
        if judged >= self.draws:
            return None
        named = probability_of(self.output)
        where = f"{named[1]} can happen" if named and named[1] else "its outputs are defined"
        return f"judged on the {judged} of {self.draws} draws in which {where}"

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
        """What a reader must know before trusting a claim that holds, in words (docs/claims.md)."""
        found = [undefined] if (undefined := self.undefined) else []
        if not self.because and (self.mechanisms or self.declared):
            found.append("names no mechanism (add 'because:')")
        alone = {name for name in self.switches if "+" not in name}  # a set with one of them in adds nothing
        found += [
            f"its two sides differ only through {name.replace('+', ', ')}: "
            + (_acts(name) if name in self.toggles else "the model has no other channel")
            for name in self.switches
            if name in alone or not alone & set(name.split("+"))
        ]
        if self.result.status != "holds":
            return found
        stated = [test for test in self.mechanisms if test.stated]
        joint = next((test for test in stated if "+" in test.switched_off), None)
        redundant = joint is not None and joint.changes(self.result)
        redundant &= not any(test.changes(self.result) for test in stated if test is not joint)
        if redundant:  # each alone is enough: "holds without" each would read as if none mattered
            names = joint.switched_off.replace("+", ", ")
            found.append(f"each of its stated mechanisms suffices alone: only without all of {names} does it change")
        for test in self.mechanisms:
            if test.stated and not test.changes(self.result) and not redundant:
                together = "s together" if "+" in test.switched_off else ""
                found.append(f"holds without its stated mechanism{together}: {test.switched_off.replace('+', ', ')}")
            elif not test.stated and test.changes(self.result):
                found.append(f"rests on a mechanism it does not name: {test.switched_off}")
        if self.deciding_effects:
            found.append("decided by a single effect: " + _some(t.switched_off for t in self.deciding_effects))
        scoring = [test.switched_off for test in self.deciding_effects if test.by_scoring]
        if scoring:
            found.append(
                f"holds through score bookkeeping: without {_some(scoring)} the verdict changes with every "
                "actor's play held"
            )
        return found


def _acts(name: str) -> str:
    return f"it shows that the mechanism{'s act' if '+' in name else ' acts'}, no more"


def _some(names: Iterable[str], shown: int = 4) -> str:
    names = list(names)
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def mechanism_notes(scenario: Scenario, draws: int = 256) -> list[str]:
    """Pins of a mechanism that lie outside the pinned parameter's own range: a knockout then tests a
    world the scenario's ranges exclude, which a reader should know. A pin written as a formula of other
    parameters is evaluated on ``draws`` draws of the scenario (seed 0) and noted with the share of
    them in which it falls outside."""
    notes = []
    values = None
    for name, mechanism in scenario.mechanisms.items():
        for parameter, expression in mechanism.fix.items():
            if parameter not in scenario.parameters:
                continue
            low, high = scenario.parameters[parameter].ppf(np.array([0.0, 1.0]))
            where = f"outside its range [{low:.3g}, {high:.3g}]"
            if not expression.names:
                value = float(expression({}))
                if not low <= value <= high:
                    notes.append(
                        f"Mechanism {name} pins {parameter} to {value:g}, {where}: its knockout tests a world the "
                        "stated ranges exclude."
                    )
                continue
            if values is None:
                values = sample_parameters(scenario, draws, seed=0)
            pinned = np.broadcast_to(np.asarray(expression(values), dtype=float), (draws,))
            outside = float(np.mean((pinned < low) | (pinned > high)))
            if outside > 0:
                notes.append(
                    f"Mechanism {name} pins {parameter} to {expression.source}, {where} in {outside:.0%} of "
                    f"{draws} draws: its knockout there tests a world the stated ranges exclude."
                )
    return notes


def ablation_refs(scenario: Scenario) -> list[str]:
    """The effects an ablation takes out one at a time: every effect of the tree except those on
    markers, attributes that no actor values and no formula reads (only outcomes' conditions):
    taking a marker out redefines an outcome rather than testing a mechanism."""
    read = {name for actor in scenario.actors for name in actor.utility}
    for node in scenario.nodes.values():
        if isinstance(node, Terminal):
            formulas = [*node.outcome.values(), *node.payoffs.values()]
        else:
            moves = node.actions if isinstance(node, Decision) else node.chance
            formulas = [formula for move in moves.values() for formula in move.effects.values()]
        read |= {name for formula in formulas for name in formula.names}
    return [ref for ref in effect_refs(scenario.nodes) if ref.rsplit(".", 1)[1] in read or ".payoffs." in ref]


def evaluate_claims(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    solve: Solver,
    seed: int,
    sobol_samples: int = 64,
    knockouts: bool = True,
    progress: Callable[[int, int], None] | None = None,
    ablation: bool = True,
) -> list[ClaimVerdict]:
    """A verdict per claim of the scenario on the given draws, with what decides it: Sobol indices of
    its gap (``sobol_samples`` base samples, 0: none) and, with ``knockouts``, every mechanism
    knocked out and (with ``ablation``) every single effect taken out, on the same draws. Each variant is solved, judged
    and let go before the next (memory stays that of a few runs); ``progress`` is told (variants
    done, variants in all) after each."""
    (stated,) = outputs(scenario, [(scenario, values)], solve)
    n = len(next(iter(values.values()))) if values else 1
    boot = Bootstrap(n, np.random.default_rng(seed))
    results = {name: judge(claim, stated[name], boot) for name, claim in scenario.claims.items()}
    knocked: dict[str, list[Trial]] = {name: [] for name in scenario.claims}
    flips: dict[str, list[Trial]] = {name: [] for name in scenario.claims}
    switches: dict[str, list[str]] = {name: [] for name in scenario.claims}  # stated knockouts leaving sides equal
    refs = ablation_refs(scenario) if knockouts and ablation else []
    if knockouts:
        combined = [c.because for c in scenario.claims.values() if len(c.because) > 1]
        knockout_sets = [*([m] for m in scenario.mechanisms), *map(list, dict.fromkeys(map(tuple, combined)))]
        total = 1 + len(knockout_sets) + len(refs)
        advance = progress or (lambda done, total: None)
        advance(1, total)
        variants = itertools.chain(
            (knock_out(scenario, mechanisms, values) for mechanisms in knockout_sets),
            ((without_effects(scenario, [ref]), values) for ref in refs),
        )
        for done, (switched_off, sides) in enumerate(
            zip([*knockout_sets, *refs], outputs(scenario, variants, solve), strict=True), start=2
        ):
            advance(done, total)
            for name, claim in scenario.claims.items():
                if isinstance(switched_off, list):  # a knockout
                    stated_here = set(switched_off) <= set(claim.because)
                    if len(switched_off) == 1 or switched_off == claim.because:
                        label = "+".join(switched_off)
                        knocked[name].append(judge(claim, sides[name], boot, switched_off=label, stated=stated_here))
                        lower, higher = _measured(claim, sides[name])
                        if stated_here and np.array_equal(lower, higher, equal_nan=True):
                            switches[name].append(label)
                elif changed(*_shares(claim, sides[name]), results[name]):  # an effect taken out
                    baseline = (stated[name], results[name])
                    flips[name].append(judge(claim, sides[name], boot, baseline, switched_off=switched_off))
    verdicts = []
    for name, claim in scenario.claims.items():
        deciding: list[SobolIndex] = []
        if sobol_samples:

            def difference(draws: dict[str, np.ndarray], claim: Claim = claim) -> np.ndarray:
                (solved,) = solve([(scenario, draws, [claim.lower, claim.higher])])
                low, high = _measured(claim, solved)
                return (high - low)[:, None]

            deciding = scenario_sobol(scenario, difference, ["gap"], sobol_samples, seed)["gap"][:3]
        mechanisms = sorted(knocked[name], key=lambda t: (not t.stated, "+" in t.switched_off))
        verdicts.append(
            ClaimVerdict(
                name,
                claim.text,
                claim.shown,
                list(claim.because),
                results[name],
                deciding,
                mechanisms,
                len(refs),
                flips[name],
                n,
                switches[name],
            )
        )
    return verdicts


Sides = dict[str, tuple[Runs, Runs]]  # claim -> its runs under ``lower`` and under ``higher``


def outputs(
    scenario: Scenario, variants: Iterable[tuple[Scenario, Mapping[str, np.ndarray]]], solve: Solver
) -> Iterator[Sides]:
    """For each variant of ``scenario`` on its draws, each claim's runs under its ``lower`` and its
    ``higher`` condition; the conditions are solved together, each once however many claims share it."""

    def key(condition: Condition) -> tuple:
        return condition.policy, tuple(sorted(condition.force.items()))

    conditions = {key(c): c for claim in scenario.claims.values() for c in (claim.lower, claim.higher)}
    jobs = ((variant, values, list(conditions.values())) for variant, values in variants)
    for runs in solve(jobs):
        solved = dict(zip(conditions, runs, strict=True))
        yield {name: (solved[key(claim.lower)], solved[key(claim.higher)]) for name, claim in scenario.claims.items()}


def judge(
    claim: Claim,
    sides: tuple[Runs, Runs],
    boot: Bootstrap,
    baseline: tuple[tuple[Runs, Runs], Trial] | None = None,
    **labels: Any,
) -> Trial:
    """The claim on one variant's runs; with the stated claim's runs and trial as ``baseline``, whether
    every actor plays as it did there, and whether the verdict changes when the stated play is scored
    as the variant scores it (the change is then the scoring's, not the actors')."""
    lower, higher = _measured(claim, sides)
    trial = compare(lower, higher, boot, **labels)
    if baseline is None:
        return trial
    runs, stated = baseline
    same = all(np.allclose(a.profile, b.profile, rtol=0, atol=1e-9) for a, b in zip(sides, runs, strict=True))
    held = [played.scored_as(variant, o) for played, variant, o in zip(runs, sides, claim.outputs, strict=True)]
    by_scoring = False
    if held[0] is not None and held[1] is not None:
        by_scoring = changed(_holds(held[0], held[1]), _holds(held[1], held[0]), stated)
    return dataclasses.replace(trial, same_play=same, by_scoring=by_scoring)


def _measured(claim: Claim, sides: Sequence[Runs]) -> tuple[np.ndarray, np.ndarray]:
    """The claim's output under its ``lower`` and under its ``higher`` condition, draw by draw."""
    lower, higher = (runs.measure(o) for runs, o in zip(sides, claim.outputs, strict=True))
    return lower, higher


def _holds(lower: np.ndarray, higher: np.ndarray) -> Share:
    """The share of draws in which ``lower < higher`` beyond the margin. A draw in which either output
    is not a finite number (undefined there, e.g. the time to a rung never reached) counts neither for
    nor against the claim: it is left out, and the share's total says how many draws remain."""
    gap = (higher - lower)[np.isfinite(higher - lower)]
    return wilson(int((gap > MARGIN).sum()), len(gap))


def _shares(claim: Claim, sides: tuple[Runs, Runs]) -> tuple[Share, Share]:
    """The shares of draws in which the claim holds and in which the opposite holds, on a variant's
    runs (without the bootstrap of its gap)."""
    lower, higher = _measured(claim, sides)
    return _holds(lower, higher), _holds(higher, lower)


def compare(
    lower: np.ndarray,
    higher: np.ndarray,
    boot: Bootstrap,
    switched_off: str = "",
    stated: bool = False,
) -> Trial:
    """The test of "lower < higher", draw by draw, on the draws ``boot`` resamples."""
    holds = _holds(lower, higher)
    (estimate,) = boot.estimates((higher - lower)[:, None])  # draws that are not finite are left out
    return Trial(switched_off, holds, _holds(higher, lower), estimate, stated)


def claims_frame(verdicts: Iterable[ClaimVerdict]) -> pd.DataFrame:
    """One row per claim: its output, the draws it was put to and judged on, the share in which it holds
    and in which the opposite does (Wilson 95%), the mean gap (bootstrap 95%), the verdict and its flags."""
    return pd.DataFrame(
        [
            {
                "claim": v.name,
                "output": v.output,
                "draws": v.draws,
                "judged": v.holds.total,
                "holds": v.holds.share,
                "holds_low": v.holds.low,
                "holds_high": v.holds.high,
                "reversed": v.result.reversed.share,
                "gap": v.gap.mean,
                "gap_low": v.gap.low,
                "gap_high": v.gap.high,
                "status": v.result.status,
                "verdict": v.verdict,
                "flags": "; ".join(v.flags),
            }
            for v in verdicts
        ]
    )


def knockouts_frame(verdicts: Iterable[ClaimVerdict]) -> pd.DataFrame:
    """One row per claim and mechanism knocked out: the shares of draws in which the claim then holds, the
    opposite holds and neither does (tied), its gap, its status, whether the mechanism is one the claim
    names and whether the verdict changes."""
    return pd.DataFrame(
        [
            {
                "claim": v.name,
                "knocked_out": t.switched_off,
                "stated": t.stated,
                "judged": t.holds.total,
                "holds": t.holds.share,
                "reversed": t.reversed.share,
                "tied": 1.0 - t.holds.share - t.reversed.share if t.holds.total else float("nan"),
                "gap": t.gap.mean,
                "gap_low": t.gap.low,
                "gap_high": t.gap.high,
                "status": t.status,
                "changes_verdict": t.changes(v.result),
            }
            for v in verdicts
            for t in v.mechanisms
        ],
        columns=[
            "claim",
            "knocked_out",
            "stated",
            "judged",
            "holds",
            "reversed",
            "tied",  # no difference: a status of "no difference" with a positive mean gap reads from here
            "gap",
            "gap_low",
            "gap_high",
            "status",
            "changes_verdict",
        ],
    )
