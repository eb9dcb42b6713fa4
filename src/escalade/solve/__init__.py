"""Stage 3: solve a compiled game. Every answer carries its own verified regret.

Methods: ``spe`` (subgame-perfect: backward induction, with the logit-QRE limit inside subgames
that have information sets), ``qre`` (the agent logit QRE of the whole game at a given λ, or its
limit), ``lcp`` (equilibria of two-player games by Lemke's algorithm on the sequence form),
``enumpure`` (every pure-strategy Nash equilibrium of a small game).
"""

from escalade.solve.enumpure import enumerate_pure
from escalade.solve.lcp import solve_lcp
from escalade.solve.qre import fit_lambda, solve_qre
from escalade.solve.solution import APPROXIMATE_TOLERANCE, REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.spe import solve_spe
from escalade.solve.verify import nash_regret

__all__ = [
    "APPROXIMATE_TOLERANCE",
    "REGRET_TOLERANCE",
    "Solution",
    "SolverError",
    "certify",
    "enumerate_pure",
    "fit_lambda",
    "nash_regret",
    "solve_lcp",
    "solve_qre",
    "solve_spe",
]
