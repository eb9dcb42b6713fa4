"""How likely a dynamic scenario's solved policies make its observed path of rungs.

A dynamic scenario's history gives each actor's rung at the start of every round (round 0 is the
start). The state has more than the rungs (flags, counters), and within a round the actors move in
turn and chance events fire, so the same rungs can be reached in several ways. The likelihood is
therefore a forward filter over the hidden state (a hidden Markov model), per parameter draw:

1. Start from the scenario's start state (which must show the observed round-0 rungs).
2. Each round, push the belief over states through each actor's move in turn (its policy's move
   probabilities; ``after_move`` says where each move leads) and then through the chance events
   (``outcome_prob`` over the combinations of events, ``outcomes`` where each leads): the predicted
   distribution of the next round's state.
3. The probability of the observed rungs given everything observed before is the predicted mass of
   the states that show them; the belief is then that mass, renormalised.

Each round's predictive distribution of each actor's rung is kept, for PIT values (where the
observed rung falls in the distribution predicted for it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalade.game.markov import MarkovGame


@dataclass(frozen=True)
class PathEvidence:
    """Per draw and round: how the observed path was predicted."""

    steps: np.ndarray  # (K, T) log P(rungs at round t+1 | rungs up to round t); -inf where impossible
    rung_probs: np.ndarray  # (K, T, n, R) predicted distribution of each actor's rung at round t+1

    @property
    def log_likelihood(self) -> np.ndarray:
        """(K,) the log-probability of the whole observed path."""
        return self.steps.sum(axis=1)


def path_evidence(game: MarkovGame, policy: np.ndarray, observed: np.ndarray) -> PathEvidence:
    """The forward filter of the module docstring: ``policy`` (K, S, n, M) move probabilities,
    ``observed`` (T + 1, n) each actor's rung at the start of rounds 0..T."""
    k = game.draws
    n_states, n, _ = game.shape
    rungs = game.state[:, :n]  # (S, n)
    top = int(rungs.max()) + 1
    rounds = observed.shape[0] - 1
    steps = np.zeros((k, rounds))
    rung_probs = np.zeros((k, rounds, n, top))
    belief = np.zeros((k, n_states))
    belief[:, game.start] = 1.0
    if not np.array_equal(rungs[game.start], observed[0]):
        return PathEvidence(np.full((k, rounds), -np.inf), rung_probs)
    for t in range(rounds):
        for j in range(n):
            moved = belief[:, :, None] * policy[:, :, j, :]  # (K, S, M)
            belief = _scatter(moved.reshape(k, -1), game.after_move[:, j, :].ravel(), n_states)
        flows = belief[:, :, None] * game.outcome_prob  # (K, S, O)
        predicted = _scatter(flows.reshape(k, -1), game.outcomes.ravel(), n_states)
        for j in range(n):
            rung_probs[:, t, j, :] = _scatter(predicted, rungs[:, j], top)
        shows = np.all(rungs == observed[t + 1], axis=1)  # (S,)
        mass = predicted[:, shows].sum(axis=1)
        with np.errstate(divide="ignore"):
            steps[:, t] = np.log(mass)
        belief = np.where(shows, predicted, 0.0) / np.where(mass > 0, mass, 1.0)[:, None]
    steps[np.cumsum(~np.isfinite(steps), axis=1) > 0] = -np.inf  # after an impossible round, all are
    return PathEvidence(steps, rung_probs)


def _scatter(weights: np.ndarray, targets: np.ndarray, size: int) -> np.ndarray:
    """(K, size): per row, the sum of ``weights`` (K, N) landing on each of ``targets`` (N,)."""
    k = weights.shape[0]
    flat = (np.arange(k)[:, None] * size + targets[None, :]).ravel()
    return np.bincount(flat, weights=weights.ravel(), minlength=k * size).reshape(k, size)
