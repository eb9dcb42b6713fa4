"""The Python API for notebooks and scripts: typed keyword arguments in, results with tables out.

>>> import escalade
>>> model = escalade.load("dprk_russia_2024")
>>> model.solve().paths          # a DataFrame of the likely paths at the parameters' means
>>> analysis = model.sweep(draws=1024, seed=7)
>>> analysis.summary()           # one row per policy, with 95% intervals
>>> analysis.plot.tornado()      # any chart of the report, as a Plotly figure
>>> analysis.to_html("report.html")   # the report the command line writes
>>> crisis = escalade.load("cuban_missile_1962_dynamic").simulate(runs=1024, draws=4)
>>> escalade.load("cuban_missile_1962").condition().conditioned.parameters   # what the record implies

Every default is the request's own (escalade.pipeline.requests); the work is the pipeline's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from escalade.analyze import (
    Analysis,
    ClaimVerdict,
    beliefs,
    claims_frame,
    knockouts_frame,
    paths_frame,
    profile_frame,
)
from escalade.analyze.dynamics import DynamicAnalysis
from escalade.analyze.play import Play, play
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
    terminal_events,
)
from escalade.pipeline.requests import CLAIMS, FORECAST
from escalade.report import (
    charts,
    claims_report,
    dynamic_report,
    equilibrium_report,
    static_report,
    to_html,
    trajectories_frame,
    write_atomic,
)
from escalade.report.static import curve_labels
from escalade.scenario import Scenario
from escalade.scenario import load as load_scenario
from escalade.simulate.backends import Progress
from escalade.solve import Solution


class _EquilibriumPlots:
    """The point solution's charts, as Plotly figures."""

    def __init__(self, solution: Solution) -> None:
        self._solution = solution

    def paths(self, top: int = 8) -> go.Figure:
        """The likeliest complete paths of play, as bars (each path's moves in the hover)."""
        return charts.paths_chart(self._solution, top)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A solution at the parameters' means (or pins), with tables, charts, the tree and a seat at the table."""

    solution: Solution
    scenario: Scenario | None = None  # None for a Gambit file

    @property
    def paths(self) -> pd.DataFrame:
        return paths_frame(self.solution)

    @property
    def profile(self) -> pd.DataFrame:
        return profile_frame(self.solution)

    @property
    def values(self) -> pd.Series:
        return pd.Series(self.solution.values[0], index=self.solution.game.tree.players, name="expected utility")

    @property
    def beliefs(self) -> pd.DataFrame:
        """One row per information set of several nodes and per node: the mover's Bayes belief in it."""
        rows = [
            {"actor": b.actor, "infoset": b.infoset, "verdict": b.verdict, "reached": b.reach,
             "history": " → ".join(h), "belief": p}
            for b in beliefs(self.solution)
            for h, p in zip(b.histories, b.belief, strict=True)
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=["actor", "infoset", "verdict", "reached", "history", "belief"])

    @property
    def plot(self) -> _EquilibriumPlots:
        return _EquilibriumPlots(self.solution)

    @property
    def tree(self) -> _Html:
        """The game tree as a collapsible outline (the likely path unfolded), shown by the notebook."""
        return _Html(charts.tree_outline(self.solution))

    def to_frame(self) -> pd.DataFrame:
        """The behaviour profile: one row per information set and action, with its probability."""
        return self.profile

    def play(self, actor: str, choices: Sequence[str] = (), seed: int = 0) -> Play:
        """Take ``actor``'s decisions (action labels, in order) while every other move is drawn from this
        solution with ``seed``: ``.pending`` is the next decision (what ``actor`` can see, its actions),
        ``.ending`` the path and its debrief once play is over (docs in :mod:`escalade.analyze.play`)."""
        events = terminal_events(self.scenario, self.solution) if self.scenario is not None else None
        return play(self.solution, actor, list(choices), seed, events)

    def to_html(self, path: str | Path) -> Path:
        """Write the equilibrium as one self-contained HTML page: paths, beliefs, ties, the tree."""
        if self.scenario is None:
            raise ValueError("a Gambit file's solution has no scenario to report; use .paths and .profile")
        created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return write_atomic(path, to_html(equilibrium_report(self.scenario, {"at the point": self.solution}, created)))

    def _repr_html_(self) -> str:
        regret = f"<p>{self.solution.method}, max regret {self.solution.max_regret[0]:.2e} (verified)</p>"
        return regret + self.paths.to_html(index=False, float_format=lambda x: f"{x:.3f}")


@dataclass(frozen=True)
class _Html:
    """HTML the notebook shows as it is."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


class _StaticPlots:
    """The static report's charts, each as a Plotly figure to show, restyle or save."""

    def __init__(self, analysis: Analysis) -> None:
        self._analysis = analysis

    def policies(self) -> go.Figure:
        """Each named outcome's probability per policy, with 95% intervals."""
        return charts.policy_chart(self._analysis)

    def risk_payoff(self, actor: str) -> go.Figure:
        """Risk against payoff for ``actor``'s courses of action."""
        return charts.risk_payoff_chart(self._analysis, actor)

    def escalation(self) -> go.Figure:
        """The distribution of the escalation level reached, per policy."""
        return charts.escalation_chart(self._analysis)

    def tornado(self) -> go.Figure:
        """Each parameter's swing of the headline around the base case (needs ``sensitivity``)."""
        return charts.tornado_chart(self._needs("sensitivity", "sweep(sensitivity=256)"))

    def sobol(self) -> go.Figure:
        """Sobol indices of the headline with their intervals (needs ``sensitivity``)."""
        return charts.sobol_chart(self._needs("sensitivity", "sweep(sensitivity=256)"))

    def curves(self, parameter: str | None = None) -> go.Figure:
        """Every output against a varied parameter (the first, by default), chosen in a menu."""
        analysis = self._needs("curves", "sweep(ranges={name: (low, high)}, grid=9)")
        curve = next((c for c in analysis.curves if parameter in (None, c.parameter)), None)
        if curve is None:
            raise ValueError(f"no response curve over {parameter!r}; varied: {[c.parameter for c in analysis.curves]}")
        return charts.curve_chart(curve, curve_labels(curve, analysis.headline))

    def policy_map(self) -> go.Figure:
        """The preferred course over two varied parameters, with the tipping boundary."""
        return charts.map_chart(self._needs("policy_map", "sweep(ranges={a: …, b: …}, grid=9)").policy_map)

    def posterior(self) -> go.Figure:
        """Each parameter's prior and posterior interval (needs a record)."""
        return charts.posterior_chart(self._needs("conditioned", "a scenario with a record:").conditioned.parameters)

    def _needs(self, field: str, how: str) -> Analysis:
        if not getattr(self._analysis, field):
            raise ValueError(f"this analysis has no {field}: ask for it with {how}")
        return self._analysis


@dataclass(frozen=True, eq=False)
class Sweep(Analysis):
    """An :class:`Analysis` with the report's views: ``plot.<chart>()`` (Plotly figures), ``to_html(path)``
    (the report ``escalade run`` writes) and, as every analysis, ``to_frame()`` and ``summary()``."""

    @property
    def plot(self) -> _StaticPlots:
        return _StaticPlots(self)

    def to_html(self, path: str | Path) -> Path:
        """Write the HTML report (one self-contained file, as ``escalade run`` writes) to ``path``."""
        return write_atomic(path, to_html(static_report(self)))


class _DynamicPlots:
    """The dynamic report's charts, each as a Plotly figure."""

    def __init__(self, analysis: DynamicAnalysis) -> None:
        self._analysis = analysis

    def fan(self, course: str | None = None) -> go.Figure:
        """The escalation level's fan (5–95%, quartiles, median) per round under ``course`` (the first)."""
        paths = self._analysis.paths
        index = next((i for i, p in enumerate(paths) if course in (None, p.label)), None)
        if index is None:
            raise ValueError(f"no course {course!r}; the courses: {[p.label for p in paths]}")
        return charts.fan_chart(self._analysis, paths[index], charts.PALETTE[index % len(charts.PALETTE)])

    def reached(self, rung: int) -> go.Figure:
        """The share of runs that have reached ``rung`` by each round, every course on one chart."""
        shares = {p.label: self._analysis.reached(p.label, rung) for p in self._analysis.paths}
        return charts.reached_chart(self._analysis, shares, rung)

    def scores(self) -> go.Figure:
        """The escalation score per round, by course of action."""
        return charts.score_chart(self._analysis)


@dataclass(frozen=True, eq=False)
class Simulation(DynamicAnalysis):
    """A :class:`DynamicAnalysis` with the report's views: ``plot.<chart>()``, ``to_frame()`` (one row
    per run, round and actor) and ``to_html(path)`` (the report ``escalade simulate`` writes)."""

    @property
    def plot(self) -> _DynamicPlots:
        return _DynamicPlots(self)

    def to_frame(self) -> pd.DataFrame:
        return trajectories_frame(self)

    def to_html(self, path: str | Path) -> Path:
        """Write the HTML report (one self-contained file, as ``escalade simulate`` writes) to ``path``."""
        return write_atomic(path, to_html(dynamic_report(self)))


class _ClaimPlots:
    def __init__(self, claims: list[ClaimVerdict]) -> None:
        self._claims = claims

    def verdicts(self) -> go.Figure:
        """Each claim's share of judged draws in which it holds, and the opposite, with Wilson intervals."""
        return charts.claims_chart(self._claims)


class Claims(list[ClaimVerdict]):
    """The claims' verdicts, in the scenario's order (a list of ``ClaimVerdict``), with tables, a chart and
    the report ``escalade claims`` writes."""

    def __init__(self, verdicts: Sequence[ClaimVerdict], scenario: Scenario, seed: int, draws: int) -> None:
        super().__init__(verdicts)
        self.scenario, self.seed, self.draws = scenario, seed, draws
        self.created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    def to_frame(self) -> pd.DataFrame:
        """One row per claim: output, draws put to and judged on, shares, mean gap, verdict, flags."""
        return claims_frame(self)

    def knockouts(self) -> pd.DataFrame:
        """One row per claim and mechanism knocked out: the claim's share, gap and status without it."""
        return knockouts_frame(self)

    @property
    def plot(self) -> _ClaimPlots:
        return _ClaimPlots(self)

    def to_html(self, path: str | Path) -> Path:
        """Write the claims report (as ``escalade claims`` does) to ``path``."""
        return write_atomic(
            path, to_html(claims_report(self.scenario, list(self), self.seed, self.draws, self.created))
        )

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()


class NotebookProgress:
    """Progress in a Jupyter notebook: one line updated in place (an HTML ``<progress>``), with the stage,
    the count and the time left; the pipeline calls it with (done, total) and ``stage(name)``."""

    def __init__(self) -> None:
        from IPython.display import HTML, display

        self._html = HTML
        self._handle = display(HTML(""), display_id=True)
        self._stage = "solving"
        self._started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self._started
        left = f", about {elapsed / done * (total - done):.0f} s left" if 0 < done < total else ""
        text = f"{html.escape(self._stage)}: {done:,} of {total:,}{left}"
        self._handle.update(self._html(f'<progress value="{done}" max="{max(total, 1)}"></progress> {text}'))

    def stage(self, name: str) -> None:
        self._stage, self._started = name, time.monotonic()


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython's terminal shell and plain scripts are not)."""
    shell = sys.modules.get("IPython")
    ipython = shell.get_ipython() if shell is not None else None  # type: ignore[attr-defined]
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


def _backend(workers: int, scheduler: str | None, progress: Progress | bool) -> Backend:
    """The pipeline's backend with ``progress``: True shows it in a notebook (nothing elsewhere: a script
    stays quiet), False never, a callable ``(done, total)`` is called."""
    if progress is True:
        progress = NotebookProgress() if _in_notebook() else False
    if progress is False:
        return Backend(workers, scheduler)
    return Backend(workers, scheduler, progress, getattr(progress, "stage", None))


def _as(kind: type, result: object) -> object:
    """``result`` as the notebook class ``kind`` (a subclass adding views: the same fields), its claims
    (a list still) with their own views."""
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    if fields.get("claims"):
        verdicts = fields["claims"]
        fields["claims"] = Claims(verdicts, fields["scenario"], fields["seed"], max(v.draws for v in verdicts))
    return kind(**fields)


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
        return Equilibrium(first_solution(self.scenario, request), request.settings.apply(self.scenario))

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
        claim_draws: int | None = StaticRequest.claim_draws,
        knockouts: bool = StaticRequest.knockouts,
        ablation: bool = StaticRequest.ablation,
        workers: int = Backend.workers,
        scheduler: str | None = None,
        progress: Progress | bool = True,
    ) -> Sweep:
        """Solve across ``draws`` parameter draws under every policy (or ``policies``): P(each named
        outcome, and escalation ≥ each of ``levels``), each actor's expected utility, paired differences,
        Sobol indices from ``sensitivity`` base samples (0: skip), on the first ``claim_draws`` draws the
        claims and (``knockouts``) what each mechanism moves and each claim without it (``ablation``: and
        without each effect of the tree), the
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
            claim_draws=claim_draws,
            knockouts=knockouts,
            ablation=ablation,
        )
        return _as(Sweep, analyse(self.scenario, request, _backend(workers, scheduler, progress)))

    def condition(
        self,
        draws: int = FORECAST.draws,
        seed: int = FORECAST.seed,
        *,
        as_of: str | None = None,
        workers: int = Backend.workers,
        progress: Progress | bool = True,
    ) -> Sweep:
        """The scenario conditioned on its record (docs/conditioning.md): the prior analysis without
        sensitivity or knockouts, and in ``.conditioned`` the posterior draws, each parameter before and
        after, each observation's surprise, the policies and claims on the posterior draws, and the
        forecasts; ``as_of`` keeps only the observations dated by then."""
        if self.scenario.record is None:
            raise ValueError(f"{self.scenario.name} has no 'record:' to condition on (see docs/conditioning.md)")
        request = dataclasses.replace(FORECAST, draws=draws, seed=seed, as_of=as_of)
        return _as(Sweep, analyse(self.scenario, request, _backend(workers, None, progress)))

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
        ablation: bool = CLAIMS.ablation,
        progress: Progress | bool = True,
    ) -> Claims:
        """The scenario's claims alone, each with its verdict, flags, the parameters that decide it and
        (``knockouts``) the verdict with each mechanism knocked out and (``ablation``) each effect taken out;
        ``.to_frame()`` and ``.knockouts()`` give them as tables."""
        request = dataclasses.replace(
            CLAIMS, draws=draws, seed=seed, claim_sensitivity=sensitivity, knockouts=knockouts, ablation=ablation
        )
        return Claims(claims(self.scenario, request, _backend(1, None, progress)), self.scenario, seed, draws)

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
        progress: Progress | bool = True,
        knockouts: bool = DynamicRequest.knockouts,
        every_mechanism: bool = DynamicRequest.every_mechanism,
    ) -> Simulation:
        """Run a dynamic scenario forward: ``runs`` trajectories per course of action over ``draws``
        parameter draws; ``policies`` (actor -> policy names) picks the courses compared; ``lam`` is the
        rationality of solved actors (None: the scenario's; inf: a pure Markov-perfect equilibrium); with
        ``knockouts``, each mechanism is knocked out (everyone solved) and each claim tested without those
        it names (with ``every_mechanism``, without each of the others too)."""
        request = DynamicRequest(
            rounds=rounds,
            runs=runs,
            draws=draws,
            lam=lam,
            policies={actor: tuple(names) for actor, names in (policies or {}).items()},
            window=window,
            seed=seed,
            settings=_settings(pins, ranges),
            knockouts=knockouts,
            every_mechanism=every_mechanism,
        )
        return _as(Simulation, simulate(self.scenario, request, _backend(workers, scheduler, progress)))

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
