"""Subgame-perfect equilibrium of a perfect-information game by backward induction.

Steps (Kuhn 1953; Osborne & Rubinstein 1994, Proposition 99.2), for all K draws at once:

1. Give every terminal its payoff vector.
2. Going up the tree one depth level at a time, give each chance node the probability-weighted
   mean of its children, and each decision node the child that is best for the actor moving
   there (a node fixed by a scripted policy takes the policy's mix instead).
3. Read the chosen actions off as a pure behaviour profile and certify it (its Nash regret must
   be zero to tolerance; by construction it is also optimal at every node, on or off the path).

Ties: among actions whose value to the mover is within ``1e-9`` × the draw's payoff range of the
best, the one listed first in the scenario (or file) is chosen. This keeps answers reproducible
and lets an analyst put the "default" action first.
"""

from __future__ import annotations

import numpy as np

from escalade.game import CHANCE, Game
from escalade.solve.solution import REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.verify import level_plans, payoff_scale


def solve_spe(game: Game, fixed: np.ndarray | None = None, notes: list[str] | None = None) -> Solution:
    """Backward induction over all draws of ``game``.

    ``fixed`` (S,) holds a scripted policy's action probabilities, NaN where the solver decides.
    """
    tree = game.tree
    if not tree.is_perfect_information():
        raise SolverError(
            "this game has information sets (an actor cannot tell some moves apart), so backward "
            "induction does not apply; use --full-information for the what-if in which every actor "
            "sees every move"
        )
    k, n_actors = game.n_draws, len(tree.players)
    fixed_mask = np.zeros(tree.n_slots, dtype=bool) if fixed is None else ~np.isnan(fixed)
    profile = np.zeros((k, tree.n_slots))
    profile[:, fixed_mask] = np.asarray(fixed)[fixed_mask] if fixed is not None else 0.0
    slot = tree.slot
    tie = (REGRET_TOLERANCE * payoff_scale(game))[:, None, None]  # (K, 1, 1)
    values = np.zeros((k, tree.n_nodes, n_actors))
    values[:, tree.terminal_nodes, :] = game.payoff
    for plan in level_plans(tree):
        child_values = values[:, plan.children, :]  # (K, m, B, A)
        mover = tree.player[plan.nodes]
        weights = np.zeros(plan.children.shape)[None].repeat(k, axis=0)  # (K, m, B)
        chance = mover == CHANCE
        weights[:, chance] = game.chance_prob[:, plan.children[chance]] * plan.mask[chance]
        # slot -1 (the parent is chance) picks the padding False
        scripted = np.append(fixed_mask, False)[slot[plan.children[:, 0]]]
        weights[:, scripted] = profile[:, slot[plan.children[scripted]]] * plan.mask[scripted]
        free = np.flatnonzero((mover >= 0) & ~scripted)
        if free.size:
            own = np.take_along_axis(child_values[:, free], mover[free][None, :, None, None], axis=3)[
                ..., 0
            ]  # (K, f, B): each child's value to the actor moving at the parent
            own = np.where(plan.mask[free], own, -np.inf)
            best = own.max(axis=2, keepdims=True)
            pick = np.argmax(own >= best - tie, axis=2)  # first listed among the near-best
            weights[:, free] = np.eye(plan.children.shape[1])[pick]
            chosen = plan.children[free][np.arange(free.size)[None, :], pick]  # (K, f)
            np.put_along_axis(profile, slot[chosen], 1.0, axis=1)
        values[:, plan.nodes, :] = np.einsum("kmb,kmba->kma", weights, child_values)
    return certify("spe", game, profile, fixed_mask if fixed is not None else None, notes)
