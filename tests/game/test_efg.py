import numpy as np
import pytest

from escalade.game import EfgError, compile_game, parse_efg, read_efg, write_efg
from escalade.scenario import load, shipped_scenarios
from tests.conftest import gambit_efg_files


def assert_same_game(a, b):
    for name in (
        "parent",
        "player",
        "infoset",
        "first_child",
        "n_children",
        "action",
        "infoset_player",
        "n_actions",
    ):
        np.testing.assert_array_equal(getattr(a.tree, name), getattr(b.tree, name), err_msg=name)
    # The last branch of a chance node is written as the exact decimal remainder so that the
    # probabilities sum to exactly 1 (Gambit refuses files where they do not): a rounding-level change.
    np.testing.assert_allclose(a.chance_prob, b.chance_prob, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(a.payoff, b.payoff)
    assert a.tree.action_labels == b.tree.action_labels
    assert a.tree.players == b.tree.players


TREE_SCENARIOS = sorted(name for name, path in shipped_scenarios().items() if load(path).root is not None)


@pytest.mark.parametrize("name", TREE_SCENARIOS)
def test_scenarios_round_trip_through_efg(name):
    game = compile_game(load(name))
    assert_same_game(game, parse_efg(write_efg(game)))


@pytest.mark.parametrize("path", gambit_efg_files(), ids=lambda p: p.name)
def test_gambit_example_games_read_and_round_trip(path):
    game = read_efg(path)
    assert game.tree.n_nodes >= 1
    assert_same_game(game, parse_efg(write_efg(game)))


def test_fractions_and_nonterminal_outcomes_are_read(gambit_games):
    game = read_efg(gambit_games / "2_player_chance.efg")
    assert game.tree.players == ["1", "2"]
    np.testing.assert_allclose(game.chance_prob[0, 1:3], [0.5, 0.5])
    nonterminal = read_efg(gambit_games / "3_player_with_nonterm_outcomes.efg")
    plain = read_efg(gambit_games / "3_player.efg")
    assert nonterminal.tree.n_nodes == plain.tree.n_nodes


def test_outcomes_above_a_terminal_add_to_its_payoff():
    text = """EFG 2 R "t" { "1" "2" }
""

p "" 1 1 "" { "a" "b" } 1 "bonus" { 1, 2 }
t "" 2 "x" { 10, 20 }
t "" 0
"""
    game = parse_efg(text)
    np.testing.assert_array_equal(game.payoff[0], [[11, 22], [1, 2]])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("NFG 1 R", "not a Gambit EFG file"),
        ('EFG 2 R "" { "1" }\n""\np "" 3 1 "" { "a" } 0\nt "" 0\n', "player 3 does not exist"),
        ('EFG 2 R "" { "1" }\n""\np "" 1 1 "" { "a" } 0\nt "" 4\n', "outcome 4"),
        ('EFG 2 R "" { "1" }\n""\np "" 1 1 "" { "a" } 0\n', "expected word"),
        ('EFG 2 R "" { "1" }\n""\nt "" 1 "o" { x }\n', "expected a number"),
    ],
)
def test_malformed_files_name_the_line(text, words):
    with pytest.raises(EfgError, match=words) as info:
        parse_efg(text, "bad.efg")
    assert str(info.value).startswith("bad.efg:")


def test_exported_chance_probabilities_sum_to_exactly_one():
    from fractions import Fraction

    scenario = load("dprk_russia_2024")
    values = {name: param.ppf(0.37) for name, param in scenario.parameters.items()}
    text = write_efg(compile_game(scenario, values))
    for line in text.splitlines():
        if line.startswith("c "):
            numbers = line.split("{")[1].split("}")[0].split()[1::2]
            assert sum(Fraction(n) for n in numbers) == 1, line
