"""Measures of crises over rounds: fan charts, time to each rung, de-escalation, the ratchet index,
escalation scores comparable with LLM war-game studies, and the fit of the historical path.

Intervals are 95% percentile bootstraps over runs (each run is one parameter draw and one course of
chance), so they state Monte Carlo uncertainty given the scenario's parameter ranges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from escalade.analyze.claims import ClaimVerdict, compare
from escalade.analyze.intervals import Share, wilson
from escalade.analyze.mechanisms import Knockout
from escalade.analyze.policies import Bootstrap, Estimate, bootstrap_mean
from escalade.condition import PathEvidence, kish, log_mean_exp, normalised
from escalade.scenario import Scenario
from escalade.scenario.model import CATEGORIES, DynamicClaim, DynamicCondition
from escalade.simulate.trajectories import EQUILIBRIUM, Condition, Trajectories
from escalade.solve.markov import MarkovSolution
from escalade.version import __version__

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def ratchet_counts(rungs: np.ndarray, stepped_down: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Per run: step-ups whose next ``window`` rounds are all observed, and how many of those the
    same actor did not follow by stepping down within ``window`` rounds.

    A step up is a round that ends with the actor higher than it began (by its own move or pushed
    by chance); a step down is the actor's own move down. ``rungs`` is (N, T + 1, n),
    ``stepped_down`` (N, T, n).
    """
    step = np.diff(rungs, axis=1)  # (N, T, n): the change in round t
    rounds = step.shape[1]
    ups = np.zeros(rungs.shape[0], dtype=np.int64)
    kept = np.zeros(rungs.shape[0], dtype=np.int64)
    for t in range(rounds - window):
        up = step[:, t, :] > 0
        reversed_ = stepped_down[:, t + 1 : t + 1 + window, :].any(axis=1)
        ups += up.sum(axis=1)
        kept += (up & ~reversed_).sum(axis=1)
    return ups, kept


def ratchet_index(
    rungs: np.ndarray, stepped_down: np.ndarray, window: int, rng: np.random.Generator, n_boot: int = 1000
) -> Estimate:
    """The share of step-ups not followed by a step down by the same actor within ``window`` rounds.

    1 is a perfect ratchet (nothing given back), 0 means every step up is taken back. NaN when no
    step up has a fully observed window. The interval resamples whole runs.
    """
    ups, kept = ratchet_counts(rungs, stepped_down, window)
    if ups.sum() == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0.95)
    picks = rng.integers(0, ups.size, size=(n_boot, ups.size))
    totals = ups[picks].sum(axis=1)
    ratios = kept[picks].sum(axis=1) / np.maximum(totals, 1)
    low, high = np.quantile(ratios[totals > 0], [0.025, 0.975])
    return Estimate(float(kept.sum() / ups.sum()), float(low), float(high), 0.95)


def fan_frame(levels: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """Per round: mean and the 5/25/50/75/95% quantiles of the escalation level over runs."""
    quantiles = np.quantile(levels, FAN_QUANTILES, axis=0)
    frame = pd.DataFrame({"round": np.arange(levels.shape[1]), "label": labels[: levels.shape[1]]})
    frame["mean"] = levels.mean(axis=0)
    for q, values in zip(FAN_QUANTILES, quantiles, strict=True):
        frame[f"q{round(q * 100):02d}"] = values
    return frame


def time_to_rung(levels: np.ndarray, top: int) -> pd.DataFrame:
    """For each rung above the start: share of runs reaching it, and the median round of arrival
    among runs that do (NaN when none does)."""
    start = int(levels[:, 0].max())
    rows = []
    for rung in range(start + 1, top + 1):
        reached = levels >= rung
        hit = reached.any(axis=1)
        first = np.argmax(reached, axis=1)
        share = wilson(int(hit.sum()), levels.shape[0])
        median = float(np.median(first[hit])) if hit.any() else float("nan")
        rows.append(
            {"rung": rung, "p_reached": share.share, "low": share.low, "high": share.high, "median_round": median}
        )
    return pd.DataFrame(rows, columns=["rung", "p_reached", "low", "high", "median_round"])


def reached_by_round(levels: np.ndarray, rung: int) -> np.ndarray:
    """(T + 1,) the share of runs whose level has reached ``rung`` by each round (cumulative)."""
    return np.maximum.accumulate(levels >= rung, axis=1).mean(axis=0)


def walked_back(levels: np.ndarray) -> np.ndarray:
    """Per run: the crisis ends below its peak level (it was walked back at least partly)."""
    return levels[:, -1] < levels.max(axis=1)


def deescalation(levels: np.ndarray) -> Share:
    """The share of runs that end below their peak level, with its Wilson interval."""
    return wilson(int(walked_back(levels).sum()), levels.shape[0])


def score_frame(trajectories: Trajectories, labels: list[str]) -> pd.DataFrame:
    """Mean escalation score per actor and round (Rivera et al. 2024 weights), and its running total."""
    rows = []
    for i, actor in enumerate(trajectories.actors):
        per_round = trajectories.scores[:, :, i].mean(axis=0)
        for t, (value, total) in enumerate(zip(per_round, np.cumsum(per_round), strict=True)):
            rows.append({"actor": actor, "round": t + 1, "label": labels[t + 1], "score": value, "cumulative": total})
    return pd.DataFrame(rows)


def category_shares(trajectories: Trajectories) -> dict[str, float]:
    """How often each category of move is taken, over all actors and rounds."""
    counts = np.bincount(trajectories.categories.reshape(-1), minlength=len(CATEGORIES))
    return dict(zip(CATEGORIES, (counts / counts.sum()).tolist(), strict=True))


@dataclass(frozen=True)
class HistoryFit:
    """How a course of action's solved policies predicted the observed path, round by round
    (docs/conditioning.md, "Dynamic scenarios"): each round's rungs given every round before."""

    source: str
    rounds: int  # rounds compared (the observed path may be shorter than the simulation)
    observed: list[list[int]]  # each actor's rung at the start of rounds 0..rounds
    log_likelihood: float  # log P(observed path), the draws averaged: log of the mean probability
    predictive: list[float]  # per round t ≥ 1: P(round t's rungs | rounds before), draws weighted by the past
    pit: list[list[float]]  # per round t ≥ 1 and actor: P(rung below the observed) + ½ P(rung = observed)
    ess: list[float]  # per round: effective number of draws once the rounds up to it are weighed in
    impossible_from: int | None  # the first round no draw can produce (None: every round possible)
    # the actors whose observed rung in that round no draw could produce, given the rounds before (empty where
    # each could, but not all together)
    impossible_by: tuple[int, ...] = ()

    @property
    def mean_log_score(self) -> float:
        """The log-likelihood per round (0 is a perfect prediction)."""
        return self.log_likelihood / self.rounds if self.rounds else 0.0


def history_fit(evidence: PathEvidence, observed: np.ndarray, source: str) -> HistoryFit:
    """The round-by-round predictions of ``evidence`` mixed over the draws, each draw weighted by how
    well it predicted the rounds before (the sequential posterior): the mixture's predictive
    probability of each round's rungs, their PIT values, and the weights' ESS."""
    k, rounds = evidence.steps.shape
    past = np.zeros(k)  # log-probability of the rounds so far, per draw
    predictive, pit, ess = [], [], []
    impossible, impossible_by = None, ()
    for t in range(rounds):
        weights = normalised(past)
        if not weights.any():
            impossible = impossible if impossible is not None else t
            predictive.append(0.0)
            pit.append([float("nan")] * observed.shape[1])
            ess.append(0.0)
            continue
        predictive.append(float(weights @ np.exp(evidence.steps[:, t])))
        row, unreachable = [], []
        for j, rung in enumerate(observed[t + 1]):
            probs = weights @ evidence.rung_probs[:, t, j, :]  # (R,)
            row.append(float(probs[:rung].sum() + 0.5 * probs[rung]))
            if probs[rung] == 0.0:
                unreachable.append(j)
        pit.append(row)
        past = past + evidence.steps[:, t]
        ess.append(kish(past))
        if impossible is None and predictive[-1] == 0.0:
            impossible, impossible_by = t, tuple(unreachable)
    return HistoryFit(
        source,
        rounds,
        observed.tolist(),
        log_mean_exp(evidence.log_likelihood),
        predictive,
        pit,
        ess,
        None if impossible is None else impossible + 1,
        impossible_by,
    )


MIN_DRIVER_DRAWS = 8  # with fewer draws every rank correlation is ±1 or a few coarse values: meaningless


def drivers(values: dict[str, np.ndarray], output: np.ndarray, top: int = 3) -> list[tuple[str, float]]:
    """The parameters whose draws rank-correlate most strongly with ``output`` (per draw): Spearman's
    rho, strongest first. Parameters that do not vary, outputs that do not, and fewer than
    MIN_DRIVER_DRAWS draws give nothing."""
    if output.size < MIN_DRIVER_DRAWS or np.ptp(output) == 0:
        return []
    found = []
    for name, draws in values.items():
        if np.ptp(draws) > 0:
            rho = stats.spearmanr(draws, output).statistic
            if np.isfinite(rho):
                found.append((name, float(rho)))
    return sorted(found, key=lambda item: -abs(item[1]))[:top]


@dataclass(frozen=True)
class PolicyPath:
    """One course of action (a scripted policy per actor, the rest solved) and its trajectories."""

    label: str
    solution: MarkovSolution
    trajectories: Trajectories
    ratchet: Estimate
    deescalation: Share
    final_level: Estimate
    final_rungs: dict[str, float]  # each actor's mean rung after the last round
    score: Estimate  # mean escalation score per actor and round
    drivers: list[tuple[str, float]]  # parameters that rank-correlate most with the final level, per draw


@dataclass(frozen=True, eq=False)
class DynamicAnalysis:
    """Trajectories of a dynamic scenario under several courses of action, with what repeats them."""

    scenario: Scenario
    seed: int
    draws: int
    rounds: int
    runs: int
    window: int
    lam: float
    labels: list[str]  # round labels, round 0 first
    paths: list[PolicyPath]
    history: dict[str, HistoryFit] = field(default_factory=dict)  # policy label -> fit, if observed
    claims: list[ClaimVerdict] = field(default_factory=list)  # the scenario's dynamic claims, draw by draw
    knockouts: list[Knockout] = field(default_factory=list)  # each mechanism knocked out, everyone solved
    notes: list[str] = field(default_factory=list)  # e.g. parameters set by the user
    version: str = __version__
    created: str = ""

    def summary(self) -> pd.DataFrame:
        """One row per course of action."""
        rows = []
        for path in self.paths:
            row = {
                "policy": path.label,
                "final_level": path.final_level.mean,
                **{f"final_{actor}": rung for actor, rung in path.final_rungs.items()},
                "p_deescalation": path.deescalation.share,
                "ratchet_index": path.ratchet.mean,
                "ratchet_low": path.ratchet.low,
                "ratchet_high": path.ratchet.high,
                "score_per_round": path.score.mean,
                "certified": bool(path.solution.certified.all()),
            }
            if path.label in self.history:
                row["history_log_likelihood"] = self.history[path.label].log_likelihood
            rows.append(row)
        return pd.DataFrame(rows)

    def fan(self, label: str) -> pd.DataFrame:
        return fan_frame(self.path(label).trajectories.levels, self.labels)

    def time_to_rung(self, label: str, actor: str | None = None) -> pd.DataFrame:
        """Arrival at each rung above the start: of the escalation level, or of one actor's rung."""
        assert self.scenario.dynamics is not None
        t = self.path(label).trajectories
        series = t.levels if actor is None else t.rungs[:, :, t.actors.index(actor)]
        return time_to_rung(series, self.scenario.dynamics.top)

    def reached(self, label: str, rung: int) -> np.ndarray:
        """(rounds + 1,) the share of the course's runs whose escalation level has reached ``rung`` by each round."""
        return reached_by_round(self.path(label).trajectories.levels, rung)

    def scores(self, label: str) -> pd.DataFrame:
        return score_frame(self.path(label).trajectories, self.labels)

    def path(self, label: str) -> PolicyPath:
        for path in self.paths:
            if path.label == label:
                return path
        raise KeyError(f"no course of action {label!r}; have {[p.label for p in self.paths]}")

    def _repr_html_(self) -> str:
        header = f"<h4>{self.scenario.title}: {self.runs:,} runs × {self.rounds} rounds, seed {self.seed}</h4>"
        return header + self.summary().to_html(index=False, float_format=lambda x: f"{x:.3f}")


def measure(
    label: str,
    solution: MarkovSolution,
    trajectories: Trajectories,
    window: int,
    seed: int,
    values: dict[str, np.ndarray],
) -> PolicyPath:
    """The measures of one course of action; ``values`` are the parameter draws the runs used."""
    rng = np.random.default_rng(seed)
    levels = trajectories.levels
    return PolicyPath(
        label=label,
        solution=solution,
        trajectories=trajectories,
        ratchet=ratchet_index(trajectories.rungs, trajectories.stepped_down, window, rng),
        deescalation=deescalation(levels),
        final_level=bootstrap_mean(levels[:, -1], rng, 1000),
        final_rungs=dict(zip(trajectories.actors, trajectories.rungs[:, -1, :].mean(axis=0).tolist(), strict=True)),
        score=bootstrap_mean(trajectories.scores.mean(axis=(1, 2)), rng, 1000),
        drivers=drivers(values, draw_outputs("final_level", trajectories, solution.policy.shape[0], window)),
    )


def draw_outputs(output: str, trajectories: Trajectories, draws: int, window: int) -> np.ndarray:
    """A claim's output per parameter draw, over the runs that used the draw: (draws,)."""
    draw, levels = trajectories.draw, trajectories.levels
    if output == "ratchet_index":
        ups, kept = ratchet_counts(trajectories.rungs, trajectories.stepped_down, window)
        total = np.bincount(draw, ups, draws)
        return np.where(total > 0, np.bincount(draw, kept, draws) / np.maximum(total, 1), np.nan)
    if output == "final_level":
        per_run = levels[:, -1]
    elif output.startswith("p_level_ge_"):
        per_run = levels.max(axis=1) >= int(output.removeprefix("p_level_ge_"))
    elif output == "p_deescalation":
        per_run = walked_back(levels)
    elif output == "escalation_score":
        per_run = trajectories.scores.mean(axis=(1, 2))
    else:
        per_run = trajectories.rungs[:, -1, trajectories.actors.index(output.removeprefix("final_"))]
    return np.bincount(draw, per_run.astype(float), draws) / np.bincount(draw, minlength=draws)


def claim_conditions(scenario: Scenario, knocked_out: bool = True, every: bool = False) -> list[Condition]:
    """The conditions the scenario's dynamic claims compare, each as (course, parameters pinned), and (with
    ``knocked_out``) each again with every knockout of :func:`knockouts`."""
    assert scenario.dynamics is not None
    return [
        _condition(scenario, side, knocked)
        for claim in scenario.dynamics.claims.values()
        for knocked in [[], *(knockouts(scenario, claim, every) if knocked_out else [])]
        for side in (claim.lower, claim.higher)
    ]


def knockouts(scenario: Scenario, claim: DynamicClaim, every: bool = False) -> list[list[str]]:
    """What a claim is tested without: each mechanism it names alone, then all of them together if there
    are several; with ``every``, then each of the scenario's other mechanisms alone."""
    named = [[name] for name in claim.because] + ([list(claim.because)] if len(claim.because) > 1 else [])
    return named + ([[name] for name in scenario.mechanisms if name not in claim.because] if every else [])


def _condition(scenario: Scenario, condition: DynamicCondition, knocked: Sequence[str] = ()) -> Condition:
    """A claim's side as (course, parameters pinned), with the mechanisms ``knocked`` out: their parameters
    pinned to their numbers, over the side's own pins."""
    pinned = dict(condition.set)
    for name in knocked:
        numbers = scenario.mechanisms[name].numbers
        assert numbers is not None  # checked by the loader
        pinned |= numbers
    return {actor: condition.policies.get(actor, EQUILIBRIUM) for actor in scenario.actor_ids}, pinned


def knockout_conditions(scenario: Scenario) -> list[Condition]:
    """Everyone solved, with each of the scenario's mechanisms knocked out alone."""
    return [_condition(scenario, DynamicCondition(), [name]) for name in scenario.mechanisms]


def knockout_effects(
    scenario: Scenario, simulated: Callable[[Condition], Trajectories], draws: int, window: int, seed: int
) -> list[Knockout]:
    """Each mechanism knocked out alone, everyone solved: each actor's final rung, P(de-escalation) and the
    ratchet index against those as stated, draw by draw (the same draws and random numbers), the change's
    mean with a bootstrap interval over the draws."""
    outputs = [*(f"final_{actor}" for actor in scenario.actor_ids), "p_deescalation", "ratchet_index"]

    def measured(condition: Condition) -> np.ndarray:
        return np.column_stack([draw_outputs(output, simulated(condition), draws, window) for output in outputs])

    boot = Bootstrap(draws, np.random.default_rng(seed))
    before = measured(_condition(scenario, DynamicCondition()))
    stated = {output: estimate.mean for output, estimate in zip(outputs, boot.estimates(before), strict=True)}
    return [
        Knockout(
            name,
            scenario.mechanisms[name].doc,
            stated,
            dict(zip(outputs, boot.estimates(measured(condition) - before), strict=True)),
        )
        for name, condition in zip(scenario.mechanisms, knockout_conditions(scenario), strict=True)
    ]


def dynamic_claims(
    scenario: Scenario,
    simulated: Callable[[Condition], Trajectories],
    draws: int,
    window: int,
    seed: int,
    knocked_out: bool = True,
    every: bool = False,
) -> list[ClaimVerdict]:
    """A verdict per claim of ``scenario.dynamics``: in what share of parameter draws the output is
    lower under ``lower`` than under ``higher`` (``simulated`` gives each condition's trajectories, all
    on the same draws and random numbers, so the comparison is paired); and (with ``knocked_out``) again
    with each knockout of the mechanisms it names (and with ``every``, of each other mechanism), on both
    sides. A named knockout that leaves the two sides' outputs equal in every draw shows that only that
    mechanism separates them (the claim then says that the mechanism acts, no more)."""
    assert scenario.dynamics is not None
    boot = Bootstrap(draws, np.random.default_rng(seed))

    def sides(claim: DynamicClaim, knocked: list[str]) -> list[np.ndarray]:
        conditions = [_condition(scenario, side, knocked) for side in (claim.lower, claim.higher)]
        return [draw_outputs(claim.output, simulated(c), draws, window) for c in conditions]

    verdicts = []
    for name, claim in scenario.dynamics.claims.items():
        tests, switched, toggled = [], [], []
        same_courses = claim.lower.policies == claim.higher.policies
        set_apart = {parameter for parameter, _ in claim.lower.set.items() ^ claim.higher.set.items()}
        for knocked in knockouts(scenario, claim, every) if knocked_out else []:
            label, stated = "+".join(knocked), set(knocked) <= set(claim.because)
            lower, higher = sides(claim, knocked)
            if stated and np.array_equal(lower, higher, equal_nan=True):
                switched.append(label)
                pinned = {parameter for mechanism in knocked for parameter in scenario.mechanisms[mechanism].fix}
                if same_courses and set_apart <= pinned:
                    toggled.append(label)  # its two sides are the mechanism on and off
            tests.append(compare(lower, higher, boot, switched_off=label, stated=stated))
        result = compare(*sides(claim, []), boot)
        because = list(claim.because)
        verdicts.append(
            ClaimVerdict(
                name,
                claim.text,
                claim.output,
                because,
                result,
                mechanisms=tests,
                draws=draws,
                switches=switched,
                toggles=toggled,
                declared=knocked_out and bool(scenario.mechanisms),
            )
        )
    return verdicts
