"""Backtest: fit on crises up to a year, forecast the violence of every later crisis.

Three forecasts of each later crisis's violence level (ICB ``viol``: 1 none, 2 minor clashes,
3 serious clashes, 4 full-scale war), all from variables known when the crisis broke out:

- **base rate**: the share of each level among the training crises;
- **multinomial logit** on the same covariates (the plain statistical benchmark);
- **strategic model**: the three-move crisis game of :mod:`escalade.history.estimate`, read as an
  escalation ladder — a crisis with no violence stopped at the status quo, minor clashes at a
  concession, serious clashes at a back-down, full-scale war at war. This mapping of game outcomes
  to violence levels is an assumption of this backtest, not of the ICB data.

Covariates, each known when the crisis broke out (ICB v14 system level): a constant; whether the
crisis belongs to a protracted conflict (``protrac`` 2 or 3) and to one of its most intense kind
(``protrac`` = 3); whether the trigger was a violent act (``break`` = 9, the trigger being by
definition the act that opened the crisis); and whether the crisis broke out inside an ongoing war
(an intra-war crisis, ``iwcmb`` ≥ 2). The gravity of the threat (``gravcr``) is left out: ICB codes
the gravest threat at any time during the crisis, so it can carry what happened after the outbreak.
Nothing after the cut-off year enters the fit (a test shuffles later outcomes and checks the fit does
not move). Scores: log loss and Brier score on the later crises (lower is better), and the paired
per-crisis difference in log loss between the strategic model and the logit, with a bootstrap
interval: the question is whether the game's structure adds anything to the same covariates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from scipy.stats import bootstrap

from escalade.history.estimate import fit_crisis_game
from escalade.history.icb import HistoryDataError

COVARIATES = (
    "constant",
    "protracted_conflict",
    "intense_protracted_conflict",
    "violent_trigger",
    "intra_war_crisis",
)
MODELS = ("model", "base_rate", "logit")
ONSET_COLUMNS = ("protracted_conflict", "trigger_act", "intra_war_crisis")


def design(crises: pd.DataFrame) -> np.ndarray:
    """(n, 5) covariates known at the outbreak of each crisis (see the module docstring)."""
    for column in ONSET_COLUMNS:
        if column not in crises.columns:
            raise HistoryDataError(f"the crisis data has no {column!r} column; load it with escalade.history.load_icb")
    protracted = crises["protracted_conflict"].to_numpy(dtype=float)
    return np.column_stack(
        [
            np.ones(len(crises)),
            protracted >= 2,
            protracted == 3,
            crises["trigger_act"].to_numpy(dtype=float) == 9,
            crises["intra_war_crisis"].to_numpy(dtype=float) >= 2,
        ]
    ).astype(float)


def fit_multinomial_logit(outcome: np.ndarray, covariates: np.ndarray, classes: int = 4) -> np.ndarray:
    """Coefficients (classes, k) of a multinomial logit, class 0 as the reference (row of zeros)."""
    n, k = covariates.shape

    def negative_log_likelihood(theta: np.ndarray) -> float:
        scores = covariates @ np.vstack([np.zeros(k), theta.reshape(classes - 1, k)]).T
        return -float(log_softmax(scores, axis=1)[np.arange(n), outcome].sum())

    result = minimize(negative_log_likelihood, np.zeros((classes - 1) * k), method="BFGS", options={"gtol": 1e-8})
    return np.vstack([np.zeros(k), result.x.reshape(classes - 1, k)])


@dataclass(frozen=True)
class PairedDifference:
    """Mean per-crisis log-loss difference ``first − second`` and its 95% bootstrap interval."""

    first: str
    second: str
    mean: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return f"{self.second} forecasts better"
        if self.high < 0:
            return f"{self.first} forecasts better"
        return "no difference the test crises can show"


@dataclass(frozen=True)
class Backtest:
    train_until: int
    n_train: int
    n_test: int
    outcome: np.ndarray  # (n_test,) violence level − 1
    forecasts: dict[str, np.ndarray]  # model -> (n_test, 4)

    def log_loss(self) -> dict[str, float]:
        return {
            name: float(-np.mean(np.log(np.clip(p[np.arange(self.n_test), self.outcome], 1e-12, 1))))
            for name, p in self.forecasts.items()
        }

    def losses(self, name: str) -> np.ndarray:
        """(n_test,) each later crisis's log loss under forecast ``name``."""
        return -np.log(np.clip(self.forecasts[name][np.arange(self.n_test), self.outcome], 1e-12, 1))

    def paired_difference(self, first: str = "model", second: str = "logit", seed: int = 0) -> PairedDifference:
        """Mean per-crisis log loss of ``first`` minus ``second`` (negative: ``first`` forecast better),
        with a 95% BCa bootstrap interval over the test crises (scipy.stats.bootstrap)."""
        difference = self.losses(first) - self.losses(second)
        spread = float(np.ptp(difference))
        if spread == 0.0:  # the two forecasts agree on every crisis: nothing to resample
            mean = float(difference[0])
            return PairedDifference(first, second, mean, mean, mean)
        interval = bootstrap(
            (difference,), np.mean, n_resamples=9_999, confidence_level=0.95, method="BCa", random_state=seed
        ).confidence_interval
        return PairedDifference(first, second, float(difference.mean()), float(interval.low), float(interval.high))

    def brier(self) -> dict[str, float]:
        observed = np.eye(4)[self.outcome]
        return {name: float(np.mean(((p - observed) ** 2).sum(axis=1))) for name, p in self.forecasts.items()}

    def calibration(self, bins: int = 5) -> pd.DataFrame:
        """Mean forecast and observed frequency per probability bin, pooled over the four levels."""
        observed = np.eye(4)[self.outcome].ravel()
        rows = []
        for name, forecast in self.forecasts.items():
            probabilities = forecast.ravel()
            which = np.minimum((probabilities * bins).astype(int), bins - 1)
            for b in range(bins):
                chosen = which == b
                if chosen.any():
                    rows.append(
                        {"model": name, "bin": b, "forecast": probabilities[chosen].mean(),
                         "observed": observed[chosen].mean(), "count": int(chosen.sum())}
                    )  # fmt: skip
        return pd.DataFrame(rows)


def backtest(crises: pd.DataFrame, train_until: int) -> Backtest:
    """Fit on crises triggered in or before ``train_until``; forecast the later ones."""
    crises = crises.dropna(subset=["violence", "year_triggered"])
    train = crises[crises["year_triggered"] <= train_until]
    test = crises[crises["year_triggered"] > train_until]
    if len(train) < 30 or len(test) == 0:
        raise HistoryDataError(
            f"training up to {train_until} leaves {len(train)} crises to fit and {len(test)} to forecast; "
            "choose a year with at least 30 crises before it and some after"
        )
    y_train = train["violence"].to_numpy(dtype=int) - 1
    y_test = test["violence"].to_numpy(dtype=int) - 1
    x_train, x_test = design(train), design(test)
    base = np.bincount(y_train, minlength=4) / len(y_train)
    logit = fit_multinomial_logit(y_train, x_train)
    strategic = fit_crisis_game(y_train, x_train, list(COVARIATES), errors=False)
    forecasts = {
        "model": strategic.predict(x_test),
        "base_rate": np.tile(base, (len(test), 1)),
        "logit": softmax(x_test @ logit.T, axis=1),
    }
    return Backtest(train_until, len(train), len(test), y_test, forecasts)
