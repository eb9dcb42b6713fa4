"""The Python API: the same pipeline the command line runs, for notebooks and scripts.

>>> import escalade
>>> model = escalade.load("dprk_russia_2024")
>>> model.solve().paths          # a DataFrame of the likely paths at the parameters' means
>>> analysis = model.sweep(draws=1024, seed=7)
>>> analysis.summary()           # one row per policy, with 95% intervals
>>> analysis.to_frame()          # one row per draw and policy
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from escalade.analyze import (
    Analysis,
    ClaimVerdict,
    HistoryComparison,
    Sensitivity,
    compare_policies,
    evaluate_claims,
    paths_frame,
    profile_frame,
    scenario_sobol,
    share_lower,
    tipping_points,
    tornado,
    uncertain_parameters,
    violence_distribution,
)
from escalade.analyze.dynamics import DynamicAnalysis, claim_conditions, dynamic_claims, history_fit, measure
from escalade.game import compile_game, policy_profile, script
from escalade.history import load_icb, reference_class, violence_base_rates
from escalade.scenario import Scenario
from escalade.scenario import load as load_scenario
from escalade.simulate import analysis_tree, claim_outputs, escalation_probabilities, sample_parameters, solve_draws
from escalade.simulate.backends import Progress, run_chunks
from escalade.simulate.trajectories import (
    condition_key,
    course_label,
    courses,
    require_trajectory_memory,
    run_course,
)
from escalade.solve import Solution, SolverError
from escalade.solve import solve as solve_game

DEFAULT_LEVELS = (5.0, 7.0)


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A solution at the parameters' means, with tables for a notebook."""

    solution: Solution

    @property
    def paths(self) -> pd.DataFrame:
        return paths_frame(self.solution)

    @property
    def profile(self) -> pd.DataFrame:
        return profile_frame(self.solution)

    @property
    def values(self) -> pd.Series:
        return pd.Series(self.solution.values[0], index=self.solution.game.tree.players, name="expected utility")

    def _repr_html_(self) -> str:
        regret = f"<p>{self.solution.method}, max regret {self.solution.max_regret[0]:.2e} (verified)</p>"
        return regret + self.paths.to_html(index=False, float_format=lambda x: f"{x:.3f}")


@dataclass(frozen=True, eq=False)
class Model:
    """A loaded scenario: solve it, sweep it, look at it."""

    scenario: Scenario

    def solve(
        self,
        method: str = "spe",
        policy: str | None = None,
        lam: float | None = None,
        full_information: str | None = None,
    ) -> Equilibrium:
        """Solve at the parameters' means: ``spe`` (default), ``qre`` (``lam`` or the limit), or ``lcp``."""
        return Equilibrium(solve_central(self.scenario, policy, full_information, method, lam))

    def sweep(self, draws: int = 1024, seed: int = 20241018, **options: object) -> Analysis:
        """The analysis of :func:`run` (same options) on this scenario."""
        return run(self.scenario, draws=draws, seed=seed, **options)  # type: ignore[arg-type]

    def simulate(self, runs: int = 4096, seed: int = 20241018, **options: object) -> DynamicAnalysis:
        """Trajectories of a dynamic scenario: :func:`simulate` (same options)."""
        return simulate(self.scenario, runs=runs, seed=seed, **options)  # type: ignore[arg-type]

    def _repr_html_(self) -> str:
        parameters = pd.DataFrame(
            [
                {"parameter": name, "distribution": p.dist, "mean": p.mean(), "source": p.source}
                for name, p in self.scenario.parameters.items()
            ]
        )
        actors = ", ".join(f"{a.id} ({a.name})" for a in self.scenario.actors)
        return f"<h4>{self.scenario.title}</h4><p>{actors}</p>" + parameters.to_html(index=False)


def load(source: str | Path) -> Model:
    """Load a scenario file, or a shipped scenario by name, for use from Python."""
    return Model(load_scenario(source))


def solve_central(
    scenario: Scenario,
    policy: str | None = None,
    full_information: str | None = None,
    method: str = "spe",
    lam: float | None = None,
) -> Solution:
    """The solution at the parameters' means, optionally with one actor scripted or fully informed.

    ``method``: ``spe`` (default), ``qre`` (at ``lam``, or the limit), ``lcp`` or ``enumpure`` (the
    first equilibrium they find).
    """
    tree = analysis_tree(scenario, full_information)
    game = compile_game(scenario, tree=tree)
    if policy:
        game = script(game, policy_profile(scenario, tree, policy))
    solutions = solve_game(game, method, lam)
    if not solutions:
        raise SolverError(f"{method} finds no equilibrium of this game; try --method spe")
    return solutions[0]


def run(
    scenario: Scenario | str | Path = "dprk_russia_2024",
    draws: int = 4096,
    seed: int = 20241018,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
    full_information: str | None = None,
    sensitivity_samples: int = 256,
    policies: Sequence[str] | None = None,
    sample_method: str = "sobol",
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    history_data: str | Path | None = None,
) -> Analysis:
    """Solve at the parameter means and across ``draws`` parameter draws, for every policy.

    With ``full_information`` (an actor id or "all"), the same analysis is repeated in the what-if
    in which that actor sees every earlier move, and attached as ``what_if``. With
    ``sensitivity_samples`` > 0 (a power of two), Sobol indices, a tornado and tipping points of
    P(escalation >= the highest level) are attached as ``sensitivity``. ``policies`` restricts the
    scenario's policies compared (default: all). Chunks of draws run here, on ``workers`` local
    processes or on the Dask ``scheduler``; ``progress`` is called after every chunk. With
    ``history_data`` (an ICB system-level CSV) and a ``reference_class`` in the scenario, the base
    rates of the matching crises are attached beside the model's violence distribution.
    """
    scenario = as_scenario(scenario)
    stated = scenario  # claims are tested with every policy the scenario defines
    if policies is not None:
        unknown = sorted(set(policies) - set(scenario.policies))
        if unknown:
            raise ValueError(f"unknown policies {unknown}; the scenario has: {', '.join(scenario.policies) or 'none'}")
        scenario = scenario.model_copy(update={"policies": {name: scenario.policies[name] for name in policies}})
    backend = {"workers": workers, "scheduler": scheduler, "progress": progress}
    values = sample_parameters(scenario, draws, seed, sample_method)
    base = _analyse(scenario, values, seed, draws, levels, None, backend)
    if sensitivity_samples and uncertain_parameters(scenario):
        base = dataclasses.replace(base, sensitivity=sensitivity(base, sensitivity_samples, backend))
    if history_data is not None:
        base = dataclasses.replace(base, history=compare_history(base, Path(history_data)))
    if stated.claims:
        base = dataclasses.replace(base, claims=test_claims(stated, values, seed, sensitivity_samples // 4, backend))
    if full_information is None:
        return base
    what_if = _analyse(scenario, values, seed, draws, levels, full_information, backend)
    return dataclasses.replace(base, what_if=what_if)


def simulate(
    scenario: Scenario | str | Path,
    rounds: int | None = None,
    runs: int = 4096,
    policies: dict[str, list[str]] | None = None,
    seed: int = 20241018,
    draws: int = 64,
    lam: float | None = None,
    window: int = 3,
    workers: int = 1,
    scheduler: str | None = None,
) -> DynamicAnalysis:
    """Run a dynamic scenario forward under each course of action (see ``courses``).

    ``draws`` parameter sets are sampled (Sobol, from ``seed``); 1 uses the parameters' means. The
    unscripted actors play the logit Markov equilibrium at ``lam`` (default: the scenario's
    ``rationality``; ``inf`` for a pure MPE) against the scripted ones; every course uses the same
    random numbers, so differences between courses are not noise of the draw. Courses (and the
    conditions the scenario's claims compare) are solved on ``workers`` local processes or a Dask
    ``scheduler``, with the same numbers either way.
    """
    scenario = as_scenario(scenario)
    dynamics = scenario.dynamics
    if dynamics is None:
        raise ValueError(f"{scenario.name} has no 'dynamics:' section; see docs/dynamics.md")
    if window < 1:
        raise ValueError("the ratchet window must be at least 1 round")
    if runs < draws:
        raise ValueError(f"runs ({runs}) must be at least draws ({draws}): every parameter draw needs runs of its own")
    rounds = dynamics.rounds if rounds is None else rounds
    lam = dynamics.rationality if lam is None else lam
    if not lam >= 0:  # NaN fails too
        raise ValueError(f"rationality λ is {lam}; use a number ≥ 0 (0: uniform play), or inf for a pure MPE")
    if rounds < 1 or runs < 1 or draws < 1:
        raise ValueError(f"rounds ({rounds}), runs ({runs}) and draws ({draws}) must each be at least 1")
    require_trajectory_memory(len(scenario.actors), len(dynamics.events), rounds, runs)
    if draws == 1 or not scenario.parameters:
        draws = 1
        values = {name: np.array([value]) for name, value in scenario.central_values().items()}
    else:
        values = sample_parameters(scenario, draws, seed)
    compared = [(course, {}) for course in courses(scenario, policies)]
    needed = {condition_key(c): c for c in [*compared, *claim_conditions(scenario)]}
    tasks = [(scenario, condition, values, lam, rounds, runs, seed) for condition in needed.values()]
    results = dict(zip(needed, run_chunks(run_course, tasks, workers, scheduler), strict=True))
    paths = [
        measure(course_label(course), *results[condition_key((course, {}))], window, seed, values)
        for course, _ in compared
    ]
    claims = dynamic_claims(scenario, lambda c: results[condition_key(c)][1], draws, window, seed)
    history = {}
    if dynamics.history is not None:
        history = {
            p.label: history_fit(p.trajectories.levels, dynamics.history.rungs, dynamics.history.source) for p in paths
        }
    return DynamicAnalysis(
        scenario=scenario,
        seed=seed,
        draws=draws,
        rounds=rounds,
        runs=runs,
        window=window,
        lam=lam,
        labels=dynamics.round_labels(rounds),
        paths=paths,
        history=history,
        claims=claims,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def compare_history(analysis: Analysis, data: Path) -> HistoryComparison:
    """Base rates of the scenario's reference class beside the equilibrium's violence distribution."""
    reference = analysis.scenario.reference_class
    if reference is None:
        raise ValueError(f"{analysis.scenario.source_file} has no reference_class section to compare with history")
    where = reference.codes
    crises = reference_class(load_icb(data), where)
    model = violence_distribution(analysis.runs[0], reference.violence_thresholds, analysis.seed)
    return HistoryComparison(str(data), where, len(crises), violence_base_rates(crises), model)


def test_claims(scenario: Scenario, values: dict, seed: int, sobol_samples: int, backend: dict) -> list[ClaimVerdict]:
    """Each claim of the scenario tested on the draws, with the parameters that decide it."""
    tree = analysis_tree(scenario)
    return evaluate_claims(
        scenario,
        values,
        lambda draws, claim: claim_outputs(scenario, draws, claim, tree, **backend),
        seed,
        sobol_samples,
    )


def sensitivity(analysis: Analysis, base_samples: int, backend: dict) -> Sensitivity:
    """Sobol indices of P(escalation >= level) per policy (and of the first two policies' gap)."""
    scenario, level = analysis.scenario, max(analysis.levels)
    policies = [None, *scenario.policies]
    names = [policy or "equilibrium" for policy in policies]
    scripted = list(scenario.policies)
    tree = analysis.runs[0].tree

    def model(values: dict) -> np.ndarray:
        probabilities = escalation_probabilities(scenario, values, policies, level, tree, **backend)
        if len(scripted) >= 2:
            probabilities = np.column_stack([probabilities, probabilities[:, 1] - probabilities[:, 2]])
        return probabilities

    outputs = [f"P(escalation ≥ {level:g}) under {name}" for name in names]
    if len(scripted) >= 2:
        outputs.append(f"{scripted[0]} minus {scripted[1]}")
    sobol = scenario_sobol(scenario, model, outputs, base_samples, analysis.seed)
    swings = tornado(scenario, model, output=len(outputs) - 1)
    tipping = []
    if len(scripted) >= 2:
        tipping = tipping_points(
            scenario, lambda v: escalation_probabilities(scenario, v, scripted, level, tree, **backend), scripted
        )
    return Sensitivity(level, base_samples, sobol, outputs[-1], swings, tipping)


def _analyse(
    scenario: Scenario,
    values: dict,
    seed: int,
    draws: int,
    levels: tuple[float, ...],
    full_information: str | None,
    backend: dict,
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
    runs = [solve_draws(scenario, values, policy, tree=tree, **backend) for policy in policies]
    rows = compare_policies(runs, levels, seed)
    beats = {(a.policy, b.policy): share_lower(a, b, max(levels)) for a in runs for b in runs if a is not b}
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Analysis(scenario, seed, draws, full_information, levels, central, runs, rows, beats, notes, created=created)
