"""Pin or re-range parameters without editing the scenario file (the CLI's settings, the explorer's sliders).

Settings pass the same value checks as the scenario file: a pinned probability of 1.7 is refused
before any solving, in the scenario's own words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from escalade.scenario.errors import Problem, ScenarioError
from escalade.scenario.load import check_values
from escalade.scenario.model import Fixed, Scenario, Uniform


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
