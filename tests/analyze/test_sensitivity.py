import numpy as np
import pytest

from escalade.analyze import bootstrap_mean, sobol_indices, tipping_points, tornado
from escalade.scenario import loads
from tests.scenario.test_load import SMALL


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_their_analytic_values():
    # Analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008, sec. 4.5)
    first = [0.3139, 0.4424, 0.0]
    total = [0.5576, 0.4424, 0.2437]
    (indices,) = sobol_indices(ishigami, 3, 8192, seed=1)
    for i in range(3):
        assert indices[i][0] == pytest.approx(first[i], abs=0.02)
        assert indices[i][2] == pytest.approx(total[i], abs=0.02)


def test_a_constant_output_has_zero_indices():
    (indices,) = sobol_indices(lambda unit: np.ones(len(unit)), 2, 64, seed=1)
    assert all(index == (0.0, 0.0, 0.0, 0.0) for index in indices)


def test_bootstrap_interval_covers_the_mean_and_shrinks_with_more_data():
    rng = np.random.default_rng(0)
    small = bootstrap_mean(rng.normal(size=100), np.random.default_rng(1))
    large = bootstrap_mean(rng.normal(size=10_000), np.random.default_rng(1))
    assert small.low < small.mean < small.high
    assert (large.high - large.low) < (small.high - small.low) / 5


def test_bootstrap_resamples_are_the_same_however_many_are_counted_at_a_time(monkeypatch):
    from escalade.analyze.policies import Bootstrap

    samples = np.random.default_rng(0).normal(size=(1001, 3))
    whole = Bootstrap(1001, np.random.default_rng(4), n_boot=300)
    monkeypatch.setattr(Bootstrap, "BLOCK_ENTRIES", 7 * 1001)  # 7 resamples at a time, not 250
    pieces = Bootstrap(1001, np.random.default_rng(4), n_boot=300)
    assert (whole.block, pieces.block) == (250, 7)
    np.testing.assert_array_equal(whole.counts, pieces.counts)
    for a, b in zip(whole.estimates(samples), pieces.estimates(samples), strict=True):
        assert (a.mean, a.low, a.high) == pytest.approx((b.mean, b.low, b.high), rel=1e-12)


def test_tornado_and_tipping_points_on_a_model_with_a_known_threshold():
    scenario = loads(SMALL)  # parameters p ~ beta(2, 2), cost ~ uniform(0, 1)

    def model(values):  # two "policies": the first is better while cost < 0.4
        cost = values["cost"]
        return np.column_stack([cost, np.full_like(cost, 0.4)])

    points = tipping_points(scenario, model, ["first", "second"], grid=201)
    assert [(p.parameter, p.before, p.after) for p in points] == [("cost", "first", "second")]
    assert points[0].value == pytest.approx(0.4, abs=0.01)
    swings = tornado(scenario, lambda values: model(values)[:, :1])
    assert swings[0].parameter == "cost" and swings[0].width == pytest.approx(0.9, abs=0.01)
    assert swings[1].width == 0.0
