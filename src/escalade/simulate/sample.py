"""Draw parameter sets from a scenario's distributions, reproducibly from a seed.

Draws are scrambled Sobol points (scipy.stats.qmc) pushed through each parameter's quantile
function, so N draws cover the parameter space more evenly than plain Monte Carlo; ``method="mc"``
gives independent uniform draws instead. The same seed always gives the same draws.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc

from escalade.scenario import Scenario
from escalade.simulate.backends import require_memory

METHODS = ("sobol", "mc")


def sample_parameters(scenario: Scenario, n: int, seed: int, method: str = "sobol") -> dict[str, np.ndarray]:
    """``n`` draws of every parameter: name -> array (n,). Parameters are ordered by name."""
    return from_unit(scenario, sample_unit(scenario, n, seed, method))


def sample_unit(scenario: Scenario, n: int, seed: int, method: str = "sobol") -> np.ndarray:
    """(n, parameters) points of the unit cube, one column per parameter in name order: the draws
    before each parameter's quantile function is applied (:func:`from_unit`)."""
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}; use one of {METHODS}")
    if n < 1:
        raise ValueError("the number of draws must be at least 1")
    names = sorted(scenario.parameters)
    if not names:
        return np.zeros((n, 0))
    require_memory(3.0 * n * len(names) * 8, f"{n:,} draws of {len(names)} parameters", "ask for fewer draws")
    if method == "sobol":
        sampler = qmc.Sobol(len(names), scramble=True, rng=np.random.default_rng(seed))
        with warnings.catch_warnings():
            # Sobol balance holds for powers of two; other n are fine, just less even.
            warnings.simplefilter("ignore", UserWarning)
            return sampler.random(n)
    return np.random.default_rng(seed).random((n, len(names)))


def from_unit(scenario: Scenario, unit: np.ndarray) -> dict[str, np.ndarray]:
    """The parameter values at points ``unit`` (n, parameters) of the unit cube: name -> array (n,)."""
    return {name: scenario.parameters[name].ppf(unit[:, i]) for i, name in enumerate(sorted(scenario.parameters))}
