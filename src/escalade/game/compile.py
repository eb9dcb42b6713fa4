"""Compile a validated scenario into a :class:`Game`: structure once, numbers per draw batch.

The scenario's nodes refer to each other by name and may be shared; :func:`compile_tree` unfolds
them into a tree in which every copy has its own history. :func:`compile_game` then fills in the
numbers for K parameter draws at once: chance probabilities, the outcome attributes accumulated
along each path (action effects, then the end node's outcome), and each actor's utility.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from escalade.game.tree import CHANCE, TERMINAL, Game, Tree, TreeBuilder
from escalade.scenario import Chance, Decision, Scenario
from escalade.scenario.load import MAX_MAGNITUDE, beyond_magnitude
from escalade.scenario.model import Outcome


def no_tree(scenario: Scenario) -> str:
    """Why a dynamic-only scenario cannot be solved as a tree, and what to do instead."""
    return (
        f"{scenario.name} has no game tree ('root:' and 'nodes:'), only dynamics: run it over rounds "
        "(`escalade simulate`, or Model.simulate)"
    )


def compile_tree(scenario: Scenario) -> Tree:
    """Unfold the scenario's node graph into a tree (depth-first, then laid out breadth first)."""
    if scenario.root is None:
        raise ValueError(no_tree(scenario))
    actor_index = {actor_id: i for i, actor_id in enumerate(scenario.actor_ids)}
    builder = TreeBuilder(scenario.actor_ids)
    stack: list[tuple[str, int, str]] = [(scenario.root, -1, "")]
    count = 0
    while stack:
        node_id, parent, move = stack.pop()
        node = scenario.nodes[node_id]
        if isinstance(node, Decision):
            # An unlabelled node is its own infoset: the mover knows the whole history.
            key = ("label", node.infoset) if node.infoset is not None else ("node", count)
            index = builder.add(
                parent,
                move,
                actor_index[node.actor],
                node_id,
                key,
                node.infoset or node_id,
                list(node.actions),
            )
            successors = [(name, action.next) for name, action in node.actions.items()]
        elif isinstance(node, Chance):
            index = builder.add(parent, move, CHANCE, node_id)
            successors = [(name, branch.next) for name, branch in node.chance.items()]
        else:
            index = builder.add(parent, move, TERMINAL, node_id)
            successors = []
        count += 1
        stack.extend((target, index, name) for name, target in reversed(successors))
    return builder.build()


def parameter_batch(scenario: Scenario, values: Mapping[str, ArrayLike]) -> dict[str, np.ndarray]:
    """Check and broadcast parameter values to arrays of one common shape (K,)."""
    unknown = set(values) - set(scenario.parameters)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}; known: {sorted(scenario.parameters)}")
    missing = set(scenario.parameters) - set(values)
    if missing:
        raise ValueError(f"no values given for parameters {sorted(missing)}")
    arrays = {name: np.atleast_1d(np.asarray(value, dtype=float)) for name, value in values.items()}
    for name, array in arrays.items():
        if array.ndim != 1:
            raise ValueError(f"parameter {name!r}: expected a scalar or a 1-d array of draws")
    k = max((array.size for array in arrays.values()), default=1)
    for name, array in arrays.items():
        if array.size not in (1, k):
            raise ValueError(f"parameter {name!r} has {array.size} draws, others {k}")
    return {name: np.broadcast_to(array, (k,)) for name, array in arrays.items()}


def compile_game(
    scenario: Scenario,
    values: Mapping[str, ArrayLike] | None = None,
    tree: Tree | None = None,
) -> Game:
    """The game for a batch of K parameter draws (default: each parameter at its mean).

    ``values`` maps every parameter to a scalar or an array of K draws. Pass ``tree`` (from
    :func:`compile_tree`) to reuse the structure across batches.
    """
    params = parameter_batch(scenario, scenario.central_values() if values is None else values)
    k = next(iter(params.values())).size if params else 1
    tree = tree or compile_tree(scenario)
    attributes = list(scenario.attributes)
    column = {name: m for m, name in enumerate(attributes)}
    # Node-major layout: gathering a group of node copies reads contiguous (K, M) blocks.
    # Parameters as (1, K) so that they broadcast against (copies, K) attribute columns.
    env_params = {name: array[None, :] for name, array in params.items()}

    weights = np.zeros((k, len(scenario.actors), len(attributes)))  # (K, A, M)
    for a, actor in enumerate(scenario.actors):
        for attribute, expression in actor.utility.items():
            weights[:, a, column[attribute]] = np.broadcast_to(expression(params), (k,))

    chance_prob = np.ones((k, tree.n_nodes))
    outcome = np.zeros((tree.n_terminals, k, len(attributes)))  # end-major until the end, as ``running``
    explicit = np.zeros((tree.n_terminals, k, len(scenario.actors)))
    actor_index = {actor_id: a for a, actor_id in enumerate(scenario.actor_ids)}
    # The attributes accumulated so far, one level at a time (a level's row of each node: ``row``): a level
    # needs only its parents', so memory is that of the widest level, not of the whole tree.
    row = np.zeros(tree.n_nodes, dtype=np.int64)
    running = np.zeros((1, k, len(attributes)))
    for depth, level in enumerate(tree.levels):
        if depth:
            row[level] = np.arange(len(level))
            below = np.empty((len(level), k, len(attributes)))
            for (source, move), nodes in _groups(tree, level).items():
                node = scenario.nodes[source]
                if isinstance(node, Decision):
                    effects = node.actions[move].effects
                else:
                    assert isinstance(node, Chance)
                    branch = node.chance[move]
                    effects = branch.effects
                    chance_prob[:, nodes] = np.broadcast_to(branch.p(params), (k,))[:, None]
                before = running[row[tree.parent[nodes]]]  # (copies, K, M)
                below[row[nodes]] = _apply(effects, before, env_params, column)
            running = below
        ends = level[tree.player[level] == TERMINAL]
        for (source, _), nodes in _groups(tree, ends, by_move=False).items():
            end = scenario.nodes[source]
            t = tree.terminal[nodes]
            before = running[row[nodes]]
            env = _env(before, env_params, column)  # payoffs read the attributes before the end's outcome
            for actor_id, expression in end.payoffs.items():
                explicit[t, :, actor_index[actor_id]] = np.broadcast_to(expression(env), (len(nodes), k))
            outcome[t] = _apply(end.outcome, before, env_params, column)
    outcome = np.ascontiguousarray(outcome.transpose(1, 0, 2))  # (K, T, M)
    with np.errstate(all="ignore"):
        payoff = outcome @ weights.transpose(0, 2, 1) + explicit.transpose(1, 0, 2)  # (K, T, M) @ (K, M, A)
    _check_finite(scenario, tree, payoff, outcome)
    return Game(tree, chance_prob, payoff, outcome, attributes, scenario.title)


def outcome_paths(tree: Tree, outcomes: Mapping[str, Outcome]) -> np.ndarray:
    """(T, O) True where the path to end t takes every move outcome o's ``path`` names."""
    steps = [_steps(tree, int(node)) for node in tree.terminal_nodes]
    paths = np.ones((tree.n_terminals, len(outcomes)), dtype=bool)
    for o, outcome in enumerate(outcomes.values()):
        paths[:, o] = [all(step in on_path for step in outcome.path) for on_path in steps]
    return paths


def event_matrix(
    game: Game,
    outcomes: Mapping[str, Outcome],
    values: Mapping[str, ArrayLike],
    scenario: Scenario,
    paths: np.ndarray | None = None,
) -> np.ndarray:
    """(K, T, O) 1.0 where outcome o holds at end t in draw k: its path was taken (``paths``, from
    :func:`outcome_paths`) and its condition holds on the end's attributes (and the draw's parameters)."""
    tree = game.tree
    paths = outcome_paths(tree, outcomes) if paths is None else paths
    params = parameter_batch(scenario, values)
    k = game.outcome.shape[0]
    events = np.zeros((k, tree.n_terminals, len(outcomes)))
    env = {name: array[:, None] for name, array in params.items()}
    env |= {name: game.outcome[:, :, m] for m, name in enumerate(game.attributes)}
    for o, outcome in enumerate(outcomes.values()):
        holds = np.broadcast_to(outcome.when(env), (k, tree.n_terminals)) if outcome.when is not None else True
        events[:, :, o] = paths[None, :, o] & np.asarray(holds, dtype=bool)
    return events


def _steps(tree: Tree, node: int) -> set[str]:
    """The nodes ("node") and moves ("node.move", and "infoset.move" for a move at a labelled
    information set, whichever of its nodes it was made at) on the path from the root to ``node``."""
    path = tree.path_to(node)
    on_path = {tree.node_labels[n] for n in path}
    moves = {f"{tree.node_labels[tree.parent[n]]}.{tree.move_labels[n]}" for n in path[1:]}
    at_infosets = {
        f"{tree.infoset_labels[tree.infoset[tree.parent[n]]]}.{tree.move_labels[n]}"
        for n in path[1:]
        if tree.infoset[tree.parent[n]] >= 0
    }
    return on_path | moves | at_infosets


def _check_finite(scenario: Scenario, tree: Tree, payoff: np.ndarray, outcome: np.ndarray) -> None:
    """Refuse a draw whose payoffs or outcome attributes are not finite numbers of a sane size.

    Validation checks formulas of parameters alone; sums along a path (effects that read attributes)
    can still overflow, and no solver may see the result: a regret of NaN would compare as "passed".
    """
    for name, values, labels in (("payoff", payoff, scenario.actor_ids), ("attribute", outcome, scenario.attributes)):
        wild = beyond_magnitude(values)  # (K, T, A or M)
        if wild.any():
            k, t, column = (int(i) for i in np.argwhere(wild)[0])
            node = tree.node_labels[tree.terminal_nodes[t]]
            value = values[k, t, column]
            raise ValueError(
                f"{scenario.source_file}: the {name} {labels[column]!r} at end node {node!r} is {value:.4g} "
                f"in parameter draw {k} — keep payoffs finite and below {MAX_MAGNITUDE:.0e} "
                "(look for a division by zero, log(0) or a huge power along this path)"
            )


def _groups(tree: Tree, nodes: np.ndarray, by_move: bool = True) -> dict[tuple[str, str], np.ndarray]:
    """Node copies grouped by the scenario move (or node) they copy, to evaluate each formula once."""
    groups: dict[tuple[str, str], list[int]] = {}
    for node in nodes:
        key = (tree.node_labels[tree.parent[node]], tree.move_labels[node]) if by_move else (tree.node_labels[node], "")
        groups.setdefault(key, []).append(int(node))
    return {key: np.array(members) for key, members in groups.items()}


def _env(before: np.ndarray, params: Mapping[str, np.ndarray], column: Mapping[str, int]) -> dict[str, np.ndarray]:
    return {**params, **{name: before[:, :, m] for name, m in column.items()}}


def _apply(
    effects: Mapping,
    before: np.ndarray,
    params: Mapping[str, np.ndarray],
    column: Mapping[str, int],
) -> np.ndarray:
    """Add each effect (evaluated on the values *before* the move) to the running attributes.

    ``before`` is (copies, K, M), a gathered copy that this changes in place (every effect is evaluated
    first, so none reads another's result); parameters in ``params`` are (1, K).
    """
    if effects:
        env = _env(before, params, column)
        added = [(column[attribute], expression(env)) for attribute, expression in effects.items()]
        for m, amount in added:
            before[:, :, m] += amount
    return before


def policy_profile(scenario: Scenario, tree: Tree, policy: str) -> np.ndarray:
    """(S,) the action probabilities a scripted policy sets; NaN in the slots it leaves free.

    A policy names scenario nodes or infoset labels; it applies to every copy of those nodes.
    """
    spec = scenario.policies[policy]
    fixed = np.full(tree.n_slots, np.nan)
    for node in np.flatnonzero(tree.infoset >= 0):
        source = tree.node_labels[node]
        decision = scenario.nodes[source]
        assert isinstance(decision, Decision)
        choice = spec.choose.get(source)
        if choice is None and decision.infoset is not None:
            choice = spec.choose.get(decision.infoset)
        if choice is None:
            continue
        probs = {choice: 1.0} if isinstance(choice, str) else choice
        start = tree.action_offset[tree.infoset[node]]
        for a, action in enumerate(decision.actions):
            fixed[start + a] = probs.get(action, 0.0)
    return fixed
