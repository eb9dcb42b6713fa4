"""What a mover believes at an information set: Bayes' rule on the solution's reach probabilities.

At an information set the mover cannot tell its nodes apart. Where play reaches the set, the
belief in each node is the probability of reaching that node over the probability of reaching the
set (Bayes' rule; e.g. Fudenberg & Tirole 1991, "Game Theory", section 8.2, or Osborne & Rubinstein
1994, section 12.2). In a signalling game this reads as: do the types *pool* (several histories
arrive at the set and the mover cannot separate them) or *separate* (only one does)?
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalade.analyze.outcomes import path_moves
from escalade.game import CHANCE
from escalade.solve import Solution

# A node carries belief when its share of the set's reach exceeds this; more than one such node pools.
BELIEF_FLOOR = 1e-6


@dataclass(frozen=True)
class InfosetBelief:
    """The belief over one information set's nodes in one draw."""

    actor: str  # the mover
    infoset: str  # the set's label
    reach: float  # probability that play reaches the set
    histories: list[list[str]]  # per node, the moves that lead to it ("actor: move" from the root)
    belief: list[float]  # per node, its reach over the set's; NaN where the set is unreached
    verdict: str  # "pools", "separates" or "unreached"
    types: list[str] | None  # root chance branches with a node that carries belief; None if no chance root


def beliefs(solution: Solution, k: int = 0) -> list[InfosetBelief]:
    """The Bayes-consistent beliefs at every information set of more than one node, in draw ``k``.

    The verdict is "pools" when two or more nodes carry belief (above ``BELIEF_FLOOR``),
    "separates" when one does, "unreached" when play never reaches the set (its beliefs are NaN:
    Bayes' rule says nothing there). When the root is a chance node (nature drawing a type),
    ``types`` names the root branches whose nodes in the set carry belief.
    """
    tree = solution.game.tree
    reach = solution.reach[k]  # (N,)
    nature_first = tree.player[0] == CHANCE and (tree.scripted is None or tree.scripted[0] < 0)
    rows = []
    for h in range(tree.n_infosets):
        nodes = tree.infoset_nodes(h)
        if len(nodes) < 2:
            continue
        total = float(reach[nodes].sum())
        belief = reach[nodes] / total if total > 0 else np.full(len(nodes), np.nan)
        carried = nodes[belief > BELIEF_FLOOR]  # NaN compares false: none where unreached
        verdict = "unreached" if total <= 0 else ("pools" if len(carried) > 1 else "separates")
        types = None
        if nature_first:
            branches = {tree.path_to(int(node))[1] for node in carried}
            types = [tree.move_labels[branch] for branch in sorted(branches)]
        rows.append(
            InfosetBelief(
                actor=tree.players[tree.infoset_player[h]],
                infoset=tree.infoset_labels[h],
                reach=total,
                histories=[path_moves(tree, int(node)) for node in nodes],
                belief=belief.tolist(),
                verdict=verdict,
                types=types,
            )
        )
    return rows
