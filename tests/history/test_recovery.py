"""Fitted to a synthetic ICB file, the crisis game recovers the coefficients that generated its violence.

The whole chain runs: 8,000 crises written in the ICB format (synthetic_icb.py, violence drawn move by
move from the game with TRUE_COEFFICIENTS), read by load_icb, turned into the covariates the violence
was drawn from (a constant, gravcr / 7, protrac = 3), fitted by fit_crisis_game. The game's 15
coefficients are weakly identified one by one on this design (standard errors up to about 0.8: gravity
spans only [0, 1]) but strongly as a whole, so the check is joint: the Wald statistic of the truth
under the fitted covariance must stay below the 99.9% quantile of chi-squared with 15 degrees of
freedom. A second test shows the check has teeth: moving any single coefficient by 1.5 fails it.
"""

import numpy as np
import pytest
from scipy.stats import chi2

from escalade.history import fit_crisis_game, load_icb
from tests.history.synthetic_icb import TRUE_COEFFICIENTS, covariates, true_probabilities, write_synthetic_icb

CRISES, SEED = 8000, 7
WALD_LIMIT = chi2.ppf(0.999, TRUE_COEFFICIENTS.size)  # 37.7: a correct fit exceeds it 1 time in 1000
PROBABILITY_TOLERANCE = 0.08  # 3 standard errors of a raw share in a cell of ~330 crises; the fit pools cells


@pytest.fixture(scope="module")
def fit(tmp_path_factory):
    system, _ = write_synthetic_icb(tmp_path_factory.mktemp("recovery"), CRISES, SEED, actors=False)
    crises = load_icb(system)
    drawn_from = covariates(crises["gravity"].to_numpy(), crises["protracted_conflict"].to_numpy())
    names = ["constant", "gravity", "intense_protracted_conflict"]
    return fit_crisis_game(crises["violence"].to_numpy(dtype=int) - 1, drawn_from, names)


def wald(fit, coefficients):
    gap = (fit.coefficients - coefficients).ravel()
    return float(gap @ np.linalg.solve(fit.covariance, gap))


def every_cell():
    """The 16 covariate cells: gravity codes 0-7, in and out of an intense protracted conflict."""
    return covariates(np.repeat(np.arange(8), 2), np.tile([1, 3], 8))


def test_the_fit_recovers_the_true_coefficients(fit):
    assert wald(fit, TRUE_COEFFICIENTS) < WALD_LIMIT
    assert np.all(np.abs(fit.coefficients - TRUE_COEFFICIENTS) <= 4 * fit.standard_errors)


def test_the_recovery_check_rejects_any_coefficient_moved_by_one_and_a_half(fit):
    for index in np.ndindex(TRUE_COEFFICIENTS.shape):
        for shift in (-1.5, 1.5):
            wrong = TRUE_COEFFICIENTS.copy()
            wrong[index] += shift
            assert wald(fit, wrong) > WALD_LIMIT, (index, shift)


def test_the_fit_recovers_the_outcome_probabilities_of_every_cell(fit):
    truth = true_probabilities(every_cell())
    assert np.abs(fit.predict(every_cell()) - truth).max() < PROBABILITY_TOLERANCE
    # the covariates move every outcome's true probability by far more than the tolerance
    assert np.ptp(truth, axis=0).min() > 3 * PROBABILITY_TOLERANCE


def test_the_generator_draws_violence_from_the_model_escalade_fits():
    from escalade.history import outcome_probabilities

    cells = every_cell()
    np.testing.assert_allclose(true_probabilities(cells), outcome_probabilities(TRUE_COEFFICIENTS, cells))


def test_the_generator_is_reproducible(tmp_path):
    first, second, other = (tmp_path / name for name in ("first", "second", "other"))
    for folder, seed in ((first, 1), (second, 1), (other, 2)):
        folder.mkdir()
        write_synthetic_icb(folder, 50, seed)
    for name in ("icb1v14_synthetic.csv", "icb2v14_synthetic.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes() != (other / name).read_bytes()
