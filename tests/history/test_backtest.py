"""The backtest, on the synthetic ICB files (always) and the real ones (when ESCALADE_ICB_DATA names
them). On the synthetic files the strategic model is the true model of violence."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.history import load_icb
from escalade.history.backtest import Backtest, backtest, fit_multinomial_logit

CUTOFF = 1989


def dated(rows):
    """Trigger years of the rows the backtest can use (a year and a violence level)."""
    return [int(row["yrtrig"]) for row in rows if row["yrtrig"] and row["viol"]]


def test_the_backtest_is_leak_free(icb):
    crises = load_icb(icb.system)
    shuffled = crises.copy()
    later = shuffled["year_triggered"] > CUTOFF
    rng = np.random.default_rng(0)
    shuffled.loc[later, "violence"] = rng.permutation(shuffled.loc[later, "violence"].to_numpy())
    first, second = backtest(crises, CUTOFF), backtest(shuffled, CUTOFF)
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


def test_only_what_is_known_at_the_outbreak_enters_the_forecasts(icb):
    # ICB codes the gravest threat at any time during the crisis: scrambling it, and every other
    # column coded over the crisis's course, must leave every forecast as it was
    crises = load_icb(icb.system)
    scrambled = crises.copy()
    rng = np.random.default_rng(1)
    for column in ("gravity", "crisis_management", "violence_severity", "number_of_actors", "duration_days"):
        scrambled[column] = rng.permutation(scrambled[column].to_numpy())
    first, second = backtest(crises, CUTOFF), backtest(scrambled, CUTOFF)
    for name in first.forecasts:
        np.testing.assert_array_equal(first.forecasts[name], second.forecasts[name])


def test_the_paired_difference_says_which_forecast_is_better_only_when_the_interval_does():
    outcome = np.zeros(40, dtype=int)
    sharp, vague = np.tile([0.7, 0.1, 0.1, 0.1], (40, 1)), np.tile([0.25] * 4, (40, 1))
    noisy = vague.copy()
    noisy[::2, 0], noisy[::2, 1] = 0.9, 0.05  # better on half the crises, worse on the other half
    noisy[1::2, 0], noisy[1::2, 1] = 0.1, 0.85
    result = Backtest(1989, 100, 40, outcome, {"model": sharp, "logit": vague, "noisy": noisy})
    better = result.paired_difference("model", "logit")
    assert better.mean == pytest.approx(np.log(0.25) - np.log(0.7))
    assert better.high < 0 and better.verdict == "model forecasts better"
    assert result.paired_difference("logit", "model").verdict == "model forecasts better"
    unclear = result.paired_difference("noisy", "logit")
    assert unclear.low < 0 < unclear.high and unclear.verdict == "no difference the test crises can show"
    same = result.paired_difference("logit", "logit")
    assert (same.mean, same.low, same.high) == (0.0, 0.0, 0.0)


def test_multinomial_logit_recovers_its_parameters():
    rng = np.random.default_rng(2)
    covariates = np.column_stack([np.ones(20_000), rng.normal(size=20_000)])
    true = np.array([[0, 0], [0.5, -1.0], [-0.3, 0.8], [0.2, 0.0]])
    scores = covariates @ true.T
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    outcome = (rng.random(20_000)[:, None] > probabilities.cumsum(axis=1)[:, :-1]).sum(axis=1)
    np.testing.assert_allclose(fit_multinomial_logit(outcome, covariates), true, atol=0.08)


def test_the_backtest_fits_up_to_the_cutoff_and_forecasts_the_rest(icb):
    years = dated(icb.system_rows())
    result = backtest(load_icb(icb.system), CUTOFF)
    assert result.n_train == sum(1 for year in years if year <= CUTOFF)
    assert result.n_test == sum(1 for year in years if year > CUTOFF) == len(result.outcome)


def test_strategic_model_beats_the_base_rate_after_the_cutoff(icb):
    result = backtest(load_icb(icb.system), CUTOFF)
    assert result.log_loss()["model"] < result.log_loss()["base_rate"]


def test_the_documented_backtest_of_the_1990s(real_icb):
    if "_pre2000" not in real_icb.system.name:
        pytest.skip(f"docs/validation.md reports the backtest on the pre2000 cut, not {real_icb.system.name}")
    result = backtest(load_icb(real_icb.system), CUTOFF)
    assert (result.n_train, result.n_test) == (391, 42)
    assert result.log_loss() == pytest.approx({"model": 1.0729, "base_rate": 1.3805, "logit": 1.0339}, abs=1e-4)
    assert result.brier() == pytest.approx({"model": 0.6149, "base_rate": 0.7473, "logit": 0.5911}, abs=1e-4)
    paired = result.paired_difference()
    assert (paired.mean, paired.low, paired.high) == pytest.approx((0.0391, -0.0024, 0.0821), abs=1e-4)


def test_backtest_command_prints_the_documented_json(icb, tmp_path):
    args = ["backtest", "--data", str(icb.system), "--train-until", str(CUTOFF), "--json", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record) == {"n_train", "n_test", "log_loss", "brier", "model_minus_logit"}
    assert (
        record["model_minus_logit"]["low"] <= record["model_minus_logit"]["mean"] <= record["model_minus_logit"]["high"]
    )
    assert set(record["log_loss"]) == set(record["brier"]) == {"model", "base_rate", "logit"}
    assert record["n_test"] == sum(1 for year in dated(icb.system_rows()) if year > CUTOFF)
    assert (tmp_path / "calibration.html").exists()


def test_a_cutoff_without_enough_history_is_refused(icb):
    years = sorted(dated(icb.system_rows()))
    cutoff = years[29] - 1  # the year before the 30th crisis: at most 29 crises to fit
    result = CliRunner().invoke(app, ["backtest", "--data", str(icb.system), "--train-until", str(cutoff)])
    fitted = sum(1 for year in years if year <= cutoff)
    assert result.exit_code == 1 and "choose a year" in result.output
    assert f"leaves {fitted} crises to fit" in result.output
