import dataclasses
import re
import time
from fractions import Fraction

import numpy as np
import pytest

from escalade.game import EfgError, compile_game, parse_efg, read_efg, write_efg
from escalade.game.efg import NEAR, _number_text
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
    # payoffs are written as the shortest decimal within NEAR units in the last place (0.1 + 0.2 as 0.3)
    assert np.all(np.abs(a.payoff - b.payoff) <= NEAR * np.spacing(np.abs(a.payoff)))
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
    scenario = load("dprk_russia_2024")
    values = {name: param.ppf(0.37) for name, param in scenario.parameters.items()}
    text = write_efg(compile_game(scenario, values))
    for line in text.splitlines():
        if line.startswith("c "):
            numbers = line.split("{")[1].split("}")[0].split()[1::2]
            assert sum(Fraction(n) for n in numbers) == 1, line


# Hostile input (issue "Tests that travel, inputs that cannot hurt"): every malformed file is an
# EfgError that names the file and the line, never another exception, and no game with numbers a
# solver cannot trust is read. tests/game/test_gambit_fuzz.py searches for more such files.

HEADER = 'EFG 2 R "t" { "1" "2" }\n""\n\n'  # lines 1-3: the first node is on line 4
CHOICE = 'p "" 1 1 "" { "a" "b" } 0\n'
LEAVES = 't "" 1 "x" { 1, 2 }\nt "" 2 "y" { 3, 4 }\n'


def refusal(text: str, name: str = "bad.efg") -> tuple[int, str]:
    """The line and the rest of the message of the EfgError that reading ``text`` raises."""
    with pytest.raises(EfgError) as info:
        parse_efg(text, name)
    where, _, message = str(info.value).partition(": ")
    file, _, line = where.rpartition(":")
    assert file == name, str(info.value)
    assert " — " in message, f"no fix is suggested: {message}"
    return int(line), message


@pytest.mark.parametrize(
    ("probabilities", "words"),
    [
        ('"H" 1/2 "L" 1', "the chance probabilities sum to 1.5, not 1 — make them add up to 1"),
        ('"H" 0 "L" 0', "the chance probabilities sum to 0, not 1"),
        ("", "the chance probabilities sum to 0, not 1"),
        ('"H" 0.33 "L" 0.33 "M" 0.33', "sum to 0.99, not 1 — make them add up to 1: for thirds write 1/3"),
        ('"H" 0.33333333 "L" 0.33333333 "M" 0.33333333', "sum to 0.99999999, not 1"),
        ('"H" -1/2 "L" 3/2', "chance probability -0.5 is negative — probabilities go from 0 to 1"),
    ],
)
def test_chance_probabilities_must_be_a_distribution(probabilities, words):
    line, message = refusal(HEADER + f'c "" 1 "" {{ {probabilities} }} 0\n' + LEAVES)
    assert line == 4
    assert words in message


def test_the_chance_error_names_the_line_of_its_probabilities():
    text = HEADER + CHOICE + 't "" 1 "x" { 1, 2 }\nc "" 1 "" {\n"H" 1/2\n"L" 1/4\n} 0\n' + LEAVES
    line, message = refusal(text)
    assert (line, message.split(" — ")[0]) == (6, "the chance probabilities sum to 0.75, not 1")
    negative = HEADER + CHOICE + 't "" 1 "x" { 1, 2 }\nc "" 1 "" {\n"H" 3/2\n"L" -1/2\n} 0\n' + LEAVES
    assert refusal(negative)[0] == 8


@pytest.mark.parametrize(
    "probabilities",
    ["1/3 1/3 1/3", "0.2 0.3 0.5", "1/6 0.5 1/3", "0.3333333333 0.3333333333 0.3333333333", "1 0 0"],
)
def test_distributions_are_read_exactly_and_within_a_tolerance_of_1e_9(probabilities):
    moves = " ".join(f'"{m}" {p}' for m, p in zip("HLM", probabilities.split(), strict=True))
    game = parse_efg(HEADER + f'c "" 1 "" {{ {moves} }} 0\n' + LEAVES + 't "" 3 "z" { 5, 6 }\n')
    expected = [float(Fraction(p)) for p in probabilities.split()]
    np.testing.assert_array_equal(game.chance_prob[0, 1:], expected)


def _wide_efg(depth: int) -> str:
    """A full binary tree under a chance move, players alternating: ~0.9 MB of text at depth 13."""
    lines = [HEADER.rstrip("\n"), 'c "root" 1 "" { "H" 1/3 "L" 2/3 } 0']
    stack = [0, 0]
    outcome = 0
    while stack:
        level = stack.pop()
        if level == depth:
            outcome += 1
            lines.append(f't "" {outcome} "" {{ {outcome % 7}/3, -{outcome % 5} }}')
        else:
            lines.append(f'p "" {level % 2 + 1} {level + 1} "" {{ "a" "b" }} 0')
            stack += [level + 1, level + 1]
    return "\n".join(lines) + "\n"


def test_reading_takes_time_linear_in_the_size_of_the_file():
    """Each token's line used to be counted from the start of the text: this 0.86 MB file took 77 s."""
    text = _wide_efg(13)
    start = time.perf_counter()
    game = parse_efg(text)
    elapsed = time.perf_counter() - start
    assert game.tree.n_nodes == 2**15 - 1
    assert elapsed < 20, f"{len(text) / 1e6:.2f} MB read in {elapsed:.1f} s"
    # and the lines counted as it goes are right at the far end of the file, and across strings
    assert refusal(text + "\n\nt")[0] == text.count("\n") + 3
    assert refusal('EFG 2 R "a title\non two lines" { "1" }\n""\nt "" 1 "o" { x }\n')[0] == 4


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        # numbers beyond a float, not finite, or no numbers at all
        ('t "" 1 "o" { 1e400, 0 }', 4, "'1e400' is beyond the range of a float"),
        ('t "" 1 "o" { 1e999999999, 0 }', 4, "'1e999999999' is beyond the range of a float"),
        (f't "" 1 "o" {{ 0, -1{"0" * 400} }}', 4, "is beyond the range of a float"),
        (f't "" 1 "o" {{ 0, 1{"0" * 400}/3 }}', 4, "is beyond the range of a float"),
        ('t "" 1 "o" { 1e301, 0 }', 4, "payoff 1e+301 is too large — escalade reads payoffs up to 1e+300"),
        ('t "" 1 "o" { nan, 0 }', 4, "'nan' is not a finite number"),
        ('t "" 1 "o" { 0, -inf }', 4, "'-inf' is not a finite number"),
        ('t "" 1 "o" { 1/0, 0 }', 4, "'1/0' divides by zero"),
        ('t "" 1 "o" { 1, two }', 4, "expected a number, found 'two'"),
        ('t "" 1 "o"\n{ 1, 0x10 }', 5, "expected a number, found '0x10'"),
        (f't "" 1 "o" {{ {"1" * 5000}/3, 0 }}', 4, "has more than 4000 digits"),
        # numbers of players, infosets and outcomes out of range
        ('p "" 0 1 "" { "a" } 0\nt "" 0', 4, "player 0 is out of range — the game has 2 players"),
        ('p "" 3 1 "" { "a" } 0\nt "" 0', 4, "player 3 does not exist"),
        ('p "" 1 -1 "" { "a" } 0\nt "" 0', 4, "infoset -1 is out of range — use a whole number from 1 to 2147483647"),
        (f'p "" 1 1{"0" * 400} "" {{ "a" }} 0\nt "" 0', 4, "infoset 1000"),
        ('c "" 0 "" { "a" 1 } 0\nt "" 0', 4, "chance infoset 0 is out of range"),
        ('t "" -1 "o" { 1, 2 }', 4, "outcome -1 is out of range"),
        ('t "" 2147483648 "o" { 1, 2 }', 4, "outcome 2147483648 is out of range"),
        ('t "" 1.5 "o" { 1, 2 }', 4, "expected a whole number (outcome), found '1.5'"),
        ('p "" 1 1 "" { "a" } 0\nt "" 7', 5, "outcome 7 is used before its payoffs are given"),
        ('p "" 1 2 0\nt "" 0', 4, "infoset 2 of player 1 is used before its actions are given"),
        # damaged structure: truncated, braces or quotes missing, infosets that disagree
        ('p "" 1 1 "" { "a" "b" } 0\nt "" 0', 5, "expected word, found 'end of file'"),
        ('p "" 1 1 "" { "a" "b" } 0\nt "" 1 "o" { 1, 2\nt "" 0', 6, "expected a number, found 't'"),
        ('p "" 1 1 "" { "a" "b" 0\nt "" 0\nt "" 0', 4, "expected }, found '0'"),
        ('p "" 1 1 "" { "a" "b" } 0\nt "" 1 "o { 1, 2 }\nt "" 0', 6, "a quoted string is not closed"),
        ('p "" 1 1 "" { } 0', 4, "infoset 1 of player 1 has no actions — give it at least one"),
        (
            'p "" 1 1 "" { "a" "b" } 0\np "" 2 1 "" { "x" } 0\nt "" 0\np "" 2 1 "" { "x" "y" } 0\nt "" 0\nt "" 0',
            7,
            "infoset 1 of player 2 has 1 action(s) at an earlier node and 2 here",
        ),
        ('q "" 1 1 "" { "a" } 0', 4, "unknown node type 'q' — nodes start with p, c or t"),
        ('t "" 1 "o" { 1, 2, 3 }', 4, "outcome 1 has 3 payoffs for 2 players"),
        # outcomes above a terminal that add up beyond what a solver can hold
        ('p "" 1 1 "" { "a" "b" } 1 "o" { 1e300, 0 }\nt "" 2 "p" { 1e300, 0 }\nt "" 0', 5, "add up to payoffs over"),
    ],
)
def test_hostile_files_are_refused_with_the_file_and_line(body, line, words):
    found, message = refusal(HEADER + body + "\n")
    assert found == line, message
    assert words in message


def test_a_game_needs_players_and_one_tree():
    assert refusal('EFG 2 R "t" { }\n""\nt "" 0\n') == (
        1,
        'the game has no players — name at least one, as in { "1" "2" }',
    )
    assert refusal(HEADER + 't "" 0\nt "" 0\n')[1].startswith("unexpected text after the last node")
    assert refusal("")[0] == 1


def test_a_file_that_is_not_utf8_is_refused_at_its_line(tmp_path):
    path = tmp_path / "latin1.efg"
    path.write_bytes((HEADER + 'p "" 1 1 "caf\xe9" { "a" } 0\nt "" 0\n').encode("latin-1"))
    with pytest.raises(EfgError, match=r"latin1\.efg:4: the file is not UTF-8 text"):
        read_efg(path)
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + CHOICE + LEAVES).encode())  # a byte-order mark is fine
    assert read_efg(path).tree.n_nodes == 3


def _with_second_draw(game, payoff=None, chance=None):
    """``game`` with a second draw, equal to the first except for the given payoffs or probabilities."""
    return dataclasses.replace(
        game,
        payoff=np.concatenate([game.payoff, game.payoff if payoff is None else payoff[None]]),
        chance_prob=np.concatenate([game.chance_prob, game.chance_prob if chance is None else chance[None]]),
        outcome=np.concatenate([game.outcome, game.outcome]),
    )


@pytest.mark.parametrize(("value", "shown"), [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf"), (1e301, "1e+301")])
def test_the_writer_refuses_payoffs_no_reader_accepts_naming_the_draw(value, shown):
    game = parse_efg(HEADER + CHOICE + LEAVES)
    payoff = game.payoff[0].copy()
    payoff[1, 1] = value
    both = _with_second_draw(game, payoff=payoff)
    assert_same_game(game, parse_efg(write_efg(both, draw=0)))
    with pytest.raises(
        EfgError, match=rf"^draw 1: the payoff of '2' at the node after b is {re.escape(shown)}; "
    ) as info:
        write_efg(both, draw=1)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("probabilities", [[np.nan, 1.0], [np.inf, 0.0], [1.5, -0.5], [0.5, 0.6]])
def test_the_writer_refuses_chance_probabilities_that_are_no_distribution(probabilities):
    game = parse_efg(HEADER + 'c "chance" 1 "" { "H" 1/2 "L" 1/2 } 0\n' + LEAVES)
    chance = game.chance_prob[0].copy()
    chance[1:] = probabilities
    with pytest.raises(EfgError, match=r"^draw 1: the chance probabilities at 'chance' \(after the root\) are"):
        write_efg(_with_second_draw(game, chance=chance), draw=1)


def test_the_writer_rounds_chance_probabilities_on_the_largest_branch():
    """Probabilities a rounding above 1 in total, with a last branch of 0: giving the last branch the
    remainder would write a negative probability, which no reader accepts."""
    game = parse_efg(HEADER + 'c "" 1 "" { "H" 0.6 "L" 0.4 "M" 0 } 0\n' + LEAVES + 't "" 3 "z" { 5, 6 }\n')
    chance = game.chance_prob[0].copy()
    chance[1:] = [0.6, 0.4000000000000001, 0.0]
    text = write_efg(_with_second_draw(game, chance=chance), draw=1)
    np.testing.assert_allclose(parse_efg(text).chance_prob[0], chance, rtol=0, atol=1e-15)
    assert '"M" 0 }' in text


def test_noise_digits_are_dropped_and_ends_named_by_their_moves():
    """An expression's 0.1 + 0.2 is written 0.3 (within NEAR units in the last place), a true 1/3 in
    full; an end is named by the moves that lead to it, not "end (2)"."""
    assert _number_text(0.1 + 0.2) == "0.3" and float(_number_text(1 / 3)) == 1 / 3
    assert _number_text(1e-20) == "0.00000000000000000001" and _number_text(-2.0) == "-2"
    text = write_efg(compile_game(load("cuban_missile_1962")))
    ends = [line for line in text.splitlines() if line.startswith("t ")]
    assert '"blockade, run_blockade, war"' in text and not any("end" in line for line in ends)
