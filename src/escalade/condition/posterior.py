"""From prior draws to posterior draws: importance weights, then sequential Monte Carlo where they fail.

The prior draws are points of the unit cube pushed through each parameter's quantile function
(:mod:`escalade.simulate.sample`). Here they are moved to standard-normal coordinates
``z = Φ⁻¹(u)``, where the prior is N(0, I) whatever the parameters' distributions, and the
posterior is reached by likelihood tempering (Del Moral, Doucet & Jasra 2006; Chopin 2002):

1. Weigh every draw by ``L^(β' − β)``, choosing the next temperature β' by bisection so that the
   weights' effective sample size (Kish: (Σw)² / Σw²) is ``ESS_SHARE`` of the particles; at β' = 1
   the weights are the plain importance weights of the record.
2. Resample (systematic), which leaves equally weighted particles, some repeated.
3. Move each particle by Metropolis–Hastings steps that keep the tempered posterior ``N(z; 0, I) ·
   L(z)^β'`` invariant: an independent proposal from a Gaussian fitted to the particles (its
   covariance widened by ``WIDEN``), alternating with a random walk on the same covariance scaled
   by 2.38/√d, until ``MOVED_SHARE`` of the particles have moved since resampling or ``MAX_MOVES``
   steps have been made. Each step solves every proposal at once.
4. Repeat until β = 1. The product of the steps' mean weights estimates the record's marginal
   likelihood (the evidence).

When the importance weights of the prior draws already have an ESS of ``ESS_SHARE`` or more, they
are used as they are: round(ESS) draws are resampled in proportion to them, so that analyses of the
posterior draws do not count a repeated draw as new evidence. Otherwise the record is unlikely under
much of the prior, and the tempering above runs. A record that no draw can produce
is refused, naming the first observation that is impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special
from scipy.optimize import brentq

from escalade.condition.likelihood import Evidence, evidence
from escalade.game import Tree, compile_tree
from escalade.scenario import Scenario
from escalade.simulate import from_unit

ESS_SHARE = 0.5
MAX_MOVES = 12
MOVED_SHARE = 0.9
WIDEN = 1.5  # the independent proposal's covariance, relative to the particles'
EDGE = 1e-12  # unit points are kept this far inside (0, 1) so that Φ⁻¹ stays finite


class ConditioningError(ValueError):
    """The record cannot be conditioned on: impossible under every draw, or no record at all."""


@dataclass(frozen=True, eq=False)
class Posterior:
    """The prior draws, the posterior draws (equally weighted), and how the one led to the other."""

    prior: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    prior_evidence: Evidence
    evidence: Evidence  # of each posterior draw
    ess: float  # Kish effective sample size of the record's importance weights on the prior draws
    log_evidence: float  # log P(record), the marginal likelihood under the prior
    temperatures: list[float] = field(default_factory=list)  # β after each tempering step
    acceptance: list[float] = field(default_factory=list)  # Metropolis–Hastings acceptance, step by step
    moved: float = 1.0  # share of particles moved since the last resampling

    @property
    def n_draws(self) -> int:
        return len(self.evidence.steps)

    @property
    def method(self) -> str:
        if not self.acceptance:
            return "importance weights (the draws resampled in proportion to them, as many as they are worth)"
        return f"sequential Monte Carlo over {len(self.temperatures)} temperatures (resample-move)"


def normalised(log_weights: np.ndarray) -> np.ndarray:
    finite = np.isfinite(log_weights)
    if not finite.any():
        return np.zeros_like(log_weights)
    shifted = np.where(finite, np.exp(log_weights - log_weights[finite].max()), 0.0)
    return shifted / shifted.sum()


def log_mean_exp(log_values: np.ndarray) -> float:
    """log of the mean of exp(``log_values``), the impossible (-inf) counted as zeros; -inf if all are."""
    finite = log_values[np.isfinite(log_values)]
    return float(special.logsumexp(finite) - np.log(len(log_values))) if finite.size else float("-inf")


def kish(log_weights: np.ndarray) -> float:
    """The effective sample size of weights given as logarithms."""
    w = normalised(log_weights)
    return float(1.0 / np.sum(w**2)) if w.any() else 0.0


def condition(scenario: Scenario, unit: np.ndarray, seed: int, tree: Tree | None = None, **chunking: Any) -> Posterior:
    """The posterior draws given ``scenario``'s record, from the prior draws ``unit`` (n, parameters)
    of the unit cube, solving ``chunking`` (chunk, workers, scheduler, progress) as a sweep does."""
    tree = tree or compile_tree(scenario)
    return condition_draws(scenario, unit, lambda values: evidence(scenario, values, tree, **chunking), seed)


def condition_draws(
    scenario: Scenario,
    unit: np.ndarray,
    likelihood: Callable[[Mapping[str, np.ndarray]], Evidence],
    seed: int,
) -> Posterior:
    """The posterior draws of ``scenario``'s parameters given its record, starting from the prior
    draws ``unit`` (n, parameters) of the unit cube; ``likelihood`` solves a batch of draws."""
    rng = np.random.default_rng([seed, 0x5EC])
    z = special.ndtri(np.clip(unit, EDGE, 1 - EDGE))
    prior = from_unit(scenario, special.ndtr(z))
    first = likelihood(prior)
    ell = first.log_likelihood
    if not np.isfinite(ell).any():
        raise ConditioningError(_impossible(scenario, first))
    n = len(ell)
    ess = kish(ell)
    log_z = log_mean_exp(ell)
    if ess >= ESS_SHARE * n:  # the importance weights suffice: resample as many draws as they are worth
        index = _systematic(normalised(ell), rng, round(ess))
        return Posterior(prior, {k: v[index] for k, v in prior.items()}, first, first.take(index), ess, log_z, [1.0])
    evidence, log_z, beta = first, 0.0, 0.0
    temperatures, acceptance = [], []
    moved = 1.0
    while beta < 1.0:
        step = _next_step(ell, beta)
        log_z += log_mean_exp(step * ell)
        beta = min(1.0, beta + step)
        temperatures.append(beta)
        index = _systematic(normalised(step * ell), rng)
        z, ell, evidence = z[index], ell[index], evidence.take(index)
        z, ell, evidence, rates, moved = _move(scenario, z, ell, evidence, beta, likelihood, rng)
        acceptance += rates
    return Posterior(
        prior, from_unit(scenario, special.ndtr(z)), first, evidence, ess, log_z, temperatures, acceptance, moved
    )


def _next_step(ell: np.ndarray, beta: float) -> float:
    """The temperature increment that keeps the weights' ESS at ``ESS_SHARE`` of what it can be."""
    remaining = 1.0 - beta
    target = ESS_SHARE * np.isfinite(ell).sum()  # the ESS at a step of 0: the draws that can produce the record
    if kish(remaining * ell) >= target:
        return remaining
    return brentq(lambda step: kish(step * ell) - target, 1e-12 * remaining, remaining, xtol=1e-10 * remaining)


def _systematic(weights: np.ndarray, rng: np.random.Generator, n: int | None = None) -> np.ndarray:
    """``n`` (default: as many as there are weights) indices drawn in proportion to ``weights``, by
    systematic resampling over the draws in random order (in their own order, evenly spaced picks
    would follow the Sobol sequence's structure: every other Sobol point lies in one half of the cube)."""
    n = len(weights) if n is None else n
    order = rng.permutation(len(weights))
    positions = (rng.random() + np.arange(n)) / n
    picks = np.minimum(np.searchsorted(np.cumsum(weights[order]), positions), len(weights) - 1)
    return np.sort(order[picks])


def _move(
    scenario: Scenario,
    z: np.ndarray,
    ell: np.ndarray,
    evidence: Evidence,
    beta: float,
    likelihood: Callable[[Mapping[str, np.ndarray]], Evidence],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, Evidence, list[float], float]:
    n, d = z.shape
    moved = np.zeros(n, dtype=bool)
    rates = []
    if d == 0:
        return z, ell, evidence, rates, 1.0
    for step in range(MAX_MOVES):
        mean = z.mean(axis=0)
        cov = np.atleast_2d(np.cov(z, rowvar=False)) + 1e-9 * np.eye(d)
        root = np.linalg.cholesky(cov)
        noise = rng.standard_normal((n, d)) @ root.T
        if step % 2 == 0:  # independent: a Gaussian fitted to the particles, widened
            proposal = mean + np.sqrt(WIDEN) * noise
            log_q = _log_gauss(z, mean, WIDEN * cov) - _log_gauss(proposal, mean, WIDEN * cov)
        else:  # random walk
            proposal = z + 2.38 / np.sqrt(d) * noise
            log_q = np.zeros(n)
        found = likelihood(from_unit(scenario, special.ndtr(proposal)))
        new = found.log_likelihood
        with np.errstate(invalid="ignore"):
            log_ratio = beta * (new - ell) - 0.5 * (np.sum(proposal**2, axis=1) - np.sum(z**2, axis=1)) + log_q
        accept = np.log(rng.random(n)) < np.where(np.isnan(log_ratio), -np.inf, log_ratio)
        z = np.where(accept[:, None], proposal, z)
        ell = np.where(accept, new, ell)
        evidence = _merge(evidence, found, accept)
        moved |= accept
        rates.append(float(accept.mean()))
        if moved.mean() >= MOVED_SHARE:
            break
    return z, ell, evidence, rates, float(moved.mean())


def _log_gauss(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Log density of N(mean, cov) at the rows of x, up to a constant shared by all rows."""
    solved = np.linalg.solve(np.linalg.cholesky(cov), (x - mean).T)
    return -0.5 * np.sum(solved**2, axis=0)


def _merge(old: Evidence, new: Evidence, take: np.ndarray) -> Evidence:
    """Per draw, ``new``'s evidence where ``take`` is True, else ``old``'s."""
    return Evidence(
        *(
            np.where(take.reshape(-1, *[1] * (a.ndim - 1)), b, a)
            for a, b in zip(old.columns(), new.columns(), strict=True)
        )
    )


def _impossible(scenario: Scenario, evidence: Evidence) -> str:
    """Which observation (or base rate) rules out every draw."""
    record = scenario.record
    for j, observation in enumerate(record.in_order()):
        if not np.isfinite(evidence.steps[:, j]).any():
            return (
                f"the record is impossible under every parameter draw: no draw can produce {observation.move!r} "
                f"({observation.date}) after the moves observed before it. Check the observation; widen the "
                "parameter ranges that make it impossible (a probability of 0 at a chance node?); or lower the "
                "precision λ, if it is so large that moves away from the equilibrium get probability 0"
            )
    return (
        "the record is impossible under every parameter draw: a base rate of 0 or 1 meets an outcome the model "
        "makes certain or impossible. Check the base rates under 'record:'"
    )
