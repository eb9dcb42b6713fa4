"""All pure-strategy Nash equilibria of a small game, by enumeration.

Steps: (1) list every pure behaviour profile (one action at each information set); (2) evaluate
them all as one batch; (3) keep those in which no player gains by deviating alone, using the same
regret check that certifies every other solver. A pure behaviour profile of an extensive game is a
pure strategy of its (unreduced) strategic form, so this finds the pure Nash equilibria; several
profiles may differ only off the equilibrium path.
"""

from __future__ import annotations

import itertools

import numpy as np

from escalade.game import Game
from escalade.solve.solution import REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.verify import nash_regret, payoff_scale

MAX_PROFILES = 65_536


def enumerate_pure(game: Game, draw: int = 0) -> list[Solution]:
    """Every pure Nash equilibrium of draw ``draw`` of ``game``, each certified."""
    tree = game.tree
    count = int(np.prod(tree.n_actions, dtype=float))
    if count > MAX_PROFILES:
        raise SolverError(
            f"the game has {count:,} pure behaviour profiles, more than {MAX_PROFILES:,} "
            "to enumerate; use another method"
        )
    single = game.draw(draw)
    choices = np.array(list(itertools.product(*(range(n) for n in tree.n_actions))), dtype=np.int64)
    choices = choices.reshape(count, tree.n_infosets)
    profiles = np.zeros((count, tree.n_slots))
    rows = np.arange(count)[:, None]
    profiles[rows, tree.action_offset[None, :] + choices] = 1.0
    batch = Game(
        tree,
        np.repeat(single.chance_prob, count, axis=0),
        np.repeat(single.payoff, count, axis=0),
        np.repeat(single.outcome, count, axis=0),
        single.attributes,
        single.title,
    )
    regret, _ = nash_regret(batch, profiles)
    tolerance = REGRET_TOLERANCE * payoff_scale(single)[0]
    equilibria = np.flatnonzero(regret.max(axis=1, initial=0.0) <= tolerance)
    return [certify("enumpure", single, profiles[i : i + 1]) for i in equilibria]
