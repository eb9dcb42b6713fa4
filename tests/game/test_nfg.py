import numpy as np
import pytest

from escalade.game import EfgError, parse_nfg, read_nfg
from tests.conftest import GAMBIT_GAMES

PAYOFF_VERSION = """NFG 1 R "t" { "1" "2" } { 2 3 }

1 10 2 20 3 30 4 40 5 50 6 60
"""
OUTCOME_VERSION = """NFG 1 R "t" { "1" "2" }
{ { "a" "b" } { "x" "y" "z" } }
""

{
{ "" 1, 10 }
{ "" 2, 20 }
}
1 2 0 1 2 0
"""


def payoff_of(game, strategies):
    tree = game.tree
    node = 0
    for s in strategies:
        node = tree.first_child[node] + s
    return game.payoff[0, tree.terminal[node]]


def test_player_one_strategy_changes_fastest_in_the_payoff_list():
    game = parse_nfg(PAYOFF_VERSION)
    np.testing.assert_array_equal(payoff_of(game, (1, 0)), [2, 20])
    np.testing.assert_array_equal(payoff_of(game, (0, 1)), [3, 30])
    np.testing.assert_array_equal(payoff_of(game, (1, 2)), [6, 60])


def test_outcome_version_and_the_null_outcome():
    game = parse_nfg(OUTCOME_VERSION)
    assert game.tree.action_labels == ["a", "b", "x", "y", "z"]
    np.testing.assert_array_equal(payoff_of(game, (1, 0)), [2, 20])
    np.testing.assert_array_equal(payoff_of(game, (0, 1)), [0, 0])


def test_each_player_has_one_information_set():
    game = parse_nfg(PAYOFF_VERSION)
    assert list(game.tree.infoset_player) == [0, 1]
    assert len(game.tree.infoset_nodes(1)) == 2


def test_a_short_payoff_list_is_an_error_with_a_line():
    with pytest.raises(EfgError, match=r"bad.nfg:\d+: expected word"):
        parse_nfg(PAYOFF_VERSION.replace(" 6 60", ""), "bad.nfg")


@pytest.mark.parametrize("path", sorted(GAMBIT_GAMES.glob("*.nfg")), ids=lambda p: p.name)
def test_every_gambit_strategic_game_reads(path):
    game = read_nfg(path)
    assert game.tree.n_terminals == int(np.prod(game.tree.n_actions))
