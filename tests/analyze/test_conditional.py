"""Conditional outputs, P(a | b): the probability of one outcome among the plays in which another holds.

On the toy crisis of test_knockouts (news public or quiet; A pushes or waits; B resists or gives way),
with B's cost of resisting widened so that B resists in some draws only: there B resists when its
pride beats the cost net of what yielding loses, a condition read off the draws themselves.
"""

import numpy as np
import pytest

from escalade.analyze import knockout_effects
from escalade.analyze.claims import evaluate_claims, one_at_a_time
from escalade.scenario import Condition, ScenarioError, loads
from escalade.simulate import sample_parameters, solve_courses
from tests.analyze.test_knockouts import TOY

SOMETIMES = TOY.replace(
    "fight_cost: {dist: uniform, low: 0.8, high: 1.0,", "fight_cost: {dist: uniform, low: 0.8, high: 2.8,"
)
CLAIMS = """\
claims:
  publicity_makes_resistance_a_crisis:
    text: once B resists, public news makes it a crisis
    output: P(crisis | resisted)
    lower: {force: {news: quiet}}
    higher: {force: {news: public}}
    because: [publicity]
  waiting_leaves_nothing_to_resist:
    text: resistance is a crisis more often when A pushes than when it waits
    output: P(crisis | resisted)
    lower: {policy: waits}
    higher: {policy: pushes}
"""


def scenario(text: str = SOMETIMES):
    return loads(text[: text.index("claims:")] + CLAIMS)


def solve_one(variant, draws, conditions):
    return solve_courses(variant, draws, [(c.policy, c.force) for c in conditions])


solver = one_at_a_time(solve_one)


def resists(values) -> np.ndarray:
    return values["pride_value"] - values["fight_cost"] + values["yield_loss"] > 0


def test_a_conditional_probability_is_the_share_of_the_conditioning_plays():
    toy = scenario()
    values = sample_parameters(toy, 256, seed=5)
    (runs,) = solve_one(toy, values, [Condition()])
    given = resists(values)
    assert 0.2 < given.mean() < 0.8  # the condition holds in some draws only
    conditional = runs.measure("P(crisis | resisted)")
    # B resists on every branch or on none; a resisted push is a crisis exactly when the news is public
    assert np.allclose(conditional[given], values["p_public"][given], atol=1e-9)
    assert np.isnan(conditional[~given]).all()
    assert np.allclose(runs.measure("P(crisis)")[~given], 0.0)  # no resistance, score 3 at most


def test_a_claim_on_a_conditional_output_is_judged_on_the_draws_where_its_condition_can_happen():
    toy = scenario()
    values = sample_parameters(toy, 256, seed=5)
    verdicts = {v.name: v for v in evaluate_claims(toy, values, solver, seed=5, sobol_samples=0, ablation=False)}
    publicity = verdicts["publicity_makes_resistance_a_crisis"]
    judged = int(resists(values).sum())
    assert publicity.holds.total == judged < 256
    assert publicity.holds.count == judged  # 1 against 0 in every judged draw
    assert publicity.gap.mean == pytest.approx(1.0)
    assert f"judged on the {judged} of 256 draws in which resisted can happen" in publicity.flags
    # waiting, nobody resists: the output is undefined under one side in every draw
    waiting = verdicts["waiting_leaves_nothing_to_resist"]
    assert waiting.result.status == "undefined"
    assert waiting.verdict == "undefined: its output is undefined in every draw"
    # the knocked-out publicity leaves every resisted play short of a crisis: the claim fails without it
    (knocked,) = [t for t in publicity.mechanisms if t.switched_off == "publicity"]
    assert knocked.status == "no difference"


def test_knockouts_show_the_conditional_outputs_claims_name():
    toy = scenario()
    values = sample_parameters(toy, 256, seed=5)
    knockouts = {k.mechanism: k for k in knockout_effects(toy, values, solver, seed=5)}
    publicity = knockouts["publicity"]
    assert "P(crisis | resisted)" in publicity.change
    given = resists(values)
    assert publicity.stated["P(crisis | resisted)"] == pytest.approx(values["p_public"][given].mean())
    assert publicity.change["P(crisis | resisted)"].mean == pytest.approx(-values["p_public"][given].mean())


@pytest.mark.parametrize(
    "output, message",
    [
        ("P(crisis | resistance)", "unknown outcome 'resistance'"),
        ("P(crises | resisted)", "unknown outcome 'crises'"),
        ("P(crisis | crisis)", "conditions an outcome on itself"),
        ("P(crisis |)", "output"),
    ],
)
def test_a_bad_conditional_output_is_refused_with_its_line(output, message):
    bad = SOMETIMES[: SOMETIMES.index("claims:")] + CLAIMS.replace("P(crisis | resisted)", output, 1)
    with pytest.raises(ScenarioError) as error:
        loads(bad)
    line = bad[: bad.index(output)].count("\n") + 1
    assert f"<string>:{line}: " in str(error.value) and message in str(error.value)


def test_the_notebook_gets_the_claims_as_tables(tmp_path):
    import escalade

    path = tmp_path / "toy.yaml"
    path.write_text(SOMETIMES[: SOMETIMES.index("claims:")] + CLAIMS)
    found = escalade.load(path).claims(draws=128, sensitivity=0, ablation=False)
    frame = found.to_frame()
    assert list(frame["claim"]) == ["publicity_makes_resistance_a_crisis", "waiting_leaves_nothing_to_resist"]
    publicity = frame.iloc[0]
    assert publicity["draws"] == 128 and publicity["judged"] == found[0].holds.total < 128
    assert publicity["status"] == "holds" and publicity["gap"] == pytest.approx(1.0)
    assert frame.iloc[1]["status"] == "undefined" and frame.iloc[1]["judged"] == 0
    knocked = found.knockouts()
    assert len(knocked) == 2 * 2  # two claims, two mechanisms each
    row = knocked[(knocked["claim"] == "publicity_makes_resistance_a_crisis") & (knocked["knocked_out"] == "publicity")]
    assert row["stated"].item() and row["changes_verdict"].item()
    shares = knocked[["holds", "reversed", "tied"]].dropna()
    assert np.allclose(shares.sum(axis=1), 1.0) and (shares >= 0).all().all()  # every judged draw counted once
    assert "<table" in found._repr_html_()
    assert found.plot.verdicts().data and found.to_html(tmp_path / "claims.html").read_text().count("<table") >= 1


TWO_OUTPUTS = """\
claims:
  resistance_outruns_crisis:
    text: in the same play, B resists more often than a crisis follows
    lower: {output: P(crisis)}
    higher: {output: P(resisted)}
"""


def test_a_claim_may_compare_two_outputs_of_one_play():
    toy = loads(SOMETIMES[: SOMETIMES.index("claims:")] + TWO_OUTPUTS)
    values = sample_parameters(toy, 256, seed=5)
    (verdict,) = evaluate_claims(toy, values, solver, seed=5, sobol_samples=8, knockouts=False)
    # where B resists, a crisis follows only on public news (p_public < 1): P(crisis) < P(resisted);
    # where it does not, both are 0 (no difference)
    assert verdict.holds.count == int(resists(values).sum()) and verdict.holds.total == 256
    assert verdict.result.reversed.count == 0
    assert verdict.output == "P(crisis) (lower) vs P(resisted) (higher)"
    expected_gap = (resists(values) * (1 - values["p_public"])).mean()
    assert verdict.gap.mean == pytest.approx(expected_gap)


@pytest.mark.parametrize(
    "sides, message",
    [
        ("    lower: {output: P(crisis)}\n    higher: {}\n", "an 'output:' under both 'lower:' and 'higher:'"),
        ("    lower: {output: P(crisi)}\n    higher: {output: P(resisted)}\n", "unknown outcome 'crisi'"),
    ],
)
def test_a_claim_without_an_output_on_each_side_is_refused(sides, message):
    text = TWO_OUTPUTS.replace("    lower: {output: P(crisis)}\n    higher: {output: P(resisted)}\n", sides)
    with pytest.raises(ScenarioError) as error:
        loads(SOMETIMES[: SOMETIMES.index("claims:")] + text)
    assert message in str(error.value)
