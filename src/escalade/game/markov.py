"""A dynamic scenario compiled to a Markov game: flat arrays over a finite state, batched over K draws.

The state is each actor's rung on the ladder and each yes/no flag (``Dynamics.states``). A round:
the actors move in the order they are listed, each seeing the moves made before it in the round
(the first listed is the initiator, the others respond); a move (``up``, ``hold``, ``down`` or a
named move) sets the mover's rung and may set flags and add to counters; then each chance event
fires independently with its probability in the post-move state, setting flags, adding to counters
and pushing rungs (counters and rungs stay within their ranges); then each actor
receives the per-round payoff of the state reached, minus its cost of any rungs it stepped down.
Values are discounted per round.

The arrays (``S`` states, ``n`` actors, ``M`` moves per actor, padded; ``O = 2**E`` combinations
of ``E`` events):

- ``landing[S, n, M]`` rung after a move, ``category[S, n, M]`` its Rivera et al. category,
  ``descent[S, n, M]`` rungs stepped down; ``available[K, S, n, M]``;
- ``after_move[S, n, M]`` the state after actor ``i``'s move ``m`` in state ``s``;
- ``outcomes[S, O]`` the state after each combination of events (event ``e`` is bit ``e``),
  ``event_prob[K, S, E]`` each event's probability and ``outcome_prob[K, S, O]`` each
  combination's, given the post-move state;
- ``payoff[K, S, n]`` per-round payoff in the state reached, ``down_cost[K, S, n]`` cost per rung
  stepped down from a state, ``discount[K]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from escalade.game.compile import parameter_batch
from escalade.scenario import Scenario
from escalade.scenario.model import CATEGORIES, STANDARD_MOVES, Dynamics, StatePolicy, actor_view

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

MAX_STATES = 50_000


@dataclass(frozen=True)
class MarkovGame:
    """A dynamic scenario's Markov game for K draws (the arrays are described in the module docstring)."""

    actors: list[str]
    moves: list[list[str]]  # each actor's move names, standard moves first
    variables: list[str]  # flags, then counters
    state: np.ndarray  # (S, n + F) rungs, then the variables
    landing: np.ndarray
    category: np.ndarray
    descent: np.ndarray
    available: np.ndarray
    after_move: np.ndarray
    outcomes: np.ndarray
    event_prob: np.ndarray  # (K, S, E) each event's probability given the post-move state
    outcome_prob: np.ndarray
    payoff: np.ndarray
    down_cost: np.ndarray
    discount: np.ndarray
    start: int
    weights: np.ndarray  # escalation-score weight of each category, CATEGORIES order
    top: int

    @property
    def draws(self) -> int:
        return self.payoff.shape[0]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(states, actors, padded moves per actor)."""
        return self.landing.shape  # type: ignore[return-value]

    @cached_property
    def move_cost(self) -> np.ndarray:
        """(K, S, n, M) what each move costs its mover in step-down costs: ``down_cost`` times ``descent``."""
        return self.down_cost[..., None] * self.descent[None]

    @cached_property
    def chance(self) -> csr_matrix:
        """The events of every draw as one sparse transition, block-diagonal over the draws: row ``k·S + s``
        (draw ``k``'s post-move state ``s``) to the states the events lead to. Most combinations of events
        are impossible in most states (80% of the flagship's), so a product skips them."""
        from scipy.sparse import csr_matrix  # imported here: validate compiles games it does not solve (0.15 s)

        k, s, o = self.outcome_prob.shape
        columns = (self.outcomes[None] + (np.arange(k) * s)[:, None, None]).reshape(-1)
        chance = csr_matrix(
            (self.outcome_prob.reshape(-1), columns, np.arange(0, k * s * o + 1, o)), shape=(k * s, k * s), copy=True
        )
        chance.eliminate_zeros()  # in place: hence the copy, which keeps outcome_prob whole
        return chance

    def subset(self, draws: np.ndarray) -> MarkovGame:
        """The game of some draws only."""
        return dataclasses.replace(
            self,
            available=self.available[draws],
            event_prob=self.event_prob[draws],
            outcome_prob=self.outcome_prob[draws],
            payoff=self.payoff[draws],
            down_cost=self.down_cost[draws],
            discount=self.discount[draws],
        )

    def index(self, values: Mapping[str, int]) -> int:
        """The number of the state with these rungs and variables (missing variables are 0)."""
        names = [*self.actors, *self.variables]
        target = np.array([values.get(name, 0) for name in names])
        return int(np.flatnonzero((self.state == target).all(axis=1))[0])


def _dynamics(scenario: Scenario) -> Dynamics:
    if scenario.dynamics is None:
        raise ValueError(
            f"{scenario.name} has no 'dynamics:' section — add one (docs/dynamics.md) or use a dynamic "
            "scenario such as cuban_missile_1962_dynamic"
        )
    return scenario.dynamics


def compile_markov(scenario: Scenario, values: Mapping[str, ArrayLike] | None = None) -> MarkovGame:
    """Compile ``scenario.dynamics`` for K parameter draws (central values when ``values`` is None)."""
    dynamics = _dynamics(scenario)
    actors = scenario.actor_ids
    params = parameter_batch(scenario, scenario.central_values() if values is None else values)
    k = max((len(v) for v in params.values()), default=1)
    grid = dynamics.states(actors)
    size = len(next(iter(grid.values())))
    if size > MAX_STATES:
        raise ValueError(f"{size:,} states is more than {MAX_STATES:,}: use fewer rungs, actors, flags or levels")
    space = _Space(
        actors=actors,
        variables=list(dynamics.variables),
        state=np.stack(list(grid.values()), axis=1),
        radix=np.array([dynamics.top_of(actor) + 1 for actor in actors] + list(dynamics.variables.values())),
    )
    env = {**{name: value[:, None] for name, value in params.items()}, **{n: v[None, :] for n, v in grid.items()}}
    views = [actor_view(env, actors, actor) for actor in actors]

    def batch(value: object) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=float), (k, size)).copy()

    moves = [[*STANDARD_MOVES, *dynamics.moves.get(actor, {})] for actor in actors]
    landing, category, available, after_move = _move_tables(dynamics, space, moves, views, batch, k)
    probs = [np.clip(batch(event.probability(env)), 0.0, 1.0) for event in dynamics.events.values()]
    outcomes, outcome_prob = _event_tables(dynamics, space, probs, k)
    zero = np.zeros((k, size))
    down_cost = [
        batch(dynamics.step_down_cost[a](views[i])) if a in dynamics.step_down_cost else zero
        for i, a in enumerate(actors)
    ]
    start = {
        **{f: flag.start for f, flag in dynamics.flags.items()},
        **{c: counter.start for c, counter in dynamics.counters.items()},
        **dynamics.start_rungs,
    }
    return MarkovGame(
        actors=actors,
        moves=moves,
        variables=space.variables,
        state=space.state,
        landing=landing,
        category=category,
        descent=_descent(dynamics, actors, space.state[:, : len(actors)], landing),
        available=available,
        after_move=after_move,
        outcomes=outcomes,
        event_prob=np.stack(probs, axis=2) if probs else np.zeros((k, size, 0)),
        outcome_prob=outcome_prob,
        payoff=np.stack([batch(dynamics.payoffs[a](views[i])) for i, a in enumerate(actors)], axis=2),
        down_cost=np.stack(down_cost, axis=2),
        discount=np.broadcast_to(np.asarray(dynamics.discount(params), dtype=float), (k,)).copy(),
        start=space.number(np.array([start[name] for name in grid])),
        weights=np.array([dynamics.score_weights.get(c, 0.0) for c in CATEGORIES]),
        top=dynamics.top,
    )


@dataclass(frozen=True)
class _Space:
    """The state space: every state's values (rungs, then variables) and how states are numbered."""

    actors: list[str]
    variables: list[str]
    state: np.ndarray  # (S, n + F)
    radix: np.ndarray  # levels of each column: an actor's top rung + 1, a variable's levels

    def number(self, values: np.ndarray) -> np.ndarray | int:
        """State numbers of rows of values (mixed radix, the last column fastest)."""
        place = np.concatenate([np.cumprod(self.radix[::-1])[::-1][1:], [1]])
        result = values @ place
        return int(result) if np.ndim(result) == 0 else result

    def changed(self, new: np.ndarray, sets: dict[str, int], add: dict[str, int], push: dict[str, int]) -> None:
        """Apply flag settings, counter additions and rung pushes to ``new`` in place, within range."""
        n = len(self.actors)
        for name, value in sets.items():
            new[:, n + self.variables.index(name)] = value
        for name, value in add.items():
            column = n + self.variables.index(name)
            new[:, column] = np.clip(new[:, column] + value, 0, self.radix[column] - 1)
        for actor, value in push.items():
            column = self.actors.index(actor)
            new[:, column] = np.clip(new[:, column] + value, 0, self.radix[column] - 1)


def _move_tables(
    dynamics: Dynamics, space: _Space, moves: list[list[str]], views: list, batch: Callable, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each move lands, its category, when it is available, and the state it leads to."""
    size, n, width = len(space.state), len(space.actors), max(len(m) for m in moves)
    landing = np.zeros((size, n, width), dtype=np.int64)
    category = np.full((size, n, width), CATEGORIES.index("status_quo"), dtype=np.int64)
    available = np.zeros((k, size, n, width), dtype=bool)
    after_move = np.empty((size, n, width), dtype=np.int64)
    rung_category = np.array([CATEGORIES.index(r.category) for r in dynamics.ladder] + [category[0, 0, 0]])
    for i, actor in enumerate(space.actors):
        own, top = space.state[:, i], space.radix[i] - 1
        landing[:, i, :] = own[:, None]  # padding moves land where they start (and are unavailable)
        landing[:, i, 0], category[:, i, 0] = np.minimum(own + 1, top), rung_category[own + 1]
        available[:, :, i, 0] = own < top
        available[:, :, i, 1] = True
        landing[:, i, 2], category[:, i, 2] = np.maximum(own - 1, 0), CATEGORIES.index("de_escalation")
        available[:, :, i, 2] = own > 0
        for m, name in ((0, "up"), (2, "down")):
            limit = dynamics.limits.get(actor, {}).get(name)
            if limit is not None:
                available[:, :, i, m] &= batch(limit(views[i])) != 0
        named = list(dynamics.moves.get(actor, {}).values())
        for m, move in enumerate(named, start=len(STANDARD_MOVES)):
            landing[:, i, m] = np.clip(own + move.step if move.step is not None else move.to, 0, top)
            category[:, i, m] = CATEGORIES.index(move.category)
            available[:, :, i, m] = True if move.when is None else batch(move.when(views[i])) != 0
        for m in range(width):
            new = space.state.copy()
            new[:, i] = landing[:, i, m]
            if len(STANDARD_MOVES) <= m < len(STANDARD_MOVES) + len(named):  # a named move's side effects
                space.changed(new, named[m - len(STANDARD_MOVES)].sets, named[m - len(STANDARD_MOVES)].add, {})
            after_move[:, i, m] = space.number(new)
    return landing, category, available, after_move


def _descent(dynamics: Dynamics, actors: list[str], rungs: np.ndarray, landing: np.ndarray) -> np.ndarray:
    """(S, n, M) the rungs of step-down cost each move incurs: the rungs it descends, or for a named move
    with ``cost_rungs`` at most that many (a single decision that crosses several rungs)."""
    descent = np.maximum(rungs[:, :, None] - landing, 0)
    for i, actor in enumerate(actors):
        for m, move in enumerate(dynamics.moves.get(actor, {}).values(), start=len(STANDARD_MOVES)):
            if move.cost_rungs is not None:
                descent[:, i, m] = np.minimum(descent[:, i, m], move.cost_rungs)
    return descent


def _event_tables(dynamics: Dynamics, space: _Space, probs: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The state after each combination of events (event ``e`` is bit ``e``) and its probability."""
    events = list(dynamics.events.values())
    outcomes = np.empty((len(space.state), 2 ** len(events)), dtype=np.int64)
    outcome_prob = np.ones((k, len(space.state), 2 ** len(events)))
    for o in range(2 ** len(events)):
        new = space.state.copy()
        for e, event in enumerate(events):
            fired = bool(o >> e & 1)
            outcome_prob[:, :, o] *= probs[e] if fired else 1.0 - probs[e]
            if fired:
                space.changed(new, event.sets, event.add, event.push)
        outcomes[:, o] = space.number(new)
    return outcomes, outcome_prob


def scripted_moves(
    scenario: Scenario, game: MarkovGame, policy: str, values: Mapping[str, ArrayLike] | None = None
) -> np.ndarray:
    """The policy's actor's move probabilities ``(K, S, M)`` under a scripted state policy.

    In each state the actor heads for the policy's target rung (limited to ``max_step`` rungs per
    round): it takes the available move landing closest to the target, and among equally close
    moves the one that moves least, then the one listed first.
    """
    dynamics = _dynamics(scenario)
    if policy not in dynamics.policies:
        known = ", ".join(dynamics.policies) or "none"
        raise ValueError(f"{scenario.name} has no dynamic policy {policy!r}; its policies: {known}")
    rule = dynamics.policies[policy]
    i = game.actors.index(rule.actor)
    params = parameter_batch(scenario, scenario.central_values() if values is None else values)
    grid = {name: game.state[:, c][None, :] for c, name in enumerate([*game.actors, *game.variables])}
    view = actor_view({**{n: v[:, None] for n, v in params.items()}, **grid}, game.actors, rule.actor)
    target = np.broadcast_to(_target(rule, view, game.top), (game.draws, game.shape[0]))
    own = view["own"]
    if rule.max_step is not None:
        target = np.clip(target, own - rule.max_step, own + rule.max_step)
    landing = game.landing[None, :, i, :]
    moved = np.abs(landing - own[..., None])
    order = np.arange(game.shape[2]) * 1e-6
    score = np.abs(landing - target[..., None]) + moved * 1e-3 + order
    score = np.where(game.available[:, :, i, :], score, np.inf)
    chosen = np.argmin(score, axis=2)
    return np.eye(game.shape[2])[chosen]


def _target(rule: StatePolicy, view: dict[str, np.ndarray], top: int) -> np.ndarray:
    own, other = view["own"], view["other"]
    if rule.rule == "match":
        return np.minimum(other + rule.offset, top if rule.cap is None else rule.cap)
    if rule.rule == "deter":
        return np.where(other >= rule.trigger, rule.response, own)
    if rule.rule == "appease":
        return np.where(other >= rule.trigger, own - 1, own)
    assert rule.target is not None
    return np.clip(np.rint(rule.target(view)), 0, top)
