"""Play one actor against the solution: what the user sees, how the other moves are drawn, the debrief.

The expected numbers come from the solved profile read by label (``labelled_profile``) and the scenario's
own parameters, not from the walk under test: Bayes' rule by hand for the beliefs, the chance probability
for the share of draws, the end's payoffs from the tree's arithmetic.
"""

import numpy as np
import pytest

from escalade.analyze.play import PlayError, play, playable
from escalade.pipeline import PointRequest, first_solution, terminal_events
from escalade.scenario import load, loads
from tests.analyze.test_why import SIGNALLING as SIGNALLING_GAME

# test_why's sender and receiver, with the receiver's resistance named as an outcome (r is ±1 only then)
SIGNALLING = SIGNALLING_GAME + "outcomes:\n  resisted: {when: r * r > 0.5, doc: the receiver resisted}\n"


@pytest.fixture(scope="module")
def signalling():
    scenario = loads(SIGNALLING, "signalling.yaml")
    return scenario, first_solution(scenario, PointRequest(method="qre", lam=2.0))  # mixed: every belief interior


def test_the_receiver_sees_only_the_signal_and_believes_by_bayes_rule(signalling):
    _, solution = signalling
    sender = solution.labelled_profile()["S"]
    for seed in range(40):
        state = play(solution, "R", [], seed)
        decision = state.pending
        assert decision is not None and state.ending is None
        signal = "bluster" if decision.infoset == "heard_bluster" else "quiet"
        strong, weak = 0.3 * sender["strong_sender"][signal], 0.7 * sender["weak_sender"][signal]
        assert decision.belief == pytest.approx([strong / (strong + weak), weak / (strong + weak)], abs=1e-12)
        assert [h[0] for h in decision.histories] == ["chance: strong", "chance: weak"]
        assert decision.solved == pytest.approx(list(solution.labelled_profile()["R"][decision.infoset].values()))


def test_the_other_moves_follow_the_solution_and_a_seed_replays_its_path(signalling):
    _, solution = signalling
    strong = 0
    for seed in range(2000):
        ended = play(solution, "R", ["yield"], seed).ending
        assert ended is not None and play(solution, "R", ["yield"], seed).ending == ended
        strong += ended.moves[0] == "chance: strong"
    share, sd = strong / 2000, np.sqrt(0.3 * 0.7 / 2000)
    assert abs(share - 0.3) < 4 * sd


def test_the_debrief_sets_the_ending_beside_the_solution(signalling):
    scenario, solution = signalling
    for seed in range(20):
        state = play(solution, "R", ["resist"], seed, terminal_events(scenario, solution))
        ending = state.ending
        assert ending is not None and state.pending is None and state.decisions[0].chosen == "resist"
        strong = ending.moves[0] == "chance: strong"
        bluster = ending.moves[1].endswith("bluster")
        s = (2.0 if strong else -2.0) * bluster  # weak_cost is 2; resisted, the sender gains nothing more
        assert ending.payoffs == pytest.approx({"S": s, "R": -1.0 if strong else 1.0})
        assert ending.outcomes == ["resisted"] and ending.attributes == {"s": s, "r": -1.0 if strong else 1.0}
        assert ending.solved_value == pytest.approx(float(solution.values[0, 1]))
        probs, mine = solution.outcome_probs[0], solution.game.payoff[0, :, 1]
        assert ending.below == pytest.approx(float(probs[mine < ending.value].sum()))
        assert 0 < ending.probability < 1


def test_the_action_values_explain_the_solved_choice():
    """In a subgame-perfect solution the action the solution plays is worth the most to its mover."""
    solution = first_solution(load("audience_costs"))
    state = play(solution, "B", [], 0)
    if state.pending is None:
        pytest.skip("the challenger does not threaten at the means")
    decision = state.pending
    assert decision.values[int(np.argmax(decision.solved))] == pytest.approx(max(decision.values))


def test_bad_plays_are_refused_with_what_to_do(signalling):
    _, solution = signalling
    with pytest.raises(PlayError, match="choose one of yield, resist"):
        play(solution, "R", ["fold"], 0)
    with pytest.raises(PlayError, match="play ended after 1 of your 2 choices"):
        play(solution, "R", ["yield", "yield"], 0)
    with pytest.raises(PlayError, match="the actors who do: S, R"):
        play(solution, "X", [], 0)
    scripted = first_solution(load("dprk_russia_2024"), PointRequest(policy="deterrence"))
    assert "WEST" not in playable(scripted)
    with pytest.raises(PlayError, match="'WEST' makes no move here"):
        play(scripted, "WEST", [], 0)
