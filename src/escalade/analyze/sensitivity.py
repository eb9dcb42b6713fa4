"""Which uncertain numbers decide the answer: Sobol indices, tornado swings and tipping points.

- **Sobol indices** (Sobol' 2001; Saltelli 2002; estimators of Saltelli et al. 2010 as
  implemented by SALib): the first-order index S1 of a parameter is the share of an output's
  variance explained by that parameter alone; the total index ST adds its interactions. Parameters
  are sampled on the unit cube and mapped through each distribution's quantile function, so every
  distribution the language offers is handled the same way.
- **Tornado**: each parameter moved from its 5% to its 95% quantile with the others at their
  means; the swing of the output, largest first.
- **Tipping points**: each parameter moved across its range (others at their means); where the
  policy with the lowest probability of escalation changes, the value at which it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from escalade.scenario import Scenario

Model = Callable[[dict[str, np.ndarray]], np.ndarray]  # parameter draws -> outputs (n, outputs)


@dataclass(frozen=True)
class SobolIndex:
    parameter: str
    first: float
    first_conf: float
    total: float
    total_conf: float


def uncertain_parameters(scenario: Scenario) -> list[str]:
    """Parameters with a distribution (not fixed), sorted by name."""
    return sorted(name for name, param in scenario.parameters.items() if param.dist != "fixed")


def sobol_indices(
    evaluate: Callable[[np.ndarray], np.ndarray], n_parameters: int, n: int, seed: int
) -> list[list[tuple[float, float, float, float]]]:
    """Sobol indices of each output of ``evaluate`` (unit-cube points (m, d) -> outputs (m, k)).

    ``n`` base samples (a power of two) give ``n * (d + 2)`` evaluations. Returns, per output,
    per parameter, ``(S1, S1 confidence, ST, ST confidence)`` (95% bootstrap half-widths).
    """
    problem = {
        "num_vars": n_parameters,
        "names": [f"x{i}" for i in range(n_parameters)],
        "bounds": [[0.0, 1.0]] * n_parameters,
    }
    unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    outputs = np.asarray(evaluate(unit), dtype=float)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    result = []
    for column in outputs.T:
        if np.ptp(column) == 0:  # a constant output: no parameter explains any variance
            result.append([(0.0, 0.0, 0.0, 0.0)] * n_parameters)
            continue
        indices = sobol_analyze.analyze(problem, column, calc_second_order=False, seed=seed, print_to_console=False)
        result.append(
            [
                (
                    float(indices["S1"][i]),
                    float(indices["S1_conf"][i]),
                    float(indices["ST"][i]),
                    float(indices["ST_conf"][i]),
                )
                for i in range(n_parameters)
            ]
        )
    return result


def scenario_sobol(
    scenario: Scenario, model: Model, outputs: Sequence[str], n: int, seed: int
) -> dict[str, list[SobolIndex]]:
    """Sobol indices of each named output of ``model`` over the scenario's uncertain parameters."""
    names = uncertain_parameters(scenario)
    if not names:
        return {output: [] for output in outputs}

    def evaluate(unit: np.ndarray) -> np.ndarray:
        return model(_values(scenario, names, unit))

    raw = sobol_indices(evaluate, len(names), n, seed)
    return {
        output: sorted(
            (SobolIndex(name, *numbers) for name, numbers in zip(names, per_output, strict=True)),
            key=lambda index: -index.total,
        )
        for output, per_output in zip(outputs, raw, strict=True)
    }


def _values(scenario: Scenario, names: list[str], unit: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter draws: uncertain ones from the unit cube, fixed ones at their value."""
    m = unit.shape[0]
    values = {name: np.full(m, param.mean()) for name, param in scenario.parameters.items()}
    for i, name in enumerate(names):
        values[name] = scenario.parameters[name].ppf(np.clip(unit[:, i], 1e-9, 1 - 1e-9))
    return values


@dataclass(frozen=True)
class Swing:
    parameter: str
    low_value: float
    high_value: float
    output_at_low: float
    output_at_high: float

    @property
    def width(self) -> float:
        return abs(self.output_at_high - self.output_at_low)


@dataclass(frozen=True)
class TippingPoint:
    parameter: str
    value: float  # where the best policy changes (midpoint between grid points)
    before: str  # best policy below the value
    after: str  # best policy above it


def one_at_a_time(scenario: Scenario, model: Model, quantiles: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each uncertain parameter moved across ``quantiles``, the others at their means.

    Returns (parameter names, values (d, g), outputs (d, g, k)), evaluated in one batch.
    """
    names = uncertain_parameters(scenario)
    grid = len(quantiles)
    base = scenario.central_values()
    values = {name: np.full(len(names) * grid, base[name]) for name in scenario.parameters}
    moved = np.zeros((len(names), grid))
    for i, name in enumerate(names):
        moved[i] = scenario.parameters[name].ppf(quantiles)
        values[name][i * grid : (i + 1) * grid] = moved[i]
    outputs = np.asarray(model(values), dtype=float).reshape(len(names), grid, -1)
    return names, moved, outputs


def tornado(scenario: Scenario, model: Model, output: int = 0) -> list[Swing]:
    """Swings of output ``output`` between each parameter's 5% and 95% quantiles, largest first."""
    names, moved, outputs = one_at_a_time(scenario, model, np.array([0.05, 0.95]))
    swings = [
        Swing(name, moved[i, 0], moved[i, 1], outputs[i, 0, output], outputs[i, 1, output])
        for i, name in enumerate(names)
    ]
    return sorted(swings, key=lambda swing: -swing.width)


def tipping_points(scenario: Scenario, model: Model, policies: Sequence[str], grid: int = 41) -> list[TippingPoint]:
    """Where the policy with the lowest output (one output column per policy) changes."""
    names, moved, outputs = one_at_a_time(scenario, model, np.linspace(0.01, 0.99, grid))
    points = []
    for i, name in enumerate(names):
        best = np.argmin(outputs[i] + 1e-12 * np.arange(len(policies)), axis=1)  # ties: first policy
        for j in np.flatnonzero(best[1:] != best[:-1]):
            value = 0.5 * (moved[i, j] + moved[i, j + 1])
            points.append(TippingPoint(name, float(value), policies[best[j]], policies[best[j + 1]]))
    return points
