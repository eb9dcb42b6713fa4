"""Solve the game once per parameter draw, in vectorized chunks, and keep what each draw gives."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from escalade.game import (
    Tree,
    compile_game,
    compile_tree,
    event_matrix,
    force,
    full_information,
    outcome_paths,
    policy_profile,
    script,
)
from escalade.scenario import Scenario
from escalade.scenario.model import Outcome, probability_of
from escalade.simulate.backends import Progress, chunk_starts, require_memory, run_chunks
from escalade.simulate.trajectories import EQUILIBRIUM
from escalade.solve import solve_spe

ESCALATION = "escalation"  # the attribute read as the escalation level, when a scenario has it
# The solver's tolerance on a probability (e.g. of a traced QRE limit): a difference below it is not a
# difference, and P(a | b) is undefined (NaN) in a draw where b's probability is below it.
SOLVER_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class Runs:
    """Per draw: parameter values, outcome probabilities, actor values, escalation, where the named
    outcomes hold, the solved profile, which information sets play reaches and where ties were broken.
    Per node, a draw keeps only those two summaries: the reach probabilities and tie marks of every node
    took more memory than the rest together."""

    policy: str  # "equilibrium" when no actor is scripted
    values: dict[str, np.ndarray]  # parameter -> (n,)
    outcome_probs: np.ndarray  # (n, T)
    actor_values: np.ndarray  # (n, A)
    terminal_escalation: np.ndarray  # (n, T) escalation level at each terminal
    max_regret: np.ndarray  # (n,)
    tree: Tree
    event_names: list[str]  # (O,) the named outcomes
    profile: np.ndarray  # (n, S) behaviour profile (on the scripted tree's slots under a policy)
    reached: np.ndarray  # (n, I) True where play reaches a node of the information set (:func:`reached_sets`)
    tied: np.ndarray  # (n, L) True where a tie was broken at a reached copy of a scenario node (:func:`tied_nodes`)
    terminal_events: np.ndarray  # (n, T, O) True where each named outcome holds at each end

    def scored_as(self, other: Runs, output: str) -> np.ndarray | None:
        """(n,) ``output`` with this run's play scored by ``other``'s outcomes and escalation (the same
        tree and draws): what a change to the scoring alone does, every actor playing as here. None for
        an actor's value, which is no scoring."""
        if output.startswith("value("):
            return None
        named = probability_of(output)
        if named is not None:
            if other is self and named[1] is None:
                return self.event_probs[:, self.event_names.index(named[0])]
            event, given = (other.terminal_events[:, :, other.event_names.index(n)] if n else None for n in named)
            if given is None:
                return (self.outcome_probs * event).sum(1)
            within = (self.outcome_probs * given).sum(1)
            both = (self.outcome_probs * (event & given)).sum(1)
            return np.where(within > SOLVER_TOLERANCE, both / np.maximum(within, SOLVER_TOLERANCE), np.nan)
        if output == "expected_escalation":
            return np.einsum("kt,kt->k", self.outcome_probs, other.terminal_escalation)
        level = float(output.removeprefix("p_escalation_ge_"))
        return (self.outcome_probs * (other.terminal_escalation >= level)).sum(axis=1)

    @cached_property
    def event_probs(self) -> np.ndarray:
        """(n, O) each named outcome's probability in each draw (read once per run, not per output)."""
        return (self.outcome_probs[:, None, :] @ self.terminal_events)[:, 0]  # half einsum's time on bools

    @property
    def n_draws(self) -> int:
        return self.outcome_probs.shape[0]

    @property
    def expected_escalation(self) -> np.ndarray:
        """(n,) expected escalation level in each draw."""
        return np.einsum("kt,kt->k", self.outcome_probs, self.terminal_escalation)

    def p_escalation_at_least(self, level: float) -> np.ndarray:
        """(n,) probability of ending at escalation level >= ``level`` in each draw."""
        return (self.outcome_probs * (self.terminal_escalation >= level)).sum(axis=1)

    def measure(self, output: str) -> np.ndarray:
        """(n,) an output as claims and objectives name it: ``P(outcome)``, ``P(outcome | given)`` (NaN
        in a draw where ``given`` has no probability beyond ``SOLVER_TOLERANCE``), ``value(ACTOR)``,
        ``expected_escalation`` or ``p_escalation_ge_K`` (this run's play, scored as it is)."""
        if output.startswith("value("):
            return self.actor_values[:, self.tree.players.index(output[6:-1])]
        scored = self.scored_as(self, output)
        assert scored is not None
        return scored


def analysis_tree(scenario: Scenario, who: str | None = None) -> Tree:
    """The tree a sweep solves: the scenario's own, or the what-if in which ``who`` sees every move."""
    tree = compile_tree(scenario)
    return tree if who is None else full_information(tree, who)


Course = tuple[str | None, Mapping[str, str]]  # a policy (None: equilibrium) and chance nodes forced to a branch


def solve_draws(
    scenario: Scenario,
    values: Mapping[str, np.ndarray],
    policy: str | None = None,
    who: str | None = None,
    chunk: int = 1024,
    tree: Tree | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    forced: Mapping[str, str] | None = None,
    outcomes: Mapping[str, Outcome] | None = None,
) -> Runs:
    """Solve every draw in ``values`` (subgame-perfect) under one course: see :func:`solve_courses`."""
    (runs,) = solve_courses(
        scenario, values, [(policy, forced or {})], who, chunk, tree, workers, scheduler, progress, outcomes
    )
    return runs


def solve_courses(
    scenario: Scenario,
    values: Mapping[str, np.ndarray],
    courses: Sequence[Course],
    who: str | None = None,
    chunk: int = 1024,
    tree: Tree | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    outcomes: Mapping[str, Outcome] | None = None,
) -> list[Runs]:
    """Solve every draw in ``values`` (subgame-perfect) under each course, ``chunk`` draws at a time;
    each chunk's game is compiled once for all the courses.

    A course's policy scripts one actor (a name from the scenario's ``policies``); the others respond
    optimally. Its forced chance nodes take one branch (a what-if for claims). ``who`` asks for the
    what-if in which that actor (or ``"all"``) sees every move. Chunks run here, on ``workers`` local
    processes, or on the Dask scheduler at ``scheduler``; the numbers are the same whichever is used.
    ``outcomes`` are the named outcomes whose probability each draw keeps (default: the scenario's,
    with its escalation levels).
    """
    tree = tree or analysis_tree(scenario, who)
    spread = workers if scheduler is None else 1  # a chunk for each worker at least, where there are draws enough
    (runs,) = solve_variants([(scenario, values, courses)], tree, chunk, workers, scheduler, progress, outcomes, spread)
    return runs


Variant = tuple[Scenario, Mapping[str, np.ndarray], Sequence[Course]]  # a scenario variant, its draws, its courses


def solve_variants(
    variants: Iterable[Variant],
    tree: Tree,
    chunk: int = 1024,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    outcomes: Mapping[str, Outcome] | None = None,
    spread: int = 1,
    ahead: int | None = None,
) -> Iterator[list[Runs]]:
    """:func:`solve_courses` for several variants of one scenario on the same ``tree`` (a claim's
    knockouts and ablations), each variant's runs yielded as its last chunk arrives. Their chunks are one
    stream that the workers share, so many small variants keep every worker busy; with ``ahead``, at most
    that many chunks are out at once and ``variants`` may be a generator (memory stays that of a few
    variants). Each variant is cut into chunks of ``chunk`` draws, and into ``spread`` chunks at least
    where it has draws enough; cut alike, a variant's numbers are the same whatever else is solved beside
    it and however many workers solve it. ``progress`` needs ``variants`` as a list."""
    planned: deque = deque()  # per variant whose chunks were made: what its runs are assembled from
    paths_of: dict[tuple, np.ndarray] = {}  # the variants mostly share their named outcomes' paths

    def tasks() -> Iterator[tuple]:
        for scenario, values, courses in variants:
            scripts = [(policy_profile(scenario, tree, p) if p else None, dict(forced)) for p, forced in courses]
            values = {name: np.asarray(v) for name, v in values.items()}
            n = len(next(iter(values.values()))) if values else 1
            if n == 0:
                raise ValueError("no parameter draws to solve")
            named = dict(scenario.events() if outcomes is None else outcomes)
            # bytes a draw keeps: per course its values, outcome probabilities, profile, regret and named outcomes'
            # probabilities, its sets reached and nodes tied; once for all courses, the escalation and named outcomes
            # at each end
            per_course = (tree.n_terminals + len(tree.players) + tree.n_slots + len(named) + 1) * 8
            per_course += tree.n_infosets + len(tie_labels(tree))
            per_draw = per_course * len(courses) + tree.n_terminals * (8 + len(named))
            require_memory(
                2.0 * n * per_draw,
                f"solving {n:,} draws of a {tree.n_nodes}-node tree",
                "ask for fewer draws",
            )
            key = tuple((name, tuple(outcome.path)) for name, outcome in named.items())
            if key not in paths_of:
                paths_of[key] = outcome_paths(tree, named)
            paths = paths_of[key]
            cut = chunk_starts(n, chunk, spread)
            planned.append((values, n, len(cut), courses, named))
            for start, stop in cut:
                yield scenario, tree, scripts, named, paths, {name: v[start:stop] for name, v in values.items()}

    made: Iterable[tuple] = tasks()
    if progress is not None:
        made = list(made)
    parts = run_chunks(_solve_chunk, made, workers, scheduler, progress, ahead)
    for part in parts:
        values, n, count, courses, named = planned.popleft()
        # each chunk is copied into its place as it arrives and let go: memory is the runs', not twice theirs;
        # a chunk's escalation and named outcomes, the same for every course, are kept once for all of them
        shared, own = part
        filled = [np.empty((n, *a.shape[1:]), a.dtype) for a in shared]
        mine = [[np.empty((n, *a.shape[1:]), a.dtype) for a in course] for course in own]
        start = 0
        for index in range(count):
            if index:
                shared, own = next(parts)
            size = len(shared[0])
            for whole, piece in zip(filled, shared, strict=True):
                whole[start : start + size] = piece
            for arrays, course in zip(mine, own, strict=True):
                for whole, piece in zip(arrays, course, strict=True):
                    whole[start : start + size] = piece
            start += size
        escalation, terminal_events = filled
        yield [
            Runs(policy or EQUILIBRIUM, values, outcome_probs, actors, escalation, regret, tree, list(named), profile,
                 reached, tied, terminal_events)
            for (policy, _), (actors, regret, profile, outcome_probs, reached, tied) in zip(courses, mine, strict=True)
        ]  # fmt: skip


def reached_sets(tree: Tree, reach: np.ndarray) -> np.ndarray:
    """(n, I) from the (n, N) reach probabilities: True where play reaches some node of each information set."""
    if tree.n_infosets == 0:
        return np.zeros((len(reach), 0), dtype=bool)
    members = np.flatnonzero(tree.infoset >= 0)
    order = members[np.argsort(tree.infoset[members], kind="stable")]
    starts = np.searchsorted(tree.infoset[order], np.arange(tree.n_infosets))
    return np.maximum.reduceat(reach[:, order], starts, axis=1) > 0


def tie_labels(tree: Tree) -> list[str]:
    """The scenario nodes the columns of :func:`tied_nodes` stand for, in sorted order."""
    return sorted(set(tree.node_labels))


def tied_nodes(tree: Tree, ties: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """(n, L) from the (n, N) ties and reach probabilities: True where backward induction broke a tie at a
    reached copy of each scenario node (the columns name :func:`tie_labels`)."""
    labels = tie_labels(tree)
    label = np.searchsorted(labels, tree.node_labels)
    order = np.argsort(label, kind="stable")
    starts = np.searchsorted(label[order], np.arange(len(labels)))
    return np.maximum.reduceat((ties & (reach > 0))[:, order], starts, axis=1)


def _solve_chunk(
    scenario: Scenario,
    tree: Tree,
    scripts: list[tuple[np.ndarray | None, dict[str, str]]],
    outcomes: dict[str, Outcome],
    paths: np.ndarray,
    batch: dict[str, np.ndarray],
) -> tuple[tuple[np.ndarray, ...], list[tuple[np.ndarray, ...]]]:
    """One chunk: the terminal escalation and where each named outcome holds (the same for every course),
    then per course the actor values, regret, profile, outcome probabilities, the information sets reached
    and the ties broken."""
    game = compile_game(scenario, batch, tree)
    level = scenario_escalation_column(scenario)
    # a copy, not a view of the (K, T, M) outcome array, so a long sweep keeps only small arrays
    escalation = game.outcome[:, :, level].copy() if level is not None else np.zeros(game.payoff.shape[:2])
    held = event_matrix(game, outcomes, batch, scenario, paths).astype(bool)
    found = []
    for fixed, forced in scripts:
        course = force(game, forced)
        solution = solve_spe(script(course, fixed) if fixed is not None else course)
        reach = solution.reach
        found.append(
            (
                solution.values,
                solution.max_regret,
                solution.profile,
                reach[:, tree.terminal_nodes],
                reached_sets(tree, reach),
                tied_nodes(tree, solution.ties, reach),
            )
        )
    return (escalation, held), found


def scenario_escalation_column(scenario: Scenario) -> int | None:
    names = list(scenario.attributes)
    return names.index(ESCALATION) if ESCALATION in names else None


def policy_measures(
    scenario: Scenario,
    values: Mapping[str, np.ndarray],
    policies: Sequence[str | None],
    output: str,
    tree: Tree | None = None,
    **backend: Any,
) -> np.ndarray:
    """(n, len(policies)) an output (see :meth:`Runs.measure`) in each draw under each policy
    (None: equilibrium)."""
    tree = tree or analysis_tree(scenario)
    solved = solve_courses(scenario, values, [(policy, {}) for policy in policies], tree=tree, **backend)
    return np.stack([runs.measure(output) for runs in solved], axis=1)
