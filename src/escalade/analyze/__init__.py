"""Stage 5: turn runs and solutions into tables."""

from escalade.analyze.analysis import Analysis, HistoryComparison, Sensitivity, runs_frame, summary_frame
from escalade.analyze.claims import ClaimVerdict, evaluate_claims
from escalade.analyze.intervals import Share, wilson
from escalade.analyze.outcomes import PathRow, likely_paths, paths_frame, profile_frame
from escalade.analyze.policies import (
    Estimate,
    PolicyRow,
    bootstrap_mean,
    compare_policies,
    escalation_shares,
    share_lower,
    value_of_information,
    violence_distribution,
)
from escalade.analyze.sensitivity import (
    SobolIndex,
    Swing,
    TippingPoint,
    scenario_sobol,
    sobol_indices,
    tipping_points,
    tornado,
    uncertain_parameters,
)

__all__ = [
    "Analysis",
    "ClaimVerdict",
    "Estimate",
    "HistoryComparison",
    "PathRow",
    "PolicyRow",
    "Sensitivity",
    "Share",
    "SobolIndex",
    "Swing",
    "TippingPoint",
    "bootstrap_mean",
    "compare_policies",
    "escalation_shares",
    "evaluate_claims",
    "likely_paths",
    "paths_frame",
    "profile_frame",
    "runs_frame",
    "scenario_sobol",
    "share_lower",
    "sobol_indices",
    "summary_frame",
    "tipping_points",
    "tornado",
    "uncertain_parameters",
    "value_of_information",
    "violence_distribution",
    "wilson",
]
