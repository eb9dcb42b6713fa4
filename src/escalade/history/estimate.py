"""Statistical strategic estimation of the canonical three-move crisis game.

The game (Signorino 1999, "Strategic interaction and the statistical analysis of international
conflict", APSR 93(2); Lewis & Schultz 2003; the ``egame123`` model of the R package ``games``,
Kenkel & Signorino): a challenger (1) keeps the status quo or challenges; the target (2) concedes
or resists; the challenger then backs down or fights. Outcomes: status quo, concession, back-down,
war. Each actor chooses with logit (agent) error, i.e. the agent logit QRE at λ = 1, which by
backward induction is

    p_war    = Λ(U1(war) − U1(back down))
    p_resist = Λ(p_war U2(war) + (1 − p_war) U2(back down) − U2(concession))
    p_chall  = Λ(p_resist [p_war U1(war) + (1 − p_war) U1(back down)] + (1 − p_resist) U1(concession) − U1(sq))

with Λ the logistic function. Utilities are linear in covariates, ``U = X β``; for identification
U1(status quo) = 0 and U2(concession) = 0 (the scale is fixed by the unit logit error). The five
coefficient vectors are estimated by maximum likelihood; standard errors come from the observed
information (the inverse of a numerical Hessian of the log-likelihood at the optimum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_expit

OUTCOMES = ("status_quo", "concession", "back_down", "war")
UTILITIES = ("u1_concession", "u1_back_down", "u1_war", "u2_back_down", "u2_war")


def outcome_probabilities(coefficients: np.ndarray, covariates: np.ndarray) -> np.ndarray:
    """(n, 4) probability of each outcome, given coefficients (5, k) and covariates (n, k)."""
    utilities = np.asarray(covariates, dtype=float) @ np.asarray(coefficients, dtype=float).T  # (n, 5)
    return _probabilities(*utilities.T)


def _probabilities(u1_cap, u1_bd, u1_war, u2_bd, u2_war) -> np.ndarray:
    p_war = expit(u1_war - u1_bd)
    p_resist = expit(p_war * u2_war + (1 - p_war) * u2_bd)
    fight_value = p_war * u1_war + (1 - p_war) * u1_bd
    p_challenge = expit(p_resist * fight_value + (1 - p_resist) * u1_cap)
    return np.column_stack(
        [
            1 - p_challenge,
            p_challenge * (1 - p_resist),
            p_challenge * p_resist * (1 - p_war),
            p_challenge * p_resist * p_war,
        ]
    )


def _log_likelihood(theta: np.ndarray, covariates: np.ndarray, outcome: np.ndarray) -> float:
    utilities = covariates @ theta.reshape(5, covariates.shape[1]).T  # (n, 5)
    u1_cap, u1_bd, u1_war, u2_bd, u2_war = utilities.T
    war_gap = u1_war - u1_bd
    p_war = expit(war_gap)
    resist_gap = p_war * u2_war + (1 - p_war) * u2_bd
    p_resist = expit(resist_gap)
    challenge_gap = p_resist * (p_war * u1_war + (1 - p_war) * u1_bd) + (1 - p_resist) * u1_cap
    # log-probabilities in a numerically stable form: log Λ(g) and log(1 − Λ(g)) = log Λ(−g)
    log_p = np.column_stack(
        [
            log_expit(-challenge_gap),
            log_expit(challenge_gap) + log_expit(-resist_gap),
            log_expit(challenge_gap) + log_expit(resist_gap) + log_expit(-war_gap),
            log_expit(challenge_gap) + log_expit(resist_gap) + log_expit(war_gap),
        ]
    )
    return float(log_p[np.arange(len(outcome)), outcome].sum())


@dataclass(frozen=True)
class StrategicFit:
    """Estimates of the crisis game: coefficient table, log-likelihood, covariance."""

    coefficients: np.ndarray  # (5, k)
    standard_errors: np.ndarray  # (5, k)
    covariance: np.ndarray  # (5k, 5k)
    log_likelihood: float
    n: int
    covariate_names: list[str]

    def table(self) -> pd.DataFrame:
        rows = []
        for j, utility in enumerate(UTILITIES):
            for c, name in enumerate(self.covariate_names):
                estimate, se = self.coefficients[j, c], self.standard_errors[j, c]
                rows.append(
                    {"utility": utility, "covariate": name, "estimate": estimate, "std_error": se,
                     "low_95": estimate - 1.96 * se, "high_95": estimate + 1.96 * se}
                )  # fmt: skip
        return pd.DataFrame(rows)

    def predict(self, covariates: np.ndarray) -> np.ndarray:
        """(n, 4) outcome probabilities for new cases."""
        return outcome_probabilities(self.coefficients, covariates)


def fit_crisis_game(
    outcome: np.ndarray, covariates: np.ndarray, covariate_names: list[str] | None = None, errors: bool = True
) -> StrategicFit:
    """Maximum-likelihood fit; ``outcome`` holds 0–3 (see :data:`OUTCOMES`), ``covariates`` (n, k)
    should include a constant column. ``errors=False`` skips the standard errors (NaN): a forecast
    needs only the fitted probabilities, which are identified even where single coefficients are not."""
    outcome = np.asarray(outcome, dtype=np.int64)
    covariates = np.asarray(covariates, dtype=float)
    n, k = covariates.shape
    if outcome.shape != (n,) or np.any((outcome < 0) | (outcome > 3)):
        raise ValueError("outcome must hold one code 0-3 per case (status quo, concession, back-down, war)")
    names = covariate_names or [f"x{c}" for c in range(k)]

    def objective(theta: np.ndarray) -> float:
        return -_log_likelihood(theta, covariates, outcome)

    result = minimize(objective, np.zeros(5 * k), method="BFGS", options={"gtol": 1e-8, "maxiter": 2000})
    theta = result.x
    if not errors:
        unknown = np.full((5 * k, 5 * k), np.nan)
        return StrategicFit(theta.reshape(5, k), np.full((5, k), np.nan), unknown, -float(result.fun), n, names)
    hessian = _numerical_hessian(objective, theta)
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        raise ValueError("the model is not identified on these data (singular information matrix)") from None
    errors = np.sqrt(np.clip(np.diag(covariance), 0, None)).reshape(5, k)
    return StrategicFit(theta.reshape(5, k), errors, covariance, -float(result.fun), n, names)


def _numerical_hessian(function, point: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function."""
    size = len(point)
    hessian = np.zeros((size, size))
    for i in range(size):
        for j in range(i, size):
            shift_i, shift_j = np.eye(size)[i] * step, np.eye(size)[j] * step
            value = (
                function(point + shift_i + shift_j)
                - function(point + shift_i - shift_j)
                - function(point - shift_i + shift_j)
                + function(point - shift_i - shift_j)
            ) / (4 * step * step)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def simulate_outcomes(coefficients: np.ndarray, covariates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw outcomes (0–3) from the model, for recovery tests and power analysis."""
    probabilities = outcome_probabilities(coefficients, covariates)
    cumulative = probabilities.cumsum(axis=1)
    return (rng.random(len(covariates))[:, None] > cumulative[:, :-1]).sum(axis=1)
