"""The agent logit QRE against Gambit's own results on Gambit's example games.

``reference.json`` (see tests/data/gambit_games/PROVENANCE.md) holds pygambit 16.7's answers.
Where escalade and Gambit differ, the test says why and checks the reason, so a new discrepancy fails.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from escalade.game import compile_game, read_efg
from escalade.scenario import load, loads
from escalade.simulate import sample_parameters
from escalade.solve import SolverError, fit_lambda, solve_qre, solve_spe
from escalade.solve.verify import logit_residual
from tests.conftest import gambit_efg_files, gambit_reference

REFERENCE = gambit_reference()


def flat(nested) -> np.ndarray:
    return np.array([p for player in nested for infoset in player for p in infoset], dtype=float)


def with_reference(key: str) -> list:
    return [
        path
        for path in gambit_efg_files()
        if REFERENCE.get(path.name, {}).get("perfect_recall") and REFERENCE[path.name].get(key) is not None
    ]


# Gambit's λ = 1 point does not satisfy the logit equations at λ = 1 (its tracer stopped near a
# branch point of these symmetric games); escalade's does.
GAMBIT_OFF_CURVE = {
    "2x2x2.efg",
    "basic_extensive_game.efg",
    "mixed_behavior_game.efg",
    "reduction_both_players_payoff_ties_GTE_survey.efg",
}
# The QRE correspondence has a branch point below λ = 1 in these games: both tracers end on valid
# QREs at λ = 1 (both satisfy the logit equations), on different branches.
BRANCH_POINT = {"2s2x2x2.efg", "sww3.efg"}
# Payoffs of 1e19 beside payoffs of 1: at λ = 1 the QRE cannot be represented in double precision;
# escalade refuses rather than answer.
UNREPRESENTABLE = {"large_payoff_game.efg"}


@pytest.mark.parametrize("path", with_reference("logit_lambda_1"), ids=lambda p: p.name)
def test_qre_at_lambda_one_matches_gambit(path):
    game = read_efg(path)
    theirs = flat(REFERENCE[path.name]["logit_lambda_1"])
    if path.name in UNREPRESENTABLE:
        with pytest.raises(SolverError, match="logit check"):
            solve_qre(game, 1.0)
        return
    solution = solve_qre(game, 1.0)
    ours = flat(solution.nested_profile())
    assert logit_residual(game, solution.profile, 1.0)[0] < 1e-8
    if path.name in GAMBIT_OFF_CURVE:
        assert logit_residual(game, theirs[None, :], 1.0)[0] > 1e-3
    elif path.name in BRANCH_POINT:
        assert logit_residual(game, theirs[None, :], 1.0)[0] < 1e-8
        assert np.abs(ours - theirs).max() > 1e-3
    else:
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


# Degenerate games (payoff ties, symmetric or non-generic payoffs) whose principal branch passes a
# branch point: escalade's and Gambit's limits are different equilibria, each with regret ≤ 1e-8.
OTHER_LIMIT = {
    "2s2x2x2.efg",
    "2x2x2.efg",
    "artist2.efg",
    "basic_extensive_game.efg",
    "bcp2.efg",
    "bcp4.efg",
    "mixed_behavior_game.efg",
    "reduction_both_players_payoff_ties_GTE_survey.efg",
    "sh3.efg",
    "sww3.efg",
    "w_ex1.efg",
    "w_ex2.efg",
}
BEHAVIOUR_LIMITS = [p for p in with_reference("logit_lambda_1") if "profile" in REFERENCE[p.name]["logit_limit"]]


@pytest.mark.parametrize("path", BEHAVIOUR_LIMITS, ids=lambda p: p.name)
def test_qre_limit_is_an_equilibrium_and_usually_gambits(path):
    game = read_efg(path)
    solution = solve_qre(game)
    assert solution.max_regret[0] <= 1e-8 * max(1.0, np.ptp(game.payoff))
    theirs = flat(REFERENCE[path.name]["logit_limit"]["profile"])
    if path.name not in OTHER_LIMIT:
        np.testing.assert_allclose(flat(solution.nested_profile()), theirs, atol=1e-3)


# pygambit could not read this file (duplicate labels), so the reference has no perfect-recall flag;
# player 1's infoset 8 is reached after different moves of its own.
IMPERFECT_RECALL_UNREFERENCED = {"holdout.efg"}


@pytest.mark.parametrize("path", gambit_efg_files(), ids=lambda p: p.name)
def test_subgame_perfect_solution_of_every_gambit_game_has_no_regret(path):
    game = read_efg(path)
    perfect_recall = REFERENCE.get(path.name, {}).get("perfect_recall")
    if perfect_recall is False or path.name in IMPERFECT_RECALL_UNREFERENCED:
        with pytest.raises(SolverError, match="imperfect recall"):
            solve_spe(game)
        return
    solution = solve_spe(game)
    assert solution.max_regret[0] <= 1e-8 * max(1.0, np.ptp(game.payoff))
    np.testing.assert_allclose(solution.outcome_probs.sum(), 1.0)


def test_a_batch_of_draws_equals_draws_traced_one_by_one():
    game = read_efg(next(p for p in gambit_efg_files() if p.name == "2_player_chance.efg"))
    rng = np.random.default_rng(5)
    payoff = game.payoff + rng.normal(0, 0.3, size=(4, *game.payoff.shape[1:]))
    batch = type(game)(
        game.tree, np.repeat(game.chance_prob, 4, 0), payoff, np.zeros((4, game.tree.n_terminals, 0)), []
    )
    together = solve_qre(batch, 1.5)
    for k in range(4):
        alone = solve_qre(batch.draw(k), 1.5)
        np.testing.assert_allclose(together.profile[k], alone.profile[0], atol=1e-9)


def test_an_information_set_only_a_branch_chance_never_takes_reaches_is_solved_on_play_from_it():
    # Forcing a chance node (a claim's `force:`) leaves player 1's information set after "L" unreached;
    # its values were once taken as an equal weighing of its terminals with a Jacobian that disagreed,
    # and the path did not finish in 20,000 steps. They are now those of play from the node on.
    game = read_efg(next(p for p in gambit_efg_files() if p.name == "2_player_chance.efg"))
    chance = game.chance_prob.copy()
    chance[0, 1:3] = [1.0, 0.0]
    forced = type(game)(game.tree, chance, game.payoff, game.outcome, game.attributes, game.title)
    solution = solve_qre(forced)
    assert solution.max_regret[0] <= 1e-8
    # after "L" every action of player 1 earns 1 against player 2's limit play, so the limit mixes evenly
    player_2 = solution.profile[0, 6:]
    np.testing.assert_allclose(player_2, [0, 1, 1, 0, 0, 1], atol=1e-6)
    np.testing.assert_allclose(solution.profile[0, 3:6], 1 / 3, atol=1e-6)


def test_fitted_lambda_recovers_the_lambda_that_generated_the_frequencies():
    game = read_efg(next(p for p in gambit_efg_files() if p.name == "2_player_chance.efg"))
    for true in (0.4, 2.0, 7.5):
        counts = solve_qre(game, true).profile[0] * 10_000
        fitted = fit_lambda(game, counts)
        assert fitted.lam == pytest.approx(true, rel=1e-4) and not fitted.at_bound
        assert fitted.low < true < fitted.high
        np.testing.assert_allclose(fitted.solution.profile[0], counts / 10_000, atol=1e-6)


def test_the_interval_shrinks_with_more_data_and_a_bound_is_flagged():
    game = read_efg(next(p for p in gambit_efg_files() if p.name == "2_player_chance.efg"))
    profile = solve_qre(game, 2.0).profile[0]
    few, many = fit_lambda(game, profile * 50), fit_lambda(game, profile * 5_000)
    assert many.high - many.low < few.high - few.low
    uniform = fit_lambda(game, np.ones(game.tree.n_slots))  # uniform play: λ = 0 fits best, below the bound
    assert uniform.at_bound and uniform.low == pytest.approx(1e-3) and "search bound" in uniform.warning


def test_fitting_refuses_counts_of_the_wrong_shape():
    game = read_efg(next(p for p in gambit_efg_files() if p.name == "2_player_chance.efg"))
    with pytest.raises(SolverError, match="counts must be"):
        fit_lambda(game, np.ones(3))


@pytest.mark.parametrize("path", with_reference("logit_lambda_1"), ids=lambda p: p.name)
def test_logit_backward_induction_matches_gambits_qre_at_lambda_one(path):
    """solve_spe(lam=1) solves subgame by subgame; where Gambit's λ = 1 point is on the curve and no
    branch point intervenes, it must be Gambit's point."""
    if path.name in UNREPRESENTABLE | GAMBIT_OFF_CURVE | BRANCH_POINT:
        pytest.skip("no single reference point at λ = 1 (see test_qre_at_lambda_one_matches_gambit)")
    game = read_efg(path)
    solution = solve_spe(game, lam=1.0)
    assert solution.method == "logit(lambda=1)"
    np.testing.assert_allclose(flat(solution.nested_profile()), flat(REFERENCE[path.name]["logit_lambda_1"]), atol=1e-6)


def test_logit_backward_induction_has_the_closed_form_on_a_single_choice():
    """One mover choosing between payoffs 0 and Δ plays the better action with 1 / (1 + exp(-λΔ))."""
    scenario = loads(
        "name: one\ntitle: one\nactors: [{id: A, name: A, utility: {gain: 1}}]\nattributes: {gain: what A wins}\n"
        "parameters:\n"
        "  gap: {dist: uniform, low: 0, high: 3, doc: d, source: s}\n"
        "root: a\nnodes:\n  a:\n    actor: A\n    actions: {low: lo, high: hi}\n"
        "  lo: {outcome: {gain: 0}}\n  hi: {outcome: {gain: gap}}\n"
    )
    gaps, lams = np.array([0.0, 0.5, 2.0, 3.0]), np.array([0.3, 1.0, 2.0, 0.0])
    game = compile_game(scenario, {"gap": gaps})
    profile = solve_spe(game, lam=lams).profile
    np.testing.assert_allclose(profile[:, 1], 1 / (1 + np.exp(-lams * gaps)), atol=1e-14)


def test_logit_backward_induction_equals_the_whole_tree_qre_on_the_flagship():
    scenario = load("dprk_russia_2024")
    game = compile_game(scenario, sample_parameters(scenario, 16, seed=3))
    lam = np.exp(np.linspace(-2, 2, 16))
    fast, whole = solve_spe(game, lam=lam), solve_qre(game, lam)
    np.testing.assert_allclose(fast.profile, whole.profile, atol=1e-10)
    with pytest.raises(SolverError, match="non-negative"):
        solve_spe(game, lam=-lam)


HARD_DRAWS = json.loads((Path(__file__).resolve().parents[1] / "data" / "qre_hard_draws.json").read_text())


@pytest.mark.parametrize("case", ["turns_back", "falls_and_climbs", "step_underflow", "lost_path"])
def test_paths_that_turn_back_in_lambda_still_end_at_a_certified_limit(case):
    """A path that falls back and climbs again is followed to its limit; one whose steps underflow far
    along (exact ties) is stopped there and polished; one that falls below λ = 0 after high precision is
    stopped at its highest point, and where no polish there is an equilibrium of its subgame, best
    responses from that point find one and the solution says so (tests/data/qre_hard_draws.json)."""
    scenario = HARD_DRAWS[case].get("scenario", "dprk_russia_2024")
    if scenario.endswith(".yaml"):
        scenario = str(Path(__file__).resolve().parents[2] / scenario)
    solution = solve_spe(compile_game(load(scenario), HARD_DRAWS[case]["values"]))
    assert solution.max_regret[0] <= 1e-8
    lost = any("folded back and was lost" in note for note in solution.notes)
    assert lost == (case in ("turns_back", "lost_path"))
    if case == "step_underflow":
        assert np.any((solution.profile > 0.05) & (solution.profile < 0.95))  # its limit is mixed
