"""Stage 4: run the game forward over uncertain parameters."""

from escalade.simulate.runs import (
    ESCALATION,
    Runs,
    analysis_tree,
    claim_outputs,
    escalation_probabilities,
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
    "claim_outputs",
    "escalation_probabilities",
    "sample_parameters",
    "solve_draws",
]
