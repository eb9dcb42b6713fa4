"""How well each parameter draw explains the record: the probability of the observed moves under the
draw's logit quantal response equilibrium.

A draw's actors are taken to choose as in the agent logit QRE at the record's precision λ (McKelvey
& Palfrey 1998): every action has positive probability, the better ones more, so a draw is not
ruled out by one surprising move, only made less likely. The tree is solved once per draw
(:func:`escalade.solve.solve_spe` with ``lam``), and from the probability of each end of the tree:

- the probability of the first j observed moves, ``P_j`` = the total probability of the ends whose
  path takes all of them (chance moves count with their own probabilities); each observation's
  contribution is ``log P_j − log P_{j−1}``, the log-probability of the j-th move given the earlier
  ones, so the contributions add up to the record's log-likelihood and the least likely observation
  can be named;
- each base rate's binomial log-likelihood, ``s log p + (n − s) log(1 − p)`` with p the draw's
  probability of the outcome, n the reference class's cases and s = rate · n of them with it;
- each question's probability given the record, ``P(outcome and record) / P(record)``, and before
  it, ``P(outcome)``; every named outcome's probability under the QRE;
- the record's probability if every actor chose at random (λ = 0), the baseline a model must beat.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import special

from escalade.game import Tree, compile_game, event_matrix, outcome_paths
from escalade.scenario import Scenario
from escalade.scenario.model import Outcome
from escalade.simulate.backends import Progress, chunk_starts, run_chunks
from escalade.solve import solve_spe


@dataclass(frozen=True)
class Evidence:
    """Per draw: what the record says about it."""

    steps: np.ndarray  # (K, J) log P(j-th observed move | the earlier ones), in date order; -inf if impossible
    rates: np.ndarray  # (K, B) binomial log-likelihood of each base rate
    questions: np.ndarray  # (K, Q) P(question's outcome | record); NaN where the record is impossible
    unconditional: np.ndarray  # (K, Q) P(question's outcome) before anything is observed
    events: np.ndarray  # (K, E) P(each of the scenario's outcomes) under the logit QRE, nothing observed
    random_play: np.ndarray  # (K,) log P(observed moves) if every actor chose at random (λ = 0): a baseline
    max_regret: np.ndarray  # (K,) the logit profile's Nash regret (reported, not enforced: a QRE is not Nash)

    @property
    def log_likelihood(self) -> np.ndarray:
        """(K,) the log-probability of the whole record, base rates included."""
        return self.steps.sum(axis=1) + self.rates.sum(axis=1)

    def take(self, index: np.ndarray) -> Evidence:
        return Evidence(*(column[index] for column in self.columns()))

    def columns(self) -> list[np.ndarray]:
        return [getattr(self, f.name) for f in dataclasses.fields(self)]


def rationality(scenario: Scenario, values: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """(n,) the record's logit precision λ in each draw."""
    return np.broadcast_to(np.asarray(scenario.record.rationality(values), dtype=float), (n,)).copy()


def evidence(
    scenario: Scenario,
    values: Mapping[str, np.ndarray],
    tree: Tree,
    chunk: int = 1024,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Evidence:
    """The record's evidence on every draw in ``values``, ``chunk`` draws at a time."""
    record = scenario.record
    if record is None:
        raise ValueError(f"scenario {scenario.name!r} has no 'record:' to condition on")
    moves = record.moves()
    prefixes = {f"first_{j + 1}": Outcome(doc="the record so far", path=moves[: j + 1]) for j in range(len(moves))}
    masks = outcome_paths(tree, prefixes)  # (T, J)
    events = scenario.events()  # base rates and questions name some of them
    paths = outcome_paths(tree, events)
    n = len(next(iter(values.values()))) if values else 1
    tasks = [
        (scenario, tree, masks, paths, {name: np.asarray(v)[start:stop] for name, v in values.items()})
        for start, stop in chunk_starts(n, chunk, workers if scheduler is None else 1)
    ]
    parts = run_chunks(_evidence_chunk, tasks, workers, scheduler, progress)
    return Evidence(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _evidence_chunk(
    scenario: Scenario, tree: Tree, masks: np.ndarray, paths: np.ndarray, batch: dict[str, np.ndarray]
) -> tuple[np.ndarray, ...]:
    record = scenario.record
    events = scenario.events()
    rated = [list(events).index(rate.outcome) for rate in record.base_rates]
    asked = [list(events).index(question.outcome) for question in record.questions.values()]
    game = compile_game(scenario, batch, tree)
    k = game.n_draws
    solution = solve_spe(game, lam=rationality(scenario, batch, k))
    ends = solution.reach[:, tree.terminal_nodes]  # (K, T)
    at_random = solve_spe(game, lam=0.0).reach[:, tree.terminal_nodes]
    with np.errstate(divide="ignore", invalid="ignore"):
        random_play = np.log(at_random @ masks[:, -1]) if masks.shape[1] else np.zeros(k)
        reached = np.concatenate([np.ones((k, 1)), ends @ masks], axis=1)  # (K, J+1): P(first j moves)
        steps = np.diff(np.log(np.clip(reached, 0.0, 1.0)), axis=1)
        steps = np.where(np.isnan(steps), -np.inf, steps)  # a move after an impossible one: impossible too
        held = event_matrix(game, events, batch, scenario, paths)  # (K, T, E)
        p_events = np.einsum("kt,kte->ke", ends, held)
        rates = _binomial(record.base_rates, p_events[:, rated])
        # random play is judged on the same evidence: the moves and the base rates, all at λ = 0
        random_play = random_play + _binomial(
            record.base_rates, np.einsum("kt,kte->ke", at_random, held[:, :, rated])
        ).sum(1)
        whole = ends * masks[:, -1][None, :] if masks.shape[1] else ends
        questions = np.einsum("kt,kte->ke", whole, held[:, :, asked]) / reached[:, -1:]
    return steps, rates, questions, p_events[:, asked], p_events, random_play, solution.max_regret


def _binomial(rates: list, p: np.ndarray) -> np.ndarray:
    """(K, B) each base rate's binomial log-likelihood at the draws' probabilities ``p`` (K, B) of its outcome."""
    found = np.zeros(p.shape)
    for i, rate in enumerate(rates):
        prob = np.clip(p[:, i], 0.0, 1.0)
        s, n = rate.rate * rate.cases, rate.cases
        found[:, i] = special.xlogy(s, prob) + special.xlogy(n - s, 1.0 - prob)
    return found
