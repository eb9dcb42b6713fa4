"""Run a dynamic crisis forward: many trajectories at once, reproducibly from a seed.

All random numbers are drawn up front, ``u[run, round, actor moves then events]``, so a run's path
depends only on its own row: the vectorized simulation equals a one-trajectory-at-a-time loop over
the same numbers (tests/simulate/test_trajectories.py holds such a loop). Run ``r`` uses parameter
draw ``r mod K``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from escalade.game.markov import MarkovGame, compile_markov, scripted_moves
from escalade.scenario import Scenario
from escalade.simulate.backends import require_memory
from escalade.solve.markov import MarkovSolution, solve_markov


@dataclass(frozen=True)
class Trajectories:
    """``runs`` paths of ``rounds`` rounds: states, moves and their escalation scores."""

    actors: list[str]
    variables: list[str]  # flags, then counters
    states: np.ndarray  # (N, T + 1) state numbers, round 0 first
    rungs: np.ndarray  # (N, T + 1, n)
    values: np.ndarray  # (N, T + 1, F) the variables round by round
    moves: np.ndarray  # (N, T, n) move index of each actor in each round
    stepped_down: np.ndarray  # (N, T, n) the actor's own move took it down the ladder
    categories: np.ndarray  # (N, T, n) category index (CATEGORIES order)
    scores: np.ndarray  # (N, T, n) escalation score of each move
    draw: np.ndarray  # (N,) parameter draw of each run

    @property
    def levels(self) -> np.ndarray:
        """The crisis' escalation level each round: the highest rung of any actor, (N, T + 1)."""
        return self.rungs.max(axis=2)


def require_trajectory_memory(actors: int, events: int, rounds: int, runs: int) -> None:
    """Refuse up front a simulation whose arrays would not fit: uniforms, states, moves, categories
    and step-downs take about five numbers per actor and one per event in every round of every run."""
    n_bytes = 2.0 * runs * rounds * 8 * (5 * actors + events + 2)
    require_memory(n_bytes, f"{runs:,} runs of {rounds:,} rounds", "ask for fewer runs or rounds")


def random_numbers(game: MarkovGame, rounds: int, runs: int, seed: int) -> np.ndarray:
    """The uniforms a simulation consumes: (runs, rounds, actors + events)."""
    return np.random.default_rng(seed).random((runs, rounds, len(game.actors) + game.event_prob.shape[2]))


def simulate(game: MarkovGame, policy: np.ndarray, rounds: int, runs: int, seed: int) -> Trajectories:
    """Simulate ``runs`` trajectories under move probabilities ``policy[K, S, n, M]``."""
    if rounds < 1 or runs < 1:
        raise ValueError("simulate needs at least one round and one run")
    u = random_numbers(game, rounds, runs, seed)
    n = len(game.actors)
    width = game.shape[2]
    draw = np.arange(runs) % game.draws
    cumulative = np.cumsum(policy, axis=3)
    # a move is chosen when u falls below its cumulative probability; rounding can leave the total a
    # hair under 1, so an u above it takes the last move that has any probability
    last = width - 1 - np.argmax(policy[..., ::-1] > 0, axis=3)
    states = np.empty((runs, rounds + 1), dtype=np.int64)
    moves = np.empty((runs, rounds, n), dtype=np.int64)
    categories = np.empty_like(moves)
    stepped_down = np.empty(moves.shape, dtype=bool)
    states[:, 0] = game.start
    for t in range(rounds):
        landed = states[:, t].copy()
        for i in range(n):  # in turn: each mover sees the moves made before it this round
            below = u[:, t, i, None] < cumulative[draw, landed, i, :]
            move = np.where(below.any(axis=1), np.argmax(below, axis=1), last[draw, landed, i])
            moves[:, t, i] = move
            categories[:, t, i] = game.category[landed, i, move]
            stepped_down[:, t, i] = game.descent[landed, i, move] > 0
            landed = game.after_move[landed, i, move]
        fired = u[:, t, n:] < game.event_prob[draw, landed, :]
        outcome = fired.astype(np.int64) @ (1 << np.arange(fired.shape[1]))
        states[:, t + 1] = game.outcomes[landed, outcome]
    return Trajectories(
        actors=game.actors,
        variables=game.variables,
        states=states,
        rungs=game.state[states][..., :n],
        values=game.state[states][..., n:],
        moves=moves,
        stepped_down=stepped_down,
        categories=categories,
        scores=game.weights[categories],
        draw=draw,
    )


EQUILIBRIUM = "equilibrium"  # the policy name for "solved, not scripted"


def courses(scenario: Scenario, choices: dict[str, list[str]] | None = None) -> list[dict[str, str]]:
    """The courses of action to compare, each a policy name per actor (``equilibrium`` = solved).

    With ``choices`` (actor -> policy names, checked by the request), every combination of them;
    without, everyone solved and then each of the scenario's dynamic policies on its own (but for the
    ``what_if`` ones, which only claims compare).
    """
    dynamics = scenario.dynamics
    assert dynamics is not None
    actors = scenario.actor_ids
    if not choices:
        return [{a: EQUILIBRIUM for a in actors}] + [
            {a: name if a == policy.actor else EQUILIBRIUM for a in actors}
            for name, policy in dynamics.policies.items()
            if not policy.what_if
        ]
    options = [choices.get(a, [EQUILIBRIUM]) for a in actors]
    return [dict(zip(actors, combo, strict=True)) for combo in itertools.product(*options)]


def course_label(course: dict[str, str]) -> str:
    scripted = [f"{actor}={name}" for actor, name in course.items() if name != EQUILIBRIUM]
    return ", ".join(scripted) or EQUILIBRIUM


Condition = tuple[dict[str, str], dict[str, float]]  # a policy per actor, and parameters pinned


def condition_key(condition: Condition) -> tuple[str, tuple[tuple[str, float], ...]]:
    course, pinned = condition
    return course_label(course), tuple(sorted(pinned.items()))


def condition_game(
    scenario: Scenario, condition: Condition, values: Mapping[str, np.ndarray]
) -> tuple[MarkovGame, dict[int, np.ndarray]]:
    """The Markov game with the condition's parameters pinned in every draw, and its scripted actors' moves
    (actor index -> move probabilities)."""
    course, pinned = condition
    values = {name: np.full_like(value, pinned[name]) if name in pinned else value for name, value in values.items()}
    game = compile_markov(scenario, values)
    scripted = {
        game.actors.index(actor): scripted_moves(scenario, game, name, values)
        for actor, name in course.items()
        if name != EQUILIBRIUM
    }
    return game, scripted


def solve_condition(
    scenario: Scenario, condition: Condition, values: Mapping[str, np.ndarray], lam: float
) -> MarkovSolution:
    """The unscripted actors' equilibrium against the scripted ones, in some draws (a task of the backend)."""
    game, scripted = condition_game(scenario, condition, values)
    return solve_markov(game, lam, scripted)
