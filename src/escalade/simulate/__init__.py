"""Stage 4: run the game forward over uncertain parameters."""

from escalade.simulate.runs import (
    ESCALATION,
    Runs,
    analysis_tree,
    policy_measures,
    solve_draws,
)
from escalade.simulate.sample import METHODS, sample_parameters
from escalade.simulate.trajectories import EQUILIBRIUM

__all__ = [
    "EQUILIBRIUM",
    "ESCALATION",
    "METHODS",
    "Runs",
    "analysis_tree",
    "policy_measures",
    "sample_parameters",
    "solve_draws",
]
