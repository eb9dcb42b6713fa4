"""Stage 1: the scenario language. YAML in, a validated :class:`Scenario` out."""

from escalade.scenario.errors import Problem, ScenarioError
from escalade.scenario.expressions import Expression, ExpressionError, parse
from escalade.scenario.load import load, loads, shipped_scenarios, validate, with_record
from escalade.scenario.model import Chance, Claim, Condition, Decision, Scenario, Terminal
from escalade.scenario.override import override

__all__ = [
    "Chance",
    "Claim",
    "Condition",
    "Decision",
    "Expression",
    "ExpressionError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Terminal",
    "load",
    "loads",
    "override",
    "parse",
    "shipped_scenarios",
    "validate",
    "with_record",
]
