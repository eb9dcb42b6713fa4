"""Nash equilibria of two-player extensive games by Lemke's algorithm on the sequence form.

Koller, Megiddo & von Stengel (1996), "Efficient computation of equilibria for extensive
two-person games", GEB 14. Steps:

1. Sequence form. A player's *sequences* are the empty sequence and one per (infoset, action);
   a *realisation plan* x gives each sequence the probability that the player's own moves allow
   it: ``E x = e`` (the empty sequence has weight 1; at every infoset the actions' weights sum to
   the weight of the sequence leading there), ``x >= 0``. The payoff matrices ``A``, ``B`` sum
   ``chance probability × payoff`` of every terminal over the pair of sequences that reach it.
2. Payoffs are shifted to be negative (a strategically equivalent game). Then the equality
   constraints may be relaxed to ``E x >= e`` with multipliers ``p >= 0``, and the equilibrium
   conditions become a linear complementarity problem: find ``z = (x, y, p, q) >= 0`` with
   ``w = q0 + M z >= 0`` and ``z · w = 0``, where
   ``w_x = -A y - Eᵀp``, ``w_y = -Bᵀx - Fᵀq``, ``w_p = E x - e``, ``w_q = F y - f``.
3. Lemke's algorithm: add an artificial variable z0 with covering vector d, start where z0 makes
   ``w`` feasible, and pivot complementary variables in turn (lexicographic ratio test against
   degeneracy) until z0 leaves the basis.
4. Behaviour strategies from realisation plans: ``σ(h, a) = x(h, a) / x(sequence into h)``
   (uniform at infosets the player's own plan never reaches); every answer is certified.

Different covering vectors can end at different equilibria; :func:`solve_lcp` tries several and
returns the distinct equilibria found (not necessarily all of them).
"""

from __future__ import annotations

import numpy as np

from escalade.game import Game, Tree
from escalade.solve.qre import _check_game
from escalade.solve.solution import Solution, SolverError, certify

PIVOT_TOLERANCE = 1e-12
MAX_PIVOTS = 10_000


def _sequence_form(game: Game) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Constraints [E, F], each slot's sequence index, and payoffs A, B (shifted negative) of draw 0."""
    tree = game.tree
    slot = tree.slot
    n_seq = [1 + int(tree.n_actions[tree.infoset_player == p].sum()) for p in (0, 1)]
    # sequence index of each slot within its player's list (0 is the empty sequence)
    seq_of_slot = np.zeros(tree.n_slots, dtype=np.int64)
    for p in (0, 1):
        own = np.flatnonzero(tree.infoset_player[np.repeat(np.arange(tree.n_infosets), tree.n_actions)] == p)
        seq_of_slot[own] = 1 + np.arange(len(own))
    last = np.zeros((tree.n_nodes, 2), dtype=np.int64)  # each player's last sequence before a node
    for level in tree.levels[1:]:
        last[level] = last[tree.parent[level]]
        mover = tree.player[tree.parent[level]]
        for p in (0, 1):
            moved = level[mover == p]
            last[moved, p] = seq_of_slot[slot[moved]]
    constraints = []
    for p in (0, 1):
        infosets = np.flatnonzero(tree.infoset_player == p)
        matrix = np.zeros((1 + len(infosets), n_seq[p]))
        matrix[0, 0] = 1.0
        for row, h in enumerate(infosets, start=1):
            member = tree.infoset_nodes(h)[0]
            matrix[row, last[member, p]] = -1.0
            start = tree.action_offset[h]
            matrix[row, seq_of_slot[start : start + tree.n_actions[h]]] = 1.0
        constraints.append(matrix)
    chance = _chance_reach(game)
    shift = game.payoff[0].max() + 1.0
    payoff = [np.zeros((n_seq[0], n_seq[1])) for _ in (0, 1)]
    for t, node in enumerate(tree.terminal_nodes):
        s1, s2 = last[node]
        for p in (0, 1):
            payoff[p][s1, s2] += chance[node] * (game.payoff[0, t, p] - shift)
    return constraints, seq_of_slot, payoff[0], payoff[1]


def _chance_reach(game: Game) -> np.ndarray:
    tree = game.tree
    reach = np.ones(tree.n_nodes)
    for level in tree.levels[1:]:
        reach[level] = reach[tree.parent[level]] * game.chance_prob[0, level]
    return reach


def _lemke(matrix: np.ndarray, q0: np.ndarray, cover: np.ndarray) -> np.ndarray | None:
    """Solve the LCP ``w = q0 + M z >= 0, z >= 0, z·w = 0``; None on a ray or a pivot cycle."""
    n = len(q0)
    # tableau rows: w - M z - d z0 = q0 ; columns: w (n), z (n), z0, rhs
    tableau = np.hstack([np.eye(n), -matrix, -cover[:, None], q0[:, None]])
    basis = list(range(n))  # variable index per row: w_i = i, z_i = n + i, z0 = 2n
    z0 = 2 * n
    if np.all(q0 >= 0):
        return np.zeros(n)
    row = int(np.argmin(q0 / cover))
    entering = z0
    for _ in range(MAX_PIVOTS):
        if entering != z0:
            row = _ratio_test(tableau, entering, n)
            if row is None:
                return None
        _pivot(tableau, row, entering)
        leaving, basis[row] = basis[row], entering
        if leaving == z0:
            z = np.zeros(n)
            for r, var in enumerate(basis):
                if n <= var < 2 * n:
                    z[var - n] = tableau[r, -1]
            return z
        entering = leaving + n if leaving < n else leaving - n  # the complement
    return None  # rounding can defeat the lexicographic rule on very degenerate games


def _ratio_test(tableau: np.ndarray, column: int, n: int) -> int | None:
    """Leaving row by the lexicographic minimum ratio rule (ties broken by the inverse basis)."""
    col = tableau[:, column]
    rows = np.flatnonzero(col > PIVOT_TOLERANCE)
    if rows.size == 0:
        return None
    keys = np.hstack([tableau[rows, -1:], tableau[rows, :n]]) / col[rows, None]
    for k in range(keys.shape[1]):
        best = keys[:, k].min()
        keep = keys[:, k] <= best + PIVOT_TOLERANCE * max(1.0, abs(best))
        rows, keys = rows[keep], keys[keep]
        if rows.size == 1:
            break
    return int(rows[0])


def _pivot(tableau: np.ndarray, row: int, column: int) -> None:
    tableau[row] /= tableau[row, column]
    factors = tableau[:, column].copy()
    factors[row] = 0.0
    tableau -= factors[:, None] * tableau[row][None, :]


def _behaviour(tree: Tree, plans: list[np.ndarray], seq_of_slot: np.ndarray) -> np.ndarray:
    profile = np.zeros(tree.n_slots)
    slot = tree.slot
    for h in range(tree.n_infosets):
        p = tree.infoset_player[h]
        member = tree.infoset_nodes(h)[0]
        before = [n for n in tree.path_to(int(member))[1:] if tree.player[tree.parent[n]] == p]
        parent_weight = plans[p][seq_of_slot[slot[before[-1]]]] if before else plans[p][0]
        start, count = tree.action_offset[h], tree.n_actions[h]
        weights = plans[p][seq_of_slot[start : start + count]]
        if parent_weight > 1e-12 and weights.sum() > 1e-12:
            profile[start : start + count] = np.maximum(weights, 0.0) / np.maximum(weights, 0.0).sum()
        else:
            profile[start : start + count] = 1.0 / count
    return profile


def solve_lcp(game: Game, tries: int = 8) -> list[Solution]:
    """Equilibria of a two-player game (draw 0) found by Lemke's algorithm from several starts."""
    tree = game.tree
    if len(tree.players) != 2:
        raise SolverError(f"the sequence-form LCP is for two-player games; this one has {len(tree.players)}")
    _check_game(game)
    single = game.draw(0)
    (E, F), seq_of_slot, A, B = _sequence_form(single)
    n1, n2, m1, m2 = E.shape[1], F.shape[1], E.shape[0], F.shape[0]
    size = n1 + n2 + m1 + m2
    matrix = np.zeros((size, size))
    matrix[:n1, n1 : n1 + n2] = -A
    matrix[:n1, n1 + n2 : n1 + n2 + m1] = -E.T
    matrix[n1 : n1 + n2, :n1] = -B.T
    matrix[n1 : n1 + n2, n1 + n2 + m1 :] = -F.T
    matrix[n1 + n2 : n1 + n2 + m1, :n1] = E
    matrix[n1 + n2 + m1 :, n1 : n1 + n2] = F
    q0 = np.zeros(size)
    q0[n1 + n2] = -1.0
    q0[n1 + n2 + m1] = -1.0
    rng = np.random.default_rng(0)
    covers = [np.ones(size)] + [1.0 + rng.random(size) for _ in range(tries - 1)]
    found: list[Solution] = []
    for cover in covers:
        z = _lemke(matrix, q0, cover)
        if z is None:
            continue
        plans = [z[:n1], z[n1 : n1 + n2]]
        profile = _behaviour(tree, plans, seq_of_slot)
        if any(np.allclose(profile, s.profile[0], atol=1e-9) for s in found):
            continue
        found.append(certify("lcp", single, profile[None, :]))
    if not found:
        raise SolverError("Lemke's algorithm found no equilibrium from any start; try the qre method")
    return found
