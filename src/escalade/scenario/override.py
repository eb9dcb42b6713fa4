"""Pin or re-range parameters from the command line without editing the scenario file."""

from __future__ import annotations

from collections.abc import Mapping

from escalade.scenario.errors import Problem, ScenarioError
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
            problems.append(
                Problem(scenario.source_file, None, f"no parameter {name!r} to override", f"known: {known}")
            )
    for name, (low, high) in ranges.items():
        if not low < high:
            problems.append(
                Problem(scenario.source_file, None, f"range for {name!r} is empty", "write low:high, low < high")
            )
    for name in set(pins) & set(ranges):
        problems.append(Problem(scenario.source_file, None, f"{name!r} is both pinned and varied", "choose one"))
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
    return scenario.model_copy(update={"parameters": parameters})
