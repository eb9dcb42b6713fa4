"""Read and write Gambit's extensive-form ``.efg`` format (version 2), so models move between tools.

The format lists nodes depth first: ``p`` (a player's node: player number, infoset number, and on
first use the infoset's name and action names), ``c`` (a chance node with action names and
probabilities) and ``t`` (a terminal); each may carry an outcome (payoffs per player, given in
full on first use). Outcomes at non-terminal nodes add to every terminal below them, which is
how escalade stores them. Numbers may be integers, decimals or fractions such as ``1/3``.

Files come from anywhere, so reading refuses, with an :class:`EfgError` naming the file and line,
anything a solver could not trust: numbers that are not finite floats, chance probabilities that
are negative or do not sum to 1, numbers out of range, and games too large to hold.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import numpy as np

from escalade.game.tree import CHANCE, TERMINAL, Game, Tree, TreeBuilder


class EfgError(ValueError):
    """A malformed Gambit file (.efg or .nfg), whose message names the file and line; or a draw of
    a game that cannot be written as one."""


# Largest tree read (or embedded from an .nfg): reading peaks at about 2 kB a node, so 2 GB at the limit.
MAX_NODES = 1_000_000
MAX_INTEGER = 2**31 - 1  # player, infoset and outcome numbers: the range of a C int, as in Gambit's own files
PROBABILITY_TOLERANCE = 1e-9  # how far from 1 the chance probabilities of a node may sum
# Largest payoff size read or written: solvers take differences of payoffs and sums over up to MAX_NODES
# terminals, which stay finite below this (1e308 and -1e308 are finite, their difference is not).
MAX_PAYOFF = 1e300

# a quoted string, a brace, a word (anything up to a space, brace, comma or quote), or a quote that
# opens no complete string; spaces and commas between tokens are skipped
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{}])|([^\s{},"]+)|(")', re.S)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(
    r"(?P<numerator>[+-]?[0-9]+)/(?P<denominator>[0-9]+)|[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)
_MAX_DIGITS = 4000  # in a fraction's numerator or denominator (Python reads integers of up to 4300)
_NUMBER_HINT = "numbers are integers, decimals or fractions such as 1/3, and finite"


NEAR = 4  # units in the last place a written number may differ from the value, to drop noise digits


def _number_text(value: float) -> str:
    """The shortest decimal within ``NEAR`` units in the last place of ``value``, without an exponent:
    an expression's 0.1 + 0.2 is written 0.3, not 0.30000000000000004 (a change far below every solver
    tolerance); other values are written exactly (the shortest decimal that reads back as them)."""
    value = float(value)
    for digits in range(1, 18):
        text = np.format_float_positional(value, precision=digits, unique=False, fractional=False, trim="-")
        if abs(float(text) - value) <= NEAR * np.spacing(abs(value)):
            return text
    return np.format_float_positional(value, unique=True, trim="-")


def _probabilities_text(probs: np.ndarray) -> list[str]:
    """Decimal texts of ``probs`` that sum to exactly 1, as Gambit requires: the largest branch takes
    the exact decimal remainder of the others (a change of at most a few units in the 17th digit,
    which on the largest branch cannot make it negative)."""
    largest = int(np.argmax(probs))
    texts = [_number_text(p) for p in probs]
    texts[largest] = "0"
    remainder = Decimal(1) - sum((Decimal(t) for t in texts), Decimal(0))
    texts[largest] = format(remainder.normalize(), "f")
    return texts


class _Uniquifier:
    """Returns each non-empty text once as given, then with " (2)", " (3)"... appended."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        if not text:
            return text
        self.seen[text] = self.seen.get(text, 0) + 1
        return text if self.seen[text] == 1 else f"{text} ({self.seen[text]})"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _where(tree: Tree, node: int) -> str:
    """A node as a person finds it: its label, if any, and the moves that lead to it."""
    moves = " → ".join(tree.move_labels[n] for n in tree.path_to(node)[1:]) or "the root"
    label = tree.node_labels[node]
    return f"{label!r} (after {moves})" if label else f"the node after {moves}"


def _check_writable(game: Game, draw: int) -> None:
    """Refuse a draw whose file no reader would accept, Gambit's or ours, rather than write it:
    payoffs that are not finite, or chance probabilities that are not a distribution."""
    tree = game.tree
    payoff = game.payoff[draw]
    bad = np.argwhere(~(np.abs(payoff) <= MAX_PAYOFF))  # NaN included
    if len(bad):
        t, a = (int(i) for i in bad[0])
        raise EfgError(
            f"draw {draw}: the payoff of {tree.players[a]!r} at {_where(tree, int(tree.terminal_nodes[t]))} is "
            f"{payoff[t, a]}; a Gambit file holds finite numbers only, and escalade payoffs up to {MAX_PAYOFF:g} "
            f"in size — check the parameters of draw {draw}"
        )
    for node in np.flatnonzero(tree.player == CHANCE):
        start = tree.first_child[node]
        probs = game.chance_prob[draw, start : start + tree.n_children[node]]
        if not (np.all(np.isfinite(probs)) and np.all(probs >= 0)) or abs(math.fsum(probs) - 1) > PROBABILITY_TOLERANCE:
            raise EfgError(
                f"draw {draw}: the chance probabilities at {_where(tree, int(node))} are {probs.tolist()}, not finite "
                f"non-negative numbers that sum to 1 — check the parameters of draw {draw}"
            )


def write_efg(game: Game, draw: int = 0) -> str:
    """The .efg text of one draw of ``game``; :class:`EfgError` if that draw has numbers no Gambit
    file can hold (NaN or infinite payoffs, chance probabilities that are no distribution)."""
    _check_writable(game, draw)
    tree = game.tree
    lines = [
        f"EFG 2 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in tree.players)} }}",
        '""',
        "",
    ]
    # Infoset numbers within each player follow escalade's infoset order, so a round trip keeps it.
    numbers = np.zeros(tree.n_infosets, dtype=np.int64)
    for p in range(len(tree.players)):
        mine = tree.infoset_player == p
        numbers[mine] = np.arange(1, mine.sum() + 1)
    written: set[int] = set()
    chance_number = 0
    outcome_number = 0
    # Gambit wants non-empty node labels unique in the game, infoset labels unique per player; a
    # scenario node that the compiler copied into several places gets " (2)", " (3)"... on the copies.
    node_label = _Uniquifier()
    infoset_label = {p: _Uniquifier() for p in range(len(tree.players))}
    for node in tree.preorder():
        label = _quote(node_label(tree.node_labels[node]))
        kind = tree.player[node]
        children = range(tree.first_child[node], tree.first_child[node] + tree.n_children[node])
        moves = " ".join(_quote(tree.move_labels[c]) for c in children)
        if kind == TERMINAL:
            outcome_number += 1
            t = tree.terminal[node]
            payoffs = ", ".join(_number_text(x) for x in game.payoff[draw, t])
            # an end is named by the moves that lead to it (unique, and what a reader wants to know)
            path = _quote(", ".join(tree.move_labels[n] for n in tree.path_to(int(node))[1:]) or "the start")
            lines.append(f"t {path} {outcome_number} {path} {{ {payoffs} }}")
        elif kind == CHANCE:
            chance_number += 1
            texts = _probabilities_text(game.chance_prob[draw, list(children)])
            probs = " ".join(f"{_quote(tree.move_labels[c])} {t}" for c, t in zip(children, texts, strict=True))
            lines.append(f'c {label} {chance_number} "" {{ {probs} }} 0')
        else:
            h = tree.infoset[node]
            if h in written:
                lines.append(f"p {label} {kind + 1} {numbers[h]} 0")
            else:
                written.add(h)
                name = _quote(infoset_label[int(kind)](tree.infoset_labels[h]))
                lines.append(f"p {label} {kind + 1} {numbers[h]} {name} {{ {moves} }} 0")
    return "\n".join(lines) + "\n"


def _finite(text: str) -> float:
    """``text`` (an integer, a decimal or a fraction such as 1/3) as a finite float, correctly rounded;
    ValueError saying why not. No exact big number is built, so "1e999999999" costs nothing."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
            raise ValueError(f"{text!r} is not a finite number")
        raise ValueError(f"expected a number, found {text[:40]!r}")
    if match["denominator"] is None:
        value = float(text)  # a decimal beyond the float range reads as inf, refused below
    elif max(len(match["numerator"]), len(match["denominator"])) > _MAX_DIGITS:
        raise ValueError(f"{text[:40]}... has more than {_MAX_DIGITS} digits")
    elif int(match["denominator"]) == 0:
        raise ValueError(f"{text[:40]!r} divides by zero")
    else:
        try:
            value = int(match["numerator"]) / int(match["denominator"])  # correctly rounded at any size
        except OverflowError:
            value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]!r} is beyond the range of a float (about ±1.8e308)")
    return value


class Tokens:
    """The tokens of a Gambit file, each with its line, and a cursor that reads them in order."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.items: list[tuple[str, str, int]] = []  # (kind, text, line)
        self.pos = 0
        line, counted = 1, 0
        for match in _TOKEN.finditer(text):
            # Count only the newlines since the previous token: counting from the start of the text at
            # every token made reading quadratic (a 0.9 MB file took over a minute).
            start = match.start()
            line += text.count("\n", counted, start)
            counted = start
            string, brace, word = match.group(1, 2, 3)
            if string is not None:
                self.items.append(("str", string.replace('\\"', '"'), line))
            elif brace is not None:
                self.items.append((brace, brace, line))
            elif word is not None:
                self.items.append(("word", word, line))
            else:
                raise EfgError(f'{file}:{line}: a quoted string is not closed — end it with a double quote (")')

    def error(self, message: str, hint: str = "compare with a file Gambit writes", at: int | None = None) -> EfgError:
        """The error at the line of token ``at`` (default: the next token, or the last one at the end)."""
        index = self.pos if at is None else at
        line = self.items[min(index, len(self.items) - 1)][2] if self.items else 1
        return EfgError(f"{self.file}:{line}: {message} — {hint}")

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self, kind: str) -> str:
        if self.peek() != kind:
            found = self.items[self.pos][1][:40] if self.pos < len(self.items) else "end of file"
            raise self.error(f"expected {kind}, found {found!r}")
        self.pos += 1
        return self.items[self.pos - 1][1]

    def integer(self, what: str, low: int = 0, high: int = MAX_INTEGER, hint: str = "") -> int:
        """A whole number from ``low`` to ``high``: a player, infoset, outcome or strategy count."""
        at = self.pos
        text = self.take("word")
        if not _INTEGER.fullmatch(text):
            raise self.error(f"expected a whole number ({what}), found {text[:40]!r}", at=at)
        value = int(text) if len(text) <= 20 else None  # longer is out of range, and int() of it is slow
        if value is None or not low <= value <= high:
            raise self.error(
                f"{what} {text[:40]} is out of range", hint or f"use a whole number from {low} to {high}", at
            )
        return value

    def number(self) -> float:
        """A finite number (integer, decimal or fraction), as the nearest float."""
        text = self.take("word")
        try:
            return _finite(text)
        except ValueError as exc:
            raise self.error(str(exc), _NUMBER_HINT, at=self.pos - 1) from None

    def payoff(self) -> float:
        """A number of at most MAX_PAYOFF in size."""
        value = self.number()
        if abs(value) > MAX_PAYOFF:
            raise self.error(
                f"payoff {value:g} is too large", f"escalade reads payoffs up to {MAX_PAYOFF:g} in size", self.pos - 1
            )
        return value

    def header(self, kind: str, version: str, example: str) -> tuple[str, list[str]]:
        """The opening of a Gambit file: kind, version, number type, title, player names."""
        if self.take("word") != kind or self.take("word") != version:
            raise self.error(f"not a Gambit {kind} file (version {version})", f"the file must start with {example!r}")
        self.take("word")  # number type: R (rational) or D (double); both read as numbers here
        title = self.take("str")
        at = self.pos
        players = self.strings()
        if not players:
            raise self.error("the game has no players", 'name at least one, as in { "1" "2" }', at)
        return title, players

    def strings(self) -> list[str]:
        self.take("{")
        items = []
        while self.peek() == "str":
            items.append(self.take("str"))
        self.take("}")
        return items


def read_text(path: Path) -> str:
    """The text of a Gambit file; a file that is not UTF-8 is an :class:`EfgError` at the line of the
    first bad byte (a byte-order mark, as some editors write, is skipped)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EfgError(f"{path}:{line}: the file is not UTF-8 text — save it as UTF-8") from None


def read_efg(path: str | Path) -> Game:
    """Read a Gambit .efg file into a :class:`Game` with one draw."""
    path = Path(path)
    return parse_efg(read_text(path), str(path))


class _Reader:
    """The state of one .efg read: the tree so far and the numbered outcomes and infosets."""

    def __init__(self, tokens: Tokens, players: list[str]) -> None:
        self.tokens = tokens
        self.players = players
        self.builder = TreeBuilder(players)
        self.outcomes: dict[int, list[float]] = {}
        self.infoset_actions: dict[tuple[int, int], list[str]] = {}
        self.chance_moves: dict[int, list[tuple[str, float]]] = {}
        self.probs: list[float] = []  # per depth-first node: probability of the move into it
        self.payoffs: dict[int, list[float]] = {}  # depth-first terminal index -> payoffs

    def outcome(self, above: list[float]) -> list[float]:
        """Read a node's outcome; the payoffs ``above`` plus the outcome's."""
        tokens = self.tokens
        at = tokens.pos
        number = tokens.integer("outcome")
        if tokens.peek() == "str":
            tokens.take("str")
            brace = tokens.pos
            tokens.take("{")
            values = []
            while tokens.peek() == "word":
                values.append(tokens.payoff())
            tokens.take("}")
            if len(values) != len(self.players):
                message = f"outcome {number} has {len(values)} payoffs for {len(self.players)} players"
                raise tokens.error(message, "give one payoff per player", brace)
            self.outcomes[number] = values
        if number == 0:
            return above
        if number not in self.outcomes:
            raise tokens.error(f"outcome {number} is used before its payoffs are given", at=at)
        total = [a + b for a, b in zip(above, self.outcomes[number], strict=True)]
        if any(abs(x) > MAX_PAYOFF for x in total):
            message = f"the outcomes on the path to this node add up to payoffs over {MAX_PAYOFF:g} in size"
            raise tokens.error(message, "scale them down", at)
        return total

    def chance(self) -> list[tuple[str, float]]:
        """Read a chance node's infoset; its moves and their probabilities."""
        tokens = self.tokens
        at = tokens.pos
        number = tokens.integer("chance infoset", 1)
        if tokens.peek() == "str":
            tokens.take("str")
            brace = tokens.pos
            tokens.take("{")
            moves = []
            while tokens.peek() == "str":
                label = tokens.take("str")
                prob = tokens.number()
                if prob < 0:
                    raise tokens.error(
                        f"chance probability {prob:g} is negative", "probabilities go from 0 to 1", tokens.pos - 1
                    )
                moves.append((label, prob))
            tokens.take("}")
            total = math.fsum(p for _, p in moves)
            if abs(total - 1) > PROBABILITY_TOLERANCE:
                hint = "make them add up to 1: for thirds write 1/3 1/3 1/3, not 0.33 0.33 0.33"
                raise tokens.error(f"the chance probabilities sum to {total:.12g}, not 1", hint, brace)
            self.chance_moves[number] = moves
        if number not in self.chance_moves:
            raise tokens.error(f"chance infoset {number} is used before its actions are given", at=at)
        return self.chance_moves[number]

    def player(self) -> tuple[tuple[int, int], str, list[str]]:
        """Read a player node's player and infoset; its infoset key and name, and its actions."""
        tokens = self.tokens
        n = len(self.players)
        hint = f"the game has {n} player{'s' * (n > 1)}, numbered from 1"
        player = tokens.integer("player", 1, hint=hint)
        if player > n:
            raise tokens.error(f"player {player} does not exist", hint, tokens.pos - 1)
        at = tokens.pos
        number = tokens.integer("infoset", 1)
        key = (player, number)
        name = ""
        if tokens.peek() == "str":
            name = tokens.take("str")
            if tokens.peek() == "{":
                self.infoset_actions[key] = self.actions(key)
        if key not in self.infoset_actions:
            raise tokens.error(f"infoset {number} of player {player} is used before its actions are given", at=at)
        return key, name or f"{player}:{number}", self.infoset_actions[key]

    def actions(self, key: tuple[int, int]) -> list[str]:
        """Read an infoset's action names: at least one, and as many as where the infoset appeared
        before (every node of an infoset has the same actions: solvers index them by position)."""
        tokens = self.tokens
        brace = tokens.pos
        actions = tokens.strings()
        infoset = f"infoset {key[1]} of player {key[0]}"
        if not actions:
            raise tokens.error(f"{infoset} has no actions", "give it at least one", brace)
        before = len(self.infoset_actions.get(key, actions))
        if len(actions) != before:
            message = f"{infoset} has {before} action(s) at an earlier node and {len(actions)} here"
            raise tokens.error(message, "give an information set the same actions at each of its nodes", brace)
        return actions

    def node(
        self, parent: int, move: str, prob: float, above: list[float]
    ) -> list[tuple[int, str, float, list[float]]]:
        """Read one node; the (parent, move, probability, payoffs above) of its children, first child last."""
        tokens = self.tokens
        if len(self.probs) >= MAX_NODES:
            raise tokens.error(f"the tree has more than {MAX_NODES:,} nodes", "escalade reads trees up to that size")
        kind = tokens.take("word")
        if kind not in ("t", "c", "p"):
            raise tokens.error(f"unknown node type {kind[:40]!r}", "nodes start with p, c or t", tokens.pos - 1)
        name = tokens.take("str")
        if kind == "t":
            index = self.builder.add(parent, move, TERMINAL, name)
            self.payoffs[index] = self.outcome(above)
            self.probs.append(prob)
            return []
        if kind == "c":
            moves = self.chance()
            index = self.builder.add(parent, move, CHANCE, name)
        else:
            key, infoset_name, labels = self.player()
            index = self.builder.add(parent, move, key[0] - 1, name, key, infoset_name, labels)
            moves = [(label, 1.0) for label in labels]
        self.probs.append(prob)
        below = self.outcome(above)
        return [(index, label, p, below) for label, p in reversed(moves)]


def parse_efg(text: str, file: str = "<efg>") -> Game:
    """The game of an .efg file's ``text``; errors name ``file`` and the line."""
    tokens = Tokens(text, file)
    title, players = tokens.header("EFG", "2", "EFG 2 R")
    if tokens.peek() == "str":
        tokens.take("str")  # comment
    reader = _Reader(tokens, players)
    # (parent depth-first index, move label, probability of the move, payoffs above)
    stack: list[tuple[int, str, float, list[float]]] = [(-1, "", 1.0, [0.0] * len(players))]
    while stack:
        stack.extend(reader.node(*stack.pop()))
    if tokens.peek() is not None:
        raise tokens.error("unexpected text after the last node")
    # Like Gambit, order each player's infosets by first appearance in the file, whatever their numbers.
    tree = reader.builder.build()
    depth_first = np.empty(tree.n_nodes, dtype=np.int64)  # breadth-first index -> file order
    depth_first[np.array(tree.preorder())] = np.arange(tree.n_nodes)
    chance_prob = np.array(reader.probs)[depth_first][None, :]
    payoff = np.array([reader.payoffs[depth_first[n]] for n in tree.terminal_nodes], dtype=float).reshape(
        1, tree.n_terminals, len(players)
    )
    return Game(tree, chance_prob, payoff, np.zeros((1, tree.n_terminals, 0)), [], title)
