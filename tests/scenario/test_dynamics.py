"""The `dynamics:` section: what the validator accepts, and every mistake reported with its line."""

import numpy as np
import pytest
from rich.console import Console

from escalade.game.markov import compile_markov
from escalade.report import scenario_tree
from escalade.scenario import ScenarioError, load, loads

GOOD = """\
name: tiny
title: tiny dynamic crisis
actors: [{id: A, name: A}, {id: B, name: B}]
parameters:
  p: {dist: uniform, low: 0.1, high: 0.3, doc: chance, source: test}
dynamics:
  round: week
  start: 2025-01-06
  rounds: 4
  discount: 0.9
  rationality: 1
  ladder: [{name: calm, category: status_quo}, {name: tense, category: posturing},
           {name: war, category: violent_escalation}]
  start_rungs: {A: 0, B: 1}
  flags: {public: {doc: known}}
  moves:
    A: {leap: {to: 2, category: violent_escalation, when: "own == 0", sets: {public: 1}}}
  events:
    leak: {probability: "p * (1 - public)", sets: {public: 1}}
  payoffs: {A: "own - other", B: "-A"}
  step_down_cost: {A: "public"}
  policies:
    mirror: {actor: B, rule: match, offset: 0}
"""


def test_a_dynamic_scenario_needs_no_tree_and_labels_rounds_by_date():
    scenario = loads(GOOD)
    assert scenario.root is None and scenario.dynamics is not None
    assert scenario.dynamics.round_labels(2) == ["2025-01-06", "2025-01-13", "2025-01-20"]
    game = compile_markov(scenario)
    assert game.shape == (3 * 3 * 2, 2, 4)  # rungs² × flag; up, hold, down, leap (padded for B)
    start = game.index({"A": 0, "B": 1})
    assert game.start == start
    leap = game.moves[0].index("leap")
    assert game.state[game.after_move[start, 0, leap]].tolist() == [2, 1, 1]
    assert not game.available[0, game.index({"A": 1, "B": 1}), 0, leap]  # 'when' fails
    assert not game.available[0, start, 1, 3]  # B has no fourth move


def test_every_mistake_is_reported_with_its_line():
    bad = (
        GOOD.replace("start_rungs: {A: 0, B: 1}", "start_rungs: {A: 0, B: 12}")
        .replace("sets: {public: 1}}}", "sets: {secret: 1}}}")
        .replace('probability: "p * (1 - public)"', 'probability: "p * 5"')
        .replace('B: "-A"', 'B: "-A + nonsense"')
        .replace("discount: 0.9", "discount: 1.5")
        .replace("rule: match, offset: 0", "rule: deter")
    )
    with pytest.raises(ScenarioError) as caught:
        loads(bad, "tiny.yaml")
    text = str(caught.value)
    expected = [
        ("rung 12 is off the ladder", 14),
        ("unknown flag 'secret'", 17),
        ("uses unknown name 'nonsense'", 20),
        ("rule 'deter' needs trigger and response", 23),
    ]
    for message, line in expected:
        assert any(message in p.message and p.line == line for p in caught.value.problems), (message, text)
    assert "discount is 1.5" in text
    assert "probability of 'leak'" in text and "outside [0, 1]" in text


def test_a_tree_scenario_still_needs_its_tree():
    with pytest.raises(ScenarioError, match="'root' is missing"):
        loads("name: x\ntitle: x\nactors: [{id: A, name: A}]\nattributes: {}\nnodes: {}\n")


def test_the_shipped_dynamic_scenarios_compile_with_their_observed_paths():
    for name in ("cuban_missile_1962_dynamic", "dprk_russia_dynamic", "dprk_russia_dynamic_v2"):
        scenario = load(name)
        game = compile_markov(scenario)
        assert scenario.dynamics.history is not None
        assert np.all(game.outcome_prob.sum(axis=2) == pytest.approx(1.0))
        assert set(scenario.dynamics.history.rungs) == set(scenario.actor_ids)


def test_counters_keep_a_discretized_tally_that_moves_and_events_add_to():
    text = GOOD.replace(
        "  flags: {public: {doc: known}}",
        "  flags: {public: {doc: known}}\n  counters: {losses: {levels: 3, doc: none/some/many}}",
    ).replace(
        'leak: {probability: "p * (1 - public)", sets: {public: 1}}',
        'leak: {probability: "p * (1 - public)", sets: {public: 1}}\n'
        '    fight: {probability: "B >= 1", add: {losses: 1}}',
    )
    game = compile_markov(loads(text))
    assert game.variables == ["public", "losses"] and game.shape[0] == 3 * 3 * 2 * 3
    for losses, after in ((0, 1), (2, 2)):  # the count rises by one and stays within its levels
        here = game.index({"A": 0, "B": 1, "losses": losses})
        fired = game.outcomes[here, 0b10]  # event 1 (fight) fired, event 0 (leak) did not
        assert game.state[fired].tolist() == [0, 1, 0, after]
    assert game.event_prob[0, game.index({"A": 0, "B": 1}), 1] == 1.0
    bad = text.replace("add: {losses: 1}", "add: {deaths: 1}")
    with pytest.raises(ScenarioError, match="unknown counter 'deaths'"):
        loads(bad)


def test_a_ceiling_keeps_an_actor_below_the_ladders_top_and_shrinks_the_state():
    text = GOOD.replace("start_rungs: {A: 0, B: 1}", "start_rungs: {A: 0, B: 1}\n  ceilings: {B: 1}").replace(
        'leak: {probability: "p * (1 - public)", sets: {public: 1}}',
        'leak: {probability: "p * (1 - public)", sets: {public: 1}, push: {B: 1}}',
    )
    game = compile_markov(loads(text))
    assert game.shape[0] == 3 * 2 * 2 and game.state[:, 1].max() == 1  # A's 3 rungs, B's 2, the flag
    top = game.index({"A": 0, "B": 1})
    assert not game.available[0, top, 1, 0]  # B cannot climb above its ceiling
    assert game.available[0, game.index({"A": 1, "B": 1}), 0, 0]  # A can
    assert game.state[game.outcomes[top, 1]].tolist() == [0, 1, 1]  # the leak's push stays at the ceiling
    with pytest.raises(ScenarioError) as caught:
        loads(text.replace("start_rungs: {A: 0, B: 1}", "start_rungs: {A: 0, B: 2}"), "tiny.yaml")
    message = "rung 2 is off the actor's rungs (0 to its ceiling 1)"
    assert any(message in p.message and p.line == 14 for p in caught.value.problems)
    with pytest.raises(ScenarioError, match="rung 3 is off the ladder"):
        loads(text.replace("ceilings: {B: 1}", "ceilings: {B: 3}"))
    with pytest.raises(ScenarioError, match="unknown actor 'C'"):
        loads(text.replace("ceilings: {B: 1}", "ceilings: {C: 1}"))


def test_limits_restrict_the_one_rung_moves_and_a_named_move_may_cost_fewer_rungs():
    text = GOOD.replace(
        "  events:",
        '  limits:\n    A: {up: "public == 1"}\n    B: {down: "own != 1"}\n  events:',
    ).replace(
        "sets: {public: 1}}}",
        'sets: {public: 1}},\n       retreat: {to: 0, category: de_escalation, when: "own == 2", cost_rungs: 1}}',
    )
    game = compile_markov(loads(text))
    up, down, retreat = 0, 2, 4
    quiet, known = game.index({"A": 0, "B": 1}), game.index({"A": 0, "B": 1, "public": 1})
    assert not game.available[0, quiet, 0, up] and game.available[0, known, 0, up]  # A climbs once public
    assert not game.available[0, quiet, 1, down]  # B cannot step down from rung 1 ...
    assert game.available[0, game.index({"A": 0, "B": 2}), 1, down]  # ... but can from 2
    top = game.index({"A": 2, "B": 1})
    assert game.available[0, top, 0, retreat] and game.landing[top, 0, retreat] == 0
    assert game.descent[top, 0, retreat] == 1 and game.descent[top, 0, down] == 1  # two rungs down, costed as one
    with pytest.raises(ScenarioError) as caught:
        loads(text.replace('A: {up: "public == 1"}', 'A: {up: "secret == 1"}\n    C: {up: "1"}'))
    text_of = str(caught.value)
    assert "uses unknown name 'secret'" in text_of and "unknown actor 'C'" in text_of
    with pytest.raises(ScenarioError, match="sideways"):
        loads(text.replace('B: {down: "own != 1"}', 'B: {sideways: "1"}'))
    for loose in ("-1", '"1"', "true"):  # a whole number of rungs, written as one
        with pytest.raises(ScenarioError, match="cost_rungs"):
            loads(text.replace("cost_rungs: 1", f"cost_rungs: {loose}"))
    with pytest.raises(ScenarioError, match="what_if"):
        loads(text.replace("rule: match, offset: 0}", 'rule: match, offset: 0, what_if: "yes"}'))
    console = Console(width=200, record=True)
    console.print(scenario_tree(loads(text)))
    shown = console.export_text()
    assert "retreat (step-down cost of 1 rung at most); up only when public == 1" in shown
    assert "B moves: up, hold, down; down only when own != 1" in shown


def test_a_limit_or_a_when_that_is_not_a_formula_is_asked_for_as_a_condition_and_cost_rungs_needs_a_descent():
    text = GOOD.replace("  events:", '  limits:\n    A: {up: "public == 1"}\n  events:')
    for wrong in ("true", "[1, 2]"):
        with pytest.raises(ScenarioError) as caught:
            loads(text.replace('A: {up: "public == 1"}', f"A: {{up: {wrong}}}"), "tiny.yaml")
        (problem,) = caught.value.problems
        assert "expected a condition" in problem.message and "'own != 4'" in problem.hint
        assert problem.line == text.splitlines().index('    A: {up: "public == 1"}') + 1
    with pytest.raises(ScenarioError, match="expected a condition, got bool"):
        loads(text.replace('when: "own == 0"', "when: true"))
    climbing = text.replace("leap: {to: 2,", "leap: {step: 2,")
    compile_markov(loads(climbing))  # a leap of two rungs up is fine ...
    with pytest.raises(ScenarioError) as caught:  # ... but a cap on its step-down cost would do nothing
        loads(climbing.replace("sets: {public: 1}}}", "sets: {public: 1}, cost_rungs: 1}}"))
    assert "'step: 2' never does — remove cost_rungs" in str(caught.value)


def test_a_misspelt_key_in_a_named_move_lists_the_keys_a_move_takes():
    text = GOOD.replace('when: "own == 0", sets: {public: 1}}', 'when: "own == 0", sets: {public: 1}, cost_rung: 1}')
    with pytest.raises(ScenarioError) as caught:
        loads(text)
    assert "unknown key 'dynamics.moves.A.leap.cost_rung'" in str(caught.value)
    assert "allowed here: step, to, category, when, cost_rungs" in str(caught.value)
