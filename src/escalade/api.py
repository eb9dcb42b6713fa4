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
from escalade.game import Game, compile_game, policy_profile, split_infosets
from escalade.scenario import Scenario, load
from escalade.simulate import Runs, analysis_tree, sample_parameters, solve_draws
from escalade.solve import Solution, solve_spe

DEFAULT_LEVELS = (5.0, 7.0)
FULL_INFORMATION_NOTE = (
    "The scenario has information sets, and the equilibrium solver for imperfect information "
    "is not available yet: this analysis is the what-if in which every actor sees every move "
    "(--full-information)."
)


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything one run produced, with what is needed to repeat it."""

    scenario: Scenario
    seed: int
    draws: int
    full_information: bool
    levels: tuple[float, ...]
    central: dict[str, Solution]  # policy (or "equilibrium") -> solution at parameter means
    runs: list[Runs]  # one per policy, on the same draws
    rows: list[PolicyRow]
    notes: list[str]
    version: str = __version__
    created: str = ""


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load(scenario)


def central_game(scenario: Scenario, full_information: bool) -> Game:
    """The game at each parameter's mean, information sets split if asked."""
    game = compile_game(scenario)
    if full_information:
        game = dataclasses.replace(game, tree=split_infosets(game.tree))
    return game


def solve_central(scenario: Scenario, policy: str | None = None, full_information: bool = False) -> Solution:
    """Subgame-perfect solution at the parameter means, optionally with one actor scripted."""
    game = central_game(scenario, full_information)
    fixed = policy_profile(scenario, game.tree, policy) if policy else None
    return solve_spe(game, fixed)


def run(
    scenario: Scenario | str | Path = "dprk_russia_2024",
    draws: int = 4096,
    seed: int = 20241018,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
    full_information: bool = False,
) -> Analysis:
    """Solve at the parameter means and across ``draws`` parameter draws, for every policy."""
    scenario = as_scenario(scenario)
    notes = []
    tree = analysis_tree(scenario, full_information)
    if not tree.is_perfect_information():
        full_information = True
        tree = split_infosets(tree)
        notes.append(FULL_INFORMATION_NOTE)
    policies = [None, *scenario.policies]
    central = {
        policy or "equilibrium": solve_central(scenario, policy, full_information) for policy in policies
    }
    values = sample_parameters(scenario, draws, seed)
    runs = [solve_draws(scenario, values, policy, tree=tree) for policy in policies]
    rows = compare_policies(runs, levels, seed)
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Analysis(
        scenario, seed, draws, full_information, levels, central, runs, rows, notes, created=created
    )
