"""Mutation fuzzing of every shipped scenario: each mutant ends in the project's own located error, or
in a scenario that compiles and solves with a passing, finite regret certificate — never another
exception, never a non-finite number.

Mutations act on the parsed YAML: delete, duplicate and retype keys and values, perturb numbers
(including NaN, infinities and huge values), splice formulas (with one another and with division
by zero, log(0) and huge powers). 200 cases run in the default suite; `make test-slow` runs 5,000.
"""

from __future__ import annotations

import copy
import math
from functools import cache
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalade.game import compile_game
from escalade.game.markov import compile_markov
from escalade.scenario import ScenarioError, loads, shipped_scenarios
from escalade.solve import solve_spe
from escalade.solve.markov import solve_markov

FILE = "fuzz.yaml"
NUMBERS = [0, -1, 1, 0.5, 2.5, 1e6, -1e6, 1e300, 1e-300, math.nan, math.inf, -math.inf, 10**400, 7]
SPLICES = ["/ 0", "* 1e308", "** 400", "+ log(0)", "- 1", "* 0", "+ 1e12", "/ (1 - 1)"]
MAX_STATES = 2_000  # mutants with more dynamic states are checked for compilation only (time)


@cache
def originals() -> dict[str, Any]:
    return {name: yaml.safe_load(path.read_text()) for name, path in sorted(shipped_scenarios().items())}


@cache
def formulas() -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and any(op in value for op in "+-*/(") and len(value) < 80:
            found.append(value)

    walk(originals())
    return sorted(set(found))


def containers(data: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every mapping and list in ``data``."""
    found = []
    if isinstance(data, dict):
        found.append(path)
        for key, value in data.items():
            found += containers(value, (*path, key))
    elif isinstance(data, list):
        found.append(path)
        for index, value in enumerate(data):
            found += containers(value, (*path, index))
    return found


def numbers(data: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every number in ``data``."""
    if isinstance(data, dict | list):
        items = data.items() if isinstance(data, dict) else enumerate(data)
        return [found for key, value in items for found in numbers(value, (*path, key))]
    return [path] if isinstance(data, int | float) and not isinstance(data, bool) else []


def at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, str]:
    """(scenario name, mutated YAML text)."""
    name = draw(st.sampled_from(sorted(originals())))
    data = copy.deepcopy(originals()[name])
    for _ in range(draw(st.integers(1, 3))):
        leaves = numbers(data)
        if leaves and draw(st.booleans()):  # a plausible slip: one number scaled, negated or zeroed
            *parent, last = draw(st.sampled_from(leaves))
            at(data, tuple(parent))[last] *= draw(st.sampled_from([0.5, 0.9, 1.1, 2, -1, 0, 1e3]))
            continue
        places = containers(data)
        place = at(data, draw(st.sampled_from(places)))
        keys = list(place) if isinstance(place, dict) else list(range(len(place)))
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        value = place[key]
        kind = draw(st.sampled_from(["delete", "duplicate", "retype", "number", "splice", "rename"]))
        if kind == "delete":
            del place[key]
        elif kind == "duplicate":
            if isinstance(place, dict):
                place[f"{key}_copy" if isinstance(key, str) else key + 1] = copy.deepcopy(value)
            else:
                place.append(copy.deepcopy(value))
        elif kind == "retype":
            place[key] = draw(st.sampled_from([None, True, "text", [], {}, [1, 2], {"a": 1}, 3, -2.5, "x y", "1 +"]))
        elif kind == "number":
            if isinstance(value, int | float) and not isinstance(value, bool):
                place[key] = draw(st.sampled_from([*NUMBERS, value * 10, -value, value + 0.3]))
            else:
                place[key] = draw(st.sampled_from(NUMBERS))
        elif kind == "splice":
            base = value if isinstance(value, str) else draw(st.sampled_from(formulas()))
            other = draw(st.sampled_from(formulas() + SPLICES))
            place[key] = f"({base}) {other}" if other in SPLICES else f"({base}) + ({other})"
        elif isinstance(place, dict) and isinstance(key, str):
            place[draw(st.sampled_from([key.upper(), key + "x", "name", "root", "p", "next"]))] = place.pop(key)
    return name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def check(text: str) -> str:
    """What became of one mutant: 'refused' (a located error) or 'solved' (a certified answer)."""
    try:
        scenario = loads(text, FILE)
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == FILE and isinstance(problem.line, int), str(problem)
        return "refused"
    if scenario.root is not None:
        try:
            game = compile_game(scenario)
        except ValueError as exc:  # a path's payoff overflowed: refused with the file named
            assert FILE in str(exc)
            return "refused"
        solution = solve_spe(game)
        assert np.isfinite(solution.values).all() and np.isfinite(solution.max_regret).all()
        assert np.isfinite(solution.reach).all()
    if scenario.dynamics is not None:
        markov = compile_markov(scenario)
        assert np.isfinite(markov.payoff).all() and np.isfinite(markov.event_prob).all()
        if markov.shape[0] <= MAX_STATES and np.isfinite(scenario.dynamics.rationality):
            solution = solve_markov(markov, scenario.dynamics.rationality)
            assert np.isfinite(solution.values).all() and np.isfinite(solution.regret).all()
    return "solved"


def test_the_shipped_scenarios_pass_the_check_unmutated():
    assert {check(path.read_text()) for path in shipped_scenarios().values()} == {"solved"}


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(mutants())
def test_mutated_scenarios_end_in_a_located_error_or_a_certified_answer(mutant):
    check(mutant[1])


@pytest.mark.slow
@settings(max_examples=5_000, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(mutants())
def test_five_thousand_mutated_scenarios(mutant):
    check(mutant[1])
