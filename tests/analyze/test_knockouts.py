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
    assert pride.stated and pride.status == "fails" and pride.holds.count == 0
    assert "no difference" in pride.wording
    assert not any("without its stated mechanism" in flag for flag in verdict.flags)
    assert [t.switched_off for t in verdict.mechanisms] == ["pride", "publicity"]  # stated first


def test_a_claim_that_holds_without_its_stated_mechanism_is_flagged(verdicts):
    verdict = verdicts["pushing_provokes_through_publicity"]
    publicity = next(t for t in verdict.mechanisms if t.switched_off == "publicity")
    assert publicity.stated and publicity.status == "holds"
    assert "holds without its stated mechanism: publicity" in verdict.flags


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
    assert pride.status == "fails" and not pride.same_play and not pride.by_scoring
    assert not any("bookkeeping" in flag for flag in verdict.flags)
    increment = next(
        t for t in verdicts["publicity_makes_a_crisis"].deciding_effects if t.switched_off == "news.public.escalation"
    )
    assert increment.same_play and increment.by_scoring
