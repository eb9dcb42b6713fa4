"""Read Gambit's strategic-form ``.nfg`` format as an extensive game, so every solver applies.

A strategic game with players 1..n becomes a tree in which player 1 chooses a strategy, then
player 2 chooses without seeing it (one information set), and so on: the usual embedding of a
normal form in an extensive form. Each player then has exactly one information set whose actions
are its strategies, so a behaviour profile is a mixed-strategy profile ``[player][strategy]``.

Both body layouts are read: the payoff version (payoffs of every player for each strategy profile,
player 1's strategy changing fastest) and the outcome version (a list of named outcomes, then one
outcome number per profile, 0 meaning all payoffs are zero).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from escalade.game.efg import EfgError, Tokens
from escalade.game.tree import TERMINAL, Game, TreeBuilder


def read_nfg(path: str | Path) -> Game:
    """Read a Gambit .nfg file into a :class:`Game` with one draw."""
    path = Path(path)
    return parse_nfg(path.read_text(encoding="utf-8"), str(path))


def parse_nfg(text: str, file: str = "<nfg>") -> Game:
    tokens = Tokens(text, file)
    title, players = tokens.header("NFG", "1", "NFG 1 R")
    tokens.take("{")
    if tokens.peek() == "{":
        strategies = []
        while tokens.peek() == "{":
            strategies.append(tokens.strings())
        tokens.take("}")
    else:
        counts = []
        while tokens.peek() == "word":
            counts.append(tokens.integer())
        tokens.take("}")
        strategies = [[str(i + 1) for i in range(count)] for count in counts]
    if len(strategies) != len(players):
        raise tokens.error(f"{len(strategies)} strategy lists for {len(players)} players")
    if tokens.peek() == "str":
        tokens.take("str")  # comment
    shape = [len(s) for s in strategies]
    n_profiles = int(np.prod(shape))
    if tokens.peek() == "{":
        tokens.take("{")
        outcomes = [[0.0] * len(players)]
        while tokens.peek() == "{":
            tokens.take("{")
            tokens.take("str")
            values = []
            while tokens.peek() == "word":
                values.append(float(tokens.number()))
            tokens.take("}")
            if len(values) != len(players):
                raise tokens.error(f"an outcome has {len(values)} payoffs for {len(players)} players")
            outcomes.append(values)
        tokens.take("}")
        index = [tokens.integer() for _ in range(n_profiles)]
        if any(not 0 <= i < len(outcomes) for i in index):
            raise tokens.error("an outcome number is out of range")
        table = np.array([outcomes[i] for i in index])
    else:
        numbers = [float(tokens.number()) for _ in range(n_profiles * len(players))]
        table = np.array(numbers).reshape(n_profiles, len(players))
    if tokens.peek() is not None:
        raise tokens.error("unexpected text after the payoffs")
    return _embed(players, strategies, table, title)


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

    if len(players) > 12 or np.prod(shape) > 200_000:
        raise EfgError("this strategic game is too large to embed as a tree here")
    grow(-1, "", 0, ())
    tree = builder.build()
    # leaves were added depth first; the builder keeps terminals in breadth-first order, which for
    # a tree of uniform depth is the same order
    row = [sum(chosen[p] * int(np.prod(shape[:p])) for p in range(len(players))) for chosen in leaves]
    payoff = table[row][None, :, :]
    chance = np.ones((1, tree.n_nodes))
    return Game(tree, chance, payoff, np.zeros((1, tree.n_terminals, 0)), [], title)
