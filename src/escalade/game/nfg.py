"""Read Gambit's strategic-form ``.nfg`` format as an extensive game, so every solver applies.

A strategic game with players 1..n becomes a tree in which player 1 chooses a strategy, then
player 2 chooses without seeing it (one information set), and so on: the usual embedding of a
normal form in an extensive form. Each player then has exactly one information set whose actions
are its strategies, so a behaviour profile is a mixed-strategy profile ``[player][strategy]``.

Both body layouts are read: the payoff version (payoffs of every player for each strategy profile,
player 1's strategy changing fastest) and the outcome version (a list of named outcomes, then one
outcome number per profile, 0 meaning all payoffs are zero).

A few bytes can ask for billions of strategy profiles, so the sizes are checked against the limits
below before anything is allocated, and refused with an :class:`EfgError` naming file and line.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from escalade.game.efg import MAX_NODES, Tokens, read_text
from escalade.game.tree import TERMINAL, Game, TreeBuilder

MAX_PLAYERS = 12  # the embedding is one tree level per player
MAX_PAYOFFS = 2_000_000  # strategy profiles × players: the payoff table


def read_nfg(path: str | Path) -> Game:
    """Read a Gambit .nfg file into a :class:`Game` with one draw."""
    path = Path(path)
    return parse_nfg(read_text(path), str(path))


def parse_nfg(text: str, file: str = "<nfg>") -> Game:
    """The game of an .nfg file's ``text``; errors name ``file`` and the line."""
    tokens = Tokens(text, file)
    title, players = tokens.header("NFG", "1", "NFG 1 R")
    if len(players) > MAX_PLAYERS:
        raise tokens.error(
            f"the game has {len(players)} players", f"escalade reads up to {MAX_PLAYERS}", tokens.pos - 1
        )
    strategies = _strategies(tokens, len(players))
    if tokens.peek() == "str":
        tokens.take("str")  # comment
    n_profiles = math.prod(len(s) for s in strategies)
    if tokens.peek() == "{":
        table = _outcome_table(tokens, len(players), n_profiles)
    else:
        table = np.array([tokens.payoff() for _ in range(n_profiles * len(players))]).reshape(n_profiles, len(players))
    if tokens.peek() is not None:
        raise tokens.error("unexpected text after the payoffs")
    return _embed(players, strategies, table, title)


def _strategies(tokens: Tokens, n_players: int) -> list[list[str]]:
    """Each player's strategy names: listed (``{ { "a" "b" } { "x" "y" } }``) or counted (``{ 2 2 }``),
    named 1, 2... The sizes are checked before a counted list is made."""
    at = tokens.pos
    tokens.take("{")
    if tokens.peek() == "{":
        strategies = []
        while tokens.peek() == "{":
            strategies.append(tokens.strings())
        counts = [len(s) for s in strategies]
    else:
        counts = []
        while tokens.peek() == "word":
            counts.append(tokens.integer("strategy count", 1))
        strategies = []
    tokens.take("}")
    if len(counts) != n_players:
        raise tokens.error(f"{len(counts)} strategy lists for {n_players} players", "give one per player", at)
    if 0 in counts:
        raise tokens.error(f"player {counts.index(0) + 1} has no strategies", "give each player at least one", at)
    _check_size(tokens, counts, at)
    return strategies or [[str(i + 1) for i in range(count)] for count in counts]


def _check_size(tokens: Tokens, counts: list[int], at: int) -> None:
    """Refuse a game too large to hold (a 50-byte file can ask for 10^18 profiles) before allocating it."""
    shape = " × ".join(str(c) for c in counts)
    payoffs = math.prod(counts) * len(counts)
    if payoffs > MAX_PAYOFFS:
        message = f"{shape} strategies make {payoffs:,} payoffs (strategy profiles × players)"
        raise tokens.error(message, f"escalade reads strategic games of up to {MAX_PAYOFFS:,}", at)
    nodes = 1 + sum(math.prod(counts[: depth + 1]) for depth in range(len(counts)))
    if nodes > MAX_NODES:
        message = f"{shape} strategies make a tree of {nodes:,} nodes"
        raise tokens.error(message, f"escalade embeds strategic games in trees of up to {MAX_NODES:,}", at)


def _outcome_table(tokens: Tokens, n_players: int, n_profiles: int) -> np.ndarray:
    """(profiles, players) payoffs of the outcome version: named outcomes, then one number per profile."""
    tokens.take("{")
    outcomes = [[0.0] * n_players]
    while tokens.peek() == "{":
        brace = tokens.pos
        tokens.take("{")
        tokens.take("str")
        values = []
        while tokens.peek() == "word":
            values.append(tokens.payoff())
        tokens.take("}")
        if len(values) != n_players:
            message = f"outcome {len(outcomes)} has {len(values)} payoffs for {n_players} players"
            raise tokens.error(message, "give one payoff per player", brace)
        outcomes.append(values)
    tokens.take("}")
    hint = f"0 (no outcome) or one of the {len(outcomes) - 1} outcomes listed"
    index = [tokens.integer("outcome", 0, len(outcomes) - 1, hint) for _ in range(n_profiles)]
    return np.array(outcomes)[index]


def _embed(players: list[str], strategies: list[list[str]], table: np.ndarray, title: str) -> Game:
    """The extensive form: players move in turn, each unable to see the earlier choices."""
    builder = TreeBuilder(players)
    shape = [len(s) for s in strategies]
    leaves: list[tuple[int, ...]] = []

    def grow(parent: int, move: str, depth: int, chosen: tuple[int, ...]) -> None:
        if depth == len(players):
            builder.add(parent, move, TERMINAL, "")
            leaves.append(chosen)
            return
        index = builder.add(parent, move, depth, "", ("player", depth), players[depth], strategies[depth])
        for s, label in enumerate(strategies[depth]):
            grow(index, label, depth + 1, (*chosen, s))

    grow(-1, "", 0, ())
    tree = builder.build()
    # leaves were added depth first; the builder keeps terminals in breadth-first order, which for
    # a tree of uniform depth is the same order. Player 1's strategy changes fastest in the table.
    strides = np.cumprod([1, *shape[:-1]])
    row = np.array(leaves, dtype=np.int64).reshape(len(leaves), len(players)) @ strides
    payoff = table[row][None, :, :]
    chance = np.ones((1, tree.n_nodes))
    return Game(tree, chance, payoff, np.zeros((1, tree.n_terminals, 0)), [], title)
