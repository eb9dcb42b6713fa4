"""Read and write Gambit's extensive-form ``.efg`` format (version 2), so models move between tools.

The format lists nodes depth first: ``p`` (a player's node: player number, infoset number, and on
first use the infoset's name and action names), ``c`` (a chance node with action names and
probabilities) and ``t`` (a terminal); each may carry an outcome (payoffs per player, given in
full on first use). Outcomes at non-terminal nodes add to every terminal below them, which is
how escalade stores them. Numbers may be integers, decimals or fractions such as ``1/3``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np

from escalade.game.tree import CHANCE, TERMINAL, Game, TreeBuilder


class EfgError(ValueError):
    """A malformed Gambit file (.efg or .nfg); the message names the file and line."""


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{}])|([^\s{},"]+)', re.S)


def _number_text(value: float) -> str:
    """Shortest decimal that reads back as the same float, without an exponent."""
    return np.format_float_positional(float(value), unique=True, trim="-")


def _probabilities_text(probs: np.ndarray) -> list[str]:
    """Decimal texts of ``probs`` that sum to exactly 1, as Gambit requires: the last branch takes
    the exact decimal remainder of the others (a change of at most a few units in the 17th digit)."""
    texts = [_number_text(p) for p in probs[:-1]]
    remainder = Decimal(1) - sum((Decimal(t) for t in texts), Decimal(0))
    return [*texts, format(remainder.normalize(), "f")]


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


def write_efg(game: Game, draw: int = 0) -> str:
    """The .efg text of one draw of ``game``."""
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
            lines.append(f"t {label} {outcome_number} {label} {{ {payoffs} }}")
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


class Tokens:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.items: list[tuple[str, str, int]] = []  # (kind, text, line)
        for match in _TOKEN.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            if match.group(1) is not None:
                self.items.append(("str", match.group(1).replace('\\"', '"'), line))
            elif match.group(2) is not None:
                self.items.append((match.group(2), match.group(2), line))
            else:
                self.items.append(("word", match.group(3), line))
        self.pos = 0

    def error(self, message: str, hint: str = "compare with a file Gambit writes") -> EfgError:
        line = self.items[min(self.pos, len(self.items) - 1)][2] if self.items else 1
        return EfgError(f"{self.file}:{line}: {message} — {hint}")

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self, kind: str) -> str:
        if self.peek() != kind:
            found = self.items[self.pos][1] if self.pos < len(self.items) else "end of file"
            raise self.error(f"expected {kind}, found {found!r}")
        self.pos += 1
        return self.items[self.pos - 1][1]

    def integer(self) -> int:
        text = self.take("word")
        try:
            return int(text)
        except ValueError:
            raise self.error(f"expected a whole number, found {text!r}") from None

    def number(self) -> Fraction:
        text = self.take("word")
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise self.error(f"expected a number, found {text!r}") from None

    def header(self, kind: str, version: str, example: str) -> tuple[str, list[str]]:
        """The opening of a Gambit file: kind, version, number type, title, player names."""
        if self.take("word") != kind or self.take("word") != version:
            raise self.error(f"not a Gambit {kind} file (version {version})", f"the file must start with {example!r}")
        self.take("word")  # number type: R (rational) or D (double); both read as numbers here
        return self.take("str"), self.strings()

    def strings(self) -> list[str]:
        self.take("{")
        items = []
        while self.peek() == "str":
            items.append(self.take("str"))
        self.take("}")
        return items


def read_efg(path: str | Path) -> Game:
    """Read a Gambit .efg file into a :class:`Game` with one draw."""
    path = Path(path)
    return parse_efg(path.read_text(encoding="utf-8"), str(path))


def parse_efg(text: str, file: str = "<efg>") -> Game:
    tokens = Tokens(text, file)
    title, players = tokens.header("EFG", "2", "EFG 2 R")
    if tokens.peek() == "str":
        tokens.take("str")  # comment
    builder = TreeBuilder(players)
    outcomes: dict[int, list[Fraction]] = {}
    infoset_actions: dict[tuple[int, int], list[str]] = {}
    chance_probs: dict[int, list[Fraction]] = {}
    probs: list[float] = []  # per depth-first node: probability of the move into it
    payoffs: dict[int, list[Fraction]] = {}  # depth-first terminal index -> payoffs
    zero = [Fraction(0)] * len(players)

    def outcome(accumulated: list[Fraction]) -> list[Fraction]:
        number = tokens.integer()
        if tokens.peek() == "str":
            tokens.take("str")
            tokens.take("{")
            values = []
            while tokens.peek() == "word":
                values.append(tokens.number())
            tokens.take("}")
            if len(values) != len(players):
                raise tokens.error(f"outcome {number} has {len(values)} payoffs for {len(players)} players")
            outcomes[number] = values
        if number == 0:
            return accumulated
        if number not in outcomes:
            raise tokens.error(f"outcome {number} is used before its payoffs are given")
        return [a + b for a, b in zip(accumulated, outcomes[number], strict=True)]

    # (parent depth-first index, move label, probability of the move, payoffs above)
    stack: list[tuple[int, str, float, list[Fraction]]] = [(-1, "", 1.0, zero)]
    while stack:
        parent, move, prob, above = stack.pop()
        kind = tokens.take("word")
        name = tokens.take("str")
        if kind == "t":
            index = builder.add(parent, move, TERMINAL, name)
            payoffs[index] = outcome(above)
            probs.append(prob)
            continue
        if kind == "c":
            number = tokens.integer()
            if tokens.peek() == "str":
                tokens.take("str")
                tokens.take("{")
                labels, values = [], []
                while tokens.peek() == "str":
                    labels.append(tokens.take("str"))
                    values.append(tokens.number())
                tokens.take("}")
                infoset_actions[(0, number)] = labels
                chance_probs[number] = values
            if number not in chance_probs:
                raise tokens.error(f"chance infoset {number} is used before its actions are given")
            labels, values = infoset_actions[(0, number)], chance_probs[number]
            index = builder.add(parent, move, CHANCE, name)
            moves = [(label, float(p)) for label, p in zip(labels, values, strict=True)]
        elif kind == "p":
            player, number = tokens.integer(), tokens.integer()
            if not 1 <= player <= len(players):
                raise tokens.error(f"player {player} does not exist", f"players are 1..{len(players)}")
            key = (player, number)
            infoset_name = ""
            if tokens.peek() == "str":
                infoset_name = tokens.take("str")
                if tokens.peek() == "{":
                    infoset_actions[key] = tokens.strings()
            if key not in infoset_actions:
                raise tokens.error(f"infoset {number} of player {player} has no actions")
            labels = infoset_actions[key]
            index = builder.add(parent, move, player - 1, name, key, infoset_name or f"{player}:{number}", labels)
            moves = [(label, 1.0) for label in labels]
        else:
            raise tokens.error(f"unknown node type {kind!r}", "nodes start with p, c or t")
        probs.append(prob)
        below = outcome(above)
        stack.extend((index, label, p, below) for label, p in reversed(moves))
    if tokens.peek() is not None:
        raise tokens.error("unexpected text after the last node")
    # Like Gambit, order each player's infosets by first appearance in the file, whatever their numbers.
    tree = builder.build()
    depth_first = np.empty(tree.n_nodes, dtype=np.int64)  # breadth-first index -> file order
    depth_first[np.array(tree.preorder())] = np.arange(tree.n_nodes)
    chance_prob = np.array([probs[depth_first[n]] for n in range(tree.n_nodes)])[None, :]
    payoff = np.array([[float(x) for x in payoffs[depth_first[n]]] for n in tree.terminal_nodes], dtype=float).reshape(
        1, tree.n_terminals, len(players)
    )
    return Game(tree, chance_prob, payoff, np.zeros((1, tree.n_terminals, 0)), [], title)
