"""Stage 5: turn runs and solutions into tables."""

from escalade.analyze.outcomes import PathRow, likely_paths
from escalade.analyze.policies import (
    Estimate,
    PolicyRow,
    bootstrap_mean,
    compare_policies,
    share_lower,
    value_of_information,
)

__all__ = [
    "Estimate",
    "PathRow",
    "PolicyRow",
    "bootstrap_mean",
    "compare_policies",
    "likely_paths",
    "share_lower",
    "value_of_information",
]
