"""Stage 4: run the game forward over uncertain parameters."""

from escalade.simulate.runs import (
    ESCALATION,
    Course,
    Runs,
    analysis_tree,
    policy_measures,
    reached_sets,
    solve_courses,
    solve_draws,
    solve_variants,
    tie_labels,
    tied_nodes,
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
    "reached_sets",
    "sample_parameters",
    "sample_unit",
    "solve_courses",
    "solve_draws",
    "solve_variants",
    "tie_labels",
    "tied_nodes",
]
