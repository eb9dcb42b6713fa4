import numpy as np
import pytest

from escalade.history import fit_crisis_game, outcome_probabilities, simulate_outcomes

TRUE = np.array([[0.5, 0.5], [-1.0, 0.3], [-0.5, 1.0], [0.8, -0.5], [-1.0, 0.7]])  # (5 utilities, 2 covariates)


def cases(n: int, rng: np.random.Generator) -> np.ndarray:
    return np.column_stack([np.ones(n), rng.normal(size=n)])


def test_with_indifferent_actors_every_choice_is_a_coin_flip():
    probabilities = outcome_probabilities(np.zeros((5, 1)), np.ones((1, 1)))
    np.testing.assert_allclose(probabilities, [[0.5, 0.25, 0.125, 0.125]])


def test_probabilities_follow_the_backward_logit_recursion():
    u1_cap, u1_bd, u1_war, u2_bd, u2_war = 0.3, -0.7, 0.4, 1.1, -0.2
    p_war = 1 / (1 + np.exp(-(u1_war - u1_bd)))
    p_resist = 1 / (1 + np.exp(-(p_war * u2_war + (1 - p_war) * u2_bd)))
    p_chall = 1 / (1 + np.exp(-(p_resist * (p_war * u1_war + (1 - p_war) * u1_bd) + (1 - p_resist) * u1_cap)))
    expected = [1 - p_chall, p_chall * (1 - p_resist), p_chall * p_resist * (1 - p_war), p_chall * p_resist * p_war]
    coefficients = np.array([[u1_cap], [u1_bd], [u1_war], [u2_bd], [u2_war]])
    np.testing.assert_allclose(outcome_probabilities(coefficients, np.ones((1, 1)))[0], expected)


def test_estimates_recover_the_parameters_that_generated_the_data():
    rng = np.random.default_rng(1)
    covariates = cases(20_000, rng)
    fit = fit_crisis_game(simulate_outcomes(TRUE, covariates, rng), covariates, ["const", "power"])
    assert np.all(np.abs(fit.coefficients - TRUE) <= 4 * fit.standard_errors)
    # the challenger's utilities are sharply identified; the target's only through the rarer
    # resist-then-fight paths, so only the interval statement is made for them
    assert np.abs(fit.coefficients[:3] - TRUE[:3]).max() < 0.2
    assert list(fit.table()["utility"].unique()) == [
        "u1_concession",
        "u1_back_down",
        "u1_war",
        "u2_back_down",
        "u2_war",
    ]


def test_95_percent_intervals_cover_the_truth_about_95_percent_of_the_time():
    covered = []
    for repetition in range(30):
        rng = np.random.default_rng(100 + repetition)
        covariates = cases(2000, rng)
        fit = fit_crisis_game(simulate_outcomes(TRUE, covariates, rng), covariates)
        covered.append(np.abs(fit.coefficients - TRUE) <= 1.96 * fit.standard_errors)
    coverage = np.mean(covered)  # pooled over 30 fits x 10 parameters
    assert 0.90 <= coverage <= 0.99


def test_outcomes_must_be_codes_zero_to_three():
    with pytest.raises(ValueError, match="one code 0-3"):
        fit_crisis_game(np.array([0, 4]), np.ones((2, 1)))
