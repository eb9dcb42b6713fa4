"""Read a solution as an analyst would: the likely paths of play and where they end."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from escalade.solve import Solution


@dataclass(frozen=True)
class PathRow:
    probability: float
    moves: list[str]  # "actor: move" from the root to the end
    attributes: dict[str, float]  # outcome attributes at the end


def likely_paths(solution: Solution, k: int = 0, top: int = 8, floor: float = 1e-9) -> list[PathRow]:
    """The ``top`` most probable complete paths of draw ``k`` (ties in tree order)."""
    tree = solution.game.tree
    probs = solution.outcome_probs[k]
    order = np.argsort(-probs, kind="stable")
    rows = []
    for t in order[:top]:
        if probs[t] <= floor:
            break
        path = tree.path_to(int(tree.terminal_nodes[t]))
        moves = [f"{tree.mover(parent)}: {tree.move_labels[child]}" for parent, child in itertools.pairwise(path)]
        attributes = dict(zip(solution.game.attributes, solution.game.outcome[k, t].tolist(), strict=True))
        rows.append(PathRow(float(probs[t]), moves, attributes))
    return rows


def paths_frame(solution: Solution, k: int = 0, top: int = 8) -> pd.DataFrame:
    """The likely paths of draw ``k`` as a table: probability, moves, then outcome attributes."""
    rows = [
        {"probability": row.probability, "path": " → ".join(row.moves), **row.attributes}
        for row in likely_paths(solution, k, top)
    ]
    return pd.DataFrame(rows)


def profile_frame(solution: Solution, k: int = 0) -> pd.DataFrame:
    """Draw ``k``'s behaviour profile: one row per (actor, information set, action)."""
    tree = solution.game.tree
    rows = [
        {
            "actor": tree.players[tree.infoset_player[h]],
            "infoset": tree.infoset_labels[h],
            "action": tree.action_labels[tree.action_offset[h] + a],
            "probability": float(solution.profile[k, tree.action_offset[h] + a]),
        }
        for h in range(tree.n_infosets)
        for a in range(tree.n_actions[h])
    ]
    return pd.DataFrame(rows, columns=["actor", "infoset", "action", "probability"])
