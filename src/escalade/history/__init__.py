"""Crisis history: International Crisis Behavior data, reference classes, base rates, and the
statistical strategic model of the three-move crisis game."""

from escalade.analyze.intervals import Share, wilson
from escalade.history.estimate import (
    OUTCOMES,
    UTILITIES,
    StrategicFit,
    fit_crisis_game,
    outcome_probabilities,
    simulate_outcomes,
)
from escalade.history.icb import (
    ACTOR_VARIABLES,
    SYSTEM_VARIABLES,
    VIOLENCE_LABELS,
    HistoryDataError,
    code_base_rates,
    load_icb,
    median_duration,
    reference_class,
    violence_base_rates,
)

__all__ = [
    "ACTOR_VARIABLES",
    "OUTCOMES",
    "SYSTEM_VARIABLES",
    "UTILITIES",
    "VIOLENCE_LABELS",
    "HistoryDataError",
    "Share",
    "StrategicFit",
    "code_base_rates",
    "fit_crisis_game",
    "load_icb",
    "median_duration",
    "outcome_probabilities",
    "reference_class",
    "simulate_outcomes",
    "violence_base_rates",
    "wilson",
]
