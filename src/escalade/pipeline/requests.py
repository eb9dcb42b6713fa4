"""What an analysis is asked to do: one frozen request per kind of analysis, with every default here.

A request is checked once, against the scenario it will run on, by :meth:`validated`: every problem
is collected and raised together as a :class:`RequestError` worded for the scenario (policy, actor,
parameter and method names), never for a command line. Inside the pipeline the request is trusted.

This module is light on purpose: the stages are imported inside the checks that need them, so that the
command line, whose options take their defaults from here, starts without loading numpy or scipy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escalade.scenario import Scenario
    from escalade.simulate.backends import Progress

SEED = 20241018  # the day the South Korean intelligence service disclosed the deployment (NIS, 18 Oct 2024)


class RequestError(ValueError):
    """A request that does not fit its scenario; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        heading = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} with the request"
        super().__init__("\n".join([heading, *(f"- {problem}" for problem in problems)]))


@dataclass(frozen=True)
class Backend:
    """Where chunks of draws are solved: here, on ``workers`` local processes, or on a Dask scheduler."""

    workers: int = 1
    scheduler: str | None = None  # e.g. "tcp://host:8786"
    progress: Progress | None = None  # called with (chunks done, chunks in all) before and after each chunk
    announce: Callable[[str], None] | None = None  # told the name of each stage of an analysis as it starts

    @property
    def slots(self) -> int:
        """How many tasks run at once: the local workers, or (unknown ahead of time) 8 on a Dask scheduler."""
        return self.workers if self.scheduler is None else 8

    def stage(self, name: str) -> None:
        """Say which stage of the analysis the next chunks belong to (a progress bar's label)."""
        if self.announce is not None:
            self.announce(name)

    def problems(self) -> list[str]:
        return [] if _whole(self.workers) and self.workers >= 1 else [f"workers is {self.workers!r}; use 1 or more"]

    def chunking(self, report_progress: bool = True) -> dict[str, object]:
        """The keyword arguments of the simulate stage's chunked solvers (with progress unless told not)."""
        return {
            "workers": self.workers,
            "scheduler": self.scheduler,
            "progress": self.progress if report_progress else None,
        }

    def validated(self) -> Backend:
        problems = self.problems()
        if problems:
            raise RequestError(problems)
        return self


@dataclass(frozen=True)
class Settings:
    """Parameters pinned to a value or made uniform over a range, without editing the scenario file."""

    pins: Mapping[str, float] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with the settings applied; they pass the scenario's own value checks."""
        from escalade.scenario import override

        return override(scenario, self.pins, self.ranges) if self.pins or self.ranges else scenario

    def note(self) -> list[str]:
        """A line for the report, naming what the user set."""
        shown = [f"{name}={value:g}" for name, value in self.pins.items()]
        shown += [f"{name}={low:g}:{high:g}" for name, (low, high) in self.ranges.items()]
        return ["Set by the user: " + ", ".join(shown)] if shown else []


@dataclass(frozen=True)
class PointRequest:
    """Solve at one parameter point (the means, with any pins): ``spe``, ``qre``, ``lcp`` or ``enumpure``."""

    method: str = "spe"
    lam: float | None = None  # the logit precision λ, for ``qre`` only (None: the limit)
    policy: str | None = None  # a scenario policy that scripts one actor
    full_information: str | None = None  # what-if: this actor (or "all") sees every earlier move
    settings: Settings = field(default_factory=Settings)

    def problems(self, scenario: Scenario | None, players: list[str]) -> list[str]:
        from escalade.solve import METHODS as SOLVER_METHODS

        found = []
        if self.method not in SOLVER_METHODS:
            found.append(f"method {self.method!r} is unknown; use one of {', '.join(SOLVER_METHODS)}")
        if self.lam is not None and self.method != "qre":
            found.append(f"a logit precision λ goes with the qre method, not {self.method}")
        if self.lam is not None and not (self.lam >= 0 and math.isfinite(self.lam)):
            found.append(f"λ is {self.lam}; use a finite number ≥ 0 (or none for the QRE's limit)")
        found += _policy_problems(scenario, [] if self.policy is None else [self.policy])
        found += _actor_problems(self.full_information, players, allow_all=True)
        return found

    def validated(self, scenario: Scenario | None, players: list[str]) -> Scenario | None:
        """The scenario (None for a Gambit file) with the settings applied, or every problem at once."""
        problems = self.problems(scenario, players)
        if problems:
            raise RequestError(problems)
        return None if scenario is None else self.settings.apply(scenario)


class _ScenarioRequest:
    """What the static and the dynamic requests share: checked against a scenario, then its settings applied."""

    settings: Settings

    def problems(self, scenario: Scenario) -> list[str]:
        raise NotImplementedError

    def validated(self, scenario: Scenario) -> Scenario:
        """The scenario with the settings applied, or every problem at once."""
        problems = self.problems(scenario)
        if problems:
            raise RequestError(problems)
        return self.settings.apply(scenario)


@dataclass(frozen=True)
class StaticRequest(_ScenarioRequest):
    """A game tree solved across parameter draws: policies compared, what decides it, claims tested."""

    draws: int = 4096
    seed: int = SEED
    sampling: str = "sobol"  # scrambled Sobol points, or "mc" for independent draws
    policies: tuple[str, ...] | None = None  # the scenario's policies compared (None: all)
    levels: tuple[float, ...] = ()  # escalation levels reported beside the scenario's own outcomes and levels
    full_information: str | None = None  # what-if: this actor (or "all") sees every earlier move
    sensitivity: int = 256  # Sobol base samples for what decides the answer (0: skip)
    claim_sensitivity: int | None = None  # Sobol base samples for what decides each claim (None: sensitivity / 4)
    knockouts: bool = True  # each mechanism knocked out: what it moves, and each claim without it
    ablation: bool = True  # with the knockouts, each claim with every single effect of the tree taken out
    claim_draws: int | None = 512  # the claims are tested on the first this many draws (None: all of them)
    grid: int = 0  # response curves over each varied parameter at this many points (0: none), on the claims' draws
    history_data: Path | None = None  # an ICB system-level CSV: the reference class beside the model
    condition: bool = True  # repeat the analysis on the draws the scenario's record leaves (when it has one)
    as_of: str | None = None  # condition only on the observations dated up to this date (2025-01-31)
    observed: Path | None = None  # a YAML file whose 'record:' replaces the scenario's own
    settings: Settings = field(default_factory=Settings)

    def validated(self, scenario: Scenario) -> Scenario:
        """The scenario with the settings applied, the record of ``observed`` in place of its own, and its
        record cut at ``as_of``."""
        if self.observed is not None:
            from escalade.scenario import with_record

            scenario = with_record(scenario, self.observed)  # its problems are reported at that file's lines
        scenario = super().validated(scenario)
        if self.as_of is None:
            return scenario
        from escalade.scenario.model import period_end

        record = scenario.record
        # known by the as-of date: an observation dated 2024-10 counts from the end of October
        kept = [o for o in record.observed if period_end(o.date) <= period_end(self.as_of)]
        return scenario.model_copy(update={"record": record.model_copy(update={"observed": kept})})

    def claim_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The draws the claims and the response curves use: the first ``claim_draws`` of ``values``."""
        return {name: column[: self.claim_draws] for name, column in values.items()}

    @property
    def claim_samples(self) -> int:
        return self.sensitivity // 4 if self.claim_sensitivity is None else self.claim_sensitivity

    def problems(self, scenario: Scenario) -> list[str]:
        from escalade.game.compile import no_tree
        from escalade.simulate import METHODS as SAMPLING_METHODS

        found = _draw_problems(self.draws, self.seed)
        if scenario.root is None:
            found.append(no_tree(scenario))
        if self.sampling not in SAMPLING_METHODS:
            found.append(f"sampling {self.sampling!r} is unknown; use one of {', '.join(SAMPLING_METHODS)}")
        found += _policy_problems(scenario, list(self.policies or ()))
        if not all(isinstance(x, int | float) and math.isfinite(x) for x in self.levels):
            found.append(f"levels {self.levels!r}: give finite escalation levels")
        if self.levels and "escalation" not in scenario.attributes:
            found.append(f"{scenario.name} has no 'escalation' attribute for levels {list(self.levels)} to read")
        found += _actor_problems(self.full_information, scenario.actor_ids, allow_all=True)
        if self.grid and (not _whole(self.grid) or not 2 <= self.grid <= 101):
            found.append(f"grid is {self.grid!r}; use 2 to 101 points (0: no response curves)")
        elif self.grid and not self.settings.ranges:
            found.append("a response-curve grid needs a parameter to vary: give --vary NAME=LOW:HIGH")
        if self.claim_draws is not None and (not _whole(self.claim_draws) or self.claim_draws < 1):
            found.append(f"claim draws is {self.claim_draws!r}; use a whole number of 1 or more (None: all)")
        for name, samples in (("sensitivity", self.sensitivity), ("claim sensitivity", self.claim_samples)):
            if not _whole(samples) or samples < 0:
                found.append(f"{name} is {samples!r} Sobol base samples; use 0 (none) or a power of two")
        if self.as_of is not None:
            from escalade.scenario.model import DATE

            if scenario.record is None:
                found.append(f"{scenario.name} has no 'record:' to cut at {self.as_of} (see docs/conditioning.md)")
            elif not re.fullmatch(DATE, str(self.as_of)) or not _calendar(str(self.as_of)):
                found.append(f"as-of date {self.as_of!r}: write a day of the calendar as 2025-01-31, 2025-01 or 2025")

        if self.history_data is not None and scenario.reference_class is None:
            found.append(f"{scenario.name} has no reference_class section to compare with history data")
        return found


@dataclass(frozen=True)
class DynamicRequest(_ScenarioRequest):
    """A dynamic scenario run forward over rounds under each course of action."""

    rounds: int | None = None  # None: the scenario's own
    runs: int = 4096  # trajectories per course of action
    draws: int = 16  # parameter draws (Sobol); 1 uses the parameters' means
    lam: float | None = None  # rationality of solved actors (None: the scenario's; inf: a pure MPE)
    policies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # actor -> policies compared
    window: int = 3  # rounds within which a step down reverses a step up (the ratchet index)
    seed: int = SEED
    settings: Settings = field(default_factory=Settings)
    knockouts: bool = True  # each mechanism knocked out (everyone solved), and each claim without those it names
    every_mechanism: bool = False  # with the knockouts, each claim also without each mechanism it does not name

    def problems(self, scenario: Scenario) -> list[str]:
        dynamics = scenario.dynamics
        if dynamics is None:
            return [f"{scenario.name} has no 'dynamics:' section to simulate (see docs/dynamics.md)"]
        found = _draw_problems(self.draws, self.seed)
        for name, count in (("rounds", self.rounds), ("runs", self.runs), ("window", self.window)):
            if count is not None and (not _whole(count) or count < 1):
                found.append(f"{name} is {count!r}; use a whole number of 1 or more")
        if _whole(self.runs) and _whole(self.draws) and self.runs < self.draws:
            found.append(f"runs ({self.runs}) must be at least draws ({self.draws}): each draw needs runs of its own")
        if self.lam is not None and not self.lam >= 0:  # NaN fails too
            found.append(f"rationality λ is {self.lam}; use a number ≥ 0 (0: uniform play), or inf for a pure MPE")
        for actor, names in self.policies.items():
            if actor not in scenario.actor_ids:
                found.append(f"no actor {actor!r} to script; the actors are {', '.join(scenario.actor_ids)}")
                continue
            known = dynamics.policy_names(actor)
            found += [
                f"{actor} has no dynamic policy {name!r}; known: {', '.join(known)}"
                for name in names
                if name not in known
            ]
        return found


def _calendar(text: str) -> bool:
    from escalade.scenario.model import period_end

    try:
        period_end(text)
    except ValueError:
        return False
    return True


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _draw_problems(draws: object, seed: object) -> list[str]:
    found = []
    if not _whole(draws) or draws < 1:  # type: ignore[operator]
        found.append(f"draws is {draws!r}; use a whole number of 1 or more")
    if not _whole(seed) or seed < 0:  # type: ignore[operator]
        found.append(f"seed is {seed!r}; use a whole number ≥ 0")
    return found


def _policy_problems(scenario: Scenario | None, names: list[str]) -> list[str]:
    if scenario is None:
        return [f"no policy {name!r}: a Gambit file has no policies" for name in names]
    known = ", ".join(scenario.policies) or "none"
    return [
        f"no policy {name!r}; the scenario's policies are: {known}" for name in names if name not in scenario.policies
    ]


def _actor_problems(actor: str | None, players: list[str], allow_all: bool) -> list[str]:
    if actor is None or actor in players or (allow_all and actor == "all"):
        return []
    return [
        f"no actor {actor!r} to give full information; use one of {', '.join(players)}"
        + (" or all" if allow_all else "")
    ]


# Presets of the commands whose defaults differ from a full analysis (one place for them, too).
FORECAST = StaticRequest(sensitivity=0, knockouts=False)  # conditioning alone: no policies or claims
# Every static command samples StaticRequest.draws (4,096) by default and judges claims on claim_draws (512) of them
SWEEP = StaticRequest(sensitivity=0, condition=False)  # draws as tables: no Sobol, no record
CLAIMS = StaticRequest(draws=StaticRequest.claim_draws, sensitivity=0, claim_sensitivity=64, claim_draws=None)
