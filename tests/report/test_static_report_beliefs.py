"""The beliefs table of a static report."""

from escalade.report.static import _beliefs


def test_an_information_set_never_reached_says_so_instead_of_printing_nan():
    assert _beliefs([["RUS: make_do"], ["RUS: request"]], [float("nan"), float("nan")]).startswith("— (never reached")
    assert _beliefs([["RUS: make_do"], ["RUS: request"]], [0.25, 0.75]) == "RUS: make_do: 0.250; RUS: request: 0.750"
