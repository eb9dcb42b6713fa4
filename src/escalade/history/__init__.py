"""Crisis history: International Crisis Behavior data, reference classes and base rates."""

from escalade.history.icb import (
    ACTOR_VARIABLES,
    SYSTEM_VARIABLES,
    VIOLENCE_LABELS,
    HistoryDataError,
    Share,
    load_icb,
    reference_class,
    violence_base_rates,
    wilson,
)

__all__ = [
    "ACTOR_VARIABLES",
    "SYSTEM_VARIABLES",
    "VIOLENCE_LABELS",
    "HistoryDataError",
    "Share",
    "load_icb",
    "reference_class",
    "violence_base_rates",
    "wilson",
]
