"""Markov-perfect equilibria of a dynamic crisis: value iteration with logit responses.

Within a round the actors move in turn (``escalade.game.markov``), so given everyone's values at the
start of the next round a round is solved by backward induction: the last mover ``j`` in state
``x`` values its move ``a`` as

    Q_j(x, a) = U_j(x after a) − c_j(x) · descent_j(x, a),

where ``U`` is the value, to each actor, of the state just before the next mover chooses (after
the last mover: the expected per-round payoff of the state the chance events lead to, plus the
discounted value ``V`` of starting the next round there). A logit Markov equilibrium (a dynamic
QRE) has every solved mover choose ``σ_j(x) ∝ exp(λ Q_j(x, ·))`` over its available moves with
``V`` the values of following ``σ``; value iteration repeats the round's backward induction from
``V = 0`` until ``V`` settles (geometrically, at the discount rate, while responses are smooth).
Where sharp responses make the iteration oscillate, the draws that have not settled after a while
move ``V`` only part of the way toward each new sweep (damping 1 → 0.6 → 0.36 …), which turns an
oscillating fixed point into an attracting one.
``λ = inf`` asks for a pure Markov-perfect equilibrium: best responses, ties to the move listed
first. Scripted actors keep their policy.

Every answer is certified independently: the values of the returned policy are computed exactly
(a linear solve per draw), and ``regret`` is the largest gain any solved actor gets from changing
its move in one state for one round (by the one-shot deviation principle, zero regret in every
state is a Markov-perfect equilibrium); ``logit_residual`` measures how far ``σ`` is from the
logit response to its own exact values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from escalade.game.markov import MarkovGame
from escalade.solve.solution import REGRET_TOLERANCE, SolverError

_TOLERANCE = 1e-11
_MAX_ITERATIONS = 3_000
_PATIENCE = 400  # sweeps before a draw that has not settled is damped further


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
    iterations: int
    converged: bool  # value iteration settled (below the tolerance) within its iteration limit

    @property
    def pure(self) -> bool:
        return bool(np.isin(self.policy, (0.0, 1.0)).all())

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
    ahead = np.einsum("kso,ksoi->ksi", game.outcome_prob, worth[:, game.outcomes, :])
    q = np.empty((k, s, n, m))
    policy = policy.copy()
    for j in reversed(range(n)):
        following = ahead[:, game.after_move[:, j, :], :]  # (K, S, M, n)
        cost = game.down_cost[:, :, j, None] * game.descent[None, :, j, :]
        q[:, :, j, :] = following[..., j] - cost
        response = None if respond is None else respond(j, q[:, :, j, :])
        if response is not None:
            policy[:, :, j, :] = response
        ahead = np.einsum("ksm,ksmi->ksi", policy[:, :, j, :], following)
        ahead[..., j] -= (policy[:, :, j, :] * cost).sum(axis=2)
    return q, policy, ahead


def logit(q: np.ndarray, available: np.ndarray, lam: float) -> np.ndarray:
    """Logit response over the available moves (the last axis)."""
    z = np.where(available, lam * q, -np.inf)
    z = z - z.max(axis=-1, keepdims=True)
    weights = np.exp(z)
    return weights / weights.sum(axis=-1, keepdims=True)


def best_response(q: np.ndarray, available: np.ndarray) -> np.ndarray:
    """One-hot on the best available move (the first of exact ties)."""
    chosen = np.argmax(np.where(available, q, -np.inf), axis=-1)
    return np.eye(q.shape[-1])[chosen]


def evaluate(game: MarkovGame, policy: np.ndarray) -> np.ndarray:
    """Exact values ``V[K, S, n]`` of following ``policy``: solves ``(I − δP) V = r`` per draw."""
    k, (s, n, m) = game.draws, game.shape
    rows, outcome_rows = np.repeat(np.arange(s), m), np.repeat(np.arange(s), game.outcomes.shape[1])
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
        events = sparse.csr_matrix(
            (game.outcome_prob[d].reshape(-1), (outcome_rows, game.outcomes.reshape(-1))), shape=(s, s)
        )
        transition = (transition @ events).toarray()
        reward += transition @ game.payoff[d]
        values[d] = np.linalg.solve(np.eye(s) - game.discount[d] * transition, reward)
    return values


def certify(
    game: MarkovGame, policy: np.ndarray, solved: tuple[bool, ...], lam: float, iterations: int, converged: bool
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
    )


def solve_markov(game: MarkovGame, lam: float, scripted: dict[int, np.ndarray] | None = None) -> MarkovSolution:
    """A logit Markov equilibrium at ``lam`` (or a pure MPE for ``lam = inf``) of the actors not in
    ``scripted`` (actor index -> move probabilities ``(K, S, M)``), batched over the draws."""
    scripted = scripted or {}
    k, (s, n, _) = game.draws, game.shape
    solved = tuple(i not in scripted for i in range(n))
    policy = np.where(game.available, 1.0, 0.0)
    policy /= policy.sum(axis=3, keepdims=True)
    for i, moves in scripted.items():
        policy[:, :, i, :] = moves

    scale = payoff_scale(game)
    values = np.zeros((k, s, n))
    step = np.ones(k)  # per draw: how far V moves toward the new sweep
    active, part = np.arange(k), game  # the draws still iterating, and their part of the game
    iterations = 0

    def respond(j: int, q: np.ndarray) -> np.ndarray | None:
        if not solved[j]:
            return None  # a scripted actor keeps its policy
        available = part.available[:, :, j, :]
        return best_response(q, available) if np.isinf(lam) else logit(q, available, lam)

    while active.size and iterations < _MAX_ITERATIONS:
        _, policy[active], fresh = sweep(part, policy[active], values[active], respond)
        change = np.abs(fresh - values[active]).max(axis=(1, 2)) / scale[active]
        values[active] += step[active, None, None] * (fresh - values[active])
        iterations += 1
        if iterations % _PATIENCE == 0:  # still oscillating: damp those draws more
            step[active] *= np.where(change >= _TOLERANCE, 0.6, 1.0)
        if (change < _TOLERANCE).any():  # settled draws stop; the rest go on without them
            active = active[change >= _TOLERANCE]
            part = game.subset(active)
    solution = certify(game, policy, solved, lam, iterations, active.size == 0)
    failed = np.flatnonzero(~solution.certified)
    if np.isinf(lam) and failed.size:
        # Best responses can cycle where no pure Markov-perfect equilibrium exists; a logit
        # equilibrium exists at every finite λ, so that is the honest alternative.
        raise SolverError(
            f"λ = inf asks for a pure Markov-perfect equilibrium, but best-response iteration found none that "
            f"passes its regret check in {failed.size} of {game.draws} parameter draws (largest regret "
            f"{solution.regret[failed].max():.3g}): best responses cycle there — use a finite rationality λ, "
            "e.g. 4, whose logit equilibrium always exists"
        )
    return solution
