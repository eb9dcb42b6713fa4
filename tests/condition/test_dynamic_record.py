"""The likelihood of a dynamic scenario's observed path: the forward filter against simulation."""

from __future__ import annotations

import numpy as np

from escalade.analyze.dynamics import history_fit
from escalade.condition import path_evidence
from escalade.game.markov import compile_markov
from escalade.scenario import load
from escalade.simulate import sample_parameters
from escalade.simulate.trajectories import simulate
from escalade.solve.markov import solve_markov


def _solved(name: str, draws: int = 2):
    scenario = load(name)
    game = compile_markov(scenario, sample_parameters(scenario, draws, seed=5))
    return scenario, game, solve_markov(game, scenario.dynamics.rationality).policy


def test_the_filter_gives_the_frequency_of_the_path_among_simulated_runs():
    """P(rungs of rounds 1 and 2) from the filter equals the share of simulated runs (one draw) that
    show them, within Monte Carlo error: the simulator draws every move and event itself."""
    _, game, policy = _solved("cuban_missile_1962_dynamic")
    one = game.subset(np.array([0]))
    runs = simulate(one, policy[:1], rounds=2, runs=200_000, seed=9)
    for path in {tuple(map(tuple, r)) for r in runs.rungs[:50]}:  # paths that occur
        observed = np.array(path)
        evidence = path_evidence(one, policy[:1], observed)
        share = np.mean(np.all(runs.rungs == observed, axis=(1, 2)))
        p = float(np.exp(evidence.log_likelihood[0]))
        assert abs(p - share) < 4 * np.sqrt(p * (1 - p) / 200_000) + 1e-9, (path, p, share)


def test_a_path_the_policy_cannot_play_is_impossible_from_its_round():
    scenario, game, policy = _solved("cuban_missile_1962_dynamic")
    history = np.array([scenario.dynamics.history.rungs[a] for a in scenario.actor_ids]).T
    impossible = history.copy()
    impossible[3:, 0] = scenario.dynamics.top  # the USA at the top rung from round 3, in one step
    evidence = path_evidence(game, policy, impossible[:6])
    assert np.all(np.isfinite(evidence.steps[:, :2]))
    assert np.all(np.isneginf(evidence.steps[:, 2:]))
    fit = history_fit(evidence, impossible[:6], "test")
    assert fit.impossible_from == 3 and fit.log_likelihood == -np.inf
    assert fit.impossible_by == (0,)  # the USA's jump, not the USSR's rung, is what no draw can play
    both = impossible.copy()
    both[3:, 1] = scenario.dynamics.top  # the USSR jumps to the top too, in the same round
    assert history_fit(path_evidence(game, policy, both[:6]), both[:6], "test").impossible_by == (0, 1)


def test_the_mixture_adds_up_and_pit_values_are_probabilities():
    scenario, game, policy = _solved("dprk_russia_dynamic", draws=3)
    history = np.array([scenario.dynamics.history.rungs[a] for a in scenario.actor_ids]).T
    fit = history_fit(path_evidence(game, policy, history), history, "test")
    assert np.isclose(fit.log_likelihood, np.sum(np.log(fit.predictive)))
    assert all(0 <= x <= 1 for row in fit.pit for x in row)
    assert 1.0 <= fit.ess[-1] <= 3.0


def test_the_four_actor_flagship_explains_its_record_better_than_random_play():
    # a regression guard on the model, not the code: the solved equilibrium must predict the dated record
    # of Sep 2024 - Jun 2025 better than every actor choosing uniformly among its moves (λ = 0). Before
    # Russia's cash paid for troops in Russia, it did worse (docs/flagship.md)
    scenario = load("dprk_russia_dynamic_v2")
    game = compile_markov(scenario, sample_parameters(scenario, 4, seed=20241018))
    history = np.array([scenario.dynamics.history.rungs[a] for a in scenario.actor_ids]).T
    fits = {
        lam: history_fit(path_evidence(game, solve_markov(game, lam).policy, history), history, "test")
        for lam in (0.0, scenario.dynamics.rationality)
    }
    assert np.isfinite(fits[0.0].log_likelihood)
    assert fits[scenario.dynamics.rationality].log_likelihood > fits[0.0].log_likelihood + 2.0
