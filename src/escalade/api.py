"""The Python API for notebooks and scripts: typed keyword arguments in, results with tables out.

>>> import escalade
>>> model = escalade.load("dprk_russia_2024")
>>> model.solve().paths          # a DataFrame of the likely paths at the parameters' means
>>> analysis = model.sweep(draws=1024, seed=7)
>>> analysis.summary()           # one row per policy, with 95% intervals
>>> crisis = escalade.load("cuban_missile_1962_dynamic").simulate(runs=1024, draws=4)
>>> escalade.load("cuban_missile_1962").condition().conditioned.parameters   # what the record implies

Every default is the request's own (escalade.pipeline.requests); the work is the pipeline's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from escalade.analyze import Analysis, ClaimVerdict, paths_frame, profile_frame
from escalade.analyze.dynamics import DynamicAnalysis
from escalade.pipeline import (
    Backend,
    DynamicRequest,
    PointRequest,
    Settings,
    StaticRequest,
    analyse,
    claims,
    first_solution,
    forecast,
    simulate,
)
from escalade.pipeline.requests import CLAIMS, FORECAST
from escalade.scenario import Scenario
from escalade.scenario import load as load_scenario
from escalade.simulate.backends import Progress
from escalade.solve import Solution


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


def _settings(pins: Mapping[str, float] | None, ranges: Mapping[str, tuple[float, float]] | None) -> Settings:
    return Settings(dict(pins or {}), dict(ranges or {}))


@dataclass(frozen=True, eq=False)
class Model:
    """A loaded scenario: solve it, sweep it, run it over rounds, test its claims."""

    scenario: Scenario

    def solve(
        self,
        method: str = PointRequest.method,
        policy: str | None = None,
        lam: float | None = None,
        full_information: str | None = None,
        pins: Mapping[str, float] | None = None,
    ) -> Equilibrium:
        """Solve at the parameters' means (or ``pins``): ``spe``, ``qre`` (at ``lam`` or the limit), ``lcp``
        or ``enumpure`` (the first equilibrium found), with ``policy`` scripting one actor."""
        request = PointRequest(method, lam, policy, full_information, _settings(pins, None))
        return Equilibrium(first_solution(self.scenario, request))

    def sweep(
        self,
        draws: int = StaticRequest.draws,
        seed: int = StaticRequest.seed,
        *,
        sampling: str = StaticRequest.sampling,
        policies: Sequence[str] | None = None,
        levels: Sequence[float] = StaticRequest.levels,
        full_information: str | None = None,
        sensitivity: int = StaticRequest.sensitivity,
        history_data: str | Path | None = None,
        pins: Mapping[str, float] | None = None,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        grid: int = StaticRequest.grid,
        record: bool = StaticRequest.condition,
        as_of: str | None = None,
        workers: int = Backend.workers,
        scheduler: str | None = None,
        progress: Progress | None = None,
    ) -> Analysis:
        """Solve across ``draws`` parameter draws under every policy (or ``policies``): P(each named
        outcome, and escalation ≥ each of ``levels``), each actor's expected utility, paired differences,
        Sobol indices from ``sensitivity`` base samples (0: skip), the claims with their knockouts, the
        reference class beside the model (``history_data``: an ICB CSV), the ``full_information`` what-if,
        with ``grid`` points, response curves over each parameter in ``ranges`` (two: a policy map), and
        with ``record`` (when the scenario has one), the analysis again on the draws its record leaves
        (``as_of``: only what was known by that date), in ``Analysis.conditioned``."""
        request = StaticRequest(
            draws=draws,
            seed=seed,
            sampling=sampling,
            policies=None if policies is None else tuple(policies),
            levels=tuple(levels),
            full_information=full_information,
            sensitivity=sensitivity,
            history_data=None if history_data is None else Path(history_data),
            settings=_settings(pins, ranges),
            grid=grid,
            condition=record,
            as_of=as_of,
        )
        return analyse(self.scenario, request, Backend(workers, scheduler, progress))

    def condition(
        self,
        draws: int = FORECAST.draws,
        seed: int = FORECAST.seed,
        *,
        as_of: str | None = None,
        workers: int = Backend.workers,
        progress: Progress | None = None,
    ) -> Analysis:
        """The scenario conditioned on its record (docs/conditioning.md): the prior analysis without
        sensitivity or knockouts, and in ``.conditioned`` the posterior draws, each parameter before and
        after, each observation's surprise, the policies and claims on the posterior draws, and the
        forecasts; ``as_of`` keeps only the observations dated by then."""
        if self.scenario.record is None:
            raise ValueError(f"{self.scenario.name} has no 'record:' to condition on (see docs/conditioning.md)")
        request = dataclasses.replace(FORECAST, draws=draws, seed=seed, as_of=as_of)
        return analyse(self.scenario, request, Backend(workers, progress=progress))

    def forecast(
        self, as_of: str | None = None, draws: int = FORECAST.draws, seed: int = FORECAST.seed
    ) -> pd.DataFrame:
        """The record's questions answered given what was known by ``as_of``: one row per question."""
        request = dataclasses.replace(FORECAST, draws=draws, seed=seed, as_of=as_of)
        return pd.DataFrame(forecast(self.scenario, request))

    def claims(
        self,
        draws: int = CLAIMS.draws,
        seed: int = CLAIMS.seed,
        sensitivity: int = CLAIMS.claim_samples,
        knockouts: bool = CLAIMS.knockouts,
    ) -> list[ClaimVerdict]:
        """The scenario's claims alone, each with its verdict, flags, the parameters that decide it and
        (``knockouts``) the verdict with each mechanism knocked out and each effect taken out."""
        request = dataclasses.replace(
            CLAIMS, draws=draws, seed=seed, claim_sensitivity=sensitivity, knockouts=knockouts
        )
        return claims(self.scenario, request)

    def simulate(
        self,
        runs: int = DynamicRequest.runs,
        draws: int = DynamicRequest.draws,
        seed: int = DynamicRequest.seed,
        *,
        rounds: int | None = None,
        lam: float | None = None,
        policies: Mapping[str, Sequence[str]] | None = None,
        window: int = DynamicRequest.window,
        pins: Mapping[str, float] | None = None,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        workers: int = Backend.workers,
        scheduler: str | None = None,
    ) -> DynamicAnalysis:
        """Run a dynamic scenario forward: ``runs`` trajectories per course of action over ``draws``
        parameter draws; ``policies`` (actor -> policy names) picks the courses compared; ``lam`` is the
        rationality of solved actors (None: the scenario's; inf: a pure Markov-perfect equilibrium)."""
        request = DynamicRequest(
            rounds=rounds,
            runs=runs,
            draws=draws,
            lam=lam,
            policies={actor: tuple(names) for actor, names in (policies or {}).items()},
            window=window,
            seed=seed,
            settings=_settings(pins, ranges),
        )
        return simulate(self.scenario, request, Backend(workers, scheduler))

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
