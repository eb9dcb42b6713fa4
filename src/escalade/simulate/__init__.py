"""Stage 4: run the game forward over uncertain parameters."""

from escalade.simulate.runs import (
    ESCALATION,
    Course,
    Runs,
    analysis_tree,
    policy_measures,
    solve_courses,
    solve_draws,
    solve_variants,
)
from escalade.simulate.sample import METHODS, from_unit, sample_parameters, sample_unit
from escalade.simulate.trajectories import EQUILIBRIUM

__all__ = [
    "EQUILIBRIUM",
    "ESCALATION",
    "METHODS",
    "Course",
    "Runs",
    "analysis_tree",
    "from_unit",
    "policy_measures",
    "sample_parameters",
    "sample_unit",
    "solve_courses",
    "solve_draws",
    "solve_variants",
]
