import json

import numpy as np
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.history import load_icb
from escalade.history.backtest import Backtest, backtest, fit_multinomial_logit
from tests.history.test_icb import SYSTEM

pytestmark = pytest.mark.skipif(not SYSTEM.exists(), reason="../shared/data/icb is not beside this checkout")


def test_the_backtest_is_leak_free():
    crises = load_icb(SYSTEM)
    shuffled = crises.copy()
    later = shuffled["year_triggered"] > 1989
    rng = np.random.default_rng(0)
    shuffled.loc[later, "violence"] = rng.permutation(shuffled.loc[later, "violence"].to_numpy())
    first, second = backtest(crises, 1989), backtest(shuffled, 1989)
    for name in first.forecasts:
        np.testing.assert_array_equal(first.forecasts[name], second.forecasts[name])
    assert not np.array_equal(first.outcome, second.outcome)


def test_scores_follow_their_definitions():
    forecasts = {"a": np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]])}
    result = Backtest(2000, 10, 2, np.array([0, 3]), forecasts)
    assert result.log_loss()["a"] == pytest.approx(-(np.log(0.7) + np.log(0.25)) / 2)
    brier_first = 0.3**2 + 3 * 0.1**2
    brier_second = 3 * 0.25**2 + 0.75**2
    assert result.brier()["a"] == pytest.approx((brier_first + brier_second) / 2)


def test_multinomial_logit_recovers_its_parameters():
    rng = np.random.default_rng(2)
    covariates = np.column_stack([np.ones(20_000), rng.normal(size=20_000)])
    true = np.array([[0, 0], [0.5, -1.0], [-0.3, 0.8], [0.2, 0.0]])
    scores = covariates @ true.T
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    outcome = (rng.random(20_000)[:, None] > probabilities.cumsum(axis=1)[:, :-1]).sum(axis=1)
    np.testing.assert_allclose(fit_multinomial_logit(outcome, covariates), true, atol=0.08)


def test_strategic_model_beats_the_base_rate_on_the_1990s():
    result = backtest(load_icb(SYSTEM), 1989)
    assert result.n_train == 391 and result.n_test == 42
    assert result.log_loss()["model"] < result.log_loss()["base_rate"]


def test_backtest_command_prints_the_documented_json(tmp_path):
    args = ["backtest", "--data", str(SYSTEM), "--train-until", "1989", "--json", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record) == {"n_train", "n_test", "log_loss", "brier"}
    assert set(record["log_loss"]) == set(record["brier"]) == {"model", "base_rate", "logit"}
    assert (tmp_path / "calibration.html").exists()


def test_a_cutoff_without_enough_history_is_refused():
    result = CliRunner().invoke(app, ["backtest", "--data", str(SYSTEM), "--train-until", "1920"])
    assert result.exit_code == 1 and "choose a year" in result.output
