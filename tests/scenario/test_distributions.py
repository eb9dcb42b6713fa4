"""The parameter distributions' quantiles and means, written with scipy.special (scipy.stats costs a second
of start-up), equal scipy.stats' to the last bit, tails and corners included."""

import numpy as np
import pytest
from scipy import stats

from escalade.scenario.model import Beta, LogNormal, Normal, Triangular, Uniform

Q = np.concatenate([np.linspace(0, 1, 1001), [1e-12, 1 - 1e-12]])
CASES = [
    (Uniform(dist="uniform", low=-2, high=5, doc="d", source="s"), stats.uniform(-2, 7)),
    (Triangular(dist="triangular", low=0, mode=1, high=4, doc="d", source="s"), stats.triang(c=0.25, scale=4)),
    (Triangular(dist="triangular", low=1, mode=1, high=3, doc="d", source="s"), stats.triang(c=0, loc=1, scale=2)),
    (Triangular(dist="triangular", low=1, mode=3, high=3, doc="d", source="s"), stats.triang(c=1, loc=1, scale=2)),
    (Beta(dist="beta", a=2, b=5, doc="d", source="s"), stats.beta(2, 5)),
    (Beta(dist="beta", a=0.5, b=0.5, doc="d", source="s"), stats.beta(0.5, 0.5)),
    (Normal(dist="normal", mean=1, sd=2, doc="d", source="s"), stats.norm(1, 2)),
    (LogNormal(dist="lognormal", median=2, sigma=0.5, doc="d", source="s"), stats.lognorm(s=0.5, scale=2)),
]


@pytest.mark.parametrize(("mine", "reference"), CASES, ids=lambda c: getattr(c, "dist", ""))
def test_quantiles_and_means_equal_scipy_stats(mine, reference):
    np.testing.assert_allclose(mine.ppf(Q), reference.ppf(Q), rtol=1e-14, atol=1e-14)
    assert mine.mean() == pytest.approx(reference.mean(), rel=1e-14)


def test_the_beta_quantile_stays_a_number_where_its_inversion_gives_up():
    far = Beta(dist="beta", a=2, b=5, doc="d", source="s").ppf(np.array([1e-300, 1 - 1e-17]))
    assert far[0] == 0.0 and far[1] == 1.0
