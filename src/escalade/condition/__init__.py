"""Conditioning on what happened: how likely each parameter draw makes the record (the observed moves
under the logit QRE, base rates of reference classes), the posterior draws that follow, and forecasts
with their scores. Sits after ``simulate`` and before ``analyze``: its posterior draws go through
every analysis in place of the prior draws.
"""

from escalade.condition.dynamic import PathEvidence, path_evidence
from escalade.condition.likelihood import Evidence, evidence, rationality
from escalade.condition.posterior import (
    ConditioningError,
    Posterior,
    condition,
    condition_draws,
    kish,
    log_mean_exp,
    normalised,
)

__all__ = [
    "ConditioningError",
    "Evidence",
    "PathEvidence",
    "Posterior",
    "condition",
    "condition_draws",
    "evidence",
    "kish",
    "log_mean_exp",
    "normalised",
    "path_evidence",
    "rationality",
]
