"""What each mechanism does: knocked out alone, does it move any outcome beyond Monte Carlo error?"""

import pytest

from escalade.analyze import knockout_effects
from escalade.analyze.claims import one_at_a_time
from escalade.pipeline import Backend, DynamicRequest
from escalade.pipeline.dynamic import simulate
from escalade.scenario import load, loads
from escalade.simulate import sample_parameters, solve_courses
from tests.analyze.test_knockouts import TOY

# A mechanism that pins a cost B's choice never turns on: B resists for pride ≥ 1 whatever the fight costs
# (0.8-1.0) against yielding's loss, so nothing can move.
INERT = TOY.replace(
    "  publicity: {doc: public news raises the stakes",
    "  fight_price: {doc: what a fight costs B, fix: {fight_cost: 0.9}}\n"
    "  publicity: {doc: public news raises the stakes",
)


def solve_one(variant, draws, conditions):
    return solve_courses(variant, draws, [(c.policy, c.force) for c in conditions])


solver = one_at_a_time(solve_one)


def test_a_mechanism_that_does_work_moves_its_outcome_and_an_inert_one_moves_none():
    scenario = loads(INERT)
    values = sample_parameters(scenario, 256, seed=3)
    knockouts = {k.mechanism: k for k in knockout_effects(scenario, values, solver, seed=3)}
    # without pride B gives way: no resistance, and without resistance no crisis
    assert "P(resisted)" in knockouts["pride"].moved
    assert knockouts["pride"].change["P(resisted)"].mean < -0.5
    # without publicity's rung the score never reaches 4 (2 for the push, 1 for resisting)
    assert "P(crisis)" in knockouts["publicity"].moved
    assert knockouts["publicity"].change["P(crisis)"].high < 0
    assert "P(resisted)" not in knockouts["publicity"].moved
    assert knockouts["fight_price"].moved == []
    assert knockouts["fight_price"].verdict == "moves no outcome beyond Monte Carlo error"


@pytest.mark.parametrize("name, draws", [("dprk_russia_2024", 512), ("dprk_russia_v2", 256)])
def test_every_mechanism_of_the_static_flagships_moves_an_outcome(name, draws):
    """Issue 14's acceptance: each mechanism the flagship names, knocked out alone, moves at least one
    outcome's probability by more than its Monte Carlo error (the 95% interval of the paired change
    excludes zero), on the draws `escalade run` tests the claims on."""
    scenario = load(name)
    values = sample_parameters(scenario, draws, seed=20241018)
    inert = [k.mechanism for k in knockout_effects(scenario, values, solver, seed=20241018) if not k.moved]
    assert inert == [], f"{name}: knocking out {inert} moves no outcome beyond Monte Carlo error"


@pytest.mark.parametrize("name", ["dprk_russia_dynamic_v2", "cuban_missile_1962_dynamic"])
def test_every_mechanism_of_the_dynamic_models_moves_an_output(name):
    """Issue 14's acceptance for the models over rounds: each mechanism, knocked out alone with everyone
    solved, moves an actor's final rung, P(de-escalation) or the ratchet index beyond Monte Carlo error (the
    report's "What each mechanism does"). The claims are left out: their conditions are not this table's."""
    scenario = load(name)
    dynamics = scenario.dynamics.model_copy(update={"claims": {}})
    alone = scenario.model_copy(update={"dynamics": dynamics})
    solved = {actor: ("equilibrium",) for actor in scenario.actor_ids[:1]}
    analysis = simulate(alone, DynamicRequest(draws=8, runs=1024, policies=solved), Backend(workers=2))
    assert [k.mechanism for k in analysis.knockouts] == list(scenario.mechanisms)
    inert = [k.mechanism for k in analysis.knockouts if not k.moved]
    assert inert == [], f"{name}: knocking out {inert} moves nothing beyond Monte Carlo error"
