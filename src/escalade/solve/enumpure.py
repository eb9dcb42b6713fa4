"""All pure-strategy Nash equilibria of a small game, by enumeration.

Steps: (1) list every pure behaviour profile (one action at each information set); (2) evaluate
them all as one batch; (3) keep those in which no player gains by deviating alone, using the same
regret check that certifies every other solver; (4) report each equilibrium of the *reduced*
strategic form once, as Gambit does: two profiles that differ only at information sets a player's
own earlier choices rule out are the same reduced strategy, and the first-listed action stands in
at such information sets.
"""

from __future__ import annotations

import itertools

import numpy as np

from escalade.game import Game, Tree
from escalade.solve.solution import REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.verify import nash_regret, payoff_scale

MAX_PROFILES = 65_536


def enumerate_pure(game: Game, draw: int = 0) -> list[Solution]:
    """Every pure Nash equilibrium of draw ``draw`` of ``game``, each certified."""
    tree = game.tree
    count = int(np.prod(tree.n_actions, dtype=float))
    if count > MAX_PROFILES:
        raise SolverError(
            f"the game has {count:,} pure behaviour profiles, more than {MAX_PROFILES:,} "
            "to enumerate; use another method"
        )
    single = game.draw(draw)
    choices = np.array(list(itertools.product(*(range(n) for n in tree.n_actions))), dtype=np.int64)
    choices = choices.reshape(count, tree.n_infosets)
    profiles = np.zeros((count, tree.n_slots))
    rows = np.arange(count)[:, None]
    profiles[rows, tree.action_offset[None, :] + choices] = 1.0
    batch = Game(
        tree,
        np.repeat(single.chance_prob, count, axis=0),
        np.repeat(single.payoff, count, axis=0),
        np.repeat(single.outcome, count, axis=0),
        single.attributes,
        single.title,
    )
    regret, _ = nash_regret(batch, profiles)
    tolerance = REGRET_TOLERANCE * payoff_scale(single)[0]
    equilibria = np.flatnonzero(regret.max(axis=1, initial=0.0) <= tolerance)
    relevant = _own_reachable(tree, choices[equilibria])  # (E, I)
    reduced = np.where(relevant, choices[equilibria], 0)
    _, first = np.unique(reduced, axis=0, return_index=True)
    return [certify("enumpure", single, profiles[equilibria[i] : equilibria[i] + 1]) for i in sorted(first)]


def _own_reachable(tree: Tree, choices: np.ndarray) -> np.ndarray:
    """(E, I) whether each infoset can be reached given its own player's choices in each profile."""
    slot_of_move = tree.slot  # (N,) slot of the move into each node, -1 after chance
    owner = np.where(tree.parent >= 0, tree.player[np.maximum(tree.parent, 0)], -1)
    # infoset of the parent and the action index of the move into each node
    parent_infoset = np.where(tree.parent >= 0, tree.infoset[np.maximum(tree.parent, 0)], -1)
    result = np.zeros((len(choices), tree.n_infosets), dtype=bool)
    for h in range(tree.n_infosets):
        player = tree.infoset_player[h]
        for node in tree.infoset_nodes(h):
            path = np.array(tree.path_to(int(node))[1:], dtype=np.int64)
            own = path[(owner[path] == player) & (slot_of_move[path] >= 0)]
            consistent = np.all(choices[:, parent_infoset[own]] == tree.action[own][None, :], axis=1)
            result[:, h] |= consistent
    return result
