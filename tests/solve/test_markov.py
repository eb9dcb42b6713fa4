"""Value iteration against Markov-perfect equilibria solved by hand, and against the extensive-form
logit QRE of one round."""

import dataclasses

import numpy as np
import pytest

from escalade.game import parse_efg
from escalade.game.markov import compile_markov
from escalade.scenario import load, loads
from escalade.simulate import sample_parameters
from escalade.simulate.trajectories import scripted_moves
from escalade.solve import markov, solve_qre
from escalade.solve.markov import REGRET_TOLERANCE, _Draw, certify, logit, payoff_scale, solve_markov, sweep

UP, HOLD, DOWN = 0, 1, 2

CLIMBER = """
name: climber
title: one climber
actors: [{id: A, name: A}]
parameters:
  d: {dist: fixed, value: 3, doc: cost per rung stepped down, source: test}
dynamics:
  rounds: 10
  discount: 0.9
  rationality: .inf
  ladder:
    - {name: r0, category: status_quo}
    - {name: r1, category: posturing}
    - {name: r2, category: posturing}
    - {name: r3, category: violent_escalation}
  start_rungs: {A: 3}
  payoffs: {A: "own if own <= 2 else 1.5"}
  step_down_cost: {A: d}
"""


@pytest.mark.parametrize("cost", [3.0, 6.0])
def test_single_climber_matches_the_hand_solved_ratchet(cost):
    # Per-round payoff is that of the rung reached: 0, 1, 2 and 1.5 at the top; δ = 0.9; stepping
    # down costs d per rung. Rung 2 is best, so from 2 holding forever is worth V(2) = 2/(1-0.9) = 20;
    # from 1 going up gives 2 + 0.9·20 = 20 = V(1); from 0, up gives 1 + 0.9·V(1) = 19 = V(0).
    # At the top, holding is worth 1.5/(1-0.9) = 15 and stepping down -d + 2 + 0.9·20 = 20 - d:
    # step down iff d < 5. With d = 3: V(3) = 17 and step down; with d = 6: V(3) = 15 and hold —
    # the sunk cost keeps the actor on a rung it would never have chosen (the ratchet).
    game = compile_markov(loads(CLIMBER), {"d": cost})
    solution = solve_markov(game, np.inf)
    top_value, top_move = (17.0, DOWN) if cost < 5 else (15.0, HOLD)
    np.testing.assert_allclose(solution.values[0, :, 0], [19.0, 20.0, 20.0, top_value], atol=1e-9)
    assert solution.policy[0, :, 0].argmax(axis=1).tolist() == [UP, UP, HOLD, top_move]
    assert solution.pure and solution.certified.all() and solution.converged


def test_logit_climber_is_a_logit_equilibrium_and_tends_to_the_pure_one():
    game = compile_markov(loads(CLIMBER), {"d": 3.0})
    for lam in (0.5, 2.0, 50.0):
        solution = solve_markov(game, lam)
        assert solution.logit_residual.max() < 1e-8
        assert solution.certified.all()
    np.testing.assert_allclose(solution.values[0, :, 0], [19.0, 20.0, 20.0, 17.0], atol=1e-3)


MATCHER = """
name: matcher
title: a leader and a follower who wants to match it
actors: [{id: A, name: leader}, {id: B, name: follower}]
dynamics:
  rounds: 10
  discount: 0.5
  rationality: 1
  ladder: [{name: low, category: status_quo}, {name: high, category: posturing}]
  start_rungs: {A: 0, B: 1}
  payoffs:
    A: "1 if own == 1 else 0"
    B: "2 if B == A else 0"
"""


@pytest.mark.parametrize("lam", [0.5, 1.0, 3.0])
def test_two_actor_logit_equilibrium_matches_the_closed_form(lam):
    # A moves first, B sees A's move. In every state each actor chooses between landing on rung 0
    # and rung 1 (up/hold at the bottom, hold/down at the top), and nothing else depends on the
    # state, so the values are the same everywhere: V_i(s) = v_i. Then A's move values differ by
    # exactly A's payoff (1 for landing high), B's by 2 for matching A, and the logit equilibrium
    # is p_A = P(A high) = e^λ/(e^λ + 1), p_B = P(B matches) = e^2λ/(e^2λ + 1),
    # v_A = p_A/(1 − δ), v_B = 2·p_B/(1 − δ), δ = 0.5.
    game = compile_markov(loads(MATCHER))
    solution = solve_markov(game, lam)
    p_a, p_b = np.exp(lam) / (np.exp(lam) + 1), np.exp(2 * lam) / (np.exp(2 * lam) + 1)
    np.testing.assert_allclose(solution.values[0, :, 0], p_a / 0.5, atol=1e-9)
    np.testing.assert_allclose(solution.values[0, :, 1], 2 * p_b / 0.5, atol=1e-9)
    a_low = game.index({"A": 0, "B": 0})
    np.testing.assert_allclose(solution.policy[0, a_low, 0, UP], p_a, atol=1e-9)
    b_behind = game.index({"A": 1, "B": 0})  # A has just climbed: B matches by going up
    np.testing.assert_allclose(solution.policy[0, b_behind, 1, UP], p_b, atol=1e-9)


def test_two_actor_pure_mpe_is_climb_and_match():
    game = compile_markov(loads(MATCHER))
    solution = solve_markov(game, np.inf)
    # A lands high every round (worth 1/(1 − 0.5) = 2), B always matches (2/(1 − 0.5) = 4).
    np.testing.assert_allclose(solution.values[0, :, 0], 2.0)
    np.testing.assert_allclose(solution.values[0, :, 1], 4.0)
    assert solution.regret.max() <= REGRET_TOLERANCE * solution.scale.max()


def test_the_certificate_catches_a_policy_that_is_not_an_equilibrium():
    game = compile_markov(loads(MATCHER))
    uniform = np.where(game.available, 1.0, 0.0)
    uniform /= uniform.sum(axis=3, keepdims=True)
    wrong = certify(game, uniform, (True, True), np.inf, 0, True)
    assert wrong.regret.min() > 0.5  # matching always gains B 2 in the round
    assert not wrong.certified.any()


def test_scripted_actor_is_held_fixed_and_the_other_best_responds():
    game = compile_markov(loads(MATCHER))
    always_low = np.zeros((*game.available.shape[:2], game.shape[2]))
    low = game.state[:, 0] == 0
    always_low[0, low, HOLD], always_low[0, ~low, DOWN] = 1.0, 1.0
    solution = solve_markov(game, np.inf, {0: always_low})
    np.testing.assert_array_equal(solution.policy[:, :, 0, :], always_low)
    assert solution.solved == (False, True)
    np.testing.assert_allclose(solution.values[0, :, 1], 4.0)  # B still matches every round
    np.testing.assert_allclose(solution.values[0, :, 0], 0.0)


def _labels(moves: list[int]) -> str:
    return " ".join(f'"{m}"' for m in moves)


def _stage_efg(game, draw: int, start: int) -> str:
    """One round of the Markov game from ``start`` as a Gambit extensive game: the first actor moves,
    the second sees that move and moves, chance draws the events, each actor gets the round's payoff
    of the state reached minus its step-down cost."""
    number = np.format_float_positional
    lines = ['EFG 2 R "one round" { "first" "second" }', '""', ""]
    counters = {"first": 0, "second": 0, "chance": 0, "outcome": 0}

    def moves(state: int, actor: int) -> list[int]:
        return [m for m in range(game.shape[2]) if game.available[draw, state, actor, m]]

    counters["first"] += 1
    first = moves(start, 0)
    lines.append(f'p "" 1 1 "" {{ {_labels(first)} }} 0')
    for a in first:
        middle = game.after_move[start, 0, a]
        cost_a = game.down_cost[draw, start, 0] * game.descent[start, 0, a]
        second = moves(middle, 1)
        counters["second"] += 1
        lines.append(f'p "" 2 {counters["second"]} "" {{ {_labels(second)} }} 0')
        for b in second:
            landed = game.after_move[middle, 1, b]
            cost_b = game.down_cost[draw, middle, 1] * game.descent[middle, 1, b]
            branches = [o for o in range(game.outcomes.shape[1]) if game.outcome_prob[draw, landed, o] > 0]
            probs = [game.outcome_prob[draw, landed, o] for o in branches]
            probs[-1] = 1.0 - sum(probs[:-1])
            counters["chance"] += 1
            branch_text = " ".join(
                f'"{o}" {number(p, unique=True, trim="-")}' for o, p in zip(branches, probs, strict=True)
            )
            lines.append(f'c "" {counters["chance"]} "" {{ {branch_text} }} 0')
            for o in branches:
                reached = game.outcomes[landed, o]
                pay = game.payoff[draw, reached] - np.array([cost_a, cost_b])
                counters["outcome"] += 1
                lines.append(f't "" {counters["outcome"]} "" {{ {", ".join(number(x, unique=True) for x in pay)} }}')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lam", [0.5, 2.0])
def test_with_no_future_a_round_is_the_logit_qre_of_its_extensive_game(lam):
    # With a discount near zero the next round is worth nothing, so in every state the logit Markov
    # equilibrium is the agent logit QRE of that one round as an extensive game. Here that QRE comes
    # from escalade's homotopy solver (checked against Gambit in test_qre.py) on the round written
    # out as a Gambit .efg: an independent computation of the same numbers.
    scenario = load("cuban_missile_1962_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 2, seed=9))
    game = dataclasses.replace(game, discount=np.full(game.draws, 1e-12))
    markov = solve_markov(game, lam)
    for draw in range(game.draws):
        for start in (game.start, game.index({"USA": 5, "USSR": 4, "public": 1}), game.index({"USA": 7, "USSR": 6})):
            qre = solve_qre(parse_efg(_stage_efg(game, draw, start)), lam)
            first, *seconds = [p for player in qre.nested_profile() for p in player]
            available = game.available[draw, start, 0]
            np.testing.assert_allclose(markov.policy[draw, start, 0, available], first, atol=1e-6)
            for a, second in zip(np.flatnonzero(available), seconds, strict=True):
                middle = game.after_move[start, 0, a]
                there = game.available[draw, middle, 1]
                np.testing.assert_allclose(markov.policy[draw, middle, 1, there], second, atol=1e-6)


def _uniform(game):
    policy = np.where(game.available, 1.0, 0.0)
    return policy / policy.sum(axis=3, keepdims=True)


def test_the_chance_transition_of_a_subset_is_the_events_of_those_draws():
    # every draw's chance events in one sparse product: the same expectation as summing over every combination
    # of events, for the whole game and for subsets of its draws, and building it leaves the game as it was
    scenario = load("dprk_russia_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 6, seed=3))
    values = np.random.default_rng(0).normal(size=(game.draws, *game.shape[:2]))
    for part, v in ((game, values), (game.subset(np.array([4, 1])), values[[4, 1]])):
        before = part.outcome_prob.copy()
        found = (part.chance @ v.reshape(-1, v.shape[2])).reshape(v.shape)
        np.testing.assert_array_equal(part.outcome_prob, before)
        np.testing.assert_allclose(found, np.einsum("kso,ksoi->ksi", before, v[:, part.outcomes, :]), atol=1e-12)


@pytest.mark.parametrize("solved", [(True, True), (False, True)])
def test_the_linearized_round_matches_finite_differences(solved):
    # ∂H/∂V and ∂H/∂λ, assembled stage by stage, against central differences of H itself
    scenario = load("cuban_missile_1962_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 1, seed=3))
    draw = _Draw(game, solved, _uniform(game)[0])
    rng = np.random.default_rng(0)
    s, n, _ = game.shape
    values = rng.normal(size=(s, n)) * payoff_scale(game)[0] / 10
    lam, eps = 0.05, 1e-5
    _, _, jacobian, by_lam = draw.linearize(values, lam)
    direction = rng.normal(size=(s, n))
    ahead, behind = draw.linearize(values + eps * direction, lam)[0], draw.linearize(values - eps * direction, lam)[0]
    np.testing.assert_allclose(jacobian @ direction.reshape(-1), (ahead - behind) / (2 * eps), rtol=1e-4, atol=1e-5)
    ahead, behind = draw.linearize(values, lam + eps)[0], draw.linearize(values, lam - eps)[0]
    np.testing.assert_allclose(by_lam, (ahead - behind) / (2 * eps), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("lam", [0.5, 3.0])
def test_the_traced_principal_branch_reaches_the_closed_form(lam):
    # the continuation from λ = 0, on its own, lands on the matcher's closed-form equilibrium
    game = compile_markov(loads(MATCHER))
    scale = payoff_scale(game)[0]
    values, policy = _Draw(game, (True, True), _uniform(game)[0]).trace(lam, scale, 1e-11 * scale)
    p_a, p_b = np.exp(lam) / (np.exp(lam) + 1), np.exp(2 * lam) / (np.exp(2 * lam) + 1)
    np.testing.assert_allclose(values[:, 0], p_a / 0.5, atol=1e-9)
    np.testing.assert_allclose(values[:, 1], 2 * p_b / 0.5, atol=1e-9)
    assert certify(game, policy[None], (True, True), lam, 0, True).certified.all()


def test_newton_finishes_where_value_iteration_would_have_settled():
    # the same equilibrium as sweeping to the tolerance: Newton only finishes an iteration that has
    # nearly settled, and only with the root it was heading for
    scenario = load("cuban_missile_1962_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 6, seed=2))
    solution = solve_markov(game, 1.0)
    policy = _uniform(game)
    values = np.zeros((game.draws, *game.shape[:2]))
    respond = lambda j, q: logit(q, game.available[:, :, j, :], 1.0)  # noqa: E731
    for _ in range(4_000):
        _, policy, fresh = sweep(game, policy, values, respond)
        settled = np.abs(fresh - values).max(axis=(1, 2)) < 1e-11 * payoff_scale(game)
        values = fresh
    assert settled.sum() >= 4 and not solution.traced[settled].any()
    np.testing.assert_allclose(solution.values[settled], values[settled], atol=1e-6 * payoff_scale(game).max())
    assert solution.certified.all() and solution.converged


def test_a_draw_that_contracts_slowly_is_finished_by_newton_at_the_iterations_limit():
    # under the flagship's appeasement course, draw 34 (of 64 at the default seed) contracts by 0.3% a sweep:
    # after 3,000 sweeps it still moves by 4e-9 of its scale, so it never settles by sweeping. Newton's
    # method must finish it (not the trace), at the root the sweeps are heading for
    scenario = load("dprk_russia_dynamic")
    values = sample_parameters(scenario, 64, seed=20241018)
    full = compile_markov(scenario, values)
    west = full.actors.index("WEST")
    scripted = {west: scripted_moves(scenario, full, "appeasement", values)[[34]]}
    game = full.subset(np.array([34]))
    solution = solve_markov(game, 1.0, scripted)
    assert not solution.traced.any() and solution.certified.all() and solution.iterations < 1_000
    policy = _uniform(game)
    policy[:, :, west, :] = scripted[west]
    swept = np.zeros((1, *game.shape[:2]))
    respond = lambda j, q: None if j == west else logit(q, game.available[:, :, j, :], 1.0)  # noqa: E731
    for _ in range(3_000):
        _, policy, fresh = sweep(game, policy, swept, respond)
        change, swept = np.abs(fresh - swept).max(), fresh
    scale = payoff_scale(game)[0]
    assert 1e-10 * scale < change < 1e-8 * scale  # still moving, slowly: within 1e-5 of its limit
    np.testing.assert_allclose(solution.values, swept, atol=1e-5 * scale)


@pytest.mark.slow
def test_a_draw_whose_iteration_oscillates_is_traced_and_certified():
    # the flagship's draw 0 at seed 1: value iteration swings between two answers for 3,000 sweeps
    scenario = load("dprk_russia_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 8, seed=1)).subset(np.array([0]))
    solution = solve_markov(game, scenario.dynamics.rationality)
    assert solution.traced.all() and solution.certified.all() and solution.converged


@pytest.mark.slow
def test_kept_factors_precondition_the_trace_to_the_branch_fresh_factors_give(monkeypatch):
    # the flagship's hardest draw (seed 1, draw 0: the branch folds four times): GMRES preconditioned by the
    # last factors must land where factorizing every system afresh lands
    scenario = load("dprk_russia_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 8, seed=1)).subset(np.array([0]))
    scale, solved = payoff_scale(game)[0], (True,) * game.shape[1]
    kept = _Draw(game, solved, _uniform(game)[0]).trace(1.0, scale, 1e-11 * scale)
    plain = markov._gmres
    monkeypatch.setattr(
        markov, "_gmres", lambda *a, preconditioner=None, **k: None if preconditioner else plain(*a, **k)
    )
    fresh = _Draw(game, solved, _uniform(game)[0]).trace(1.0, scale, 1e-11 * scale)
    np.testing.assert_allclose(kept[0], fresh[0], atol=1e-9 * scale)
    np.testing.assert_allclose(kept[1], fresh[1], atol=1e-9)


def test_a_draw_that_will_not_settle_is_given_up_early_and_the_same_draws_are_traced(monkeypatch):
    # the flagship's draw 0 at seed 1 swings between two answers: it goes to the trace after a few hundred
    # sweeps instead of 3,000, and the sweeps to the end give up on the same draws and no other
    scenario = load("dprk_russia_dynamic")
    game = compile_markov(scenario, sample_parameters(scenario, 4, seed=1))
    scale = payoff_scale(game)
    solved = (True,) * game.shape[1]
    early, sweeps = markov._iterate(game, 1.0, solved, _uniform(game), scale)
    assert 0 in early and sweeps < markov._MAX_ITERATIONS
    monkeypatch.setattr(markov, "_GIVE_UP_FROM", markov._MAX_ITERATIONS + 1)
    late, sweeps = markov._iterate(game, 1.0, solved, _uniform(game), scale)
    assert sweeps == markov._MAX_ITERATIONS
    np.testing.assert_array_equal(early, late)
