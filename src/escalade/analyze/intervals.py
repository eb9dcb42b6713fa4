"""Confidence intervals for proportions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Share:
    """A proportion with its Wilson score interval."""

    count: int
    total: int
    low: float
    high: float

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else float("nan")

    def record(self) -> dict[str, float]:
        """JSON-ready: count, total, interval and the share itself."""
        return {"count": self.count, "total": self.total, "low": self.low, "high": self.high, "share": self.share}


def wilson(count: int, total: int, level: float = 0.95) -> Share:
    """Wilson (1927) score interval for ``count`` successes in ``total`` trials."""
    if total == 0:
        return Share(0, 0, float("nan"), float("nan"))
    z = stats.norm.ppf(0.5 + level / 2)
    p = count / total
    centre = (p + z**2 / (2 * total)) / (1 + z**2 / total)
    half = z * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / (1 + z**2 / total)
    return Share(count, total, float(max(0.0, centre - half)), float(min(1.0, centre + half)))
