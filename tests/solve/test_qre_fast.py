"""The fast QRE limit (draws that iterated conditional dominance settles are not traced; longer steps where
the path runs straight; a pure limit snapped to and certified as soon as the path points at it) gives the
profile of the plain homotopy (Gambit's step rule, traced until the regret vanishes) to 1e-6, on Gambit's
games and on random games, including draws whose leading actions change along the path."""

from __future__ import annotations

import numpy as np
import pytest

from escalade.game import Game, compile_game, compile_tree, read_efg
from escalade.scenario import load, override
from escalade.solve import SolverError, qre, solve_qre
from escalade.solve.spe import regions
from escalade.solve.verify import (
    conditional_action_values,
    move_probabilities,
    nash_regret,
    payoff_scale,
    reach_probabilities,
)
from tests.conftest import gambit_efg_files, gambit_reference

REFERENCE = gambit_reference()
BEHAVIOUR = [
    path
    for path in gambit_efg_files()
    if REFERENCE.get(path.name, {}).get("perfect_recall") and REFERENCE[path.name].get("logit_limit") is not None
]


def plain_limit(game: Game, monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    with monkeypatch.context() as patch:
        patch.setattr(qre, "FAST_ACCELERATION", qre.MAX_ACCELERATION)  # Gambit's step rule
        patch.setattr(qre, "SNAP", 0.0)  # no snapping: traced until the regret vanishes (then polished)
        patch.setattr(qre, "REGRET_FROM", 0.0)
        patch.setattr(qre, "DOMINANCE", False)  # every draw traced
        patch.setattr(qre, "CHECK_GROWTH", 0.0)  # the regret checked at every step
        return solve_qre(game).profile


def outcome_gap(game: Game, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(K,) the largest difference between two profiles' outcome probabilities."""
    reach = [reach_probabilities(game.tree, move_probabilities(game, p))[:, game.tree.terminal_nodes] for p in (a, b)]
    return np.abs(reach[0] - reach[1]).max(axis=1)


@pytest.mark.parametrize("path", BEHAVIOUR, ids=lambda p: p.name)
def test_the_fast_limit_equals_the_plain_homotopy_on_gambit_games(path, monkeypatch):
    game = read_efg(path)
    try:
        plain = plain_limit(game, monkeypatch)
    except SolverError:
        with pytest.raises(SolverError):
            solve_qre(game)
        return
    fast = solve_qre(game).profile
    if outcome_gap(game, fast, plain).max() <= 1e-6:
        return
    # A limit that is not isolated (a mover indifferent among a continuum of mixtures, e.g. a voter
    # whose vote cannot change the result) leaves the traced profile wherever the regret first falls
    # below tolerance: the two tracers stop at different points of the same continuum. Check that reason.
    scale = payoff_scale(game)[0]
    differing = np.abs(fast - plain)[0] > 1e-6
    values = conditional_action_values(game, plain)[0]
    for h in np.unique(qre._structure(game.tree).slot_infoset[differing]):
        start, count = game.tree.action_offset[h], game.tree.n_actions[h]
        moved = differing[start : start + count]
        assert np.ptp(values[start : start + count][moved]) <= 1e-6 * scale, (path.name, h)
    np.testing.assert_allclose(nash_regret(game, fast)[1], nash_regret(game, plain)[1], atol=1e-6 * scale)


def leading(game: Game, profile: np.ndarray) -> np.ndarray:
    """(I, K) each information set's most likely action."""
    starts, widths = game.tree.action_offset, game.tree.n_actions
    return np.stack([np.argmax(profile[:, s : s + n], axis=1) for s, n in zip(starts, widths, strict=True)])


def random_region_draws(k: int, seed: int) -> Game:
    """The flagship's information-set subgame (DPRK deploys, chance reveals, the West responds unseeing)
    with uniformly random payoffs: many draws whose paths turn."""
    tree = regions(compile_tree(load("dprk_russia_2024")))[0].tree
    rng = np.random.default_rng(seed)
    payoff = rng.uniform(-1, 1, (k, tree.n_terminals, len(tree.players)))
    reveal = rng.uniform(0.05, 0.95, k)
    chance = np.ones((k, tree.n_nodes))
    for node in range(1, tree.n_nodes):
        if tree.player[tree.parent[node]] == -1:  # the reveal/hidden chance moves
            first = tree.first_child[tree.parent[node]]
            chance[:, node] = reveal if node == first else 1 - reveal
    return Game(tree, chance, payoff, np.zeros((k, tree.n_terminals, 0)), [])


def test_the_fast_limit_equals_the_plain_homotopy_on_random_games(monkeypatch):
    game = random_region_draws(300, seed=11)
    plain = plain_limit(game, monkeypatch)
    fast = solve_qre(game).profile
    assert outcome_gap(game, fast, plain).max() <= 1e-6
    # some draws' leading actions change along the path: the uniform start's best action is not the limit's
    at_one = solve_qre(game, 1.0).profile
    changed = (leading(game, at_one) != leading(game, plain)).any(axis=0)
    assert changed.sum() >= 10


def test_dominance_settles_only_draws_whose_limit_it_is(monkeypatch):
    """Draws that iterated conditional dominance settles get the plain homotopy's limit, pure; the others
    (a best action that depends on what the West believes, or on what is still open below) are traced."""
    game = random_region_draws(400, seed=12)
    settled, pure = qre.dominance(game)
    assert 0.1 < settled.mean() < 0.9  # both kinds are here
    assert np.isin(pure[settled], (0.0, 1.0)).all()
    plain = plain_limit(game, monkeypatch)
    # the plain path stops once its regret is within tolerance: near a tie that leaves it up to 1e-4 short of
    # the pure limit it heads for (the snapped limit below is exact), with the same leading action everywhere
    assert (leading(game, plain)[:, settled] == leading(game, pure)[:, settled]).all()
    assert np.quantile(outcome_gap(game, pure, plain)[settled], 0.95) <= 1e-6
    assert outcome_gap(game, pure, plain)[settled].max() <= 1e-4
    assert nash_regret(game, pure)[0][settled].max() <= 1e-9
    # the draws it does not settle are traced as before: the same limit, within the plain path's shortfall
    fast = solve_qre(game).profile
    assert (leading(game, plain)[:, ~settled] == leading(game, fast)[:, ~settled]).all()
    assert np.quantile(outcome_gap(game, fast, plain)[~settled], 0.95) <= 1e-6
    assert outcome_gap(game, fast, plain)[~settled].max() <= 1e-4


def test_dominance_leaves_a_game_without_a_dominated_action_to_the_homotopy():
    # matching pennies as a tree: the second mover cannot see the first; no action is better at every node
    tree = regions(compile_tree(load("dprk_russia_2024")))[0].tree
    k = 1
    payoff = np.zeros((k, tree.n_terminals, len(tree.players)))
    chance = np.ones((k, tree.n_nodes))
    game = Game(tree, chance, payoff, np.zeros((k, tree.n_terminals, 0)), [])
    settled, _ = qre.dominance(game)  # every payoff zero: every action ties, nothing is eliminated
    assert not settled.any()


def test_a_near_pure_path_heading_for_a_mixed_limit_still_ends(monkeypatch):
    # found by the scenario fuzzer: in chicken with a crash costing 10,000, each driver's mixed limit puts
    # 1 - 1e-4 on swerving, past the snapping threshold; the pure profile is no equilibrium
    game = compile_game(override(load("chicken"), {"crash_cost": 10_000.0}))
    fast = solve_qre(game).profile
    np.testing.assert_allclose(fast, plain_limit(game, monkeypatch), atol=1e-9)
    assert 0 < fast.min() < 2e-4
