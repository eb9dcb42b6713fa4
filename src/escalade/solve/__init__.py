"""Stage 3: solve a compiled game. Every answer carries its own verified regret.

Methods: ``spe`` (subgame-perfect: backward induction, with the logit-QRE limit inside subgames
that have information sets), ``qre`` (the agent logit QRE of the whole game at a given λ, or its
limit), ``lcp`` (equilibria of two-player games by Lemke's algorithm on the sequence form),
``enumpure`` (every pure-strategy Nash equilibrium of a small game).
"""

from escalade.game import Game
from escalade.solve.enumpure import enumerate_pure
from escalade.solve.lcp import solve_lcp
from escalade.solve.qre import LambdaFit, fit_lambda, solve_qre
from escalade.solve.solution import APPROXIMATE_TOLERANCE, REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.spe import solve_spe
from escalade.solve.verify import nash_regret

METHODS = ("spe", "qre", "lcp", "enumpure")


def solve(game: Game, method: str = "spe", lam: float | None = None) -> list[Solution]:
    """The equilibria ``method`` finds for ``game``: one for ``spe`` and ``qre`` (at ``lam`` or the
    limit), possibly several for ``lcp`` and ``enumpure``."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if lam is not None and method != "qre":
        raise ValueError(f"a logit precision λ goes with the qre method, not {method}")
    if method == "spe":
        return [solve_spe(game)]
    if method == "qre":
        return [solve_qre(game, lam)]
    return solve_lcp(game) if method == "lcp" else enumerate_pure(game)


__all__ = [
    "APPROXIMATE_TOLERANCE",
    "METHODS",
    "REGRET_TOLERANCE",
    "LambdaFit",
    "Solution",
    "SolverError",
    "certify",
    "enumerate_pure",
    "fit_lambda",
    "nash_regret",
    "solve",
    "solve_lcp",
    "solve_qre",
    "solve_spe",
]
