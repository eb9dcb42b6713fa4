"""Measures of trajectories and dynamic claims."""

import numpy as np
import pytest

import escalade
from escalade.analyze.dynamics import (
    MIN_DRIVER_DRAWS,
    deescalation,
    draw_outputs,
    drivers,
    fan_frame,
    reached_by_round,
    time_to_rung,
)
from escalade.report import dynamic_report, to_markdown
from escalade.scenario import ScenarioError, loads
from escalade.simulate.trajectories import Trajectories
from tests.simulate.test_trajectories import SHOCKED


def _trajectories(rungs: list[list[list[int]]], draw: list[int]) -> Trajectories:
    array = np.array(rungs)  # (N, T + 1, n)
    runs, rounds = array.shape[0], array.shape[1] - 1
    zeros = np.zeros((runs, rounds, array.shape[2]), dtype=int)
    return Trajectories(
        actors=["A", "B"][: array.shape[2]],
        variables=[],
        states=np.zeros((runs, rounds + 1), dtype=int),
        rungs=array,
        values=np.zeros((runs, rounds + 1, 0), dtype=int),
        moves=zeros,
        stepped_down=np.diff(array, axis=1) < 0,
        categories=zeros,
        scores=zeros.astype(float),
        draw=np.array(draw),
    )


def test_outputs_per_draw_average_the_runs_of_each_draw():
    t = _trajectories(
        [
            [[0, 0], [1, 0], [2, 1], [1, 1]],  # draw 0: peak 2, ends 1 (de-escalated); A steps up twice, then down
            [[0, 0], [0, 1], [0, 1], [0, 3]],  # draw 1: ends at its peak 3
            [[0, 0], [0, 0], [0, 0], [0, 0]],  # draw 0: nothing happens
            [[0, 0], [1, 1], [1, 1], [1, 1]],  # draw 1: both up once, kept
        ],
        [0, 1, 0, 1],
    )
    np.testing.assert_allclose(draw_outputs("final_level", t, 2, 1), [0.5, 2.0])
    np.testing.assert_allclose(draw_outputs("final_A", t, 2, 1), [0.5, 0.5])
    np.testing.assert_allclose(draw_outputs("p_level_ge_2", t, 2, 1), [0.5, 0.5])
    np.testing.assert_allclose(draw_outputs("p_deescalation", t, 2, 1), [0.5, 0.0])
    # window 1: draw 0 has ups in rounds 0 (A) and 1 (A, B) with windows inside the path; A's up in
    # round 1 is reversed in round 2 -> 2 kept of 3. Draw 1: ups in round 0 (B, A, B) with full windows
    # in round 1 only -> round-0 ups of runs 1 and 3: 3 ups, none reversed.
    np.testing.assert_allclose(draw_outputs("ratchet_index", t, 2, 1), [2 / 3, 1.0])
    assert deescalation(t.levels).count == 1
    fan = fan_frame(t.levels, ["a", "b", "c", "d"])
    assert fan["q50"].tolist() == [0.0, 1.0, 1.0, 1.0] and fan["label"].tolist() == ["a", "b", "c", "d"]
    arrival = time_to_rung(t.levels, 3).set_index("rung")
    assert arrival.loc[1, "p_reached"] == 0.75 and arrival.loc[3, "median_round"] == 3.0
    for rung in (1, 2, 3):  # the cumulative curve ends where time_to_rung's share is, and never falls
        curve = reached_by_round(t.levels, rung)
        assert curve[-1] == arrival.loc[rung, "p_reached"] and np.all(np.diff(curve) >= 0)


def test_a_claim_true_by_construction_holds_and_its_reverse_fails():
    claims = """
  claims:
    ratchet:
      text: a step-down cost makes steps up stick
      output: ratchet_index
      lower: {set: {cost: 0}}
      higher: {set: {cost: 8}}
    reverse:
      text: the same, reversed
      output: ratchet_index
      lower: {set: {cost: 8}}
      higher: {set: {cost: 0}}
"""
    scenario = loads(
        SHOCKED.replace("cost: {dist: fixed, value: 0,", "cost: {dist: uniform, low: 0, high: 8,") + claims
    )
    crisis = escalade.Model(scenario).simulate(rounds=30, runs=1600, draws=8, seed=4)
    verdicts = {v.name: v for v in crisis.claims}
    assert verdicts["ratchet"].holds.share == 1.0 and verdicts["ratchet"].verdict.startswith("holds")
    assert verdicts["reverse"].holds.share == 0.0 and verdicts["reverse"].verdict.startswith("fails")
    assert verdicts["ratchet"].gap.mean > 0.5


def test_claims_must_name_known_actors_policies_and_parameters():
    bad = """
  claims:
    odd:
      text: nonsense
      output: final_NOBODY
      lower: {policies: {A: bluff}}
      higher: {set: {nothing: 1}}
"""
    with pytest.raises(ScenarioError) as caught:
        loads(SHOCKED + bad)
    text = str(caught.value)
    assert "'final_NOBODY' names no actor" in text
    assert "A has no dynamic policy 'bluff'" in text
    assert "unknown parameter 'nothing'" in text


def test_drivers_rank_the_parameters_that_move_the_output():
    rng = np.random.default_rng(0)
    values = {"strong": rng.random(32), "weak": rng.random(32), "fixed": np.full(32, 2.0)}
    output = -3 * values["strong"] + 0.1 * values["weak"]
    found = drivers(values, output)
    assert found[0][0] == "strong" and found[0][1] < -0.95
    assert [name for name, _ in found] == ["strong", "weak"]  # the fixed parameter says nothing
    assert drivers(values, np.ones(32)) == []


def test_no_drivers_are_reported_from_too_few_draws():
    values = {"a": np.arange(MIN_DRIVER_DRAWS, dtype=float), "b": np.ones(MIN_DRIVER_DRAWS)}
    assert drivers(values, values["a"] * 2)[0] == ("a", pytest.approx(1.0))
    assert drivers({"a": values["a"][:2]}, values["a"][:2]) == []


MECHANISMS = """
mechanisms:
  step_down_cost: {doc: stepping down costs, fix: {cost: 0}}
  incidents: {doc: incidents push the actor up, fix: {pull: 0}}
"""
KNOCKED = (
    SHOCKED.replace("cost: {dist: fixed, value: 0,", "cost: {dist: uniform, low: 2, high: 8,")
    .replace(
        "parameters:\n",
        "parameters:\n  pull: {dist: uniform, low: 0.2, high: 0.4, doc: incident chance, source: test}\n",
    )
    .replace('probability: "0.3 * (A == 0)"', 'probability: "pull * (A == 0)"')
)


def test_a_dynamic_claim_is_tested_again_without_each_mechanism_it_names():
    claims = """
  policies:
    calm: {actor: A, rule: target, target: "0", doc: back to calm at once}
  claims:
    scripted:
      text: scripted back to calm at once, A ends lower than solved, because incidents push it up
      output: final_A
      lower: {policies: {A: calm}}
      higher: {}
      because: [incidents]
    sticky:
      text: a step-down cost makes steps up stick
      output: ratchet_index
      lower: {set: {cost: 0}}
      higher: {}
      because: [step_down_cost]
    pushed_up:
      text: incidents leave the actor higher, because stepping down costs
      output: final_A
      lower: {set: {pull: 0}}
      higher: {}
      because: [step_down_cost, incidents]
    bare:
      text: incidents leave the actor higher, for no stated reason
      output: final_A
      lower: {set: {pull: 0}}
      higher: {}
"""
    scenario = loads(KNOCKED + claims + MECHANISMS)
    crisis = escalade.Model(scenario).simulate(rounds=20, runs=800, draws=8, seed=4)
    verdicts = {v.name: v for v in crisis.claims}
    sticky, pushed = verdicts["sticky"], verdicts["pushed_up"]
    assert sticky.verdict.startswith("holds")
    # its conditions are the mechanism on and off: knocked out, both sides are the same condition
    assert [t.switched_off for t in sticky.mechanisms] == ["step_down_cost"]
    assert sticky.mechanisms[0].gap.mean == 0.0 and sticky.mechanisms[0].changes(sticky.result)
    assert sticky.toggles == ["step_down_cost"]
    assert "its two sides differ only through step_down_cost: it shows that the mechanism acts, no more" in sticky.flags
    # incidents push the actor up whether or not stepping down costs: it holds without that mechanism
    assert pushed.verdict.startswith("holds")
    tests = {t.switched_off: t for t in pushed.mechanisms}
    assert list(tests) == ["step_down_cost", "incidents", "step_down_cost+incidents"]
    assert tests["step_down_cost"].holds.share == 1.0 and not tests["step_down_cost"].changes(pushed.result)
    assert tests["incidents"].changes(pushed.result)
    assert "holds without its stated mechanism: step_down_cost" in pushed.flags
    assert "its two sides differ only through incidents: it shows that the mechanism acts, no more" in pushed.flags
    # two courses of action that differ only through incidents: not the mechanism on and off
    scripted = verdicts["scripted"]
    assert scripted.verdict.startswith("holds") and scripted.switches == ["incidents"] and scripted.toggles == []
    assert "its two sides differ only through incidents: the model has no other channel" in scripted.flags
    # each mechanism knocked out with everyone solved: without incidents nothing pushes the actor up
    effects = {k.mechanism: k for k in crisis.knockouts}
    assert list(effects) == ["step_down_cost", "incidents"]
    assert "final_A" in effects["incidents"].moved and effects["incidents"].change["final_A"].mean < 0
    assert effects["step_down_cost"].change["final_A"].mean < 0  # free to step down, it stands lower
    assert "names no mechanism (add 'because:')" in verdicts["bare"].flags
    text = to_markdown(dynamic_report(crisis))
    assert "## What each mechanism does" in text and "holds without its stated mechanism" in text
    assert "Mechanism step_down_cost pins cost to 0, outside its range [2, 8]" in text  # noted under the claims
    quiet = escalade.Model(scenario).simulate(rounds=20, runs=800, draws=8, seed=4, knockouts=False)
    assert quiet.knockouts == [] and all(not v.mechanisms for v in quiet.claims)
    # every mechanism knocked out for every claim: the bare claim rests on incidents, which it does not name
    every = escalade.Model(scenario).simulate(rounds=20, runs=800, draws=8, seed=4, every_mechanism=True)
    bare = next(v for v in every.claims if v.name == "bare")
    assert [(t.switched_off, t.stated) for t in bare.mechanisms] == [("step_down_cost", False), ("incidents", False)]
    assert "rests on a mechanism it does not name: incidents" in bare.flags
    sticky_too = next(v for v in every.claims if v.name == "sticky")
    assert [t.switched_off for t in sticky_too.mechanisms] == ["step_down_cost", "incidents"]
    assert sticky_too.mechanisms[0].stated and not sticky_too.mechanisms[1].stated


def test_a_dynamic_claim_names_declared_mechanisms_that_pin_numbers():
    claims = """
  claims:
    odd:
      text: nonsense
      output: final_A
      lower: {set: {pull: 0}}
      higher: {}
      because: [incident, scaled, incidents, incidents]
"""
    mechanisms = MECHANISMS + "  scaled: {doc: half the pull, fix: {pull: pull / 2}}\n"
    with pytest.raises(ScenarioError) as caught:
        loads(KNOCKED + claims + mechanisms)
    text = str(caught.value)
    line = (KNOCKED + claims).splitlines().index("      because: [incident, scaled, incidents, incidents]") + 1
    assert "unknown mechanism 'incident'" in text and "did you mean 'incidents'" in text.lower()
    # said once, where the mechanism is declared, naming the parameter
    assert text.count("mechanism 'scaled'") == 1 and "mechanism 'scaled' pins 'pull' to a formula ('pull / 2')" in text
    assert "'incidents' named twice" in text
    assert f"<string>:{line}: unknown mechanism 'incident'" in text  # the file and line of the 'because:'


def test_a_knocked_out_mechanism_passes_the_dynamics_checks_and_a_broken_one_is_reported_once():
    claims = """
  claims:
    pushed_up:
      text: incidents leave the actor higher
      output: final_A
      lower: {set: {pull: 0}}
      higher: {}
      because: [surge, incidents]
"""
    surge = MECHANISMS + "  surge: {doc: incidents always, fix: {pull: 1.5}}\n"
    with pytest.raises(ScenarioError) as caught:
        loads(KNOCKED + claims + surge)
    assert "with surge knocked out, probability of 'incident' is 1.5, outside [0, 1]" in str(caught.value)
    broken = MECHANISMS + "  surge: {doc: nothing pinned}\n"
    with pytest.raises(ScenarioError) as caught:
        loads(KNOCKED + claims + broken)
    text = str(caught.value)
    assert "switched off by 'fix:' parameters" in text and "unknown mechanism" not in text
