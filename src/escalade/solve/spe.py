"""Subgame-perfect equilibrium: backward induction, with the logit-QRE limit inside any subgame
that has information sets.

Steps (Kuhn 1953; Selten 1975; Osborne & Rubinstein 1994, Proposition 99.2), for all K draws at
once:

1. Give every terminal its payoff vector.
2. Going up the tree one depth level at a time, give each chance node the probability-weighted
   mean of its children, and each decision node the child that is best for the actor moving
   there.
3. A *subgame* starts at a node whose subtree contains every node of each information set it
   touches. Where information sets span several nodes, backward induction cannot choose node by
   node; instead, at the smallest subgame containing them, the game between that subgame's root
   and the (already solved) subgames below it is solved as a whole by the limit of its logit QRE
   (:mod:`escalade.solve.qre`), which selects a sequential equilibrium, and its value is passed up.
4. Read the choices off as a behaviour profile and certify it: its Nash regret must be zero to
   tolerance (1e-9 × payoff range for pure backward induction; 1e-8 where a QRE limit was used).
   By construction it is also an equilibrium in every subgame.

Ties: among actions whose value to the mover is within ``1e-9`` × the draw's payoff range of the
best, the one listed first in the scenario (or file) is chosen. This keeps answers reproducible
and lets an analyst put the "default" action first. The solution records where this rule decided
(``Solution.ties``, (K, N)): at nodes chosen node by node, not inside a QRE-limit subgame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalade.game import CHANCE, TERMINAL, Game, Tree, TreeBuilder
from escalade.solve.qre import certify_logit, lost_note, precision, qre_profile
from escalade.solve.solution import APPROXIMATE_TOLERANCE, REGRET_TOLERANCE, Solution, certify
from escalade.solve.verify import level_plans, node_moves, node_values, payoff_scale


@dataclass(frozen=True)
class Region:
    """A subgame with information sets, reduced to its own moves above the subgames below it."""

    root: int
    tree: Tree  # the reduced game: solved subgames below the root become terminals
    nodes: np.ndarray  # (n,) original node of each reduced node
    leaves: np.ndarray  # (T',) original node whose value each reduced terminal takes
    infosets: np.ndarray  # (I',) original infoset of each reduced infoset


def subgame_roots(tree: Tree) -> np.ndarray:
    """(N,) True where a node starts a subgame (its subtree holds whole information sets)."""
    order = tree.preorder()
    enter = np.empty(tree.n_nodes, dtype=np.int64)
    enter[order] = np.arange(tree.n_nodes)
    size = np.ones(tree.n_nodes, dtype=np.int64)
    for node in order[::-1][:-1]:
        size[tree.parent[node]] += size[node]
    leave = enter + size - 1
    lowest = np.full(max(tree.n_infosets, 1), tree.n_nodes)
    highest = np.full(max(tree.n_infosets, 1), -1)
    members = tree.infoset >= 0
    np.minimum.at(lowest, tree.infoset[members], enter[members])
    np.maximum.at(highest, tree.infoset[members], enter[members])
    lo = np.where(members, lowest[np.maximum(tree.infoset, 0)], tree.n_nodes)
    hi = np.where(members, highest[np.maximum(tree.infoset, 0)], -1)
    for node in order[::-1][:-1]:  # children before parents
        parent = tree.parent[node]
        lo[parent] = min(lo[parent], lo[node])
        hi[parent] = max(hi[parent], hi[node])
    return (lo >= enter) & (hi <= leave)


def regions(tree: Tree) -> list[Region]:
    """The subgames that need the QRE, deepest first."""
    counts = np.bincount(tree.infoset[tree.infoset >= 0], minlength=tree.n_infosets)
    if np.all(counts <= 1):
        return []
    is_root = subgame_roots(tree)
    shared = (tree.infoset >= 0) & (counts[np.maximum(tree.infoset, 0)] > 1)
    # the smallest subgame holding each node with a shared infoset
    owners = set()
    for node in np.flatnonzero(shared):
        current = int(node)
        while not is_root[current]:
            current = int(tree.parent[current])
        owners.add(current)
    found = [_reduce(tree, root, is_root) for root in owners]
    return sorted(found, key=lambda region: -tree.depth[region.root])


def _reduce(tree: Tree, root: int, is_root: np.ndarray) -> Region:
    builder = TreeBuilder(tree.players)
    nodes, leaves = [], []
    stack = [(root, -1)]
    while stack:
        node, parent = stack.pop()
        kind = tree.player[node]
        collapsed = node != root and (is_root[node] or kind == TERMINAL)
        move = tree.move_labels[node] if parent >= 0 else ""
        if collapsed:
            index = builder.add(parent, move, TERMINAL, tree.node_labels[node])
            leaves.append(node)
        elif kind == CHANCE:
            index = builder.add(parent, move, CHANCE, tree.node_labels[node])
        else:
            h = int(tree.infoset[node])
            start = tree.action_offset[h]
            actions = tree.action_labels[start : start + tree.n_actions[h]]
            index = builder.add(parent, move, int(kind), tree.node_labels[node], h, tree.infoset_labels[h], actions)
        nodes.append(node)
        if not collapsed:
            start, count = tree.first_child[node], tree.n_children[node]
            stack.extend((child, index) for child in range(start + count - 1, start - 1, -1))
    reduced = builder.build()
    # builder lays nodes out breadth first; map back through the depth-first order it was given
    depth_first = np.empty(reduced.n_nodes, dtype=np.int64)
    depth_first[np.array(reduced.preorder())] = np.arange(reduced.n_nodes)
    original = np.array(nodes)[depth_first]
    infosets = np.array([tree.infoset[original[reduced.infoset == h][0]] for h in range(reduced.n_infosets)])
    return Region(root, reduced, original, original[reduced.terminal_nodes], infosets)


def solve_spe(game: Game, notes: list[str] | None = None, lam: float | np.ndarray | None = None) -> Solution:
    """Subgame-perfect equilibrium of every draw (script policies first: ``escalade.game.script``).

    With ``lam`` (one number, or one per draw), the same backward pass gives the agent logit QRE at
    that precision instead: each decision node mixes its actions in proportion to
    ``exp(λ · value)`` and subgames with information sets take their QRE at λ on the principal branch.
    At a node every agent's logit response depends only on the play below it, so this is the whole
    game's agent QRE, certified by its logit equations (:func:`escalade.solve.qre.solve_qre` traces
    the same equilibrium over the whole tree at once, far more slowly).
    """
    tree = game.tree
    k, n_actors = game.n_draws, len(tree.players)
    lam = precision(lam, k)
    profile = np.zeros((k, tree.n_slots))
    ties = np.zeros((tree.n_nodes, k), dtype=bool)  # several near-best actions, first listed taken
    slot = tree.slot
    tie = REGRET_TOLERANCE * payoff_scale(game)  # (K,)
    # node-major, (N, K, A): a level's children are gathered as contiguous blocks of draws
    values = np.zeros((tree.n_nodes, k, n_actors))
    values[tree.terminal_nodes] = game.payoff.transpose(1, 0, 2)
    chance_prob = np.ascontiguousarray(game.chance_prob.T)  # (N, K)
    pending = regions(tree)
    lost_draws = np.zeros(k, dtype=bool)  # draws whose logit path was lost in some subgame (qre._recover)
    for plan in level_plans(tree):
        mover = tree.player[plan.nodes]
        chance = np.flatnonzero(mover == CHANCE)
        if chance.size:
            children = plan.children[chance]
            weights = chance_prob[children] * plan.mask[chance][:, :, None]  # (c, B, K)
            values[plan.nodes[chance]] = np.einsum("cbk,cbka->cka", weights, values[children])
        deciding = np.flatnonzero(mover >= 0)
        if deciding.size:
            children = plan.children[deciding]  # (d, B)
            own = values[children, :, mover[deciding][:, None]]  # (d, B, K) value to the mover
            own = np.where(plan.mask[deciding][:, :, None], own, -np.inf)
            best = own.max(axis=1, keepdims=True)
            if lam is None:
                near_best = own >= best - tie  # (d, B, K)
                pick = np.argmax(near_best, axis=1)  # (d, K) first listed among the near-best
                ties[plan.nodes[deciding]] = near_best.sum(axis=1) > 1
                chosen = np.take_along_axis(children, pick, axis=1)  # (d, K)
                values[plan.nodes[deciding]] = values[chosen, np.arange(k)[None, :]]
                np.put_along_axis(profile, slot[chosen].T, 1.0, axis=1)
            else:
                real = plan.mask[deciding]  # the branches that exist (blocks are padded to one width)
                share = np.where(real[:, :, None], np.exp(lam * np.where(real[:, :, None], own - best, 0.0)), 0.0)
                share /= share.sum(axis=1, keepdims=True)  # (d, B, K)
                values[plan.nodes[deciding]] = np.einsum("dbk,dbka->dka", share, values[children])
                profile[:, slot[children[real]]] = share[real].T
        # Subgames with information sets rooted at this level replace what the pass just did there.
        level_roots = set(plan.nodes.tolist())
        for region in [r for r in pending if r.root in level_roots]:
            lost_draws |= _solve_region(game, region, values, profile, lam)
            # the QRE, not the tie rule, chose at the region's own nodes
            ties[np.setdiff1d(region.nodes, region.leaves)] = False
    if lam is not None:
        return certify_logit(game, profile, lam, "logit", notes)
    tolerance = APPROXIMATE_TOLERANCE if pending else REGRET_TOLERANCE
    notes = [*(notes or []), *lost_note(lost_draws)]
    return certify("spe", game, profile, notes=notes, tolerance=tolerance, ties=np.ascontiguousarray(ties.T))


def _solve_region(
    game: Game, region: Region, values: np.ndarray, profile: np.ndarray, lam: np.ndarray | None
) -> np.ndarray:
    """The region's QRE (or its limit) written into ``values`` and ``profile``; returns (K,) which draws'
    limits were found by best responses because the path was lost."""
    tree = game.tree
    reduced = Game(
        region.tree,
        game.chance_prob[:, region.nodes],
        values[region.leaves].transpose(1, 0, 2),
        np.zeros((game.n_draws, region.tree.n_terminals, 0)),
        [],
    )
    # certified with the whole game's profile, not on its own
    found, lost = qre_profile(reduced, lam)
    values[region.root] = node_values(reduced, node_moves(reduced, found).T, level_plans(region.tree))[:, 0]
    for h_reduced, h in enumerate(region.infosets):
        start, count = tree.action_offset[h], tree.n_actions[h]
        first = region.tree.action_offset[h_reduced]
        profile[:, start : start + count] = found[:, first : first + count]
    return lost
