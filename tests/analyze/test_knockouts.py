"""Claims that can fail: knockouts of named mechanisms, single-effect ablation and their flags.

A toy crisis: news of A's move is public or quiet (chance); A pushes or waits; pushed, B resists or
yields. Publicity adds one to the escalation score and changes nothing else; B resists only for the
pride it gains. Three claims, each built to show one flag.
"""

import numpy as np
import pytest

from escalade.pipeline import StaticRequest, claims
from escalade.scenario import ScenarioError, loads

TOY = """\
name: toy
title: A toy crisis
actors:
  - {id: A, name: A, utility: {gain: 1, escalation: -0.1}}
  - {id: B, name: B, utility: {pride: 1, loss: -1}}
attributes: {gain: what A wins, pride: B's pride, loss: what B loses, escalation: the score}
parameters:
  stake: {dist: uniform, low: 1, high: 2, doc: A's stake, source: test}
  pride_value: {dist: uniform, low: 1, high: 2, doc: pride in resisting, source: test}
  fight_cost: {dist: uniform, low: 0.8, high: 1.0, doc: cost of resisting, source: test}
  yield_loss: {dist: uniform, low: 0.2, high: 0.4, doc: cost of yielding, source: test}
  p_public: {dist: uniform, low: 0.3, high: 0.7, doc: chance news is public, source: test}
root: news
nodes:
  news:
    chance:
      public: {p: p_public, next: a, effects: {escalation: 1}}
      quiet: {p: 1 - p_public, next: a}
  a:
    actor: A
    actions:
      push: {next: b, effects: {gain: stake, escalation: 2}}
      wait: end
  b:
    actor: B
    actions:
      resist: {next: end, effects: {pride: pride_value, loss: fight_cost, escalation: 1}}
      give_way: {next: end, effects: {loss: yield_loss}}
  end: {outcome: {}}
policies:
  pushes: {actor: A, choose: {a: push}}
  waits: {actor: A, choose: {a: wait}}
outcomes:
  crisis: {doc: the score reaches 4, when: escalation >= 4}
  resisted: {doc: B resists, path: [b.resist]}
mechanisms:
  pride: {doc: B resists for pride, fix: {pride_value: 0}}
  publicity: {doc: public news raises the stakes, remove: [news.public.escalation]}
claims:
  publicity_makes_a_crisis:
    text: public news makes a crisis likelier
    output: P(crisis)
    lower: {force: {news: quiet}}
    higher: {force: {news: public}}
    because: [publicity]
  pushing_provokes:
    text: pushing provokes resistance
    output: P(resisted)
    lower: {policy: waits}
    higher: {policy: pushes}
    because: [pride]
  pushing_provokes_through_publicity:
    text: pushing provokes resistance because the news is public
    output: P(resisted)
    lower: {policy: waits}
    higher: {policy: pushes}
    because: [publicity]
  pushing_provokes_padded:
    text: pushing provokes resistance, for pride and publicity
    output: P(resisted)
    lower: {policy: waits}
    higher: {policy: pushes}
    because: [pride, publicity]
"""


@pytest.fixture(scope="module")
def verdicts():
    return {v.name: v for v in claims(loads(TOY, "toy.yaml"), StaticRequest(draws=64, claim_sensitivity=0))}


def test_a_claim_that_holds_only_through_a_score_increment_is_flagged(verdicts):
    verdict = verdicts["publicity_makes_a_crisis"]
    assert verdict.result.status == "holds" and verdict.holds.count == 64
    flipped = [t.switched_off for t in verdict.deciding_effects]
    assert "news.public.escalation" in flipped
    flags = " | ".join(verdict.flags)
    assert "decided by a single effect: " in flags and "news.public.escalation" in flags
    # nobody plays differently without the increment: the verdict is the scoring's
    assert "holds through score bookkeeping: without news.public.escalation" in flags
    # effects that cannot matter for this claim are tested and not listed
    assert verdict.effects_tested == 7 and "b.give_way.loss" not in flipped


def test_a_claim_resting_on_its_mechanism_fails_when_it_is_knocked_out(verdicts):
    verdict = verdicts["pushing_provokes"]
    assert verdict.result.status == "holds"
    pride = next(t for t in verdict.mechanisms if t.switched_off == "pride")
    assert pride.stated and pride.status == "no difference" and pride.holds.count == 0
    assert pride.wording == "fails: no difference in any draw" and pride.changes(verdict.result)
    assert not any("without its stated mechanism" in flag for flag in verdict.flags)
    assert [t.switched_off for t in verdict.mechanisms] == ["pride", "publicity"]  # stated first
    assert not any("rests on" in flag for flag in verdict.flags)


def test_a_claim_that_holds_without_its_stated_mechanism_is_flagged(verdicts):
    verdict = verdicts["pushing_provokes_through_publicity"]
    publicity = next(t for t in verdict.mechanisms if t.switched_off == "publicity")
    assert publicity.stated and publicity.status == "holds"
    assert "holds without its stated mechanism: publicity" in verdict.flags
    assert "rests on a mechanism it does not name: pride" in verdict.flags


def test_naming_a_second_mechanism_does_not_hide_the_one_that_does_nothing(verdicts):
    verdict = verdicts["pushing_provokes_padded"]
    assert "holds without its stated mechanism: publicity" in verdict.flags
    assert not any("mechanism: pride" in flag for flag in verdict.flags)  # pride does the work, as stated
    together = next(t for t in verdict.mechanisms if t.switched_off == "pride+publicity")
    assert together.stated and together.changes(verdict.result)


def test_knockouts_use_the_same_draws_as_the_stated_claim(verdicts):
    verdict = verdicts["pushing_provokes_through_publicity"]
    publicity = next(t for t in verdict.mechanisms if t.switched_off == "publicity")
    # publicity does not touch resistance: on the same draws the knockout gives the very same numbers
    assert publicity.holds == verdict.holds and publicity.gap == verdict.gap


def test_the_verdict_reports_the_mean_paired_difference_with_an_interval(verdicts):
    gap = verdicts["pushing_provokes"].gap
    assert gap.mean == pytest.approx(1.0) and gap.low <= gap.mean <= gap.high


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("because: [pride]", "because: [prid]"), "unknown mechanism 'prid'"),
        (("output: P(crisis)", "output: P(crises)"), "unknown outcome 'crises'"),
        (("remove: [news.public.escalation]", "remove: [news.public.escalatoin]"), "no effect"),
        (("fix: {pride_value: 0}", "fix: {pride: 0}"), "unknown parameter 'pride'"),
        (("path: [b.resist]", "path: [b.resits]"), "'b' has no move 'resits'"),
        (("when: escalation >= 4", "when: escalaton >= 4"), "unknown name 'escalaton'"),
        (("output: P(resisted)", "output: value(C)"), "unknown actor 'C'"),
    ],
)
def test_references_to_unknown_mechanisms_outcomes_and_effects_are_located(edit, message):
    with pytest.raises(ScenarioError) as info:
        loads(TOY.replace(*edit, 1), "toy.yaml")
    (problem,) = [p for p in info.value.problems if message in p.message]
    assert problem.line and TOY.replace(*edit, 1).splitlines()[problem.line - 1].strip()


def test_the_outcomes_probabilities_follow_from_the_path_and_the_condition():
    from escalade.simulate import sample_parameters, solve_draws

    scenario = loads(TOY)
    values = sample_parameters(scenario, 16, seed=3)
    runs = solve_draws(scenario, values, "pushes")
    # A pushes, B resists (pride > fight cost): a crisis iff the news is public (1 + 2 + 1; quiet: 2 + 1)
    assert np.allclose(runs.measure("P(resisted)"), 1.0)
    assert np.allclose(runs.measure("P(crisis)"), values["p_public"])
    waits = solve_draws(scenario, values, "waits")
    assert np.allclose(waits.measure("P(crisis)"), 0.0) and np.allclose(waits.measure("P(resisted)"), 0.0)


def test_a_flip_through_the_actors_play_is_not_called_bookkeeping(verdicts):
    verdict = verdicts["pushing_provokes"]
    pride = next(t for t in verdict.deciding_effects if t.switched_off == "b.resist.pride")
    # without the pride B yields: the verdict changes because B plays differently, not by scoring
    assert pride.status == "no difference" and not pride.same_play and not pride.by_scoring
    assert not any("bookkeeping" in flag for flag in verdict.flags)
    increment = next(
        t for t in verdicts["publicity_makes_a_crisis"].deciding_effects if t.switched_off == "news.public.escalation"
    )
    assert increment.same_play and increment.by_scoring


def test_statuses_and_their_wording_are_defined_once():
    from escalade.analyze.claims import status, wording
    from escalade.analyze.intervals import wilson

    def shares(holds, opposite, n=1000):
        return wilson(holds, n), wilson(opposite, n)

    assert status(*shares(900, 0)) == "holds" and wording(*shares(950, 0)) == "holds in nearly all draws"
    assert status(*shares(460, 390)) == "undecided"  # neither side a majority: not "fails"
    assert wording(*shares(460, 390)) == "undecided: holds in 46% of draws, the opposite in 39%"
    assert status(*shares(100, 800)) == "reversed" and wording(*shares(50, 950)).startswith("fails: the opposite")
    assert status(*shares(0, 0)) == "no difference" and wording(*shares(0, 0)) == "fails: no difference in any draw"


def test_a_status_change_without_a_material_move_is_no_change():
    from escalade.analyze.claims import Trial, changed
    from escalade.analyze.intervals import wilson
    from escalade.analyze.policies import Estimate

    stated = Trial("", wilson(560, 1000), wilson(100, 1000), Estimate(0.1, 0.0, 0.2))
    assert stated.status == "holds"
    assert not changed(wilson(530, 1000), wilson(120, 1000), stated)  # undecided now, but moved 0.03
    assert changed(wilson(450, 1000), wilson(120, 1000), stated)  # moved 0.11


def test_markers_that_only_define_an_outcome_are_not_ablated():
    from escalade.analyze.claims import ablation_refs

    marked = TOY.replace(
        "push: {next: b, effects: {gain: stake, escalation: 2}}",
        "push: {next: b, effects: {gain: stake, escalation: 2, pushed: 1}}",
    )
    marked = marked.replace("escalation: the score}", "escalation: the score, pushed: a marker}")
    refs = ablation_refs(loads(marked))
    assert "a.push.gain" in refs and "a.push.pushed" not in refs


def test_a_mechanism_may_pin_a_parameter_to_a_formula_of_the_others():
    from escalade.scenario.override import knock_out

    scenario = loads(TOY.replace("fix: {pride_value: 0}", "fix: {pride_value: fight_cost - 0.5}"))
    values = {name: np.linspace(0.3, 0.7, 5) if name == "p_public" else np.full(5, 1.0) for name in scenario.parameters}
    values["fight_cost"] = np.linspace(0.8, 1.0, 5)
    _, pinned = knock_out(scenario, ["pride"], values)
    assert np.allclose(pinned["pride_value"], values["fight_cost"] - 0.5)
    assert np.array_equal(pinned["p_public"], values["p_public"])  # the other draws are untouched


def test_a_knockout_that_breaks_the_scenarios_own_checks_is_located():
    bad = TOY.replace(
        "publicity: {doc: public news raises the stakes, remove: [news.public.escalation]}",
        "publicity: {doc: public news raises the stakes, fix: {p_public: 1.7}}",
    )
    with pytest.raises(ScenarioError) as info:
        loads(bad, "toy.yaml")
    (problem,) = info.value.problems
    assert "with publicity knocked out, probability of 'public' is 1.7" in problem.message
    assert bad.splitlines()[problem.line - 1].lstrip().startswith("publicity:")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("lower: {force: {news: quiet}}", "lower: {force: {news: public}}"), "compares a condition with itself"),
        (("because: [pride]\n", "because: [pride, pride]\n"), "'pride' named twice"),
        (("lower: {force: {news: quiet}}", "lower: {force: {a: quiet}}"), "'a' is not a chance node"),
    ],
)
def test_claims_that_cannot_be_tested_as_written_are_refused(edit, message):
    with pytest.raises(ScenarioError) as info:
        loads(TOY.replace(*edit, 1), "toy.yaml")
    assert any(message in p.message and p.line for p in info.value.problems)


def test_pins_outside_a_parameters_range_are_noted():
    from escalade.analyze import mechanism_notes

    (note,) = mechanism_notes(loads(TOY))
    assert note.startswith("Mechanism pride pins pride_value to 0, outside its range [1, 2]")


def test_a_pin_written_as_a_formula_is_noted_with_the_share_of_draws_it_leaves_the_range():
    from escalade.analyze import mechanism_notes

    # pride_value − 0.5 is uniform on [0.5, 1.5]; fight_cost's range is [0.8, 1.0]: outside in 80% of draws
    pinned = TOY.replace(
        "pride: {doc: B resists for pride, fix: {pride_value: 0}}",
        "pride: {doc: B resists for pride, fix: {fight_cost: pride_value - 0.5}}",
    )
    (note,) = mechanism_notes(loads(pinned), draws=1024)
    share = float(note.split(" in ")[1].split("%")[0]) / 100
    assert note.startswith("Mechanism pride pins fight_cost to pride_value - 0.5, outside its range [0.8, 1]")
    assert share == pytest.approx(0.8, abs=0.02)
    inside = TOY.replace(
        "pride: {doc: B resists for pride, fix: {pride_value: 0}}",
        "pride: {doc: B resists for pride, fix: {fight_cost: 0.1 * pride_value + 0.75}}",
    )
    assert mechanism_notes(loads(inside)) == []  # 0.85 to 0.95: inside in every draw


def test_response_curves_and_the_policy_map_follow_the_varied_parameters():
    from escalade.pipeline import Settings, analyse

    request = StaticRequest(
        draws=32,
        sensitivity=0,
        knockouts=False,
        grid=5,
        settings=Settings(ranges={"pride_value": (0.0, 2.0), "stake": (1.0, 2.0)}),
    )
    analysis = analyse(loads(TOY), request)
    curve = next(c for c in analysis.curves if c.parameter == "pride_value")
    assert curve.grid == [0.0, 0.5, 1.0, 1.5, 2.0]
    resisted = [e.mean for e in curve.outputs["pushes"]["P(resisted)"]]
    # B resists when pride - fight_cost beats -yield_loss: never without pride, always from pride 1 (> 1.0 - 0.2)
    draws = analysis.runs[0].values
    at_half = np.mean(draws["fight_cost"] - draws["yield_loss"] < 0.5)
    assert 0 < at_half < 1 and resisted == pytest.approx([0, at_half, 1, 1, 1])
    assert all(e.mean == 0 for e in curve.outputs["waits"]["P(resisted)"])
    mapped = analysis.policy_map
    assert mapped.parameters == ("pride_value", "stake") and mapped.criterion == "minimise P(crisis)"
    assert mapped.preferred[0] == ["no difference"] * 5  # without pride no crisis either way
    assert mapped.preferred[-1] == ["waits"] * 5  # with it, pushing risks a crisis when the news is public


def test_a_grid_without_a_varied_parameter_is_refused():
    from escalade.pipeline import RequestError

    with pytest.raises(RequestError, match="needs a parameter to vary"):
        claims(loads(TOY), StaticRequest(draws=8, grid=5))


def test_draws_where_an_output_is_undefined_count_neither_way():
    from escalade.analyze.claims import compare
    from escalade.analyze.policies import Bootstrap

    lower = np.array([0.0, 0.0, np.nan, 0.0, 1.0])
    higher = np.array([1.0, 1.0, 1.0, np.inf, 0.0])
    trial = compare(lower, higher, Bootstrap(5, np.random.default_rng(0)))
    assert (trial.holds.count, trial.holds.total) == (2, 3) and trial.reversed.count == 1
    assert trial.gap.mean == pytest.approx(1 / 3) and trial.gap.low <= trial.gap.mean <= trial.gap.high


def test_mechanisms_each_enough_alone_are_flagged_as_such_not_as_idle():
    from escalade.analyze.claims import ClaimVerdict, Trial
    from escalade.analyze.intervals import wilson
    from escalade.analyze.policies import Estimate

    def trial(holds: int, switched_off: str = "") -> Trial:
        return Trial(switched_off, wilson(holds, 100), wilson(100 - holds, 100), Estimate(0.1, 0.0, 0.2), True)

    stated = trial(95)
    alone = [trial(94, "a"), trial(93, "b")]  # either one knocked out: it still holds
    verdict = ClaimVerdict("c", "a claim", "P(x)", ["a", "b"], stated, mechanisms=[*alone, trial(10, "a+b")])
    assert verdict.flags == ["each of its stated mechanisms suffices alone: only without all of a, b does it change"]
    # where the pair knocked out together does not change it either, each is reported as not needed
    idle = ClaimVerdict("c", "a claim", "P(x)", ["a", "b"], stated, mechanisms=[*alone, trial(92, "a+b")])
    assert idle.flags == [
        "holds without its stated mechanism: a",
        "holds without its stated mechanism: b",
        "holds without its stated mechanisms together: a, b",
    ]
    # and where one alone changes it, that one does the work: the other is reported as not needed
    one = ClaimVerdict(
        "c", "a claim", "P(x)", ["a", "b"], stated, mechanisms=[trial(10, "a"), alone[1], trial(5, "a+b")]
    )
    assert one.flags == ["holds without its stated mechanism: b"]
