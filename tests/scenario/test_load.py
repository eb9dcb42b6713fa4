import textwrap
from pathlib import Path

import pytest

from escalade.scenario import ScenarioError, load, loads, shipped_scenarios

SMALL = textwrap.dedent(
    """\
    name: small
    title: A small crisis
    actors:
      - {id: A, name: Challenger, utility: {gain: 1, escalation: -cost}}
      - {id: B, name: Defender, utility: {gain: -1}}
    attributes:
      gain: what A wins
      escalation: level 0-10
    parameters:
      p: {dist: beta, a: 2, b: 2, doc: chance of detection, source: test}
      cost: {dist: uniform, low: 0, high: 1, doc: cost per rung, source: test}
    root: start
    nodes:
      start:
        actor: A
        actions:
          push: {next: detect, effects: {gain: 1, escalation: 2}}
          wait: end
      detect:
        chance:
          seen: {p: p, next: reply}
          unseen: {p: 1 - p, next: end}
      reply:
        actor: B
        actions:
          accept: end
          resist: {next: end, effects: {gain: -2, escalation: 3}}
      end: {outcome: {}}
    policies:
      firm: {actor: B, choose: {reply: resist}}
    """
)


def problems_of(text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        loads(text, "bad.yaml")
    return info.value.problems


def test_a_valid_scenario_loads_with_its_hash():
    scenario = loads(SMALL, "small.yaml")
    assert scenario.actor_ids == ["A", "B"]
    assert len(scenario.sha256) == 64
    assert scenario.central_values() == pytest.approx({"p": 0.5, "cost": 0.5})


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_shipped_scenario_is_valid(name):
    scenario = load(name)
    assert scenario.name == name


def test_three_planted_mistakes_are_all_reported_with_their_lines():
    text = (
        SMALL.replace("next: reply", "next: replay")  # unknown node, line 21
        .replace("unseen: {p: 1 - p,", "unseen: {p: 0.9 * (1 - p),")  # sum to 0.9, chance: at line 20
        .replace("escalation: -cost", "escalation: -costs")  # unknown name, line 4
    )
    problems = problems_of(text)
    found = {(p.line, p.message.split()[0]) for p in problems}
    lines = sorted(p.line for p in problems)
    assert lines == [4, 20, 21], problems
    assert all(p.file == "bad.yaml" and p.hint for p in problems)
    assert len(found) == 3
    messages = " ".join(p.message for p in problems)
    assert "costs" in messages and "replay" in messages and "sum to" in messages


def test_an_error_message_reads_file_line_problem_and_fix():
    (problem,) = problems_of(SMALL.replace("wait: end", "wait: ending"))
    assert str(problem).startswith("bad.yaml:18: 'wait' leads to unknown node 'ending' — did you mean")


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("wait: end", "wait: start"), 18, "cycle"),
        (
            ("  end: {outcome: {}}", "  end: {outcome: {}}\n  orphan: {outcome: {}}"),
            29,
            "cannot be reached",
        ),
        (("dist: beta, a: 2", "dist: gamma, a: 2"), 10, "no known distribution"),
        (("low: 0, high: 1", "low: 1, high: 0"), 11, "low < high"),
        (("doc: chance of detection, ", ""), 10, "'parameters.p.doc' is missing"),
        (("actor: B\n", "actor: C\n"), 24, "unknown actor 'C'"),
        (("effects: {gain: 1,", "effects: {gains: 1,"), 17, "unknown attribute 'gains'"),
        (("  p: {dist", "  gain: {dist"), 10, "both a parameter and an attribute"),
        (
            ("title: A small crisis", "title: A small crisis\ntitel: typo"),
            3,
            "unknown top-level key",
        ),
        (("choose: {reply: resist}", "choose: {reply: fight}"), 30, "no action 'fight'"),
        (("choose: {reply: resist}", "choose: {start: push}"), 30, "where A moves"),
        (("seen: {p: p,", "seen: {p: p * 2,"), 21, "outside [0, 1]"),
        (("seen: {p: p,", "seen: {p: escalation,"), 21, "unknown name 'escalation'"),
        (("name: small", "name: small\nname: again"), 2, "appears twice"),
        (("  - {id: B", "    - {id: B"), 5, "not valid YAML"),
        (("push: {next: detect,", "push: {next: detect, effect: 1,"), 17, "unknown key"),
        (("p: {dist: beta, a: 2", "p: {dist: beta, a: -2"), 10, "greater than 0"),
        (("escalation: -cost}", "escalation: -cost + }"), 4, "cannot parse"),
    ],
)
def test_each_kind_of_mistake_is_located(change, line, words):
    problems = problems_of(SMALL.replace(*change))
    assert any(words in p.message and p.line == line for p in problems), problems


def test_infosets_must_belong_to_one_actor():
    text = SMALL.replace("  reply:\n    actor: B\n", "  reply:\n    actor: B\n    infoset: same\n")
    text = text.replace("  start:\n    actor: A\n", "  start:\n    actor: A\n    infoset: same\n")
    problems = problems_of(text)
    assert any("mixes actors" in p.message for p in problems)


def test_infoset_members_must_offer_the_same_actions():
    text = (
        SMALL.replace("wait: end", "wait: other")
        .replace(
            "  end: {outcome: {}}",
            "  end: {outcome: {}}\n  other:\n    actor: B\n    infoset: h\n    actions: {resist: end}",
        )
        .replace("  reply:\n    actor: B\n", "  reply:\n    actor: B\n    infoset: h\n")
    )
    problems = problems_of(text)
    assert any("same actions" in p.hint for p in problems), problems


def test_imperfect_recall_is_refused():
    text = textwrap.dedent(
        """\
        name: forgetful
        title: An actor that forgets its own move
        actors: [{id: A, name: A}]
        attributes: {x: value}
        root: first
        nodes:
          first:
            actor: A
            actions: {left: second_l, right: second_r}
          second_l:
            actor: A
            infoset: forget
            actions: {up: end, down: end}
          second_r:
            actor: A
            infoset: forget
            actions: {up: end, down: end}
          end: {outcome: {x: 1}}
        """
    )
    problems = problems_of(text)
    assert any("perfect recall" in p.message for p in problems)


def test_a_missing_file_names_the_shipped_scenarios():
    with pytest.raises(ScenarioError) as info:
        load("no_such_scenario")
    assert "dprk_russia_2024" in info.value.problems[0].hint


def test_the_example_in_the_language_reference_is_valid():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenario-language.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = loads(example, "docs/scenario-language.md")
    assert scenario.name == "small" and "firm" in scenario.policies
