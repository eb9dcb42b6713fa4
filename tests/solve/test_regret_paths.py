"""The regret check's one-pass best response (players whose information sets are single nodes) gives
the same best responses as the counterfactual passes, on random behaviour profiles."""

import numpy as np
import pytest

from escalade.game import compile_game, compile_tree, policy_profile, script
from escalade.scenario import load
from escalade.simulate import sample_parameters
from escalade.solve.verify import _best_response, _values, level_plans, node_moves


def random_profile(tree, k, rng):
    profile = np.zeros((k, tree.n_slots))
    for h in range(tree.n_infosets):
        start, count = tree.action_offset[h], tree.n_actions[h]
        mixed = rng.dirichlet(np.ones(count), size=k)
        pure = np.eye(count)[rng.integers(0, count, size=k)]
        profile[:, start : start + count] = np.where(rng.random((k, 1)) < 0.5, mixed, pure)
    return profile


@pytest.mark.parametrize(("name", "policy"), [("dprk_russia_2024", "deterrence"), ("cuban_missile_1962", None)])
def test_the_one_pass_best_response_equals_the_counterfactual_one(name, policy):
    scenario = load(name)
    tree = compile_tree(scenario)
    game = compile_game(scenario, sample_parameters(scenario, 16, seed=4), tree)
    if policy is not None:
        game = script(game, policy_profile(scenario, tree, policy))
    tree = game.tree
    members = np.bincount(tree.infoset[tree.infoset >= 0], minlength=tree.n_infosets)
    players = [
        p
        for p in range(len(tree.players))
        if np.any(tree.infoset_player == p) and np.all(members[tree.infoset_player == p] == 1)
    ]
    assert players  # the test compares something
    moves = node_moves(game, random_profile(tree, 16, np.random.default_rng(7)))
    plans = level_plans(tree)
    direct = _values(game, moves, plans, players, deviate=True)[0].T  # (K, players)
    for column, player in enumerate(players):
        assert np.allclose(direct[:, column], _best_response(game, moves, plans, player), rtol=0, atol=1e-10)
