import re

import numpy as np
import pytest

from escalade.analyze import SobolIndex, scenario_morris, scenario_sobol, sobol_warnings
from escalade.scenario import loads
from tests.scenario.test_load import SMALL

THREE_UNIFORMS = """\
  x1: {dist: uniform, low: 0, high: 1, doc: strong, source: test}
  x2: {dist: uniform, low: 0, high: 1, doc: weak, source: test}
  x3: {dist: uniform, low: 0, high: 1, doc: inert, source: test}
"""


@pytest.fixture
def scenario():
    """SMALL with its own parameters fixed and three uniform ones added."""
    text = (
        SMALL.replace("p: {dist: beta, a: 2, b: 2,", "p: {dist: fixed, value: 0.5,")
        .replace("cost: {dist: uniform, low: 0, high: 1,", "cost: {dist: fixed, value: 0.3,")
        .replace("\nroot: start\n", "\n" + THREE_UNIFORMS + "root: start\n")
    )
    scenario = loads(text)
    assert sorted(scenario.parameters) == ["cost", "p", "x1", "x2", "x3"]
    return scenario


def linear(values):  # y = 4 x1 + x2 + 0 x3
    return (4 * values["x1"] + values["x2"])[:, None]


def suggested_samples(warning: str) -> int:
    return int(re.search(r"about (\d+) base samples", warning).group(1))


def test_morris_ranks_a_linear_function_by_its_slopes(scenario):
    (indices,) = scenario_morris(scenario, linear, ["y"], trajectories=20, seed=1).values()
    assert [index.parameter for index in indices] == ["x1", "x2", "x3"]
    assert indices[0].mu_star == pytest.approx(4.0)
    assert indices[1].mu_star == pytest.approx(1.0)
    assert indices[2].mu_star == pytest.approx(0.0, abs=1e-12)
    assert all(index.sigma == pytest.approx(0.0, abs=1e-9) for index in indices)  # linear: no interactions


def test_morris_leaves_fixed_parameters_out_and_costs_d_plus_one_runs_per_trajectory(scenario):
    calls = []

    def counting(values):
        calls.append(len(values["x1"]))
        return linear(values)

    screened = scenario_morris(scenario, counting, ["y"], trajectories=10, seed=2)
    assert {index.parameter for index in screened["y"]} == {"x1", "x2", "x3"}
    assert calls == [(3 + 1) * 10]


def test_tiny_sobol_samples_on_a_noisy_function_warn_and_ask_for_more(scenario):
    def noisy(values):
        rng = np.random.default_rng(0)
        return (values["x1"] + rng.normal(scale=0.3, size=len(values["x1"])))[:, None]

    warnings = sobol_warnings(scenario_sobol(scenario, noisy, ["y"], n=8, seed=1), base_samples=8)
    about_x1 = [warning for warning in warnings if "index of x1" in warning]
    assert about_x1
    assert all(warning.startswith("y: ") and suggested_samples(warning) > 8 for warning in about_x1)


def test_many_sobol_samples_on_a_linear_function_give_no_warning(scenario):
    indices = scenario_sobol(scenario, linear, ["y"], n=4096, seed=1)
    assert sobol_warnings(indices, base_samples=4096) == []


def test_a_total_index_above_one_is_reported_as_impossible():
    indices = {"p_war": [SobolIndex("cost", first=0.4, first_conf=0.01, total=1.3, total_conf=0.2)]}
    (warning,) = sobol_warnings(indices, base_samples=64)
    assert "p_war" in warning and "total index of cost" in warning and "above 1" in warning
    assert suggested_samples(warning) == 4096  # 64 * (0.2 / 0.025)**2


def test_first_order_indices_summing_above_one_are_reported():
    indices = {
        "p_war": [
            SobolIndex("cost", first=0.7, first_conf=0.01, total=0.75, total_conf=0.01),
            SobolIndex("p", first=0.5, first_conf=0.01, total=0.55, total_conf=0.01),
        ]
    }
    (warning,) = sobol_warnings(indices, base_samples=256)
    assert "p_war" in warning and "sum to 1.20" in warning
    assert suggested_samples(warning) == 512  # the formula asks for less; at least double


def test_a_wide_interval_suggests_the_samples_that_halve_the_index():
    indices = {"y": [SobolIndex("x1", first=0.2, first_conf=0.05, total=0.3, total_conf=0.4)]}
    (warning,) = sobol_warnings(indices, base_samples=8)
    assert "total index of x1" in warning and "wider than the index" in warning
    assert suggested_samples(warning) == 64  # 8 * (0.4 / 0.15)**2 = 56.9, next power of two


def test_a_negligible_precise_index_gives_no_warning():
    indices = {"y": [SobolIndex("x3", first=0.001, first_conf=0.01, total=0.002, total_conf=0.01)]}
    assert sobol_warnings(indices, base_samples=64) == []
