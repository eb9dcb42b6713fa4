"""Confidence intervals for proportions."""

from __future__ import annotations

import functools
from dataclasses import dataclass

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


@functools.lru_cache(maxsize=65_536)
def wilson(count: int, total: int, level: float = 0.95) -> Share:
    """Wilson (1927) score interval for ``count`` successes in ``total`` trials (scipy's binomtest). Cached:
    binomtest also computes an exact p-value, and a claims run asks for the same few counts hundreds of times."""
    if total == 0:
        return Share(0, 0, float("nan"), float("nan"))
    interval = stats.binomtest(int(count), int(total)).proportion_ci(confidence_level=level, method="wilson")
    return Share(int(count), int(total), float(max(0.0, interval.low)), float(min(1.0, interval.high)))
