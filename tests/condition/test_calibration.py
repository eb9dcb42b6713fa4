"""Is the posterior right? Simulation-based calibration (Talts et al. 2018, "Validating Bayesian
inference algorithms with simulation-based calibration") and recovery of a known λ.

SBC: draw true parameters from the prior, simulate a record from the model at them (a play of the
tree drawn from the logit QRE, and a base rate drawn as binomial counts), condition on it, and find
where the truth falls in its posterior (the share of posterior draws below it). If the conditioning
is right, that share is uniform over replications, and central intervals cover at their nominal rate.
The simulation draws plays from the whole-tree QRE homotopy (solve_qre), not from the backward-induction
solver the likelihood uses, and draws the base rate's counts itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from escalade.condition import ConditioningError, condition
from escalade.game import compile_game, compile_tree
from escalade.scenario import loads
from escalade.scenario.model import Record
from escalade.simulate import from_unit, sample_unit
from escalade.solve import solve_qre

SMALL = """
name: sbc
title: a small crisis for calibration
actors:
  - {id: A, name: Challenger, utility: {gain: 1, cost: -1}}
  - {id: B, name: Defender, utility: {gain: -1, clash: -1}}
attributes: {gain: what A wins, cost: what A pays, clash: a fight}
parameters:
  lam: {dist: lognormal, median: 1.5, sigma: 0.6, doc: logit precision, source: test}
  stake: {dist: uniform, low: 0, high: 3, doc: what is at stake, source: test}
  p_leak: {dist: beta, a: 2, b: 2, doc: chance the move leaks, source: test}
root: a
nodes:
  a:
    actor: A
    actions:
      push: {next: leak, effects: {gain: stake}}
      hold: quiet
  leak:
    chance:
      out: {p: p_leak, next: b}
      secret: {p: 1 - p_leak, next: b_blind}
  b:
    actor: B
    actions:
      resist: {next: fight, effects: {clash: 1, cost: 1}}
      yield: done
  b_blind:
    actor: B
    actions:
      resist: {next: fight, effects: {clash: 1, cost: 1}}
      yield: done
  fight: {outcome: {gain: -stake / 2}}
  done: {outcome: {}}
  quiet: {outcome: {}}
outcomes:
  clash: {doc: a fight, path: [fight]}
"""
NAMES = ("lam", "p_leak", "stake")


def _scenario():
    return loads(SMALL + "record:\n  rationality: lam\n  observed:\n    - {date: 2020, move: a.hold, source: t}\n")


def _simulate(scenario, truth: dict, cases: int, rng: np.random.Generator) -> Record:
    """A record drawn from the model at ``truth``: one play, and a base rate of clashes over ``cases``."""
    tree = compile_tree(scenario)
    game = compile_game(scenario, {k: np.array([v]) for k, v in truth.items()}, tree)
    solution = solve_qre(game, truth["lam"])  # the whole-tree homotopy, not the likelihood's backward pass
    ends = solution.reach[0, tree.terminal_nodes]
    end = int(tree.terminal_nodes[rng.choice(len(ends), p=ends / ends.sum())])
    path = tree.path_to(end)
    moves = [f"{tree.node_labels[tree.parent[n]]}.{tree.move_labels[n]}" for n in path[1:]]
    p_clash = float(ends[[tree.node_labels[t] == "fight" for t in tree.terminal_nodes]].sum())
    clashes = int(rng.binomial(cases, p_clash))
    observed = [{"date": f"2020-0{i + 1}", "move": m, "source": "simulated"} for i, m in enumerate(moves)]
    rates = [{"outcome": "clash", "rate": clashes / cases, "cases": cases, "source": "simulated"}] if cases else []
    return Record.model_validate({"rationality": "lam", "observed": observed, "base_rates": rates})


def _ranks(replications: int, draws: int, cases: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """(replications, parameters) share of posterior draws below the truth, and the methods used."""
    base = _scenario()
    rng = np.random.default_rng(seed)
    ranks, methods = [], []
    for r in range(replications):
        truth = {k: float(v[0]) for k, v in from_unit(base, rng.random((1, len(NAMES)))).items()}
        scenario = base.model_copy(update={"record": _simulate(base, truth, cases, rng)})
        posterior = condition(scenario, sample_unit(scenario, draws, seed=r, method="mc"), seed=r)
        ranks.append(
            [np.mean(posterior.values[k] < truth[k]) + 0.5 * np.mean(posterior.values[k] == truth[k]) for k in NAMES]
        )
        methods.append(posterior.method)
    return np.array(ranks), methods


def _check_uniform(ranks: np.ndarray, level: float = 0.01) -> None:
    replications = len(ranks)
    for i, name in enumerate(NAMES):
        p_value = stats.kstest(ranks[:, i], "uniform").pvalue
        assert p_value > level / len(NAMES), f"{name}: ranks not uniform (KS p = {p_value:.2g})"
        for nominal in (0.5, 0.9):
            inside = int(np.sum(np.abs(ranks[:, i] - 0.5) < nominal / 2))
            p_cover = stats.binomtest(inside, replications, nominal).pvalue
            assert p_cover > level / len(NAMES), f"{name}: {nominal:.0%} interval covers {inside}/{replications}"


def test_simulation_based_calibration_of_a_play_and_a_base_rate():
    """Calibration, not information: a posterior equal to the prior is calibrated too (the truth is a
    prior draw), so test_the_posterior_matches_quadrature_on_a_closed_form checks that the record is used."""
    ranks, methods = _ranks(replications=40, draws=400, cases=12, seed=1)
    _check_uniform(ranks)
    assert any("sequential" in m for m in methods) and any("importance" in m for m in methods)


@pytest.mark.slow
def test_simulation_based_calibration_over_two_hundred_replications():
    ranks, _ = _ranks(replications=200, draws=600, cases=12, seed=2)
    _check_uniform(ranks)


def test_the_check_catches_a_likelihood_at_the_wrong_precision(monkeypatch):
    """A likelihood that reads λ three times too large (the simulation still uses the true λ) gives
    ranks the check rejects: the calibration test above can fail."""
    import escalade.condition.likelihood as likelihood

    true_rationality = likelihood.rationality
    monkeypatch.setattr(likelihood, "rationality", lambda *args: 3 * true_rationality(*args))
    ranks, _ = _ranks(replications=80, draws=400, cases=12, seed=2)
    with pytest.raises(AssertionError, match="lam"):
        _check_uniform(ranks)


def test_a_known_lambda_is_recovered_from_many_cases():
    """A base rate of 2,000 simulated cases at λ = 2.5 pins λ (the other parameters fixed): the
    posterior's 90% interval holds the truth and is far narrower than the prior's."""
    fixed = SMALL.replace("stake: {dist: uniform, low: 0, high: 3,", "stake: {dist: fixed, value: 2,").replace(
        "p_leak: {dist: beta, a: 2, b: 2,", "p_leak: {dist: fixed, value: 0.5,"
    )
    base = loads(fixed + "record:\n  rationality: lam\n  observed:\n    - {date: 2020, move: a.hold, source: t}\n")
    truth = {"lam": 2.5, "stake": 2.0, "p_leak": 0.5}
    record = _simulate(base, truth, 2000, np.random.default_rng(11))
    record = record.model_copy(update={"observed": []})
    scenario = base.model_copy(update={"record": record})
    posterior = condition(scenario, sample_unit(scenario, 2000, 3), seed=3)
    low, high = np.percentile(posterior.values["lam"], [5, 95])
    prior_low, prior_high = np.percentile(posterior.prior["lam"], [5, 95])
    assert low < 2.5 < high
    assert (high - low) < 0.35 * (prior_high - prior_low)
    assert "sequential" in posterior.method  # 2,000 cases: the importance weights alone collapse


def test_a_record_no_draw_can_produce_is_refused_with_the_observation_named():
    text = SMALL.replace("p_leak: {dist: beta, a: 2, b: 2,", "p_leak: {dist: fixed, value: 0,")
    scenario = loads(
        text + "record:\n  rationality: lam\n  observed:\n    - {date: 2020, move: a.push, source: t}\n"
        "    - {date: 2021, move: leak.out, source: t}\n"
    )
    with pytest.raises(ConditioningError, match=r"leak\.out"):
        condition(scenario, sample_unit(scenario, 64, 1), seed=1)


ONE_CHOICE = """
name: one_choice
title: one choice, one parameter
actors: [{id: A, name: A, utility: {gain: 1}}]
attributes: {gain: what A wins}
parameters:
  lam: {dist: lognormal, median: 1, sigma: 0.6, doc: precision, source: test}
root: a
nodes:
  a:
    actor: A
    actions: {push: {next: pushed, effects: {gain: 1}}, hold: held}
  pushed: {outcome: {}}
  held: {outcome: {}}
outcomes:
  push: {doc: A pushes, path: [a.push]}
record:
  rationality: lam
  observed: [{date: 2020, move: a.push, source: test}]
  base_rates: [{outcome: push, rate: RATE, cases: CASES, source: test}]
"""


@pytest.mark.parametrize(("rate", "cases"), [(0.75, 20), (0.9, 400)])
def test_the_posterior_matches_quadrature_on_a_closed_form(rate, cases):
    """One choice with a payoff gap of 1: P(push) = 1 / (1 + e^-λ), so the posterior of λ given the observed
    push and the base rate is known up to a one-dimensional integral, done here on a fine grid. The
    conditioned draws must match its mean and quantiles (the importance path at 20 cases, SMC at 400).
    A posterior equal to the prior, one that ignores the base rate, or one with half the likelihood
    passes simulation-based calibration but fails here."""
    scenario = loads(ONE_CHOICE.replace("RATE", str(rate)).replace("CASES", str(cases)))
    z = np.linspace(-8, 8, 20_001)
    lam = np.exp(0.6 * z)
    log_p, log_q = -np.logaddexp(0, -lam), -np.logaddexp(0, lam)  # log P(push), log P(hold)
    log_post = stats.norm.logpdf(z) + log_p + rate * cases * log_p + (1 - rate) * cases * log_q
    weights = np.exp(log_post - log_post.max())
    weights /= weights.sum()
    mean = float(weights @ lam)
    sd = float(np.sqrt(weights @ (lam - mean) ** 2))
    quantiles = np.interp([0.05, 0.5, 0.95], np.cumsum(weights), lam)
    posterior = condition(scenario, sample_unit(scenario, 4096, seed=1), seed=1)
    draws = posterior.values["lam"]
    error = sd / np.sqrt(min(posterior.ess, posterior.n_draws) / 4)  # generous: resampling and moves correlate draws
    assert abs(draws.mean() - mean) < 4 * error, (draws.mean(), mean)
    np.testing.assert_allclose(np.percentile(draws, [5, 50, 95]), quantiles, atol=6 * error)
    assert ("sequential" in posterior.method) == (cases == 400)
