"""Trajectories: the vectorized simulation against a plain loop, and the ratchet index."""

import itertools

import numpy as np
import pytest

from escalade.analyze.dynamics import ratchet_index
from escalade.game.markov import compile_markov, scripted_moves
from escalade.scenario import load, loads
from escalade.simulate import sample_parameters
from escalade.simulate.trajectories import course_label, courses, random_numbers, simulate
from escalade.solve.markov import solve_markov


def loop_simulation(game, policy, rounds, runs, seed):
    """One trajectory at a time, in plain Python, over the same random numbers."""
    u = random_numbers(game, rounds, runs, seed)
    n, events = len(game.actors), game.event_prob.shape[2]
    states = np.empty((runs, rounds + 1), dtype=int)
    for r in range(runs):
        d, s = r % game.draws, game.start
        states[r, 0] = s
        for t in range(rounds):
            x = s
            for i in range(n):
                probs = policy[d, x, i]
                move = max(m for m in range(len(probs)) if probs[m] > 0)
                total = 0.0
                for m, p in enumerate(probs):
                    total += p
                    if u[r, t, i] < total:
                        move = m
                        break
                x = game.after_move[x, i, move]
            outcome = sum(1 << e for e in range(events) if u[r, t, n + e] < game.event_prob[d, x, e])
            s = game.outcomes[x, outcome]
            states[r, t + 1] = s
    return states


def test_vectorized_trajectories_equal_the_loop_for_the_same_seed():
    scenario = load("cuban_missile_1962_dynamic")
    values = sample_parameters(scenario, 3, seed=5)
    game = compile_markov(scenario, values)
    policy = solve_markov(game, 1.0).policy
    fast = simulate(game, policy, rounds=12, runs=150, seed=11)
    np.testing.assert_array_equal(fast.states, loop_simulation(game, policy, 12, 150, 11))
    assert len(np.unique(fast.states[:, -1])) > 5  # the runs differ: chance and mixed moves were drawn
    again = simulate(game, policy, rounds=12, runs=150, seed=11)
    np.testing.assert_array_equal(fast.states, again.states)
    other = simulate(game, policy, rounds=12, runs=150, seed=12)
    assert not np.array_equal(fast.states, other.states)


SHOCKED = """
name: shocked
title: an actor pushed up by incidents, who would rather stand low
actors: [{id: A, name: A}]
parameters:
  cost: {dist: fixed, value: 0, doc: cost per rung stepped down, source: test}
dynamics:
  rounds: 40
  discount: 0.9
  rationality: 2
  ladder: [{name: calm, category: status_quo}, {name: tense, category: posturing},
           {name: hot, category: violent_escalation}]
  start_rungs: {A: 0}
  events:
    incident: {probability: "0.3 * (A == 0)", push: {A: 1}}
  payoffs: {A: "-own"}
  step_down_cost: {A: cost}
"""


def _ratchet(cost: float, lam: float) -> float:
    game = compile_markov(loads(SHOCKED.replace("rationality: 2", "rationality: 1")), {"cost": cost})
    policy = solve_markov(game, lam).policy
    trajectories = simulate(game, policy, rounds=40, runs=3000, seed=3)
    return ratchet_index(trajectories.rungs, trajectories.stepped_down, 3, np.random.default_rng(0)).mean


def test_no_step_down_cost_means_no_ratchet():
    # Incidents push the actor up; at zero cost the best response is to step straight back down,
    # so every step up is reversed the next round (even when an incident pushes it up again).
    assert _ratchet(0.0, np.inf) == 0.0


def test_raising_the_step_down_cost_raises_the_ratchet_index():
    grid = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0]
    index = [_ratchet(cost, 2.0) for cost in grid]
    assert all(b > a for a, b in itertools.pairwise(index)), index
    assert index[0] < 0.2 and index[-1] > 0.8


def test_ratchet_index_counts_only_fully_observed_windows():
    rungs = np.array([[0, 1, 1, 0, 1, 1, 1]])[:, :, None]  # ups in rounds 0 and 3; a down in round 2
    result = ratchet_index(rungs, np.diff(rungs, axis=1) < 0, 2, np.random.default_rng(0))
    # The first up is reversed within 2 rounds; the second has a full window (rounds 4-5) and stays.
    assert result.mean == pytest.approx(0.5)


def test_scripted_policies_head_for_their_targets():
    scenario = load("cuban_missile_1962_dynamic")
    game = compile_markov(scenario)
    start = game.index({"USA": 2, "USSR": 4})
    usa = game.moves[0]

    def move(policy: str, state: int = start) -> str:
        probs = scripted_moves(scenario, game, policy)
        return usa[int(probs[0, state].argmax())]

    assert move("escalation_management") == "up"  # one rung toward USSR + 1, not a jump
    assert move("deterrence") == "up"  # neither the quarantine nor the strike before US forces are ready
    ready = {"public": 1, "ready": 1}
    assert move("deterrence", game.index({"USA": 3, "USSR": 4, **ready})) == "quarantine"  # the highest available
    assert move("deterrence", game.index({"USA": 5, "USSR": 4, **ready})) == "air_strike"
    assert move("tit_for_tat", game.index({"USA": 3, "USSR": 4, **ready})) == "up"  # as near as the quarantine
    assert move("appeasement") == "down"
    assert move("escalation_management", game.index({"USA": 5, "USSR": 6})) == "hold"  # capped at 5


def test_the_cuban_bargain_makes_moscow_wait_for_the_offer_and_the_quarantine_bring_the_missiles_out():
    # at the parameters' means, under the quarantine: with the bargain, Moscow holds on without an offer and
    # withdraws once offered, and Washington offers; with the bargain knocked out (its worth and the face it
    # saves at 0), Moscow withdraws under the quarantine alone and Washington has no reason to offer; with the
    # quarantine's bite knocked out instead, Moscow stays even when offered: the pressure brings the missiles out
    scenario = load("cuban_missile_1962_dynamic")
    quarantined = {"USA": 5, "USSR": 5, "public": 1, "ready": 1}
    found = {}
    for label in ("stated", "bargain", "quarantine_bite"):
        pins = scenario.mechanisms[label].numbers if label in scenario.mechanisms else {}
        values = {name: np.array([pins.get(name, value)]) for name, value in scenario.central_values().items()}
        game = compile_markov(scenario, values)
        solution = solve_markov(game, scenario.dynamics.rationality)
        assert solution.certified.all()
        usa, ussr = game.actors.index("USA"), game.actors.index("USSR")
        withdraw, offer = game.moves[ussr].index("withdraw"), game.moves[usa].index("offer_pledge")
        found[label] = [
            solution.policy[0, game.index(quarantined), ussr, withdraw],
            solution.policy[0, game.index({**quarantined, "deal": 1}), ussr, withdraw],
            solution.policy[0, game.index(quarantined), usa, offer],
        ]
        assert not game.available[0, game.index({"USA": 3, "USSR": 4}), ussr, withdraw]  # not before it is public
    alone, offered, offers = found["stated"]
    assert alone < 0.02 and offered > 0.4 and offers > 0.5
    alone, offered, offers = found["bargain"]
    assert alone > 0.3 and offers < 0.1
    alone, offered, offers = found["quarantine_bite"]
    assert alone < 0.02 and offered < 0.02 and offers > 0.5


def test_what_if_policies_are_compared_only_when_asked_for():
    scenario = load("dprk_russia_dynamic_v2")
    what_ifs = {name for name, policy in scenario.dynamics.policies.items() if policy.what_if}
    assert what_ifs == {"russia_pays_cash", "russia_pays_technology", "dprk_stays_out_of_combat"}
    compared = [course_label(course) for course in courses(scenario)]
    assert "WEST=deterrence" in compared and not any(name in label for label in compared for name in what_ifs)
    asked = courses(scenario, {"RUS": ["russia_pays_cash"]})
    assert [course_label(course) for course in asked] == ["RUS=russia_pays_cash"]
