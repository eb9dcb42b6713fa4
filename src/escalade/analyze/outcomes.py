"""Read a solution as an analyst would: the likely paths of play and where they end."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

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
