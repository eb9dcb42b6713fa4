"""Property tests: random valid scenarios compile; random broken ones give located errors."""

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalade.game import compile_game
from escalade.scenario import ScenarioError, loads
from escalade.solve import solve_spe


@st.composite
def scenarios(draw) -> dict:
    """A random valid scenario: a tree of decision, chance and end nodes over random actors."""
    n_actors = draw(st.integers(1, 3))
    actors = [
        {"id": f"A{i}", "name": f"Actor {i}", "utility": {"x": draw(st.sampled_from([1, -1, "w"]))}}
        for i in range(n_actors)
    ]
    parameters = {
        "w": {"dist": "uniform", "low": -1, "high": 1, "doc": "a weight", "source": "test"},
        "q": {"dist": "beta", "a": 2, "b": 3, "doc": "a probability", "source": "test"},
    }
    nodes: dict = {}
    budget = [draw(st.integers(1, 12))]

    def node(depth: int) -> str:
        node_id = f"n{len(nodes)}"
        nodes[node_id] = None  # reserve the id
        kind = "end" if depth > 3 or budget[0] <= 0 else draw(st.sampled_from(["decision", "chance", "end"]))
        budget[0] -= 1
        if kind == "end":
            nodes[node_id] = {"outcome": {"x": draw(st.sampled_from([0, 1, "w", "x * 2", "q - x"]))}}
        elif kind == "chance":
            first, second = node(depth + 1), node(depth + 1)
            nodes[node_id] = {
                "chance": {
                    "a": {"p": "q", "next": first, "effects": {"x": 1}},
                    "b": {"p": "1 - q", "next": second},
                }
            }
        else:
            width = draw(st.integers(1, 3))
            actions = {
                f"m{j}": {
                    "next": node(depth + 1),
                    "effects": {"x": draw(st.sampled_from([0, 1, -2, "w"]))},
                }
                for j in range(width)
            }
            nodes[node_id] = {"actor": f"A{draw(st.integers(0, n_actors - 1))}", "actions": actions}
        return node_id

    root = node(0)
    return {
        "name": "random",
        "title": "random scenario",
        "actors": actors,
        "attributes": {"x": "a quantity"},
        "parameters": parameters,
        "root": root,
        "nodes": nodes,
    }


def mutate(scenario: dict, choice: int) -> dict:
    """Plant one mistake of a kind chosen by ``choice``."""
    nodes = scenario["nodes"]
    root = scenario["root"]
    first = nodes[root]
    mistakes = [
        lambda: scenario.update(root="nowhere"),
        lambda: scenario["parameters"]["q"].update(dist="poisson"),
        lambda: scenario["actors"][0].update(utility={"x": "unknown_weight"}),
        lambda: nodes.update(stray={"outcome": {"x": 1}}),
        lambda: nodes.update({root: {"actor": "A0", "actions": {"loop": root}}}),
        lambda: nodes.update({root: {"chance": {"a": {"p": 0.3, "next": root}}}}),
        lambda: nodes.update({root: {"actor": "ghost", "actions": {"go": root}}}),
        lambda: first.update(unexpected=1),
        lambda: scenario.pop("title"),
        lambda: scenario["parameters"]["w"].update(low=2, high=1),
    ]
    mistakes[choice % len(mistakes)]()
    return scenario


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_valid_scenarios_compile_and_solve(data):
    scenario = loads(yaml.safe_dump(data, sort_keys=False), "random.yaml")
    values = {"w": np.array([-0.5, 0.0, 0.7]), "q": np.array([0.1, 0.5, 0.9])}
    game = compile_game(scenario, values)
    solution = solve_spe(game)
    np.testing.assert_allclose(solution.outcome_probs.sum(axis=1), 1.0)
    assert np.all(solution.max_regret <= 1e-9 * np.maximum(1, np.ptp(game.payoff, axis=(1, 2))))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 1000))
def test_random_broken_scenarios_give_located_errors(data, choice):
    text = yaml.safe_dump(mutate(data, choice), sort_keys=False)
    try:
        loads(text, "broken.yaml")
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "broken.yaml"
            assert problem.line is not None and problem.line >= 1
            assert problem.message and problem.hint
    else:
        raise AssertionError("a planted mistake went unreported")
