"""What every solver returns, and the check every answer must pass before anyone sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from escalade.game import Game
from escalade.solve.verify import node_moves, node_reach, payoff_scale, regret_of_moves

REGRET_TOLERANCE = 1e-9  # relative to each draw's payoff range: exact methods (backward induction, enumeration)
APPROXIMATE_TOLERANCE = 1e-8  # for limits of traced paths (logit QRE), Gambit's own acceptance criterion


class SolverError(RuntimeError):
    """A game the method cannot solve, or an answer that failed its own equilibrium check."""


@dataclass(frozen=True, eq=False)
class Solution:
    """A behaviour profile for K draws, with its values and its verified regret."""

    method: str
    game: Game
    profile: np.ndarray  # (K, S) action probabilities, infoset after infoset
    values: np.ndarray  # (K, A) expected payoff of each actor
    reach: np.ndarray  # (K, N) probability each node is reached
    max_regret: np.ndarray  # (K,) largest gain any player has from deviating alone
    notes: list[str] = field(default_factory=list)
    # (K, N) True at a decision node where the mover had several near-best actions and the method
    # broke the tie (backward induction sets it; None from methods that do not break ties)
    ties: np.ndarray | None = None

    @property
    def outcome_probs(self) -> np.ndarray:
        """(K, T) probability of each terminal outcome."""
        return self.reach[:, self.game.tree.terminal_nodes]

    def labelled_profile(self, k: int = 0) -> dict[str, dict[str, dict[str, float]]]:
        """Draw ``k``'s profile as ``{player: {infoset: {action: probability}}}``, with the infosets
        named by :meth:`escalade.game.Tree.infoset_names`."""
        tree = self.game.tree
        names = tree.infoset_names()
        labelled: dict[str, dict[str, dict[str, float]]] = {player: {} for player in tree.players}
        for h in range(tree.n_infosets):
            start, count = tree.action_offset[h], tree.n_actions[h]
            actions = tree.action_labels[start : start + count]
            probs = self.profile[k, start : start + count]
            labelled[tree.players[tree.infoset_player[h]]][names[h]] = dict(
                zip(actions, map(float, probs), strict=True)
            )
        return labelled

    def nested_profile(self, k: int = 0) -> list[list[list[float]]]:
        """Draw ``k``'s profile as ``[player][infoset][action]`` lists, in Gambit's order."""
        tree = self.game.tree
        nested: list[list[list[float]]] = [[] for _ in tree.players]
        for h in range(tree.n_infosets):
            start = tree.action_offset[h]
            probs = self.profile[k, start : start + tree.n_actions[h]]
            nested[tree.infoset_player[h]].append([float(x) for x in probs])
        return nested


def certify(
    method: str,
    game: Game,
    profile: np.ndarray,
    notes: list[str] | None = None,
    equilibrium: bool = True,
    tolerance: float = REGRET_TOLERANCE,
    ties: np.ndarray | None = None,
) -> Solution:
    """Evaluate ``profile`` and accept it only if its regret is within tolerance in every draw.

    ``equilibrium=False`` is for answers that are not meant to be Nash equilibria (a QRE at finite
    λ, checked by its own equations): their regret is measured and reported, not enforced.
    ``ties`` (K, N) is passed through to the solution: where the method broke a tie.
    """
    profile = np.asarray(profile, dtype=float)
    tree = game.tree
    moves = node_moves(game, profile)  # (N, K)
    reach = np.ascontiguousarray(node_reach(tree, moves).T)
    regret, values = regret_of_moves(game, moves)
    max_regret = regret.max(axis=1) if regret.size else np.zeros(profile.shape[0])
    allowed = tolerance * payoff_scale(game) if equilibrium else np.full(max_regret.shape, np.inf)
    # A certificate passes only as a finite number within its tolerance: NaN compares false either way.
    bad = np.flatnonzero(~(np.isfinite(max_regret) & (max_regret <= allowed)))
    if bad.size:
        k = int(bad[0])
        raise SolverError(
            f"{method}: the answer for draw {k} fails its equilibrium check "
            f"(max regret {max_regret[k]:.3g}, tolerance {allowed[k]:.3g}); "
            f"{bad.size} of {len(max_regret)} draws fail. This is a bug: please report it."
        )
    return Solution(method, game, profile, values, reach, max_regret, list(notes or []), ties)
