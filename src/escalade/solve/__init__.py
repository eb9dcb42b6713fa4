"""Stage 3: solve a compiled game. Every answer carries its own verified regret."""

from escalade.solve.enumpure import enumerate_pure
from escalade.solve.solution import REGRET_TOLERANCE, Solution, SolverError, certify
from escalade.solve.spe import solve_spe
from escalade.solve.verify import nash_regret

__all__ = [
    "REGRET_TOLERANCE",
    "Solution",
    "SolverError",
    "certify",
    "enumerate_pure",
    "nash_regret",
    "solve_spe",
]
