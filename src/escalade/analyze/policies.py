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

from escalade.scenario import Scenario
from escalade.simulate import Runs
from escalade.simulate.runs import SOLVER_TOLERANCE

MARGIN = SOLVER_TOLERANCE  # differences below this are the solver's, not the policies'


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
    """One course of action, summarised over the draws: each named outcome's probability, each
    actor's expected utility, and the expected escalation level where the scenario has one."""

    policy: str
    outcomes: dict[str, Estimate]  # outcome name -> P(outcome)
    values: dict[str, Estimate]  # actor id -> expected utility
    expected_escalation: Estimate | None

    def estimate(self, output: str) -> Estimate | None:
        """An output as claims and objectives name it: ``P(outcome)``, ``value(ACTOR)``, else the expected
        escalation level (None where the scenario has no escalation attribute)."""
        if output.startswith("P("):
            return self.outcomes[output[2:-1]]
        if output.startswith("value("):
            return self.values[output[6:-1]]
        return self.expected_escalation


@dataclass(frozen=True)
class PairedDifference:
    """``a`` minus ``b`` on one output, draw by draw (the same draws: common random numbers)."""

    a: str
    b: str
    output: str  # "P(outcome)" or "value(ACTOR)"
    difference: Estimate  # mean of a − b with its bootstrap interval
    a_lower: float  # share of draws in which a is lower by more than the solver margin
    a_higher: float  # share of draws in which a is higher by more than the margin


@dataclass(frozen=True)
class Recommendation:
    """The course an actor's stated objective prefers, or none when no course is clearly better."""

    actor: str
    objective: str  # e.g. "minimise P(war)"
    best: str | None  # None: the paired intervals do not separate the best from the runner-up
    runner_up: str
    difference: PairedDifference  # best (or the leader) minus the runner-up


class Bootstrap:
    """Percentile bootstrap intervals of means over the same n draws, with one set of resamples
    shared by every quantity (policies, outcomes, paired differences): their intervals then come
    from one computation, a counts matrix times the data.

    ``scipy.stats.bootstrap`` draws its resamples anew for each statistic: 88 ms for one mean of
    4,096 draws with 2,000 resamples, so 5.8 s for the 66 means of the flagship's policy comparison;
    shared resamples give all of them in ≈0.16 s (measured on the development machine).
    """

    BLOCK = 250  # resamples drawn, counted and applied at a time, at most
    BLOCK_ENTRIES = 2**22  # ... and at most this many (resample, draw) counts: the block's int64 counts take 32 MB

    def __init__(self, n: int, rng: np.random.Generator, n_boot: int = 2000, level: float = 0.95) -> None:
        self.n, self.level = n, level
        # a block's rows at once: 250 up to 16,777 draws; fewer beyond, where 250 rows of 100,000 draws' counts
        # took 300 MB at once (the resamples are the same whatever the block: the generator's stream is one)
        self.block = max(1, min(self.BLOCK, self.BLOCK_ENTRIES // max(n, 1)))
        # How often each draw is taken in each resample, one byte each and built a block of resamples at a
        # time: 20 MB for 2,000 resamples of 10,000 draws where float64 counts took 160 MB, whose first touch
        # cost 0.4-1.0 s on the development machine against 0.16 s for these. A count is at most n, and
        # above 255 only with a probability of order 1/256!; it is checked all the same.
        self.counts = np.empty((n_boot, n), dtype=np.uint8)
        for start in range(0, n_boot, self.block):
            rows = rng.integers(0, max(n, 1), size=(min(self.block, n_boot - start), n), dtype=np.int32)
            rows += (n * np.arange(len(rows), dtype=np.int32))[:, None]  # each resample its own n bins
            block = np.bincount(rows.ravel(), minlength=rows.size).reshape(rows.shape)
            if block.max(initial=0) > np.iinfo(np.uint8).max:
                raise OverflowError("a bootstrap resample took one draw more than 255 times")
            self.counts[start : start + len(rows)] = block

    def _sums(self, columns: np.ndarray) -> np.ndarray:
        """(n_boot, m) each resample's sum of each column of ``columns`` (n, m)."""
        sums = np.empty((len(self.counts), columns.shape[1]))
        for start in range(0, len(self.counts), self.block):
            sums[start : start + self.block] = self.counts[start : start + self.block].astype(float) @ columns
        return sums

    def estimates(self, samples: np.ndarray) -> list[Estimate]:
        """One estimate per column of ``samples`` (n, m). A column with values that are not finite is
        estimated over its finite draws (each resample's mean over the finite draws it holds); a column
        with none is NaN throughout."""
        samples = np.asarray(samples, dtype=float).reshape(self.n, -1)
        finite = np.isfinite(samples)
        if finite.all():
            means, centre = self._sums(samples) / self.n, samples.mean(axis=0)  # (n_boot, m), (m,)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                means = self._sums(np.where(finite, samples, 0.0)) / self._sums(finite.astype(float))
                centre = np.where(finite, samples, 0.0).sum(axis=0) / finite.sum(axis=0)
        tail = (1 - self.level) / 2
        low, high = np.full_like(centre, np.nan), np.full_like(centre, np.nan)
        some = np.isfinite(means).any(axis=0)  # a column with no finite draw stays NaN
        if some.any():
            low[some], high[some] = np.nanquantile(means[:, some], [tail, 1 - tail], axis=0)
        return [
            Estimate(float(m), float(lo), float(hi), self.level) for m, lo, hi in zip(centre, low, high, strict=True)
        ]


def bootstrap_mean(samples: np.ndarray, rng: np.random.Generator, n_boot: int = 2000, level: float = 0.95) -> Estimate:
    """Mean of ``samples`` (n,) with a percentile bootstrap interval."""
    samples = np.asarray(samples, dtype=float)
    return Bootstrap(samples.size, rng, n_boot, level).estimates(samples[:, None])[0]


def outputs_of(runs: Runs) -> list[str]:
    """What a policy comparison reports: each named outcome's probability, then each actor's value."""
    return [*(f"P({name})" for name in runs.event_names), *(f"value({actor})" for actor in runs.tree.players)]


def compare_policies(runs: list[Runs], seed: int, n_boot: int = 2000) -> tuple[list[PolicyRow], list[PairedDifference]]:
    """One row per policy (P(each outcome), each actor's expected utility, expected escalation) and
    every pair of policies, in the order given, on each of those outputs: a − b draw by draw."""
    boot = Bootstrap(runs[0].n_draws, np.random.default_rng(seed), n_boot)
    outputs = outputs_of(runs[0])
    escalation = runs[0].terminal_escalation.any()
    rows = []
    for r in runs:
        columns = [r.measure(output) for output in outputs]
        estimates = boot.estimates(np.column_stack([*columns, r.expected_escalation]))
        outcomes = dict(zip(r.event_names, estimates[: len(r.event_names)], strict=True))
        values = dict(zip(r.tree.players, estimates[len(r.event_names) : -1], strict=True))
        rows.append(PolicyRow(r.policy, outcomes, values, estimates[-1] if escalation else None))
    pairs = [(a, b, output) for i, a in enumerate(runs) for b in runs[i + 1 :] for output in outputs]
    gaps = np.column_stack([a.measure(output) - b.measure(output) for a, b, output in pairs]) if pairs else None
    differences = []
    if gaps is not None:
        for (a, b, output), gap, estimate in zip(pairs, gaps.T, boot.estimates(gaps), strict=True):
            differences.append(
                PairedDifference(
                    a.policy, b.policy, output, estimate, float(np.mean(gap < -MARGIN)), float(np.mean(gap > MARGIN))
                )
            )
    return rows, differences


def recommendations(
    scenario: Scenario, differences: list[PairedDifference], rows: list[PolicyRow]
) -> list[Recommendation]:
    """For each actor with a stated ``objective`` and two or more scripted courses, the course it
    prefers: the best mean, provided its paired interval against the runner-up excludes zero."""
    found = []
    means = {row.policy: row for row in rows}
    for actor in scenario.actors:
        own = [p for p in scenario.policies_of(actor.id) if p in means]
        if actor.objective is None or len(own) < 2:
            continue
        direction, output = actor.objective.split(" ", 1)
        sign = 1.0 if direction == "minimise" else -1.0
        ranked = sorted(own, key=lambda p: sign * means[p].estimate(output).mean)
        leader, runner_up = ranked[0], ranked[1]
        difference = next(d for d in differences if {d.a, d.b} == {leader, runner_up} and d.output == output)
        if difference.a != leader:  # the comparison was made the other way round
            est = difference.difference
            difference = PairedDifference(
                leader,
                runner_up,
                output,
                Estimate(-est.mean, -est.high, -est.low, est.level),
                difference.a_higher,
                difference.a_lower,
            )
        clear = difference.difference.high < 0 if sign > 0 else difference.difference.low > 0
        found.append(Recommendation(actor.id, actor.objective, leader if clear else None, runner_up, difference))
    return found


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


@dataclass(frozen=True)
class ResponseCurve:
    """How each course of action's outputs change as one parameter moves across its range, the other
    parameters drawn as before (the same draws at every point)."""

    parameter: str
    grid: list[float]
    outputs: dict[str, dict[str, list[Estimate]]]  # policy -> output ("P(x)", "value(A)") -> one per grid point


def response_curve(parameter: str, grid: list[float], runs: list[list[Runs]], seed: int) -> ResponseCurve:
    """The curve from ``runs[i]``: every course's runs with ``parameter`` pinned at ``grid[i]``."""
    boot = Bootstrap(runs[0][0].n_draws, np.random.default_rng(seed))
    outputs = outputs_of(runs[0][0])
    found: dict[str, dict[str, list[Estimate]]] = {r.policy: {o: [] for o in outputs} for r in runs[0]}
    for point in runs:
        for r in point:
            estimates = boot.estimates(np.column_stack([r.measure(o) for o in outputs]))
            for output, estimate in zip(outputs, estimates, strict=True):
                found[r.policy][output].append(estimate)
    return ResponseCurve(parameter, list(grid), found)


@dataclass(frozen=True)
class PolicyMap:
    """Which course of action is preferred where two parameters vary together (the others at their
    draws): by the choosing actor's stated objective, else by the lower headline output; "no
    difference" where the best two are within the solver margin."""

    parameters: tuple[str, str]
    grids: tuple[list[float], list[float]]
    criterion: str  # e.g. "minimise P(war)"
    preferred: list[list[str]]  # [i][j]: the course preferred at (grids[0][i], grids[1][j])
    margin: list[list[float]]  # [i][j]: how much better than the runner-up, in the criterion's units


def policy_map(
    parameters: tuple[str, str], grids: tuple[list[float], list[float]], criterion: str, runs: list[list[list[Runs]]]
) -> PolicyMap:
    """The map from ``runs[i][j]``: the compared courses' runs at grid point (i, j)."""
    direction, output = criterion.split(" ", 1)
    sign = 1.0 if direction == "minimise" else -1.0
    preferred, margin = [], []
    for row in runs:
        preferred.append([])
        margin.append([])
        for point in row:
            scores = sorted((sign * float(r.measure(output).mean()), r.policy) for r in point)
            lead = scores[1][0] - scores[0][0] if len(scores) > 1 else np.inf
            preferred[-1].append(scores[0][1] if lead > MARGIN else "no difference")
            margin[-1].append(float(lead) if np.isfinite(lead) else 0.0)
    return PolicyMap(parameters, grids, criterion, preferred, margin)
