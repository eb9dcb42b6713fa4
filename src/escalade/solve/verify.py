"""Evaluate any behaviour profile and measure how far it is from an equilibrium.

Every solver's answer passes through :func:`check`: a profile is accepted only if no player can
gain more than the tolerance by deviating on its own (its Nash regret), computed here
independently of how the profile was found.

Regret of player i: ``BR_i - V_i``, where ``V_i`` is i's expected payoff under the profile and
``BR_i`` the payoff of i's best response against the others' fixed behaviour. The best response
is found by a backward pass over "counterfactual" values: each node is weighted by the
probability that chance and the other players lead to it, so all nodes of one information set
can be compared on the same footing (e.g. Zinkevich et al. 2007, "Regret minimization in games
with incomplete information"). With perfect recall the pass is repeated until no decision
changes; each repetition settles one more layer of nested information sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalade.game import TERMINAL, Game, Tree


@dataclass(frozen=True)
class LevelPlan:
    """Index arrays for one depth level's internal nodes and their children (padded)."""

    nodes: np.ndarray  # (m,) internal nodes at this level
    children: np.ndarray  # (m, B) child node per branch; padding repeats the first child
    mask: np.ndarray  # (m, B) True for real branches


def level_plans(tree: Tree) -> list[LevelPlan]:
    """One plan per level, deepest first, covering every internal node."""
    plans = []
    for level in reversed(tree.levels):
        nodes = level[tree.player[level] != TERMINAL]
        if nodes.size == 0:
            continue
        width = int(tree.n_children[nodes].max())
        branch = np.arange(width)
        mask = branch[None, :] < tree.n_children[nodes][:, None]
        children = tree.first_child[nodes][:, None] + np.where(mask, branch[None, :], 0)
        plans.append(LevelPlan(nodes, children, mask))
    return plans


# Internally every per-node array is node-major with the draws last, (N, ..., K): a level's children are
# gathered as contiguous blocks of K draws, 8× faster on the flagship than gathering columns of (K, N, ...)
# arrays.
# The public functions return the draw-major arrays the rest of escalade reads.


def move_probabilities(game: Game, profile: np.ndarray) -> np.ndarray:
    """(K, N) probability of the move into each node under ``profile`` (K, S); 1 at the root."""
    return node_moves(game, profile).T


def reach_probabilities(tree: Tree, move_prob: np.ndarray) -> np.ndarray:
    """(K, N) probability that play reaches each node, from the (K, N) move probabilities."""
    return node_reach(tree, np.ascontiguousarray(move_prob.T)).T


def node_values(game: Game, move_prob: np.ndarray, plans: list[LevelPlan]) -> np.ndarray:
    """(K, N, A) expected payoff to each actor from each node on, under the (K, N) move probabilities."""
    return _values(game, np.ascontiguousarray(move_prob.T), plans).transpose(2, 0, 1)


def node_moves(game: Game, profile: np.ndarray) -> np.ndarray:
    """(N, K) probability of the move into each node under ``profile`` (K, S); 1 at the root."""
    tree = game.tree
    slot = tree.slot
    probs = np.empty((tree.n_nodes, max(game.n_draws, profile.shape[0])))
    probs[:] = game.chance_prob.T
    moved = slot >= 0
    probs[moved] = profile[:, slot[moved]].T
    probs[0] = 1.0
    return probs


def node_reach(tree: Tree, moves: np.ndarray) -> np.ndarray:
    """(N, K) probability that play reaches each node, from the (N, K) move probabilities."""
    reach = np.ones_like(moves)
    for level in tree.levels[1:]:
        reach[level] = reach[tree.parent[level]] * moves[level]
    return reach


def _values(
    game: Game, moves: np.ndarray, plans: list[LevelPlan], players: list[int] | None = None, deviate: bool = False
) -> np.ndarray:
    """(N, P, K) expected payoff to each of ``players`` (default: every actor) from each node on, under
    the (N, K) move probabilities. With ``deviate`` each player instead takes its best child at its own
    nodes: its best response, where its information sets are all single nodes. (Draws last: a level's
    weighted sum runs over contiguous rows of K draws; about 12% off a flagship certificate against (N, K, P).)"""
    tree = game.tree
    columns = np.arange(len(tree.players)) if players is None else np.array(players)
    values = np.empty((tree.n_nodes, len(columns), moves.shape[1]))
    values[tree.terminal_nodes] = game.payoff[:, :, columns].transpose(1, 2, 0)
    for plan in plans:
        weights = moves[plan.children] * plan.mask[:, :, None]  # (m, B, K)
        children = values[plan.children]  # (m, B, P, K)
        level = np.einsum("mbk,mbpk->mpk", weights, children)
        mover = tree.player[plan.nodes]
        for p, player in enumerate(columns if deviate else []):
            own = np.flatnonzero(mover == player)
            if own.size:
                options = np.where(plan.mask[own][:, :, None], children[own, :, p, :], -np.inf)
                level[own, p, :] = options.max(axis=1)
        values[plan.nodes] = level
    return values


def _best_response(game: Game, moves: np.ndarray, plans: list[LevelPlan], player: int) -> np.ndarray:
    """(K,) the best payoff ``player`` can reach against the others' behaviour ((N, K) move probabilities)."""
    tree = game.tree
    k = moves.shape[1]
    mine = tree.player == player
    # others' and chance's share of the probability of reaching each node
    others = np.where((mine[tree.parent] & (tree.parent >= 0))[:, None], 1.0, moves)
    weight = node_reach(tree, others)
    cf = np.zeros((tree.n_nodes, k))
    cf[tree.terminal_nodes] = weight[tree.terminal_nodes] * game.payoff[:, :, player].T
    own_infoset = tree.infoset_player == player
    # A one-node infoset is decided on the spot (the best child); larger ones need their members'
    # summed values, so their choice is revised between passes until nothing changes.
    members = np.bincount(tree.infoset[tree.infoset >= 0], minlength=tree.n_infosets)
    shared = own_infoset & (members > 1)
    choice = np.zeros((tree.n_infosets, k), dtype=np.int64)
    for _ in range(int(tree.depth.max()) + 2):
        for plan in plans:
            child_cf = cf[plan.children] * plan.mask[:, :, None]  # (m, B, K)
            h = tree.infoset[plan.nodes]
            deciding = (h >= 0) & mine[plan.nodes]
            # nodes the player does not control: sum (weights already include the probabilities)
            total = child_cf.sum(axis=1)
            alone = np.flatnonzero(deciding & ~shared[np.maximum(h, 0)])
            if alone.size:
                total[alone] = np.where(plan.mask[alone][:, :, None], child_cf[alone], -np.inf).max(axis=1)
            together = np.flatnonzero(deciding & shared[np.maximum(h, 0)])
            if together.size:
                picked = np.take_along_axis(child_cf[together], choice[h[together]][:, None, :], axis=1)
                total[together] = picked[:, 0, :]
            cf[plan.nodes] = total
        if not shared.any():
            break
        new_choice = _infoset_argmax(tree, cf, shared, choice)
        if np.array_equal(new_choice, choice):
            break
        choice = new_choice
    return cf[0]


def _infoset_argmax(tree: Tree, cf: np.ndarray, own: np.ndarray, current: np.ndarray) -> np.ndarray:
    """For each of the player's infosets (``own``), the action with the largest summed child value
    (``cf`` and ``current`` node- and infoset-major: (N, K), (I, K))."""
    choice = current.copy()
    for h in np.flatnonzero(own):
        members = tree.infoset_nodes(h)
        children = tree.first_child[members][:, None] + np.arange(tree.n_actions[h])[None, :]
        q = cf[children].sum(axis=0)  # (actions, K)
        best = q.max(axis=0)
        # keep the current action where it is already (numerically) best: no churn on ties
        kept = np.take_along_axis(q, current[h][None, :], axis=0)[0]
        keep = kept >= best - 1e-12 * (1 + np.abs(best))
        choice[h] = np.where(keep, current[h], q.argmax(axis=0))
    return choice


def nash_regret(game: Game, profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per draw and player, the gain from the best unilateral deviation.

    Returns ``(regret (K, A), values (K, A))``.
    """
    return regret_of_moves(game, node_moves(game, profile))


def regret_of_moves(game: Game, moves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`nash_regret` from the (N, K) move probabilities (of :func:`node_moves`)."""
    tree = game.tree
    plans = level_plans(tree)
    values = _values(game, moves, plans)[0].T.copy()  # (K, A), not a view: that keeps (N, A, K) alive
    regret = np.zeros_like(values)
    members = np.bincount(tree.infoset[tree.infoset >= 0], minlength=tree.n_infosets)
    movers = tree.movers()
    # a player whose every information set is one node can deviate node by node: one backward pass
    # serves all such players at once; the others need the counterfactual passes of _best_response
    direct = [player for player in movers if np.all(members[tree.infoset_player == player] == 1)]
    if direct:
        best = _values(game, moves, plans, direct, deviate=True)[0].T
        regret[:, direct] = np.maximum(best - values[:, direct], 0.0)
    for player in movers:
        if player not in direct:
            regret[:, player] = np.maximum(_best_response(game, moves, plans, player) - values[:, player], 0.0)
    return regret, values


def payoff_scale(game: Game) -> np.ndarray:
    """(K,) the range of payoffs in each draw, at least 1: the unit regret tolerances scale with."""
    spread = game.payoff.max(axis=(1, 2)) - game.payoff.min(axis=(1, 2))
    return np.maximum(spread, 1.0)


def conditional_action_values(game: Game, profile: np.ndarray) -> np.ndarray:
    """(K, S) each action's expected payoff to its mover, conditional on reaching its infoset.

    Beliefs over an infoset's nodes follow Bayes' rule from the probability that chance and the
    other players lead to each node; where that is zero for every node, the nodes weigh equally.
    """
    tree = game.tree
    plans = level_plans(tree)
    moves = node_moves(game, profile)
    values = _values(game, moves, plans)  # (N, A, K)
    result = np.zeros((moves.shape[1], tree.n_slots))
    for player in range(len(tree.players)):
        mine = tree.player == player
        others = np.where((mine[tree.parent] & (tree.parent >= 0))[:, None], 1.0, moves)
        weight = node_reach(tree, others)
        for h in np.flatnonzero(tree.infoset_player == player):
            members = tree.infoset_nodes(h)
            belief = weight[members]  # (m, K)
            total = belief.sum(axis=0, keepdims=True)
            belief = np.where(total > 0, belief / np.where(total > 0, total, 1), 1.0 / len(members))
            children = tree.first_child[members][:, None] + np.arange(tree.n_actions[h])[None, :]
            child_values = values[children, player]  # (m, actions, K)
            start = tree.action_offset[h]
            result[:, start : start + tree.n_actions[h]] = np.einsum("mk,mak->ka", belief, child_values)
    return result


def logit_residual(game: Game, profile: np.ndarray, lam: float | np.ndarray) -> np.ndarray:
    """(K,) the largest gap between ``profile`` and the logit response to it at precision ``lam``
    (one number, or one per draw)."""
    tree = game.tree
    values = conditional_action_values(game, profile)
    gap = np.zeros(profile.shape[0])
    lam = np.asarray(lam, dtype=float).reshape(-1, 1)
    for h in range(tree.n_infosets):
        start, count = tree.action_offset[h], tree.n_actions[h]
        scaled = lam * values[:, start : start + count]
        response = np.exp(scaled - scaled.max(axis=1, keepdims=True))
        response /= response.sum(axis=1, keepdims=True)
        gap = np.maximum(gap, np.abs(response - profile[:, start : start + count]).max(axis=1))
    return gap
