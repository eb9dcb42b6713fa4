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
- **Morris screening** (Morris 1991; mu* of Campolongo, Cariboni & Saltelli 2007, as implemented
  by SALib): elementary effects along random one-at-a-time trajectories, in the same probability
  space as the Sobol indices; a cheap first look at which of many parameters matter at all.
- **Honesty**: ``sobol_warnings`` says when the Sobol estimates are too noisy to read and how many
  base samples would do.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from escalade.scenario import Scenario

Model = Callable[[dict[str, np.ndarray]], np.ndarray]  # parameter draws -> outputs (n, outputs)


@dataclass(frozen=True)
class SobolIndex:
    parameter: str
    first: float  # S1
    first_conf: float  # 95% bootstrap half-width of S1 (SALib's S1_conf)
    total: float  # ST
    total_conf: float  # 95% bootstrap half-width of ST (SALib's ST_conf)


@dataclass(frozen=True)
class MorrisIndex:
    parameter: str
    mu_star: float  # mean |elementary effect|, output units per unit of quantile
    mu_star_conf: float  # 95% bootstrap half-width of mu_star
    sigma: float  # spread of the elementary effects: interactions or non-linearity


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
        with warnings.catch_warnings():
            # SALib warns when some resample happens to be constant; the estimates stay finite, and whether
            # they are too noisy to read is judged, and said in words, by sobol_warnings
            warnings.filterwarnings("ignore", message="Constant values encountered", category=UserWarning)
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


MATERIAL = 0.05  # an index whose interval stays below this is negligible; also the tolerance for impossible values


def sobol_warnings(indices: dict[str, list[SobolIndex]], base_samples: int) -> list[str]:
    """Plain-English warnings about Sobol estimates too noisy to read, and the base samples that would do.

    ``indices`` are per output, as ``scenario_sobol`` returns them, from ``base_samples`` base
    samples. Outputs are checked in the order given, parameters in list order, so the warnings are
    a function of the indices alone. At most one warning per index:

    1. An index impossible for a true index, beyond the tolerance 0.05: S1 or ST above 1.05, or
       below -0.05 with its whole interval below zero.
    2. Otherwise, for a parameter that may matter (ST + its half-width >= 0.05), an S1 or ST whose
       95% half-width exceeds max(|index|, 0.05): the interval is wider than the index itself.
    3. Per output, first-order indices summing to more than 1.05 (they cannot exceed 1).

    The suggested base sample size follows one rule. Bootstrap half-widths shrink as 1/sqrt(N), so
    a half-width ``conf`` at ``N`` base samples becomes ``conf * sqrt(N / N')`` at ``N'``. The target
    half-width is ``t = max(|index|, 0.05) / 2`` (the index known to within half of itself, or to
    within 0.025 when it is below 0.05), and ``t = 0.025`` for an impossible value or sum, whose size
    means nothing. Then ``N_needed = N * (conf / t)**2``, at least ``2 * N``, rounded up to the next
    power of two (Sobol designs balance at powers of two). For the S1 sum, ``conf`` is the root sum
    of squares of the S1 half-widths, as if the estimates were independent.
    """
    warnings = []
    for output, per_parameter in indices.items():
        for index in per_parameter:
            for kind, value, conf in (
                ("first-order", index.first, index.first_conf),
                ("total", index.total, index.total_conf),
            ):
                warning = _index_warning(output, index, kind, value, conf, base_samples)
                if warning:
                    warnings.append(warning)
        first_sum = sum(index.first for index in per_parameter)
        if first_sum > 1 + MATERIAL:
            conf = math.sqrt(sum(index.first_conf**2 for index in per_parameter))
            needed = _base_samples_needed(base_samples, conf, MATERIAL / 2)
            warnings.append(
                f"{output}: the first-order indices sum to {first_sum:.2f}, above 1, which true indices cannot; "
                f"the estimates are noise — about {needed} base samples (now {base_samples}) should settle them."
            )
    return warnings


def _index_warning(
    output: str, index: SobolIndex, kind: str, value: float, conf: float, base_samples: int
) -> str | None:
    """The warning ``sobol_warnings`` gives for one index, or None (its rules 1 and 2)."""
    subject = f"{output}: the {kind} index of {index.parameter} is {value:.2f} ± {conf:.2f}"
    impossible = value > 1 + MATERIAL or (value < -MATERIAL and value + conf < 0)
    if impossible:
        needed = _base_samples_needed(base_samples, conf, MATERIAL / 2)
        bound = "above 1" if value > 1 else "below 0"
        return (
            f"{subject}, {bound}, which no true index can be; the estimate is noise — "
            f"about {needed} base samples (now {base_samples}) should bring it within ± {MATERIAL / 2:.3f}."
        )
    may_matter = index.total + index.total_conf >= MATERIAL
    if may_matter and conf > max(abs(value), MATERIAL):
        target = max(abs(value), MATERIAL) / 2
        needed = _base_samples_needed(base_samples, conf, target)
        return (
            f"{subject}: its 95% interval is wider than the index itself — "
            f"about {needed} base samples (now {base_samples}) would narrow it to ± {target:.3f}."
        )
    return None


def _base_samples_needed(base_samples: int, conf: float, target: float) -> int:
    """``base_samples * (conf / target)**2``, at least twice ``base_samples``, up to a power of two."""
    needed = max(math.ceil(base_samples * (conf / target) ** 2), 2 * base_samples)
    return 1 << (needed - 1).bit_length()


def scenario_morris(
    scenario: Scenario, model: Model, outputs: Sequence[str], trajectories: int, seed: int, levels: int = 4
) -> dict[str, list[MorrisIndex]]:
    """Morris elementary-effects screening of each named output over the uncertain parameters.

    The cheap first look for a scenario with many parameters: ``(D + 1) * trajectories`` model
    evaluations for ``D`` uncertain parameters, against ``(D + 2) * n`` for Sobol indices, at the
    price of a ranking (mu*) rather than shares of variance. Morris (1991), with mu* (mean absolute
    elementary effect) of Campolongo, Cariboni & Saltelli (2007); SALib does the design and analysis.

    1. SALib draws ``trajectories`` one-at-a-time trajectories on a grid of ``levels`` levels in
       the unit cube (fixed parameters are left out, as for ``scenario_sobol``).
    2. Grid level ``j`` becomes quantile ``(j + 0.5) / levels`` — the middles of equal-probability
       bins, because the grid's ends (quantiles 0 and 1) would put normal and lognormal parameters
       far into their tails — and each parameter is drawn through its quantile function, the same
       mapping as ``scenario_sobol``.
    3. SALib computes mu*, its 95% bootstrap half-width and sigma, which are rescaled from grid
       steps to quantile steps: mu* is the output's change per unit of quantile, so on a uniform
       parameter over [0, 1] it is the slope.

    Returns, per output, indices sorted by mu* (largest first).
    """
    names = uncertain_parameters(scenario)
    if not names:
        return {output: [] for output in outputs}
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    grid = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)  # (trajectories * (D + 1), D)
    quantiles = (grid * (levels - 1) + 0.5) / levels
    results = np.asarray(model(_values(scenario, names, quantiles)), dtype=float)
    if results.ndim == 1:
        results = results[:, None]
    # SALib divides by a grid step of levels / (2 (levels - 1)); the quantile step is (levels - 1) / levels of it
    per_quantile = levels / (levels - 1)
    screened = {}
    for output, column in zip(outputs, results.T, strict=True):
        effects = morris_analyze.analyze(problem, grid, column, num_levels=levels, seed=seed, print_to_console=False)
        screened[output] = sorted(
            (
                MorrisIndex(
                    name,
                    float(effects["mu_star"][i]) * per_quantile,
                    float(effects["mu_star_conf"][i]) * per_quantile,
                    float(effects["sigma"][i]) * per_quantile,
                )
                for i, name in enumerate(names)
            ),
            key=lambda index: -index.mu_star,
        )
    return screened


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
