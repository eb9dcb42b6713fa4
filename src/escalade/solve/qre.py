"""Agent logit quantal response equilibrium, traced by a predictor–corrector homotopy in λ.

An agent QRE at precision λ (McKelvey & Palfrey 1998) is a behaviour profile in which, at every
information set h, the mover chooses action a with probability proportional to
``exp(λ · U(h, a))``, where ``U(h, a)`` is the mover's expected payoff from a, conditional on
reaching h (beliefs by Bayes' rule from the profile itself). At λ = 0 play is uniform; as λ → ∞
the principal branch of the QRE correspondence converges to a Nash (indeed sequential)
equilibrium. Following Turocy (2005, "A dynamic homotopy interpretation of the logistic quantal
response equilibrium correspondence", GEB 51) and Gambit's implementation of the same method, the
branch is followed from the centroid:

1. Unknowns are the log action probabilities ``x`` and λ. The equations, per information set h
   with first action a0: ``x(h,a) - x(h,a0) - λ (U(h,a) - U(h,a0)) = 0`` for a ≠ a0, and
   ``Σ_a exp(x(h,a)) = 1``.
2. ``U(h, a)`` is a weighted mean of the mover's terminal payoffs below (h, a), the weights being
   the terminals' realisation probabilities; computed in log space so that it stays exact when
   probabilities become tiny. Its derivatives are exact (no finite differences).
3. Predictor: a step of length ``h`` along the unit tangent of the curve (the null vector of the
   Jacobian, oriented to continue the previous direction). Corrector: Newton steps back onto the
   curve, orthogonal to the tangent. Step-size control: a failed or slow corrector halves the
   step; an easy one lengthens it by up to 1.1× (Gambit's ``max_accel``).
4. Stop when λ passes the requested value (then Newton at exactly that λ), or, for the limit,
   when the profile's Nash regret is below tolerance.

All K parameter draws are traced at once, each with its own step size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import brentq, minimize_scalar

from escalade.game import CHANCE, Game, Tree
from escalade.solve.solution import APPROXIMATE_TOLERANCE, REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.verify import level_plans, logit_residual, nash_regret, payoff_scale

FIRST_STEP = 0.1
MAX_ACCELERATION = 1.1
FAST_ACCELERATION = 4.0  # where the path runs straight and the corrector converges at once
STRAIGHT = 0.9995  # cosine between successive tangents under which the path counts as straight
REGRET_FROM = 1.0  # λ · range from which the path may have reached its limit
CHECK_GROWTH = 1.25  # ... and then checked each time λ has grown by this factor
TURN_FROM = 100.0  # λ · range after which a limit path falling back below λ = 0 is stopped at its highest
SNAP = 1e-3  # a path whose leading actions all have probability above 1 − SNAP is tested for its pure limit
SUPPORT = 1e-5  # at the limit, actions below this share of their infoset's leading one are off the support
OFF_SUPPORT = 800.0  # log-probability standing for zero (exp(-800) is 0 in double precision)
POLISH_ITERATIONS = 30
POLISH_TOLERANCE = 1e-14  # indifference to this many payoff ranges
MIN_STEP = 1e-10
MAX_STEPS = 20_000
LOST = 100.0  # a limit whose regret exceeds this many times the tolerance was lost, not merely inexact
BEST_RESPONSE_ROUNDS = 50  # rounds of best responses, one information set at a time, for a lost path
CORRECTOR_TOLERANCE = 1e-11
RESIDUAL_TOLERANCE = 1e-12
MAX_CORRECTOR_ITERATIONS = 8
LOGIT_TOLERANCE = 1e-8  # a finite-λ profile's largest gap from the logit response to it
LIMIT_LAMBDA = 1e9  # in payoff-range units: far beyond where regret vanishes
DOMINANCE = True  # settle the draws that iterated conditional dominance solves before tracing (:func:`dominance`)


@dataclass(frozen=True)
class _Structure:
    """Index arrays that depend only on the tree (see the module docstring, step 2)."""

    incidence: np.ndarray  # (T, S) 1 where slot s lies on the path to terminal t
    excess: sparse.csr_matrix  # (P, S) the pair's path slots, less those shared by its whole segment
    pair_t: np.ndarray  # (P,) pairs (terminal, slot) with the slot on the terminal's path,
    pair_s: np.ndarray  # (P,) sorted by slot
    segment: np.ndarray  # (S,) first pair of each slot
    slot_player: np.ndarray  # (S,)
    slot_infoset: np.ndarray  # (S,)
    base: np.ndarray  # (S,) the first slot of each slot's infoset
    is_base: np.ndarray  # (S,)
    starts: np.ndarray  # (I,) the base slots: where each infoset's slots start
    tri_pair: np.ndarray  # (R,) triples (pair (t, ha), slot s) with s on t's path, by key
    tri_key: np.ndarray  # (R,) ha * S + s
    key_start: np.ndarray  # starts of runs of equal keys in tri_key
    key_value: np.ndarray  # the key of each run
    logit_rows: sparse.csr_matrix  # (runs, S*S) each run's dU(ha)/dx(s) into the logit rows' (U(a) - U(a0)) terms
    constant: np.ndarray  # (S*S,) the Jacobian's x-part that does not depend on the point: I - I[base], 0 on base rows
    sum_rows: np.ndarray  # (S, S) on an infoset's base row, 1 under its own slots (the derivative of Σ exp x)


def _structure(tree: Tree) -> _Structure:
    slot = tree.slot
    n_slots = tree.n_slots
    incidence = np.zeros((tree.n_terminals, n_slots))
    paths = []
    for t, node in enumerate(tree.terminal_nodes):
        on_path = [int(slot[n]) for n in tree.path_to(int(node)) if slot[n] >= 0]
        incidence[t, on_path] = 1.0
        paths.append(on_path)
    pairs = sorted((s, t) for t, on_path in enumerate(paths) for s in on_path)
    pair_s = np.array([s for s, _ in pairs], dtype=np.int64)
    pair_t = np.array([t for _, t in pairs], dtype=np.int64)
    segment = np.searchsorted(pair_s, np.arange(n_slots))
    # Slots on the path of every terminal below a slot add the same constant to all its weights;
    # leaving them out keeps the weights exact where play is very unlikely (e.g. off the path).
    path_slots = incidence[pair_t]  # (P, S)
    shared = np.minimum.reduceat(path_slots, segment, axis=0) if len(pair_t) else path_slots
    excess = sparse.csr_matrix(path_slots - shared[pair_s])
    pair_index = {(s, t): i for i, (s, t) in enumerate(pairs)}
    triples = sorted(
        (ha * n_slots + s, pair_index[(ha, t)]) for t, on_path in enumerate(paths) for ha in on_path for s in on_path
    )
    tri_key = np.array([key for key, _ in triples], dtype=np.int64)
    tri_pair = np.array([pair for _, pair in triples], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, tri_key[1:] != tri_key[:-1]]) if len(tri_key) else np.zeros(0, np.int64)
    slot_infoset = np.repeat(np.arange(tree.n_infosets), tree.n_actions)
    base = tree.action_offset[slot_infoset]
    is_base = base == np.arange(n_slots)
    key_value = tri_key[starts] if len(tri_key) else tri_key
    # Row r ≠ base of the x-Jacobian holds -λ (dU(r) - dU(base r)): a run with key (ha, s) adds its value
    # at (ha, s) when ha is no base, and subtracts it at (r, s) for each row r whose base is ha.
    entries = []
    for run, key in enumerate(key_value):
        ha, slot_s = divmod(int(key), n_slots)
        if not is_base[ha]:
            entries.append((run, ha * n_slots + slot_s, 1.0))
        for r in np.flatnonzero((base == ha) & ~is_base):
            entries.append((run, int(r) * n_slots + slot_s, -1.0))
    logit_rows = sparse.csr_matrix(
        ([e[2] for e in entries], ([e[0] for e in entries], [e[1] for e in entries])),
        shape=(len(key_value), n_slots * n_slots),
    )
    eye = np.eye(n_slots)
    constant = np.where(is_base[:, None], 0.0, eye - eye[base])
    return _Structure(
        incidence=incidence,
        excess=excess,
        pair_t=pair_t,
        pair_s=pair_s,
        segment=segment,
        slot_player=tree.infoset_player[slot_infoset],
        slot_infoset=slot_infoset,
        base=base,
        is_base=is_base,
        starts=np.flatnonzero(is_base),
        tri_pair=tri_pair,
        tri_key=tri_key,
        key_start=starts,
        key_value=key_value,
        logit_rows=logit_rows,
        constant=constant.ravel(),
        sum_rows=(slot_infoset[:, None] == slot_infoset[None, :]).astype(float) * is_base[:, None],
    )


def _log_chance(game: Game) -> np.ndarray:
    """(K, T) log of the product of chance probabilities on each terminal's path."""
    tree = game.tree
    chance_edge = np.zeros(tree.n_nodes, dtype=bool)
    chance_edge[1:] = tree.player[tree.parent[1:]] == CHANCE
    # A branch chance never takes (a forced chance node, a probability drawn as 0) is given the smallest
    # normal weight instead of none: the values at a node only it reaches are then those of play from
    # that node on (the limit of a chance move that trembles), smooth in the profile like every other
    # value, while on any path chance does take its weight is nil.
    log_edge = np.where(chance_edge, np.log(np.maximum(game.chance_prob, np.finfo(float).tiny)), 0.0)  # (K, N)
    log_reach = np.zeros_like(log_edge)
    for level in tree.levels[1:]:
        log_reach[:, level] = log_reach[:, tree.parent[level]] + log_edge[:, level]
    return log_reach[:, tree.terminal_nodes]


class _Equations:
    """The QRE equations of one batch of draws and their exact Jacobian."""

    def __init__(self, game: Game, structure: _Structure, scale: np.ndarray) -> None:
        self.st = structure
        self.log_chance = _log_chance(game)  # (K, T)
        # the mover's payoff at each (terminal, slot) pair, in units of the draw's payoff range
        payoff = game.payoff[:, structure.pair_t, structure.slot_player[structure.pair_s]]  # (K, P)
        self.pair_payoff = payoff / scale[:, None]
        self.n_slots = structure.incidence.shape[1]

    def values(self, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Conditional action values U (k, S) and the normalised pair weights (k, P)."""
        st = self.st
        log_w = self.log_chance[rows][:, st.pair_t] + (st.excess @ x.T).T  # (k, P)
        top = np.maximum.reduceat(log_w, st.segment, axis=1)  # (k, S)
        w = np.exp(log_w - top[:, st.pair_s])
        total = np.add.reduceat(w, st.segment, axis=1)
        w_bar = w / total[:, st.pair_s]
        u = np.add.reduceat(w_bar * self.pair_payoff[rows], st.segment, axis=1)
        return u, w_bar

    def jacobian(self, x: np.ndarray, lam: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(k, S, S+1): derivatives of the residual with respect to x and then λ; also the residual."""
        st = self.st
        k, n = x.shape[0], self.n_slots
        u, w_bar = self.values(x, rows)
        jac = np.empty((k, n, n + 1))
        if len(st.tri_key):
            # dU(ha)/dx(s) = Σ_t over pairs (t, ha) with s on t's path of w̄ (u_t - U(ha))
            centred = w_bar * (self.pair_payoff[rows] - u[:, st.pair_s])  # (k, P)
            runs = np.add.reduceat(centred[:, st.tri_pair], st.key_start, axis=1)  # (k, runs)
            logit = runs @ st.logit_rows  # (k, S*S): dU(r) - dU(base r) on the logit rows
            logit *= -lam[:, None]
            logit += st.constant
            jac[:, :, :n] = logit.reshape(k, n, n)
        else:
            jac[:, :, :n] = st.constant.reshape(n, n)
        probs = np.exp(x)
        base_rows = st.starts
        jac[:, base_rows, :n] = st.sum_rows[base_rows][None] * probs[:, None, :]
        jac[:, :, n] = np.where(st.is_base[None, :], 0.0, -(u - u[:, st.base]))
        logit_residual = x - x[:, st.base] - lam[:, None] * (u - u[:, st.base])
        totals = np.add.reduceat(probs, st.starts, axis=1) - 1.0
        residual = np.where(st.is_base, totals[:, st.slot_infoset], logit_residual)
        return jac, residual


def _tangent(jac: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Unit null vectors of ``jac`` (k, S, S+1), oriented along ``previous`` (k, S+1)."""
    k, n, _ = jac.shape
    system = np.concatenate([jac, previous[:, None, :]], axis=1)
    rhs = np.zeros((k, n + 1))
    rhs[:, -1] = 1.0
    t = np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
    return t / np.linalg.norm(t, axis=1, keepdims=True)


def _check_game(game: Game) -> None:
    tree = game.tree
    if tree.n_infosets == 0:
        return
    # perfect recall: all nodes of an infoset share the mover's own earlier (infoset, action) moves
    slot = tree.slot
    for h in range(tree.n_infosets):
        histories = set()
        for node in tree.infoset_nodes(h):
            own = tuple(
                int(slot[n])
                for n in tree.path_to(int(node))[1:]
                if tree.player[tree.parent[n]] == tree.infoset_player[h]
            )
            histories.add(own)
        if len(histories) > 1:
            raise SolverError(
                f"information set {tree.infoset_labels[h]!r} of {tree.players[tree.infoset_player[h]]} "
                "is reached after different own moves (imperfect recall); escalade's solvers need perfect recall"
            )


def solve_qre(game: Game, lam: float | np.ndarray | None = None, notes: list[str] | None = None) -> Solution:
    """The logit QRE at precision ``lam`` (one number, or one per draw), or (``lam=None``) the limit
    of the principal branch.

    The limit is returned as a Nash equilibrium and certified (regret within tolerance); a QRE at
    finite λ is certified by re-checking the logit equations independently, and its Nash regret is
    reported, not enforced. Internally payoffs are divided by each draw's payoff range, so the path
    is traced in λ × range; ``lam`` is in the game's own payoff units, as in Gambit.
    """
    lam = precision(lam, game.n_draws)
    profile, lost = qre_profile(game, lam)
    return _finish(game, profile, lam, [*(notes or []), *lost_note(lost)])


def precision(lam: float | np.ndarray | None, k: int) -> np.ndarray | None:
    """``lam`` as one finite, non-negative λ per draw (K,), or None for the limit."""
    if lam is None:
        return None
    lam = np.broadcast_to(np.asarray(lam, dtype=float), (k,))
    if not np.all(np.isfinite(lam) & (lam >= 0)):
        raise SolverError("λ must be a finite non-negative number")
    return lam


def qre_profile(game: Game, lam: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(K, S) the principal branch's profile at ``lam`` (K,) or its limit, not yet certified; and (K,)
    which draws' limits were found by best responses because the path was lost (:func:`_recover`).
    A limit is traced only in draws that iterated conditional dominance does not settle (:func:`dominance`)."""
    _check_game(game)
    tree = game.tree
    k = game.n_draws
    lost = np.zeros(k, dtype=bool)
    if tree.n_infosets == 0:
        return np.ones((k, 0)), lost
    if lam is None:
        solved, pure = dominance(game)
        if solved.any():
            rest = np.flatnonzero(~solved)
            if rest.size:
                pure[rest], lost[rest] = _traced(_subset(game, rest), None)
            return pure, lost
    return _traced(game, lam)


def dominance(game: Game) -> tuple[np.ndarray, np.ndarray]:
    """(K,) the draws in which iterated elimination of conditionally dominated actions leaves one action
    at every information set, and (K, S) that pure profile.

    An action is eliminated where another is better at every node of its information set whatever the
    actions still standing do below: the worst the better one can give the mover exceeds the best the
    other can, node by node (bounds from one backward pass of minima and maxima over the standing
    actions). No belief at that set makes it a best response, so no sequential equilibrium plays it; and
    every limit of agent logit QREs is a sequential equilibrium (Turocy 2010, "Computing sequential
    equilibria using agent quantal response equilibria", Economic Theory 42). Where one action stands at
    every set, that profile is the only sequential equilibrium, so the principal branch ends there and
    there is nothing to trace. A gain counts only beyond ``REGRET_TOLERANCE`` of the draw's payoff range."""
    tree = game.tree
    k, n_players = game.n_draws, len(tree.players)
    alive = np.ones((tree.n_slots, k), dtype=bool)
    if not DOMINANCE:
        return np.zeros(k, dtype=bool), alive.T.astype(float)
    plans = level_plans(tree)
    chance_prob = np.ascontiguousarray(game.chance_prob.T)  # (N, K)
    strict = REGRET_TOLERANCE * payoff_scale(game)  # (K,)
    sets = [
        (tree.action_offset[h], tree.first_child[tree.infoset_nodes(h)][:, None] + np.arange(width), player)
        for h, (width, player) in enumerate(zip(tree.n_actions, tree.infoset_player, strict=True))
    ]
    low = np.empty((tree.n_nodes, n_players, k))
    low[tree.terminal_nodes] = game.payoff.transpose(1, 2, 0)
    high = low.copy()
    for _ in range(tree.n_slots):  # each round removes an action in some draw, or ends
        for plan in plans:
            children, mask = plan.children, plan.mask
            chance = tree.player[plan.nodes] == CHANCE
            standing = np.where(chance[:, None, None], mask[:, :, None], alive[tree.slot[children]] & mask[:, :, None])
            weight = np.where(chance[:, None, None], chance_prob[children] * mask[:, :, None], 0.0)  # (m, B, K)
            for bound, pick, void in ((low, np.min, np.inf), (high, np.max, -np.inf)):
                values = bound[children]  # (m, B, P, K)
                picked = pick(np.where(standing[:, :, None, :], values, void), axis=1)
                bound[plan.nodes] = np.where(chance[:, None, None], np.einsum("mbk,mbpk->mpk", weight, values), picked)
        before = alive.copy()
        for start, children, player in sets:
            worst, best = low[children, player], high[children, player]  # (nodes, actions, K)
            margin = (worst[:, :, None, :] - best[:, None, :, :]).min(axis=0)  # (a, b, K): a's edge over b
            width = children.shape[1]
            better = (margin > strict) & alive[start : start + width, None, :] & ~np.eye(width, dtype=bool)[:, :, None]
            alive[start : start + width] &= ~better.any(axis=0)
        if np.array_equal(alive, before):
            break
    solved = np.add.reduceat(alive, tree.action_offset, axis=0).max(axis=0) == 1
    return solved, alive.T.astype(float)


def _traced(game: Game, lam: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`qre_profile` by the homotopy alone."""
    tree = game.tree
    k = game.n_draws
    lost = np.zeros(k, dtype=bool)
    scale = payoff_scale(game)
    equations = _Equations(game, _structure(tree), scale)
    x = np.log(1.0 / tree.n_actions[equations.st.slot_infoset])[None, :].repeat(k, axis=0)
    if lam is not None and not np.any(lam):
        return np.exp(x), lost
    # Targets in normalised units. Beyond LIMIT_LAMBDA a QRE equals the limit to double precision
    # (the logit check in _finish confirms it), so such draws are traced to the limit.
    target = np.full(k, np.inf) if lam is None else lam * scale
    x = _trace(game, equations, x, np.where(target > LIMIT_LAMBDA, np.inf, target), scale)
    if lam is None:
        x, lost = _recover(game, equations, _polish(game, equations, x, scale), scale)
    return np.exp(x), lost


def _trace(game: Game, equations: _Equations, x: np.ndarray, target: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Follow the branch from the centroid until λ reaches ``target`` or (at the limit) regret vanishes."""
    k, n_slots = x.shape
    lams = np.zeros(k)
    jac, _ = equations.jacobian(x, lams, np.arange(k))
    start = np.zeros((k, n_slots + 1))
    start[:, -1] = 1.0
    tangent = _tangent(jac, start)
    step = np.full(k, FIRST_STEP)
    done = np.zeros(k, dtype=bool)
    peak, x_peak = np.zeros(k), x.copy()  # the highest λ each path has reached, and where
    checked = np.zeros(k)  # the λ at which each path's regret was last checked
    for _ in range(MAX_STEPS):
        active = np.flatnonzero(~done)
        if active.size == 0:
            return x
        point = np.concatenate([x[active], lams[active, None]], axis=1)
        guess = point + step[active, None] * tangent[active]
        corrected, ok, iterations, jacobians = _correct(equations, guess, tangent[active], active)
        step[active[~ok]] *= 0.5
        stuck = active[~ok][step[active[~ok]] < MIN_STEP]
        # Far along a limit path, steps can fail for want of precision (log-probabilities of actions
        # that are almost never played), as where a knockout leaves two actions exactly tied: such a
        # path is stopped where it is and polished onto its support below, then certified.
        far = np.isinf(target[stuck]) & (lams[stuck] >= TURN_FROM)
        done[stuck[far]] = True
        if not np.all(far):
            raise SolverError(
                "the QRE path could not be followed (step size underflow at "
                f"λ·range={lams[stuck[~far]].max():.3g}); please report this game"
            )
        good, new, iterations, jacobians = active[ok], corrected[ok], iterations[ok], jacobians[ok]
        # A limit path may turn back in λ and turn again (a flagship draw falls from λ·range 459 to 90, then
        # climbs to its limit); one that falls below λ = 0 after high precision has left the branch for a
        # degenerate limit (a component of equilibria, or ties). It is stopped at its highest point and
        # polished onto the limit's support below, then certified like any other (another flagship draw
        # otherwise ran on to λ = -1e11).
        higher = new[:, -1] > peak[good]
        peak[good[higher]], x_peak[good[higher]] = new[higher, -1], new[higher, :-1]
        fell = np.isinf(target[good]) & (peak[good] >= TURN_FROM) & (new[:, -1] < 0.0)
        if np.any(fell):
            x[good[fell]] = x_peak[good[fell]]
            done[good[fell]] = True
            keep = ~fell
            good, new, iterations, jacobians = good[keep], new[keep], iterations[keep], jacobians[keep]
        crossed = new[:, -1] >= target[good]
        if np.any(crossed):
            hit = good[crossed]
            before, after = point[ok][crossed], new[crossed]
            share = ((target[hit] - before[:, -1]) / (after[:, -1] - before[:, -1]))[:, None]
            x[hit] = _land(equations, before[:, :-1] + share * (after[:, :-1] - before[:, :-1]), target[hit], hit)
            done[hit] = True
            good, new, iterations, jacobians = good[~crossed], new[~crossed], iterations[~crossed], jacobians[~crossed]
        if good.size == 0:
            continue
        x[good], lams[good] = new[:, :-1], new[:, -1]
        previous = tangent[good]
        tangent[good] = _tangent(jacobians, previous)
        turn = np.einsum("ks,ks->k", tangent[good], previous)  # cosine of the angle the path turned
        step[good] *= np.where(
            (iterations <= 2) & (turn > STRAIGHT), FAST_ACCELERATION, np.where(iterations <= 3, MAX_ACCELERATION, 1.0)
        )
        # a limit path's regret is checked each time its λ has grown by a quarter since the last check: where
        # steps are short (the path turns) that is every few steps, not every one
        limit = good[np.isinf(target[good]) & (lams[good] >= np.maximum(REGRET_FROM, CHECK_GROWTH * checked[good]))]
        if limit.size:
            checked[limit] = lams[limit]
            done[limit[_settled(game, equations.st, x, limit, scale)]] = True
    raise SolverError(f"the QRE path did not finish in {MAX_STEPS} steps")


def _settled(game: Game, st: _Structure, x: np.ndarray, rows: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Which of ``rows`` have reached the limit: either the pure profile the path is heading for (every
    infoset's leading action above 1 − SNAP) is an exact equilibrium, and ``x`` becomes it; or the
    traced profile itself is within half the limit's tolerance (a mixed limit)."""
    profile = np.exp(x[rows])
    leading = _leading(st, profile)
    pure = np.all(leading >= 1.0 - SNAP, axis=1)
    candidate = np.where(pure[:, None], (profile == leading).astype(float), profile)
    regret, _ = nash_regret(_subset(game, rows), candidate)
    regret = regret.max(axis=1, initial=0.0)
    snapped = pure & (regret <= REGRET_TOLERANCE * scale[rows])
    with np.errstate(divide="ignore"):
        x[rows[snapped]] = np.log(candidate[snapped])
    # a near-pure path whose pure profile is no equilibrium heads for a mixed limit: judge it as traced
    near = np.flatnonzero(pure & ~snapped)
    if near.size:
        traced, _ = nash_regret(_subset(game, rows[near]), profile[near])
        regret[near] = traced.max(axis=1, initial=0.0)
    return snapped | (~snapped & (regret <= 0.5 * APPROXIMATE_TOLERANCE * scale[rows]))


def _leading(st: _Structure, profile: np.ndarray) -> np.ndarray:
    """(k, S) the largest probability in each slot's information set."""
    return np.maximum.reduceat(profile, st.starts, axis=1)[:, st.slot_infoset]


def _polish(game: Game, equations: _Equations, x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The exact limit on the traced profile's support: Newton's method on the conditions that the
    actions of each support are indifferent (their probabilities summing to one), the actions off it
    at probability zero. A traced limit stops where its regret is within tolerance, which in a mixed
    limit can leave the probabilities 1e-4 away from where the path is heading; a draw keeps the
    polished profile only if its regret is no larger."""
    st = equations.st
    k, n = x.shape
    starts = st.starts
    profile = np.exp(x)
    support = profile >= SUPPORT * _leading(st, profile)  # (k, S)
    # each infoset's first action on the support, per draw
    first = np.where(support, np.arange(n)[None, :], n)
    anchor = np.minimum.reduceat(first, starts, axis=1)[:, st.slot_infoset]  # (k, S)
    z = np.where(support, x, -OFF_SUPPORT)
    eye = np.eye(n)
    live = np.ones(k, dtype=bool)  # draws whose Newton iteration is still well posed
    converged = np.zeros(k, dtype=bool)
    for _ in range(POLISH_ITERATIONS):
        system, residual = _indifference(equations, z, support, anchor, eye)
        converged = live & (np.abs(residual).max(axis=1) <= POLISH_TOLERANCE)
        if not (live & ~converged).any():
            break
        # a limit that is not isolated (a mover indifferent over a continuum) makes the system singular:
        # such draws keep their traced profile
        live &= np.linalg.cond(system) < 1e12
        step = ~converged & live
        delta = np.linalg.solve(np.where(step[:, None, None], system, eye[None]), -residual[:, :, None])[:, :, 0]
        z = z + np.where(step[:, None] & support, np.clip(delta, -1.0, 1.0), 0.0)
    polished = np.where(converged[:, None], np.exp(z), profile)
    sums = np.add.reduceat(polished, starts, axis=1)
    valid = converged & np.all(np.abs(sums - 1.0) <= 1e-9, axis=1) & np.all(polished <= 1.0, axis=1)
    if not valid.any():
        return x
    before, _ = nash_regret(game, profile)
    after, _ = nash_regret(game, np.where(valid[:, None], polished, profile))
    limit = np.maximum(before.max(axis=1, initial=0.0), 0.1 * REGRET_TOLERANCE * scale)
    better = valid & (after.max(axis=1, initial=0.0) <= limit)
    with np.errstate(divide="ignore"):
        return np.where(better[:, None], np.log(np.where(better[:, None], polished, 1.0)), x)


def _recover(game: Game, equations: _Equations, x: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draws whose traced limit still fails the regret check: a path that folded back and was stopped at
    its highest point where no polish finds an equilibrium (1 flagship draw in 20,000). From the path's
    leading actions, each information set in turn takes its best action against the rest (values as at a
    trembling profile), until none changes; the pure profile replaces the traced one only if it passes the
    exact regret check. It is an equilibrium, but not the path's limit: the caller says how many."""
    regret, _ = nash_regret(game, np.exp(x))
    bad = np.flatnonzero(regret.max(axis=1, initial=0.0) > LOST * APPROXIMATE_TOLERANCE * scale)
    lost = np.zeros(len(x), dtype=bool)
    if bad.size == 0:
        return x, lost
    st, rows = equations.st, np.arange(bad.size)
    starts = st.starts
    widths, traced = game.tree.n_actions, x[bad]
    choice = np.stack([traced[:, s : s + w].argmax(axis=1) for s, w in zip(starts, widths, strict=True)], axis=1)

    def pure(choice: np.ndarray) -> np.ndarray:
        profile = np.zeros((bad.size, x.shape[1]))
        profile[rows[:, None], starts[None, :] + choice] = 1.0
        return profile

    for _ in range(BEST_RESPONSE_ROUNDS):
        before = choice.copy()
        for h, start in enumerate(starts):
            u, _ = equations.values(np.where(pure(choice) > 0, 0.0, -OFF_SUPPORT), bad)
            options = u[:, start : start + widths[h]]
            kept = options[rows, choice[:, h]] >= options.max(axis=1) - 1e-12
            choice[:, h] = np.where(kept, choice[:, h], options.argmax(axis=1))
        if np.array_equal(choice, before):
            break
    candidate = pure(choice)
    found, _ = nash_regret(_subset(game, bad), candidate)
    certified = found.max(axis=1, initial=0.0) <= REGRET_TOLERANCE * scale[bad]
    with np.errstate(divide="ignore"):
        x[bad[certified]] = np.log(candidate[certified])
    lost[bad[certified]] = True
    return x, lost


def _indifference(
    equations: _Equations, z: np.ndarray, support: np.ndarray, anchor: np.ndarray, eye: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The conditions of :func:`_polish` and their Jacobian (k, S, S): on each infoset's support, every
    action's value equals the anchor's and the probabilities sum to one; off it, log-probabilities stay."""
    st = equations.st
    k = z.shape[0]
    rows = np.arange(k)
    jac, _ = equations.jacobian(z, np.ones(k), rows)  # at λ = 1: jac_x = I - I[base] - (dU - dU[base])
    u, _ = equations.values(z, rows)
    relative = eye[None] - eye[st.base][None] - jac[:, :, :-1]  # d(U_a - U_base)/dz, zero on base rows
    gap_jac = relative - np.take_along_axis(relative, anchor[:, :, None], axis=1)  # d(U_a - U_anchor)/dz
    gap = u - np.take_along_axis(u, anchor, axis=1)
    mass = np.where(support, np.exp(z), 0.0)
    sums = np.add.reduceat(mass, st.starts, axis=1)[:, st.slot_infoset] - 1.0
    is_anchor = anchor == np.arange(z.shape[1])[None, :]
    same = st.slot_infoset[:, None] == st.slot_infoset[None, :]
    system = np.where(is_anchor[:, :, None], same[None] * mass[:, None, :], gap_jac)
    system = np.where(support[:, :, None], system * support[:, None, :], eye[None])  # off-support rows fixed
    residual = np.where(support, np.where(is_anchor, sums, gap), 0.0)
    return system, residual


def _subset(game: Game, rows: np.ndarray) -> Game:
    return Game(game.tree, game.chance_prob[rows], game.payoff[rows], game.outcome[rows], game.attributes, game.title)


def _correct(
    equations: _Equations, guess: np.ndarray, tangent: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Newton steps orthogonal to ``tangent``; returns (points, converged, iterations used, and the
    Jacobian last evaluated for each row: at its point, or one converged Newton step before it, which
    serves the next tangent as well as one evaluated anew)."""
    point = guess.copy()
    ok = np.zeros(len(rows), dtype=bool)
    iterations = np.full(len(rows), MAX_CORRECTOR_ITERATIONS)
    previous = np.full(len(rows), np.inf)
    live = np.arange(len(rows))
    last = np.empty((len(rows), point.shape[1] - 1, point.shape[1]))
    for it in range(MAX_CORRECTOR_ITERATIONS):
        # a long predictor step can leave the log-probabilities beyond exp's range: the residual is then
        # not finite, the step counts as diverging and is retried shorter
        with np.errstate(over="ignore", invalid="ignore"):
            jac, residual = equations.jacobian(point[live, :-1], point[live, -1], rows[live])
        last[live] = jac
        if it > 0:
            # On the curve to rounding: accept even where a near-singular Jacobian (a branch
            # converging to a non-isolated limit) keeps the Newton steps from shrinking.
            settled = np.abs(residual).max(axis=1) <= RESIDUAL_TOLERANCE * (1 + np.abs(point[live, -1]))
            ok[live[settled]] = True
            iterations[live[settled]] = it
            live = live[~settled]
            jac, residual = jac[~settled], residual[~settled]
            if live.size == 0:
                break
        system = np.concatenate([jac, tangent[live, None, :]], axis=1)
        rhs = np.concatenate([-residual, np.zeros((len(live), 1))], axis=1)
        try:
            delta = np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            break
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging step: not finite, caught below
            size = np.linalg.norm(delta, axis=1)
            point[live] += delta
            diverging = ((size > 0.5 * previous[live]) & (it > 0)) | ~np.isfinite(size) | (size > 1.0)
            converged = (size < CORRECTOR_TOLERANCE * (1 + np.linalg.norm(point[live], axis=1))) & ~diverging
        ok[live[converged]] = True
        iterations[live[converged]] = it + 1
        previous[live] = size
        live = live[~converged & ~diverging]
        if live.size == 0:
            break
    return point, ok, iterations, last


def _land(equations: _Equations, x: np.ndarray, target: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Newton's method on the QRE equations at fixed λ = ``target`` (normalised), from ``x``."""
    x = x.copy()
    for _ in range(100):
        jac, residual = equations.jacobian(x, target, rows)
        delta = np.linalg.solve(jac[:, :, :-1], -residual[:, :, None])[:, :, 0]
        x += delta
        if np.all(np.abs(delta) <= 1e-13 * (1 + np.abs(x))):
            break
    return x


def lost_note(lost: np.ndarray) -> list[str]:
    """What a reader must know when some draws' logit paths were lost (:func:`_recover`)."""
    if not lost.any():
        return []
    return [
        f"{int(lost.sum())} of {lost.size} draws: the logit path folded back and was lost; their equilibrium "
        "was found by best responses from where it stopped and passes the regret check, but it is not the "
        "path's limit (docs/solvers.md)."
    ]


def _finish(game: Game, profile: np.ndarray, lam: np.ndarray | None, notes: list[str] | None) -> Solution:
    if lam is None:
        return certify("qre", game, profile, notes=notes, tolerance=APPROXIMATE_TOLERANCE)
    return certify_logit(game, profile, lam, "qre", notes)


def certify_logit(game: Game, profile: np.ndarray, lam: np.ndarray, method: str, notes: list[str] | None) -> Solution:
    """Accept a logit QRE only if it answers its own logit equations; its Nash regret is reported."""
    residual = logit_residual(game, profile, lam)
    if not np.all(residual <= LOGIT_TOLERANCE):
        k = int(np.argmax(np.where(np.isfinite(residual), residual, np.inf)))
        raise SolverError(
            f"{method}: the profile at λ={lam[k]:g} fails its logit check (residual {residual[k]:.2e}); "
            "please report this game"
        )
    label = f"lambda={lam[0]:g}" if np.all(lam == lam[0]) else "lambda per draw"
    return certify(f"{method}({label})", game, profile, notes=notes, equilibrium=False)


@dataclass(frozen=True)
class LambdaFit:
    """A maximum-likelihood logit precision with its 95% profile-likelihood interval."""

    lam: float
    log_likelihood: float
    low: float  # the interval's ends: where the log-likelihood is 1.92 below its maximum (χ²₁ 95% / 2),
    high: float  # or the search bound where it never falls that far (the data cannot bound λ there)
    at_bound: bool  # the maximum lies on the search bound: the likelihood rises beyond it, or is flat
    solution: Solution  # the QRE at λ

    @property
    def warning(self) -> str:
        if self.at_bound:
            return (
                f"λ = {self.lam:.3g} lies on the search bound: the likelihood is largest at (or beyond) the edge of "
                "the range searched, so the data do not pin λ down; read the interval, not the point"
            )
        return ""


def fit_lambda(game: Game, counts: np.ndarray, low: float = 1e-3, high: float = 1e3) -> LambdaFit:
    """The maximum-likelihood λ for observed choices, as in McKelvey & Palfrey (1998, section 4).

    ``counts`` (S,) holds how often each action was observed, infoset after infoset (the profile
    order). Each candidate λ is solved exactly on the principal branch; the log-likelihood
    ``Σ counts · log σ_λ`` is maximised over log λ in [low, high] (scipy's bounded Brent search), and
    the 95% interval is where it stays within 1.92 of the maximum (a profile-likelihood interval,
    ends found by Brent's root finder on log λ).
    """
    counts = np.asarray(counts, dtype=float)
    if counts.shape != (game.tree.n_slots,) or np.any(counts < 0) or counts.sum() == 0:
        raise SolverError(f"counts must be {game.tree.n_slots} non-negative numbers, one per action, not all zero")
    single = game.draw(0)

    def log_likelihood(log_lam: float) -> float:
        profile = solve_qre(single, float(np.exp(log_lam))).profile[0]
        return float(np.sum(counts * np.log(np.maximum(profile, 1e-300))))

    bounds = (np.log(low), np.log(high))
    result = minimize_scalar(lambda x: -log_likelihood(x), bounds=bounds, method="bounded", options={"xatol": 1e-6})
    best, peak = float(result.x), -float(result.fun)

    def drop(log_lam: float) -> float:  # positive inside the 95% interval
        return log_likelihood(log_lam) - (peak - 1.92)

    ends = [edge if drop(edge) >= 0 else brentq(drop, *sorted((best, edge)), xtol=1e-6) for edge in bounds]
    at_bound = min(abs(best - bounds[0]), abs(best - bounds[1])) < 1e-3
    lam = float(np.exp(best))
    return LambdaFit(lam, peak, float(np.exp(ends[0])), float(np.exp(ends[1])), at_bound, solve_qre(single, lam))
