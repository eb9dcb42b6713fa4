import tracemalloc

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


def refusal(text: str) -> tuple[int, str]:
    """The line and the rest of the message of the EfgError that reading ``text`` raises."""
    with pytest.raises(EfgError) as info:
        parse_nfg(text, "bad.nfg")
    where, _, message = str(info.value).partition(": ")
    assert where.startswith("bad.nfg:") and " — " in message, str(info.value)
    return int(where.split(":")[1]), message


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ("2147483647 2147483647", "2147483647 × 2147483647 strategies make 9,223,372,028,264,841,218 payoffs"),
        ("1000 1000", "1000 × 1000 strategies make a tree of 1,001,001 nodes — escalade embeds strategic games in"),
        (
            "2000 1001",
            "make 4,004,000 payoffs (strategy profiles × players) — escalade reads strategic games of up to 2,0",
        ),
    ],
)
def test_sizes_are_checked_before_anything_is_allocated(counts, words):
    """A 50-byte file asking for 2^62 strategy profiles raised MemoryError."""
    text = f'NFG 1 R "" {{ "1" "2" }} {{ {counts} }}\n'
    assert len(text) < 60 or counts != "2147483647 2147483647"
    tracemalloc.start()
    try:
        line, message = refusal(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (line, words in message) == (1, True), message
    assert peak < 1_000_000


def test_at_most_twelve_players():
    many = " ".join(f'"{i}"' for i in range(13))
    assert refusal(f'NFG 1 R ""\n{{ {many} }}\n{{ {"1 " * 13}}}\n') == (
        2,
        "the game has 13 players — escalade reads up to 12",
    )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('NFG 1 R "" { "1" "2" } { -2 3 }', 1, "strategy count -2 is out of range — use a whole number from 1 to"),
        ('NFG 1 R "" { "1" "2" } { 0 3 }', 1, "strategy count 0 is out of range"),
        ('NFG 1 R "" { "1" "2" } { 2 3.5 }', 1, "expected a whole number (strategy count), found '3.5'"),
        ('NFG 1 R "" { "1" "2" }\n{ { } { "a" } }', 2, "player 1 has no strategies — give each player at least one"),
        ('NFG 1 R "" { "1" "2" }\n{ 2 }', 2, "1 strategy lists for 2 players"),
        ('NFG 1 R "" { }\n{ }', 1, "the game has no players"),
        ("NFG 2 R", 1, "not a Gambit NFG file (version 1)"),
        (PAYOFF_VERSION.replace("3 30", "nan 30"), 3, "'nan' is not a finite number"),
        (PAYOFF_VERSION.replace("3 30", "3 -inf"), 3, "'-inf' is not a finite number"),
        (PAYOFF_VERSION.replace("3 30", "1e400 30"), 3, "'1e400' is beyond the range of a float"),
        (PAYOFF_VERSION.replace("3 30", f"1{'0' * 400} 30"), 3, "is beyond the range of a float"),
        (PAYOFF_VERSION.replace("3 30", "1e301 30"), 3, "payoff 1e+301 is too large"),
        (PAYOFF_VERSION.replace("3 30", "3/0 30"), 3, "'3/0' divides by zero"),
        (PAYOFF_VERSION.replace("3 30", "three 30"), 3, "expected a number, found 'three'"),
        (PAYOFF_VERSION.replace("6 60", "6 60 7"), 3, "unexpected text after the payoffs"),
        (PAYOFF_VERSION.replace("6 60", "6 60 }"), 3, "unexpected text after the payoffs"),
        (OUTCOME_VERSION.replace("1 2 0 1 2 0", "1 2 0 1 3 0"), 9, "outcome 3 is out of range — 0 (no outcome) or one"),
        (OUTCOME_VERSION.replace("1 2 0 1 2 0", "1 2 0 1 -1 0"), 9, "outcome -1 is out of range"),
        (OUTCOME_VERSION.replace("1 2 0 1 2 0", "1 2 0 1 2"), 9, "expected word, found 'end of file'"),
        (OUTCOME_VERSION.replace('{ "" 2, 20 }', '{ "" 2 }'), 7, "outcome 2 has 1 payoffs for 2 players"),
        (OUTCOME_VERSION.replace('{ "" 2, 20 }', '{ "" 2, nan }'), 7, "'nan' is not a finite number"),
        (OUTCOME_VERSION.replace('{ "" 2, 20 }', '{ "" 2, 20 '), 9, "expected }, found '1'"),
        (OUTCOME_VERSION.replace("1 2 0 1 2 0", '1 2 0 1 2 "0'), 9, "a quoted string is not closed"),
    ],
)
def test_hostile_files_are_refused_with_the_file_and_line(text, line, words):
    found, message = refusal(text)
    assert found == line, message
    assert words in message


def test_a_large_game_within_the_limits_reads():
    text = 'NFG 1 R "" { "1" "2" } { 300 200 }\n' + " ".join(["1 -1"] * 60_000) + "\n"
    game = parse_nfg(text)
    assert game.tree.n_terminals == 60_000
    assert payoff_of(game, (299, 199)).tolist() == [1, -1]
