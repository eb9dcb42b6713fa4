"""Variants of a scenario without editing its file: parameters pinned or re-ranged (the CLI's settings,
the explorer's sliders), effects taken out and mechanisms knocked out (the tests of claims).

Settings pass the same value checks as the scenario file: a pinned probability of 1.7 is refused
before any solving, in the scenario's own words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from escalade.scenario.errors import Problem, ScenarioError
from escalade.scenario.load import check_values
from escalade.scenario.model import Chance, Decision, Fixed, Scenario, Terminal, Uniform, effect_refs


def override(
    scenario: Scenario,
    pins: Mapping[str, float] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> Scenario:
    """A copy of ``scenario`` with parameters pinned to a value or made uniform over a range."""
    pins, ranges = dict(pins or {}), dict(ranges or {})
    problems = []
    for name in [*pins, *ranges]:
        if name not in scenario.parameters:
            known = ", ".join(sorted(scenario.parameters))
            problems.append(Problem("settings", None, f"no parameter {name!r} to override", f"known: {known}"))
    for name, value in [*pins.items(), *((n, v) for n, r in ranges.items() for v in r)]:
        if not math.isfinite(value):
            problems.append(Problem("settings", None, f"{name!r} is set to {value}", "give a finite number"))
    for name, (low, high) in ranges.items():
        if not low < high:
            problems.append(Problem("settings", None, f"range for {name!r} is empty", "write low:high, low < high"))
    for name in set(pins) & set(ranges):
        problems.append(Problem("settings", None, f"{name!r} is both pinned and varied", "choose one"))
    if problems:
        raise ScenarioError(problems)
    parameters = dict(scenario.parameters)
    for name, value in pins.items():
        old = parameters[name]
        parameters[name] = Fixed(
            dist="fixed", value=value, doc=old.doc, source=f"pinned by the user (was: {old.source})"
        )
    for name, (low, high) in ranges.items():
        old = parameters[name]
        parameters[name] = Uniform(
            dist="uniform", low=low, high=high, doc=old.doc, source=f"range set by the user (was: {old.source})"
        )
    changed = scenario.model_copy(update={"parameters": parameters})
    problems = check_values(changed)
    if problems:
        settings = ", ".join(
            [*(f"{n} = {v:g}" for n, v in pins.items()), *(f"{n} in {lo:g}:{hi:g}" for n, (lo, hi) in ranges.items())]
        )
        hint = "choose settings inside the range the scenario allows (its parameters' own ranges pass these checks)"
        raise ScenarioError([Problem("settings", None, f"with {settings}: {p.message}", hint) for p in problems])
    return changed


def without_effects(scenario: Scenario, refs: list[str]) -> Scenario:
    """A copy of ``scenario`` with the named effects (see :func:`effect_refs`) taken out of the tree."""
    unknown = set(refs) - set(effect_refs(scenario.nodes))
    if unknown:
        raise ValueError(f"no effects {sorted(unknown)} in {scenario.name}")
    nodes = dict(scenario.nodes)
    for ref in refs:
        node_id, move, name = ref.split(".")
        node = nodes[node_id]
        if isinstance(node, Terminal):
            kept = {key: value for key, value in getattr(node, move).items() if key != name}
            nodes[node_id] = node.model_copy(update={move: kept})
            continue
        field = "actions" if isinstance(node, Decision) else "chance"
        assert isinstance(node, Decision | Chance)
        items = dict(getattr(node, field))
        item = items[move]
        items[move] = item.model_copy(update={"effects": {k: v for k, v in item.effects.items() if k != name}})
        nodes[node_id] = node.model_copy(update={field: items})
    return scenario.model_copy(update={"nodes": nodes})


def knock_out(
    scenario: Scenario, mechanisms: list[str], values: Mapping[str, np.ndarray]
) -> tuple[Scenario, dict[str, np.ndarray]]:
    """The scenario with the named mechanisms switched off, and the parameter draws ``values`` with
    their ``fix`` parameters pinned (each formula evaluated on the draw it replaces a value of):
    the same draws otherwise, so that a knockout is compared with the claim draw by draw."""
    n = len(next(iter(values.values()))) if values else 1
    pinned = dict(values)
    refs: list[str] = []
    for name in mechanisms:
        mechanism = scenario.mechanisms[name]
        pinned |= {p: np.broadcast_to(np.asarray(e(values), dtype=float), (n,)) for p, e in mechanism.fix.items()}
        refs += mechanism.remove
    return without_effects(scenario, refs), pinned
