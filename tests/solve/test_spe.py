import dataclasses
import itertools

import numpy as np
import pytest

from escalade.game import compile_game, parse_efg, policy_profile, read_efg, script, split_infosets
from escalade.scenario import load
from escalade.solve import SolverError, certify, enumerate_pure, solve_spe
from escalade.solve.verify import level_plans, move_probabilities, node_values
from tests.conftest import gambit_efg_files, gambit_reference


def path_of(solution, k=0):
    """The moves of the most likely complete path."""
    tree = solution.game.tree
    t = int(np.argmax(solution.outcome_probs[k]))
    return [tree.move_labels[n] for n in tree.path_to(int(tree.terminal_nodes[t]))[1:]]


# --- textbook games with closed-form answers ------------------------------------------------


@pytest.mark.parametrize(
    ("p_win", "war_cost_a", "war_cost_b", "audience_cost"),
    list(itertools.product([0.3, 0.7], [0.2, 0.5], [0.15, 0.45], [0.0, 0.25, 0.9])),
)
def test_audience_costs_match_fearons_closed_form(p_win, war_cost_a, war_cost_b, audience_cost):
    scenario = load("audience_costs")
    values = dict(p_win=p_win, war_cost_a=war_cost_a, war_cost_b=war_cost_b, audience_cost=audience_cost)
    solution = solve_spe(compile_game(scenario, values))
    fights = p_win - war_cost_a >= -audience_cost
    resists = (not fights) or (1 - p_win - war_cost_b >= 0)
    if not resists:
        value_a = 1.0
    elif fights:
        value_a = p_win - war_cost_a
    else:
        value_a = -audience_cost
    expected = ["threaten", "concede"] if not resists else ["threaten", "resist", "fight" if fights else "back_down"]
    if value_a <= 0:  # a tie goes to the first-listed action, the status quo
        expected = ["status_quo"]
    assert path_of(solution) == expected
    assert solution.values[0, 0] == pytest.approx(max(value_a, 0.0))


CUBAN_TERMS = {"war_cost": 10, "rationality": 1, "pledge_cost": 0.3, "jupiter_cost": 0.7, "jupiter_value": 0.9}


@pytest.mark.parametrize(
    ("q", "p", "strike_cost", "pledge_value"),
    list(itertools.product([0.1, 0.2, 0.3, 0.45], [0.02, 0.1, 0.2], [0.0, 2.0], [0.2, 1.2])),
)
def test_cuban_missile_crisis_matches_its_closed_form(q, p, strike_cost, pledge_value):
    """Backward induction by hand (ties to the first-listed move): Moscow answers an offer by withdrawing
    iff -1 + what it was given ≥ the value of running the blockade; Washington makes the offer it
    likes best, Moscow picks among withdrawing, running and bargaining, Washington among blockade,
    strike and acquiescence."""
    values = CUBAN_TERMS | {"p_blockade_war": q, "p_missiles_survive": p, "strike_cost": strike_cost}
    values |= {"pledge_value": pledge_value}
    solution = solve_spe(compile_game(load("cuban_missile_1962"), values))
    run = (q * -10 + (1 - q) * -2, q * -10 + (1 - q) * 2)  # (US, USSR) if Moscow runs the blockade
    offers = {  # what each answer costs Washington and gives Moscow on withdrawal
        "pledge": (0.3, pledge_value),
        "pledge_and_jupiters": (0.3 + 0.7, pledge_value + 0.9),
        "refuse": (0.0, 0.0),
    }
    answers = {
        offer: ("withdraw", (1 - cost, -1 + gain)) if -1 + gain >= run[1] else ("run_blockade", run)
        for offer, (cost, gain) in offers.items()
    }
    offer = max(answers, key=lambda o: (answers[o][1][0], -list(offers).index(o)))
    replies = {"withdraw": (1.0, -1.0), "run_blockade": run, "bargain": answers[offer][1]}
    reply = max(replies, key=lambda r: (replies[r][1], -list(replies).index(r)))
    choices = {"blockade": replies[reply][0], "air_strike": (1 - p) * 2 + p * -10 - strike_cost, "acquiesce": -2.0}
    choice = max(choices, key=lambda c: (choices[c], -list(choices).index(c)))
    path = path_of(solution)
    assert path[0] == choice
    assert solution.values[0, 0] == pytest.approx(choices[choice])
    if choice == "blockade":
        assert path[1] == reply
        if reply == "bargain":
            assert path[2:4] == [offer, answers[offer][0]]


def test_prisoners_dilemma_has_only_mutual_defection():
    game = compile_game(load("prisoners_dilemma"))
    equilibria = enumerate_pure(game)
    assert [e.nested_profile() for e in equilibria] == [[[[0.0, 1.0]], [[0.0, 1.0]]]]
    np.testing.assert_allclose(equilibria[0].values, [[1.0, 1.0]])


def test_chicken_has_two_pure_equilibria_where_one_side_swerves():
    equilibria = enumerate_pure(compile_game(load("chicken")))
    profiles = sorted(tuple(int(np.argmax(e.profile[0, s : s + 2])) for s in (0, 2)) for e in equilibria)
    assert profiles == [(0, 1), (1, 0)]


def test_sequential_chicken_rewards_the_first_mover():
    game = compile_game(load("chicken"))
    solution = solve_spe(dataclasses.replace(game, tree=split_infosets(game.tree)))
    assert path_of(solution) == ["straight", "swerve"]


# --- solver properties -----------------------------------------------------------------------


def test_a_batch_of_draws_equals_draws_solved_one_by_one():
    scenario = load("dprk_russia_2024")
    rng = np.random.default_rng(11)
    values = {name: param.ppf(rng.random(6)) for name, param in scenario.parameters.items()}
    game = compile_game(scenario, values)
    game = dataclasses.replace(game, tree=split_infosets(game.tree))
    batch = solve_spe(game)
    for k in range(6):
        single = solve_spe(game.draw(k))
        np.testing.assert_array_equal(batch.profile[k], single.profile[0])
        np.testing.assert_array_equal(batch.values[k], single.values[0])


def test_ties_go_to_the_first_listed_action():
    text = (
        'EFG 2 R "" { "1" }\n""\np "" 1 1 "" { "a" "b" "c" } 0\nt "" 1 "x" { 1 }\nt "" 2 "y" { 2 }\nt "" 3 "z" { 2 }\n'
    )
    solution = solve_spe(parse_efg(text))
    np.testing.assert_array_equal(solution.profile[0], [0, 1, 0])


def test_information_sets_are_solved_inside_their_smallest_subgame():
    scenario = load("dprk_russia_2024")
    game = compile_game(scenario)
    solution = solve_spe(game)
    tree = game.tree
    (hidden,) = [h for h, label in enumerate(tree.infoset_labels) if label == "west_unrevealed"]
    start = tree.action_offset[hidden]
    np.testing.assert_allclose(solution.profile[0, start : start + 2].sum(), 1.0)
    assert solution.max_regret[0] <= 1e-8 * np.ptp(game.payoff)
    # the subgame holding the West's information set starts at North Korea's deployment choice
    from escalade.solve.spe import regions

    (region,) = regions(tree)
    assert tree.node_labels[region.root] == "dprk_deploy"


def test_a_subgame_with_an_information_set_is_an_equilibrium_of_that_subgame():
    game = compile_game(load("chicken"))
    solution = solve_spe(game)
    assert solution.max_regret[0] <= 1e-8 * np.ptp(game.payoff)
    # chicken's logit limit is its mixed equilibrium: straight with probability 1/crash_cost
    np.testing.assert_allclose(solution.profile[0], [0.9, 0.1, 0.9, 0.1], atol=1e-6)


def test_the_regret_check_rejects_a_profile_that_is_not_an_equilibrium():
    game = compile_game(load("prisoners_dilemma"))
    cooperate = np.array([[1.0, 0.0, 1.0, 0.0]])
    with pytest.raises(SolverError, match="fails its equilibrium check"):
        certify("test", game, cooperate)


def test_a_scripted_policy_is_followed_and_others_respond():
    scenario = load("dprk_russia_2024")
    game = compile_game(scenario)
    for policy in ("deterrence", "escalation_management"):
        solution = solve_spe(script(game, policy_profile(scenario, game.tree, policy)))
        assert "WEST" not in [solution.game.tree.players[p] for p in solution.game.tree.infoset_player]
        tree = solution.game.tree
        west_moves = {
            tree.move_labels[n]
            for t in np.flatnonzero(solution.outcome_probs[0] > 0)
            for n in tree.path_to(int(tree.terminal_nodes[t]))[1:]
            if tree.node_labels[tree.parent[n]] in ("west_revealed", "west_hidden")
        }
        assert west_moves == {policy}


def generic_perfect_information(game) -> bool:
    """Every mover strictly prefers one child at every node (no ties anywhere)."""
    tree = game.tree
    solution = solve_spe(game)
    values = node_values(game, move_probabilities(game, solution.profile), level_plans(tree))[0]
    for node in np.flatnonzero(tree.infoset >= 0):
        children = np.arange(tree.first_child[node], tree.first_child[node] + tree.n_children[node])
        mine = np.sort(values[children, tree.player[node]])
        if len(mine) > 1 and mine[-1] - mine[-2] < 1e-6:
            return False
    return True


REFERENCE = gambit_reference()
PERFECT_INFO = [
    path
    for path in gambit_efg_files()
    if "profile" in REFERENCE.get(path.name, {}).get("logit_limit", {})
    and read_efg(path).tree.is_perfect_information()
    and read_efg(path).tree.n_infosets > 0
]


@pytest.mark.parametrize("path", PERFECT_INFO, ids=lambda p: p.name)
def test_backward_induction_matches_gambits_logit_limit_on_generic_games(path):
    """In a generic perfect-information game the logit QRE's limit is the unique SPE."""
    game = read_efg(path)
    if not generic_perfect_information(game):
        pytest.skip("payoff ties: the logit limit mixes where backward induction picks one")
    solution = solve_spe(game)
    theirs = REFERENCE[path.name]["logit_limit"]["profile"]
    for ours_player, theirs_player in zip(solution.nested_profile(), theirs, strict=True):
        for ours_h, theirs_h in zip(ours_player, theirs_player, strict=True):
            np.testing.assert_allclose(ours_h, theirs_h, atol=1e-4)


@pytest.mark.parametrize("path", PERFECT_INFO, ids=lambda p: p.name)
def test_every_perfect_information_reference_game_solves_with_zero_regret(path):
    game = read_efg(path)
    solution = solve_spe(game)
    assert solution.max_regret[0] <= 1e-9 * max(1.0, np.ptp(game.payoff))
    np.testing.assert_allclose(solution.outcome_probs.sum(), 1.0)
