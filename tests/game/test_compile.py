import numpy as np
import pytest

from escalade.game import (
    CHANCE,
    TERMINAL,
    compile_game,
    compile_tree,
    policy_profile,
    split_infosets,
)
from escalade.scenario import load, loads
from tests.scenario.test_load import SMALL


def test_nodes_are_breadth_first_with_contiguous_children():
    tree = compile_tree(load("dprk_russia_2024"))
    internal = tree.player != TERMINAL
    assert np.all(tree.parent[1:] < np.arange(1, tree.n_nodes))
    for node in np.flatnonzero(internal):
        children = np.arange(tree.first_child[node], tree.first_child[node] + tree.n_children[node])
        assert np.all(tree.parent[children] == node)
        assert np.array_equal(tree.action[children], np.arange(tree.n_children[node]))


def test_effects_accumulate_along_the_path():
    scenario = loads(SMALL)
    game = compile_game(scenario, {"p": 0.5, "cost": 0.25})
    tree = game.tree
    paths = {
        tuple(tree.move_labels[n] for n in tree.path_to(node)[1:]): t for t, node in enumerate(tree.terminal_nodes)
    }
    gain, escalation = 0, 1
    resisted = game.outcome[0, paths[("push", "seen", "resist")]]
    assert resisted[gain] == -1 and resisted[escalation] == 5
    # utility: A weighs gain 1 and escalation -cost; B weighs gain -1
    np.testing.assert_allclose(game.payoff[0, paths[("push", "seen", "resist")]], [-1 - 0.25 * 5, 1])
    np.testing.assert_allclose(game.payoff[0, paths[("wait",)]], [0, 0])


def test_chance_probabilities_follow_the_parameters():
    game = compile_game(loads(SMALL), {"p": [0.2, 0.7], "cost": 0.5})
    chance_node = np.flatnonzero(game.tree.player == CHANCE)[0]
    first = game.tree.first_child[chance_node]
    np.testing.assert_allclose(game.chance_prob[:, first : first + 2], [[0.2, 0.8], [0.7, 0.3]])


def test_a_batch_of_draws_equals_the_draws_compiled_one_by_one():
    scenario = load("dprk_russia_2024")
    rng = np.random.default_rng(3)
    values = {name: param.ppf(rng.random(5)) for name, param in scenario.parameters.items()}
    batch = compile_game(scenario, values)
    for k in range(5):
        single = compile_game(scenario, {name: v[k] for name, v in values.items()})
        np.testing.assert_array_equal(batch.payoff[k], single.payoff[0])
        np.testing.assert_array_equal(batch.chance_prob[k], single.chance_prob[0])


def test_shared_nodes_unfold_into_copies_with_their_own_histories():
    scenario = load("dprk_russia_2024")
    tree = compile_tree(scenario)
    copies = [n for n in range(tree.n_nodes) if tree.node_labels[n] == "dprk_next"]
    assert len(copies) > 1
    hidden = [h for h, label in enumerate(tree.infoset_labels) if label == "west_unrevealed"]
    assert len(hidden) == 1 and len(tree.infoset_nodes(hidden[0])) == 2
    assert not tree.is_perfect_information()
    assert split_infosets(tree).is_perfect_information()


def test_parameter_values_are_checked():
    scenario = loads(SMALL)
    with pytest.raises(ValueError, match="no values"):
        compile_game(scenario, {"p": 0.5})
    with pytest.raises(ValueError, match="unknown"):
        compile_game(scenario, {"p": 0.5, "cost": 1, "extra": 2})


def test_a_policy_fixes_its_actor_at_every_copy_of_its_nodes():
    scenario = load("dprk_russia_2024")
    tree = compile_tree(scenario)
    fixed = policy_profile(scenario, tree, "deterrence")
    west = [h for h in range(tree.n_infosets) if tree.players[tree.infoset_player[h]] == "WEST"]
    assert west
    for h in west:
        start = tree.action_offset[h]
        np.testing.assert_array_equal(fixed[start : start + 2], [0.0, 1.0])
    assert np.isnan(fixed).sum() == tree.n_slots - 2 * len(west)
