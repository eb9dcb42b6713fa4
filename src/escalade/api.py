"""The Python API: the same pipeline the command line runs, for notebooks and scripts.

>>> import escalade
>>> analysis = escalade.run("dprk_russia_2024", draws=1024, seed=7)
>>> [row.policy for row in analysis.rows]
['equilibrium', 'escalation_management', 'deterrence']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from escalade import __version__
from escalade.analyze import PolicyRow, compare_policies
from escalade.game import compile_game, policy_profile, script
from escalade.scenario import Scenario, load
from escalade.simulate import Runs, analysis_tree, sample_parameters, solve_draws
from escalade.solve import Solution, solve_spe

DEFAULT_LEVELS = (5.0, 7.0)


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything one run produced, with what is needed to repeat it."""

    scenario: Scenario
    seed: int
    draws: int
    full_information: str | None  # the what-if actor ("all" for everyone), None for the base case
    levels: tuple[float, ...]
    central: dict[str, Solution]  # policy (or "equilibrium") -> solution at parameter means
    runs: list[Runs]  # one per policy, on the same draws
    rows: list[PolicyRow]
    notes: list[str]
    what_if: Analysis | None = None  # the same analysis with full information, when asked
    version: str = __version__
    created: str = ""


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load(scenario)


def solve_central(scenario: Scenario, policy: str | None = None, full_information: str | None = None) -> Solution:
    """Subgame-perfect solution at the parameter means, optionally with one actor scripted."""
    tree = analysis_tree(scenario, full_information)
    game = compile_game(scenario, tree=tree)
    if policy:
        game = script(game, policy_profile(scenario, tree, policy))
    return solve_spe(game)


def run(
    scenario: Scenario | str | Path = "dprk_russia_2024",
    draws: int = 4096,
    seed: int = 20241018,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
    full_information: str | None = None,
) -> Analysis:
    """Solve at the parameter means and across ``draws`` parameter draws, for every policy.

    With ``full_information`` (an actor id or "all"), the same analysis is repeated in the what-if
    in which that actor sees every earlier move, and attached as ``what_if``.
    """
    scenario = as_scenario(scenario)
    values = sample_parameters(scenario, draws, seed)
    base = _analyse(scenario, values, seed, draws, levels, None)
    if full_information is None:
        return base
    what_if = _analyse(scenario, values, seed, draws, levels, full_information)
    return dataclasses.replace(base, what_if=what_if)


def _analyse(
    scenario: Scenario,
    values: dict,
    seed: int,
    draws: int,
    levels: tuple[float, ...],
    full_information: str | None,
) -> Analysis:
    tree = analysis_tree(scenario, full_information)
    notes = []
    if not tree.is_perfect_information():
        notes.append(
            "Actors cannot see some moves (information sets): inside those subgames the equilibrium "
            "is the limit of the logit quantal response equilibrium (see docs/solvers.md)."
        )
    policies = [None, *scenario.policies]
    central = {policy or "equilibrium": solve_central(scenario, policy, full_information) for policy in policies}
    runs = [solve_draws(scenario, values, policy, tree=tree) for policy in policies]
    rows = compare_policies(runs, levels, seed)
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Analysis(scenario, seed, draws, full_information, levels, central, runs, rows, notes, created=created)
