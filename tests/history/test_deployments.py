"""The project-coded dataset of deniable foreign combat deployments: its cases, codes and base rates."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from escalade.history.deployments import Deployment, deployment_base_rates, deployments_frame, load_deployments


def test_ten_or_more_historical_cases_each_with_a_source():
    cases = load_deployments()
    historical = [case for case in cases if not case.this_case]
    assert len(historical) >= 10
    assert all(case.sources for case in cases)
    assert sum(case.this_case for case in cases) == 1  # the flagship's own case, left out of the rates


def test_the_base_rates_count_the_codes_as_written():
    """Counted again here from the raw YAML (with YAML's own reading of yes/no as booleans)."""
    raw = yaml.safe_load(resources.files("escalade.history").joinpath("deployments.yaml").read_text())["cases"]
    raw = [case for case in raw if not case.get("this_case")]
    detected = [c for c in raw if c["detected"] is True]
    rates = {rate.question: rate.share for rate in deployment_base_rates()}
    disclosed = rates["the adversary disclosed it"]
    assert (disclosed.count, disclosed.total) == (
        sum(c["public"] == "adversary_disclosed" for c in detected),
        len(detected),
    )
    war = rates["the two went to open war"]
    assert (war.count, war.total) == (sum(c["wider_war"] is True for c in raw), len(raw))
    deepened = rates["the deploying state deepened its commitment"]
    assert deepened.total == sum(c["deepened"] in (True, False) for c in detected)  # 'unclear' left out
    assert all(0 <= share.low <= share.count / share.total <= share.high <= 1 for share in rates.values())


@pytest.mark.parametrize(
    ("field", "value"),
    [("public", "leaked"), ("acknowledged", "sometimes"), ("start", "1950"), ("sources", []), ("sources", ["book"])],
)
def test_a_coding_slip_is_refused(field, value):
    case = load_deployments()[0].model_dump() | {field: value}
    with pytest.raises(ValueError):
        Deployment.model_validate(case)


def test_the_frame_has_a_row_per_case():
    frame = deployments_frame()
    assert len(frame) == len(load_deployments()) and frame["sources"].str.len().min() > 10
