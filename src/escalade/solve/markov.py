"""Markov-perfect equilibria of a dynamic crisis: value iteration with logit responses.

Within a round the actors move in turn (``escalade.game.markov``), so given everyone's values at the
start of the next round a round is solved by backward induction: the last mover ``j`` in state
``x`` values its move ``a`` as

    Q_j(x, a) = U_j(x after a) − c_j(x) · descent_j(x, a),

where ``U`` is the value, to each actor, of the state just before the next mover chooses (after
the last mover: the expected per-round payoff of the state the chance events lead to, plus the
discounted value ``V`` of starting the next round there). A logit Markov equilibrium (a dynamic
QRE) has every solved mover choose ``σ_j(x) ∝ exp(λ Q_j(x, ·))`` over its available moves with
``V`` the values of following ``σ``: a root of ``H(V, λ) = T_λ(V) − V``, where ``T_λ`` is one round's
backward induction with logit responses.

Which equilibrium: the limit of the finite-horizon game's. Value iteration from ``V = 0`` is backward
induction over ever longer horizons, all draws at once; Newton's method on ``H`` (with its exact
sparse Jacobian, :class:`_Draw`) finishes each draw once its iteration has nearly settled and is
still contracting (the same fixed point, in a few steps instead of hundreds of sweeps). Where the
iteration does not settle in ``_MAX_ITERATIONS`` sweeps (the finite-horizon answers oscillate, so
they have no limit), the
principal branch is traced instead: pseudo-arclength continuation of ``H(V, λ) = 0`` from ``λ = 0``,
where the equilibrium is unique, to the asked ``λ``, through the turning points where continuation
in λ alone fails (McKelvey and Palfrey's selection, as for trees). ``traced`` says which draws.
``λ = inf`` asks for a pure Markov-perfect equilibrium: best-response iteration, ties to the move
listed first, damped (1 → 0.6 → 0.36 …) where it oscillates. Scripted actors keep their policy.

Every answer is certified independently: the values of the returned policy are computed exactly
(a linear solve per draw), and ``regret`` is the largest gain any solved actor gets from changing
its move in one state for one round (by the one-shot deviation principle, zero regret in every
state is a Markov-perfect equilibrium); ``logit_residual`` measures how far ``σ`` is from the
logit response to its own exact values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, SuperLU, gmres, splu
from threadpoolctl import threadpool_limits

from escalade.game.markov import MarkovGame
from escalade.solve.solution import REGRET_TOLERANCE, SolverError

_TOLERANCE = 1e-11
_MAX_ITERATIONS = 3_000  # sweeps before a draw counts as not settling
_PATIENCE = 400  # best-response sweeps before a draw that has not settled is damped further
_GIVE_UP_FROM = 500  # sweeps after which a logit draw that will clearly not settle goes to the trace
_WINDOW = 250  # sweeps over which the smallest change is compared with the window's before (a multiple of _CHECK)
_CHECK = 25  # logit sweeps between attempts to finish the draws that contract by Newton's method
_NEAR = 1e-4  # ... once a sweep changes their values by less than this (relative to the payoff scale)
_NEWTON_STEPS = 12
# relative residual of a Newton step's linear solve: inexact Newton, each step still cuts the residual a
# billionfold (1e-12 cost the traces 10% more products for roots 2e-12 apart)
_LINEAR_TOLERANCE = 1e-9
_FACTORIZE_BELOW = 5_000  # a linear system of more unknowns tries GMRES before its first LU (see _Factors)
_PRECONDITIONED = 10  # GMRES products a cycle (two cycles) on the kept factors before a system is factorized afresh
# SuperLU's column ordering: minimum degree on AᵀA + A fills the flagship's bordered systems a quarter less
# than the default COLAMD (122,774 against 164,250 entries on 969 unknowns; 7.5 against 9.1 ms a factorization);
# on the four-actor flagship's 6,001 unknowns COLAMD is the better (6.5 against 6.9 million entries, 0.44 against
# 1.06 s a factorization; a crawling trace 208 -> 156 s, the same policy to 1e-13)
_ORDERING = "MMD_AT_PLUS_A"
_ORDERING_LARGE = "COLAMD"  # above _FACTORIZE_BELOW unknowns
_TRACE_STEPS = 2_000  # continuation steps, at most (the flagship's hardest draw takes 271)


@dataclass(frozen=True)
class MarkovSolution:
    """Move probabilities ``policy[K, S, n, M]`` with their exact values and certificate."""

    policy: np.ndarray
    values: np.ndarray  # (K, S, n) expected discounted payoff of following ``policy`` from each state
    action_values: np.ndarray  # (K, S, n, M)
    solved: tuple[bool, ...]  # which actors were solved (the others follow scripted policies)
    lam: float
    regret: np.ndarray  # (K,) largest one-round deviation gain of a solved actor, in any state
    logit_residual: np.ndarray  # (K,)
    scale: np.ndarray  # (K,) payoff scale the tolerances are relative to
    iterations: int  # value-iteration sweeps (Newton steps and continuation steps not counted)
    converged: bool  # every draw reached the solver's tolerance
    traced: np.ndarray  # (K,) bool: the draw's iteration did not settle; its principal branch was traced

    @property
    def pure(self) -> bool:
        return bool(np.isin(self.policy, (0.0, 1.0)).all())

    @staticmethod
    def join(parts: Sequence[MarkovSolution]) -> MarkovSolution:
        """The solutions of consecutive groups of draws as one: each draw is solved on its own (the batch only
        vectorizes), so this is the solution the draws would have had solved together."""
        first = parts[0]
        return MarkovSolution(
            policy=np.concatenate([p.policy for p in parts]),
            values=np.concatenate([p.values for p in parts]),
            action_values=np.concatenate([p.action_values for p in parts]),
            solved=first.solved,
            lam=first.lam,
            regret=np.concatenate([p.regret for p in parts]),
            logit_residual=np.concatenate([p.logit_residual for p in parts]),
            scale=np.concatenate([p.scale for p in parts]),
            iterations=max(p.iterations for p in parts),
            converged=all(p.converged for p in parts),
            traced=np.concatenate([p.traced for p in parts]),
        )

    @property
    def certified(self) -> np.ndarray:
        """Per draw: a pure MPE with no regret, or a logit equilibrium with no residual."""
        if np.isinf(self.lam):
            return self.regret <= REGRET_TOLERANCE * self.scale
        return self.logit_residual <= 1e-6


def payoff_scale(game: MarkovGame) -> np.ndarray:
    """Per draw: the range of per-round payoffs plus the largest step-down cost, over (1 − δ)."""
    spread = game.payoff.max(axis=(1, 2)) - game.payoff.min(axis=(1, 2)) + game.down_cost.max(axis=(1, 2))
    return np.maximum(spread, 1e-12) / (1.0 - game.discount)


def sweep(
    game: MarkovGame, policy: np.ndarray, values: np.ndarray, respond: Callable | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One round of backward induction from next-round values ``V[K, S, n]``.

    Returns ``Q[K, S, n, M]``, the policy (each mover's probabilities replaced by ``respond(j, Q_j)``
    when given, unless it returns None) and the values at the start of the round.
    """
    k, (s, n, m) = game.draws, game.shape
    worth = game.payoff + game.discount[:, None, None] * values
    ahead = (game.chance @ worth.reshape(k * s, n)).reshape(k, s, n)
    q = np.empty((k, s, n, m))
    policy = policy.copy()
    for j in reversed(range(n)):
        following = np.take(ahead, game.after_move[:, j, :], axis=1)  # (K, S, M, n): 9x faster than ahead[:, idx, :]
        cost = game.move_cost[:, :, j, :]
        q[:, :, j, :] = following[..., j] - cost
        response = None if respond is None else respond(j, q[:, :, j, :])
        if response is not None:
            policy[:, :, j, :] = response
        sigma = policy[:, :, j, :]
        ahead = np.matmul(sigma[:, :, None, :], following)[:, :, 0, :]  # the expectation over the moves
        ahead[..., j] -= _over_moves(np.add, sigma * cost)
    return q, policy, ahead


def _over_moves(ufunc: np.ufunc, a: np.ndarray) -> np.ndarray:
    """``ufunc`` reduced over the last axis (the few moves), slice by slice: numpy's own reduction over a
    short last axis is twenty times slower (2.3 against 0.1 ms a max over the flagship's 64 draws)."""
    result = a[..., 0].copy()
    for i in range(1, a.shape[-1]):
        ufunc(result, a[..., i], out=result)
    return result


def logit(q: np.ndarray, available: np.ndarray, lam: float) -> np.ndarray:
    """Logit response over the available moves (the last axis)."""
    z = np.where(available, lam * q, -np.inf)
    z -= _over_moves(np.maximum, z)[..., None]
    np.exp(z, out=z)  # in place: a quarter faster on the flagship's sweeps
    z /= _over_moves(np.add, z)[..., None]
    return z


def best_response(q: np.ndarray, available: np.ndarray) -> np.ndarray:
    """One-hot on the best available move (the first of exact ties)."""
    chosen = np.argmax(np.where(available, q, -np.inf), axis=-1)
    return np.eye(q.shape[-1])[chosen]


def evaluate(game: MarkovGame, policy: np.ndarray) -> np.ndarray:
    """Exact values ``V[K, S, n]`` of following ``policy``: solves ``(I − δP) V = r`` per draw."""
    k, (s, n, m) = game.draws, game.shape
    rows = np.repeat(np.arange(s), m)
    values = np.empty((k, s, n))
    for d in range(k):
        transition, reward = sparse.identity(s, format="csr"), np.zeros((s, n))
        for j in range(n):  # the movers in turn, then the events: sparse transition matrices
            mover = sparse.csr_matrix(
                (policy[d, :, j, :].reshape(-1), (rows, game.after_move[:, j, :].reshape(-1))), shape=(s, s)
            )
            cost = (policy[d, :, j, :] * game.descent[:, j, :]).sum(axis=1) * game.down_cost[d, :, j]
            reward[:, j] -= transition @ cost
            transition = transition @ mover
        transition = (transition @ game.subset(np.array([d])).chance).toarray()
        reward += transition @ game.payoff[d]
        values[d] = np.linalg.solve(np.eye(s) - game.discount[d] * transition, reward)
    return values


def certify(
    game: MarkovGame,
    policy: np.ndarray,
    solved: tuple[bool, ...],
    lam: float,
    iterations: int,
    converged: bool,
    traced: np.ndarray | None = None,
) -> MarkovSolution:
    """Exact values of ``policy`` and its regret and logit residual over the solved actors."""
    values = evaluate(game, policy)
    q, _, _ = sweep(game, policy, values)
    best = np.where(game.available, q, -np.inf).max(axis=3)
    gain = (best - (policy * q).sum(axis=3))[:, :, list(solved)]
    regret = np.maximum(gain, 0.0).max(axis=(1, 2)) if any(solved) else np.zeros(game.draws)
    if np.isinf(lam) or not any(solved):
        residual = np.zeros(game.draws)
    else:
        response = logit(q, game.available, lam)
        residual = np.abs(response - policy)[:, :, list(solved)].max(axis=(1, 2, 3))
    return MarkovSolution(
        policy=policy,
        values=values,
        action_values=q,
        solved=solved,
        lam=lam,
        regret=regret,
        logit_residual=residual,
        scale=payoff_scale(game),
        iterations=iterations,
        converged=converged,
        traced=np.zeros(game.draws, dtype=bool) if traced is None else traced,
    )


@threadpool_limits.wrap(limits=1, user_api="blas")
def solve_markov(game: MarkovGame, lam: float, scripted: dict[int, np.ndarray] | None = None) -> MarkovSolution:
    """A logit Markov equilibrium at ``lam`` (or a pure MPE for ``lam = inf``) of the actors not in
    ``scripted`` (actor index -> move probabilities ``(K, S, M)``), batched over the draws.

    BLAS runs on one thread here: its vectors are too short to gain from more, and OpenBLAS's threads spin
    while they wait (the four-actor draft's 8 draws of one course: 17.6 s with two threads, 14.2 with one;
    see also ``simulate.backends._one_thread``)."""
    scripted = scripted or {}
    k, n = game.draws, game.shape[1]
    solved = tuple(i not in scripted for i in range(n))
    policy = np.where(game.available, 1.0, 0.0)
    policy /= policy.sum(axis=3, keepdims=True)
    for i, moves in scripted.items():
        policy[:, :, i, :] = moves
    scale = payoff_scale(game)
    pure = bool(np.isinf(lam))
    unsettled, iterations = _iterate(game, lam, solved, policy, scale)
    traced = np.zeros(k, dtype=bool)
    lost = unsettled.size  # draws left without an answer to the tolerance
    if not pure:  # the finite-horizon answers have no limit here: the principal branch instead
        traced[unsettled] = True
        for d in unsettled:
            found = _Draw(game.subset(np.array([d])), solved, policy[d]).trace(lam, scale[d], _TOLERANCE * scale[d])
            if found is not None:
                policy[d] = found[1]
                lost -= 1
    solution = certify(game, policy, solved, lam, iterations, lost == 0, traced)
    failed = np.flatnonzero(~solution.certified)
    if pure and failed.size:
        # Best responses can cycle where no pure Markov-perfect equilibrium exists; a logit
        # equilibrium exists at every finite λ, so that is the honest alternative.
        raise SolverError(
            f"λ = inf asks for a pure Markov-perfect equilibrium, but best-response iteration found none that "
            f"passes its regret check in {failed.size} of {game.draws} parameter draws (largest regret "
            f"{solution.regret[failed].max():.3g}): best responses cycle there — use a finite rationality λ, "
            "e.g. 4, whose logit equilibrium always exists"
        )
    return solution


def _iterate(
    game: MarkovGame, lam: float, solved: tuple[bool, ...], policy: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, int]:
    """Value iteration from ``V = 0`` on every draw at once, updating ``policy`` in place; returns
    the draws that did not settle within ``_MAX_ITERATIONS`` sweeps (or, with logit responses, that
    clearly will not: see below), and the sweeps.

    With logit responses, every ``_CHECK`` sweeps the draws whose changes are below ``_NEAR`` and have
    shrunk (by a tenth or more since the last check) are finished by Newton's method from where they
    are, and the root is kept if it lies where the iteration is heading: within twice the distance
    its rate of contraction leaves to go (a root further off is another equilibrium). A draw Newton
    cannot finish iterates on. From ``_GIVE_UP_FROM`` sweeps on, a draw whose smallest change over the last
    ``_WINDOW`` sweeps, shrinking at its rate since the smallest over the window before, would still exceed
    ``_NEAR`` after the last sweep is given up at once: it can neither settle nor be finished by Newton's
    method (an oscillating draw does not shrink at all, and the smallest change of a window sees through its
    swings): the same draws as before, minus thousands of sweeps. Best
    responses (``λ = inf``) are not smooth: those draws are damped instead
    (1 → 0.6 → 0.36 … every ``_PATIENCE`` sweeps) where they oscillate.
    """
    k, (s, n, _) = game.draws, game.shape
    pure = bool(np.isinf(lam))
    values = np.zeros((k, s, n))
    step = np.ones(k)  # per draw: how far V moves toward the new sweep (damped for best responses)
    earlier = np.full(k, np.inf)  # each draw's change at the last check
    lows = np.full((k, 2 * _WINDOW // _CHECK), np.inf)  # each draw's smallest change in its last checks' periods
    missed = np.full(k, np.inf)  # each draw's change when Newton's method last failed on it
    active, part = np.arange(k), game  # the draws still iterating, and their part of the game
    given_up: list[int] = []  # draws that will not settle in time, found before the last sweep
    iterations = 0

    def respond(j: int, q: np.ndarray) -> np.ndarray | None:
        if not solved[j]:
            return None  # a scripted actor keeps its policy
        available = part.available[:, :, j, :]
        return best_response(q, available) if pure else logit(q, available, lam)

    while active.size and iterations < _MAX_ITERATIONS:
        _, policy[active], fresh = sweep(part, policy[active], values[active], respond)
        change = np.abs(fresh - values[active]).max(axis=(1, 2)) / scale[active]
        lows[active, -1] = np.minimum(lows[active, -1], change)
        values[active] += step[active, None, None] * (fresh - values[active])
        iterations += 1
        settled = change < _TOLERANCE
        if pure and iterations % _PATIENCE == 0:  # still oscillating: damp those draws more
            step[active] *= np.where(settled, 1.0, 0.6)
        if not pure and iterations % _CHECK == 0:
            # how the change shrinks: over the last check, and (seeing through an oscillation's swings) from the
            # smallest over the window before to the smallest over the last window, as rates per sweep
            half = lows.shape[1] // 2
            recent, before = lows[active, half:].min(axis=1), lows[active, :half].min(axis=1)
            quick = change / earlier[active]
            slow = np.divide(recent, before, out=np.ones_like(recent), where=np.isfinite(before))
            rates = np.minimum(np.minimum(quick, 1.0) ** (1 / _CHECK), np.minimum(slow, 1.0) ** (1 / _WINDOW))
            near = ~settled & (change < _NEAR) & ((quick < 0.9) | (slow < 0.9)) & (change < 0.5 * missed[active])
            for i in np.flatnonzero(near):
                d = active[i]
                draw = _Draw(game.subset(np.array([d])), solved, policy[d])
                found = draw.newton(values[d], lam, _TOLERANCE * scale[d])
                # the iteration's limit lies within change·ρ/(1 − ρ) of it, ρ its rate of contraction
                reach = 2 * change[i] * scale[d] * rates[i] / (1 - rates[i])
                if found is None or np.abs(found[0] - values[d]).max() > reach:
                    missed[d] = change[i]  # try again once the iteration has come twice as close
                else:
                    values[d], policy[d] = found
                    settled[i] = True
            if iterations >= _GIVE_UP_FROM:
                # a draw whose smallest change of a window, shrinking at its rate since the window before, would
                # still exceed _NEAR at the last sweep will not settle: it goes to the trace now
                hopeless = ~settled & (
                    recent * np.minimum(slow, 1.0) ** ((_MAX_ITERATIONS - iterations) / _WINDOW) > _NEAR
                )
                given_up.extend(active[hopeless].tolist())
                settled |= hopeless
            earlier[active] = change
            lows[active] = np.roll(lows[active], -1, axis=1)
            lows[active, -1] = np.inf
        if settled.any():  # settled draws stop; the rest go on without them
            active = active[~settled]
            part = game.subset(active)
    return np.sort(np.concatenate([given_up, active]).astype(np.int64)), iterations


@dataclass(frozen=True)
class _Jacobian:
    """``∂H/∂V = P_n ⋯ P_1 E − I`` of one round, kept as its factors: each mover's stage ``P_j`` and the
    chance events ``E`` (discounted). Multiplied out, a round that combines four movers' moves and four
    events reads thousands of states per row, and its LU factors fill in (3.5 s each on the 2,500 states of
    dprk_russia_dynamic_v2's draft, before China's ceiling); applied factor by factor, a product costs only
    their entries."""

    stages: list[sparse.csr_matrix]  # E first, then the movers' stages in the order they apply

    @cached_property
    def matrix(self) -> sparse.csc_matrix:
        total = self.stages[0]
        for stage in self.stages[1:]:
            total = stage @ total
        return sparse.csc_matrix(total - sparse.identity(total.shape[0]))

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        result = vector
        for stage in self.stages:
            result = stage @ result
        return result - vector

    def solve(self, rhs: np.ndarray, kept: _Factors) -> np.ndarray:
        """``x`` with ``∂H/∂V x = rhs`` (see :class:`_Factors`)."""
        return kept.solve(lambda v: self @ v, lambda: self.matrix, rhs)

    def bordered(self, column: np.ndarray, row: np.ndarray, kept: _Factors) -> Callable[[np.ndarray], np.ndarray]:
        """A solver of continuation's bordered system ``[[∂H/∂V, column], [row]] x = rhs`` (see
        :class:`_Factors`)."""

        def matvec(v: np.ndarray) -> np.ndarray:
            return np.append(self @ v[:-1] + column * v[-1], row @ v)

        def matrix() -> sparse.csc_matrix:
            return sparse.csc_matrix(sparse.bmat([[self.matrix, column[:, None]], [row[None, :-1], row[-1:, None]]]))

        return lambda rhs: kept.solve(matvec, matrix, rhs)


class _Factors:
    """The LU factors of the last system factorized in a sequence of nearby ones (a Newton iteration's, a
    trace's), kept to precondition GMRES on the next: a short step apart, the next system is solved in a few
    products and is factorized afresh only where ``_PRECONDITIONED`` products (twice) do not reach the
    tolerance. Near a turning point, or where the iteration contracts slowly, ``∂H/∂V`` is nearly singular and
    GMRES without a preconditioner takes hundreds of products; on the flagship's hardest draw a factorization
    of its 969 unknowns costs 12 ms against under 2 ms a preconditioned solve. A large system's LU fills in
    (5 s on the four-actor draft's 10,000 unknowns), so there GMRES without one goes first."""

    lu: SuperLU | None = None

    def solve(
        self, matvec: Callable[[np.ndarray], np.ndarray], matrix: Callable[[], sparse.csc_matrix], rhs: np.ndarray
    ) -> np.ndarray:
        found = None
        if self.lu is not None:
            found = _gmres(matvec, rhs, restart=_PRECONDITIONED, maxiter=2, preconditioner=self.lu.solve)
        elif rhs.size > _FACTORIZE_BELOW:
            found = _gmres(matvec, rhs, restart=100, maxiter=5)
        if found is None:
            self.lu = splu(matrix(), permc_spec=_ORDERING if rhs.size <= _FACTORIZE_BELOW else _ORDERING_LARGE)
            found = self.lu.solve(rhs)
        return found


def _gmres(
    matvec: Callable[[np.ndarray], np.ndarray],
    rhs: np.ndarray,
    restart: int,
    maxiter: int,
    preconditioner: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray | None:
    """GMRES to ``_LINEAR_TOLERANCE`` (of the true residual) on the operator ``matvec``; None where it does not
    converge to a finite answer (the caller then factorizes)."""
    shape = (rhs.size, rhs.size)
    operator = LinearOperator(shape, matvec=matvec, dtype=float)
    inverse = None if preconditioner is None else LinearOperator(shape, matvec=preconditioner, dtype=float)
    found, info = gmres(operator, rhs, rtol=_LINEAR_TOLERANCE, atol=0.0, restart=restart, maxiter=maxiter, M=inverse)
    return found if info == 0 and np.all(np.isfinite(found)) else None


@dataclass(frozen=True)
class _Draw:
    """One draw's Markov game, linearized for Newton steps on its logit equilibrium conditions.

    Each mover's stage of the round maps the values ``A`` of the states it moves in to the values
    before its move; its derivative is sparse: row ``(s, i)`` reads the rows of the states ``s``'s
    moves lead to, with weight ``σ(s, m)`` plus, for a solved mover ``j``, the logit term
    ``λ σ(s, m) (W(s, m, i) − W̄(s, i))`` on actor ``j``'s column, where ``W`` is actor ``i``'s value
    of the move (net of ``j``'s step-down cost where ``i = j``) and ``W̄`` its mean under ``σ``. The
    chance events before them are linear. ``∂T/∂λ`` gathers ``Σ_m σ (q − q̄)(W − W̄)`` at each stage.
    """

    game: MarkovGame  # one draw
    solved: tuple[bool, ...]
    policy: np.ndarray  # (S, n, M) starting policy: the scripted actors' moves are kept

    @cached_property
    def events(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The chance events' transition, on states and on (state, actor) values times the discount: the
        same at every linearization."""
        events = self.game.chance  # one draw's
        n = self.game.shape[1]
        return events, sparse.kron(events, sparse.identity(n), format="csr") * self.game.discount[0]

    def linearize(self, values: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray, _Jacobian, np.ndarray]:
        """``(T_λ(V) − V, policy, ∂H/∂V, ∂H/∂λ)`` at ``values`` (S, n); vectors flattened state-major."""
        game = self.game
        s, n, m = game.shape
        size = s * n
        events, discounted = self.events
        stages = [discounted]  # ∂H/∂V + I, applied right to left: chance, then each mover's stage
        ahead = events @ (game.payoff[0] + game.discount[0] * values)
        by_lam = np.zeros(size)
        policy = self.policy.copy()
        for j in reversed(range(n)):
            after = game.after_move[:, j, :]  # (S, M)
            worth = ahead[after]  # (S, M, n)
            worth[:, :, j] -= game.move_cost[0, :, j, :]
            if self.solved[j]:
                policy[:, j, :] = logit(worth[:, :, j], game.available[0, :, j, :], lam)
            sigma = policy[:, j, :]
            mean = np.einsum("sm,smi->si", sigma, worth)
            # row (s, i) of the stage, built as CSR directly: σ(s, ·) on the columns of actor i in the states
            # the moves lead to, then, for a solved mover, λσ(W − W̄) on actor j's columns
            data = [np.broadcast_to(sigma[:, None, :], (s, n, m))]
            columns = [after[:, None, :] * n + np.arange(n)[None, :, None]]
            direct = np.zeros(size)
            if self.solved[j]:
                spread = sigma[:, :, None] * (worth - mean[:, None, :])  # σ (W − W̄), (S, M, n)
                data.append(lam * spread.transpose(0, 2, 1))
                columns.append(np.broadcast_to(after[:, None, :] * n + j, (s, n, m)))
                direct = np.einsum("sm,smi->si", worth[:, :, j] - mean[:, None, j], spread).reshape(-1)
            width = m * len(data)
            stage = sparse.csr_matrix(
                (
                    np.concatenate(data, axis=2).reshape(-1),
                    np.concatenate(np.broadcast_arrays(*columns), axis=2).reshape(-1),
                    np.arange(0, size * width + 1, width),
                ),
                shape=(size, size),
            )
            stages.append(stage)
            by_lam = stage @ by_lam + direct
            ahead = mean
        return ahead.reshape(-1) - values.reshape(-1), policy, _Jacobian(stages), by_lam

    def newton(self, values: np.ndarray, lam: float, tolerance: float) -> tuple[np.ndarray, np.ndarray] | None:
        """The root of ``H(·, λ)`` that Newton's method reaches from ``values``, halving steps that do
        not reduce the residual; None if it is not found within ``_NEWTON_STEPS``, or five halvings
        reduce nothing."""
        residual, policy, jacobian, _ = self.linearize(values, lam)
        size, kept = abs(residual).max(), _Factors()
        for _ in range(_NEWTON_STEPS):
            if size <= tolerance:
                return values, policy
            step = jacobian.solve(-residual, kept).reshape(values.shape)
            for halving in range(6):
                trial = values + 0.5**halving * step
                found = self.linearize(trial, lam)
                if abs(found[0]).max() < size:
                    break
            else:
                return None  # no step along Newton's direction reduces the residual: not converging from here
            values, (residual, policy, jacobian, _) = trial, found
            size = abs(residual).max()
        return (values, policy) if size <= tolerance else None

    def trace(self, lam: float, scale: float, tolerance: float) -> tuple[np.ndarray, np.ndarray] | None:
        """The principal branch's equilibrium at ``lam``: pseudo-arclength continuation of ``H = 0`` in
        ``(V / scale, λ · scale)`` (both of order one) from the unique equilibrium at ``λ = 0``, with a
        Newton corrector on the branch and the arclength condition; None if a step shrinks to nothing."""
        s, n, _ = self.game.shape
        start = self.newton(np.zeros((s, n)), 0.0, tolerance)  # H is affine in V at λ = 0
        if start is None:
            return None
        point, target = np.append(start[0].reshape(-1) / scale, 0.0), lam * scale

        def at(point: np.ndarray) -> tuple[np.ndarray, np.ndarray, _Jacobian, np.ndarray]:
            residual, policy, jacobian, by_lam = self.linearize(point[:-1].reshape(s, n) * scale, point[-1] / scale)
            return residual / scale, policy, jacobian, by_lam / scale**2

        residual, policy, jacobian, by_lam = at(point)
        unit = np.zeros(point.size)
        unit[-1] = 1.0
        tangent, length, kept = unit, 0.1, _Factors()
        for _ in range(_TRACE_STEPS):
            direction = jacobian.bordered(by_lam, tangent, kept)(unit)
            direction *= np.sign(direction @ tangent) / np.linalg.norm(direction)
            while True:
                step = length
                if direction[-1] > 0 and point[-1] + step * direction[-1] > target:
                    step = (target - point[-1]) / direction[-1]  # land on the asked λ
                predicted = point + step * direction
                corrected, settled = predicted, False
                for corrections in range(6):  # noqa: B007 (read after the loop)
                    residual, policy, jacobian, by_lam = at(corrected)
                    if abs(residual).max() * scale <= tolerance:
                        settled = True
                        break
                    move = jacobian.bordered(by_lam, direction, kept)(
                        -np.append(residual, direction @ (corrected - predicted))
                    )
                    corrected = corrected + move
                    if abs(move).max() > 0.3 * max(step, 1e-3):  # leaving the branch: shorten the step
                        break
                if settled:
                    break
                length /= 2
                if length < 1e-10:
                    return None
            point, tangent = corrected, direction
            if point[-1] < 0:  # the branch cannot come back to λ = 0 (unique there): it jumped to another
                return None
            if corrections <= 2:
                length = min(2 * length, max(50.0, target / 20))
            if abs(point[-1] - target) <= 1e-9 * target:
                return point[:-1].reshape(s, n) * scale, policy
        return None
