"""Mutation fuzzing of the Gambit readers over every example game in tests/data/gambit_games.

Each case takes one shipped .efg or .nfg and damages it a few times: tokens or lines deleted,
duplicated or swapped, numbers replaced by hostile ones (huge, negative, NaN, infinite, 10**400
written out, fractions over zero), the text truncated, braces and quotes inserted, pieces of other
files spliced in. The case must then end in one of two ways:

* an :class:`EfgError` whose message starts with the file name and a line of the file, or
* a game with finite numbers, which (when small enough to solve quickly) the logit QRE at λ = 1
  solves to finite values and a finite regret, or refuses with a worded :class:`SolverError` for a
  reason that a valid game can have (imperfect recall; payoffs too far apart for doubles).

Any other exception, a RuntimeWarning (overflow, NaN) on the way, or a NaN in a game or an answer
fails the test. The cases are derandomized, so CI runs the same ones every time. The 1,000-case
campaign is marked slow and left out by default: ``pytest -m slow tests/game/test_gambit_fuzz.py``
(or ``make test-slow``); add ``--hypothesis-show-statistics`` to see how the cases ended.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from escalade.game import CHANCE, EfgError, Game, parse_efg, parse_nfg
from escalade.solve import SolverError, solve
from tests.conftest import GAMBIT_GAMES

TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted(GAMBIT_GAMES.glob("*.[en]fg"))}
NAMES = sorted(TEXTS)
# Larger games are read and checked, not solved, so each case stays cheap: the QRE's cost grows with
# the cube of the number of actions (ttt.efg, 167 actions, takes seconds).
MAX_SOLVED_NODES = 300
MAX_SOLVED_ACTIONS = 64
# SolverError reasons a valid game can have: the solver refuses them by design (see tests/solve).
SOLVER_REFUSALS = ("imperfect recall", "logit check")

HOSTILE_NUMBERS = [
    "1e400",
    "-1e400",
    "1" + "0" * 400,  # 10**400 written out
    "-" + "9" * 400,
    "1e999999999",
    "1e-400",
    "5e-324",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e300",
    "-1e300",
    "1e301",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1/0",
    "0/0",
    "-3/0",
    "1/3",
    "-1/3",
    "2/3",
    "1/-2",
    "1" * 5000 + "/3",
    "0",
    "-1",
    "-0",
    "1.5",
    "0.5",
    "2147483647",
    "2147483648",
    "-2147483649",
    "99999999999999999999999",
    "1e",
    "--1",
    "0x10",
    "1_000",
    "½",
]
numbers = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(-(10**6), 10**6).map(str),
    st.integers(-(10**400), 10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.tuples(st.integers(-100, 100), st.integers(-2, 100)).map(lambda t: f"{t[0]}/{t[1]}"),
)
INSERTS = ["{", "}", '"', '""', "{ }", ",", "\\", '\\"', "\n", " t ", ' p "" 1 1 ', ' c "" 1 ']
NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9./eE+-]*")


def _pieces(text: str) -> list[str]:
    """Tokens (even positions) and the whitespace between them (odd positions)."""
    return re.split(r"(\s+)", text)


def _position(draw: DrawFn, items: list, predicate=lambda _: True) -> int | None:
    choices = [i for i, item in enumerate(items) if predicate(item)]
    return draw(st.sampled_from(choices)) if choices else None


def delete_token(draw: DrawFn, text: str) -> str:
    pieces = _pieces(text)
    i = _position(draw, pieces, bool)
    if i is not None:
        pieces[i] = ""
    return "".join(pieces)


def duplicate_token(draw: DrawFn, text: str) -> str:
    pieces = _pieces(text)
    i = _position(draw, pieces, bool)
    if i is not None:
        pieces[i] = f"{pieces[i]} {pieces[i]}"
    return "".join(pieces)


def swap_tokens(draw: DrawFn, text: str) -> str:
    pieces = _pieces(text)
    i, j = _position(draw, pieces, bool), _position(draw, pieces, bool)
    if i is not None and j is not None:
        pieces[i], pieces[j] = pieces[j], pieces[i]
    return "".join(pieces)


def replace_number(draw: DrawFn, text: str) -> str:
    pieces = _pieces(text)
    i = _position(draw, pieces, lambda piece: NUMBER_LIKE.fullmatch(piece.rstrip(",")) is not None)
    if i is None:
        i = _position(draw, pieces, bool)
    if i is not None:
        pieces[i] = draw(numbers) + ("," if pieces[i].endswith(",") else "")
    return "".join(pieces)


def delete_line(draw: DrawFn, text: str) -> str:
    lines = text.split("\n")
    del lines[draw(st.integers(0, len(lines) - 1))]
    return "\n".join(lines)


def duplicate_line(draw: DrawFn, text: str) -> str:
    lines = text.split("\n")
    i = draw(st.integers(0, len(lines) - 1))
    lines.insert(i, lines[i])
    return "\n".join(lines)


def swap_lines(draw: DrawFn, text: str) -> str:
    lines = text.split("\n")
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def truncate(draw: DrawFn, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


def insert(draw: DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(INSERTS)) + text[at:]


def splice(draw: DrawFn, text: str) -> str:
    """A piece of another file (or of this one) put in place of a piece of this one."""
    other = TEXTS[draw(st.sampled_from(NAMES))]
    start = draw(st.integers(0, len(other)))
    piece = other[start : start + draw(st.integers(0, 300))]
    at = draw(st.integers(0, len(text)))
    return text[:at] + piece + text[at + draw(st.integers(0, 100)) :]


MUTATIONS = [
    delete_token,
    duplicate_token,
    swap_tokens,
    replace_number,
    replace_number,  # numbers are where most of the harm was found: drawn twice as often
    delete_line,
    duplicate_line,
    swap_lines,
    truncate,
    insert,
    splice,
]


@st.composite
def mutated_files(draw: DrawFn) -> tuple[str, str]:
    """(file name, damaged text) of a shipped Gambit game."""
    name = draw(st.sampled_from(NAMES))
    text = TEXTS[name]
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(st.sampled_from(MUTATIONS))
        text = mutation(draw, text)
        event(mutation.__name__)
    return name, text


def assert_sound(game: Game) -> None:
    """What every solver takes for granted: finite payoffs with a finite range, a distribution at each
    chance node, and at each decision node one child per action of its information set."""
    tree = game.tree
    assert np.isfinite(game.payoff).all() and np.isfinite(game.chance_prob).all()
    # every solver scales by the payoff range (1e308 and -1e308 are finite, their difference is not)
    assert math.isfinite(float(game.payoff.max()) - float(game.payoff.min()))
    for node in np.flatnonzero(tree.player == CHANCE):
        start = tree.first_child[node]
        probs = game.chance_prob[0, start : start + tree.n_children[node]]
        assert (probs >= 0).all() and abs(probs.sum() - 1) <= 1e-9, f"chance node {node}: {probs}"
    decision = np.flatnonzero(tree.player >= 0)
    np.testing.assert_array_equal(tree.n_children[decision], tree.n_actions[tree.infoset[decision]])
    assert (tree.n_children[decision] > 0).all()


def check(name: str, text: str) -> str:
    """What became of one file: "refused", "read", "solved" or "solver refused"; fails on anything else."""
    reader = parse_efg if name.endswith(".efg") else parse_nfg
    try:
        game = reader(text, name)
    except EfgError as exc:
        where = re.match(rf"{re.escape(name)}:(\d+): ", str(exc))
        assert where, f"the error does not start with file:line: {exc}"
        assert 1 <= int(where[1]) <= text.count("\n") + 1, f"line {where[1]} is not in the file: {exc}"
        return "refused"
    assert_sound(game)
    if game.tree.n_nodes > MAX_SOLVED_NODES or game.tree.n_slots > MAX_SOLVED_ACTIONS:
        return "read"
    try:
        [solution] = solve(game, "qre", lam=1.0)
    except SolverError as exc:
        assert any(reason in str(exc) for reason in SOLVER_REFUSALS), f"unexpected solver refusal: {exc}"
        return "solver refused"
    assert np.isfinite(solution.values).all(), solution.values
    assert np.isfinite(solution.max_regret).all(), solution.max_regret
    return "solved"


FUZZ = settings(
    deadline=None,
    derandomize=True,  # the same cases on every run, so CI is stable
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # an overflow or NaN on the way fails too
@settings(FUZZ, max_examples=200)
@given(mutated_files())
def test_damaged_gambit_files_are_refused_by_line_or_read_and_solved(case):
    _run(case)


@pytest.mark.slow
@pytest.mark.filterwarnings("error::RuntimeWarning")
@settings(FUZZ, max_examples=1000)
@given(mutated_files())
def test_many_damaged_gambit_files(case):
    _run(case)


def _run(case: tuple[str, str]) -> None:
    name, text = case
    note(f"{name}:\n{text}")
    event(check(name, text))
