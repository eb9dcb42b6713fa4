"""The result of one analysis, with what is needed to repeat it, and its tidy tables."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from escalade.analyze.claims import ClaimVerdict
from escalade.analyze.intervals import Share
from escalade.analyze.mechanisms import Knockout
from escalade.analyze.outcomes import ChoiceDifference, PathShare
from escalade.analyze.policies import (
    Estimate,
    PairedDifference,
    PolicyMap,
    PolicyRow,
    Recommendation,
    ResponseCurve,
)
from escalade.analyze.record import ForecastRow, ObservationRow, ParameterShift, QreOutcome, RecordFit
from escalade.analyze.sensitivity import MorrisIndex, SobolIndex, Swing, TippingPoint
from escalade.condition import Posterior
from escalade.scenario import Scenario
from escalade.scenario.model import Outcome
from escalade.simulate import Runs
from escalade.solve import Solution
from escalade.version import __version__


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything one run produced, with what is needed to repeat it."""

    scenario: Scenario
    seed: int
    draws: int
    full_information: str | None  # the what-if actor ("all" for everyone), None for the base case
    outcomes: dict[str, Outcome]  # the named outcomes reported (the scenario's, then escalation levels)
    headline: str  # the output the finding, sensitivity and tipping points are about, e.g. "P(war)"
    central: dict[str, Solution]  # policy (or "equilibrium") -> solution at parameter means
    runs: list[Runs]  # one per policy, on the same draws
    rows: list[PolicyRow]
    differences: list[PairedDifference]  # every pair of policies on every outcome and actor's value
    recommendations: list[Recommendation]  # for actors whose objective the scenario states
    notes: list[str]
    what_if: Analysis | None = None  # the same analysis with full information, when asked
    sensitivity: Sensitivity | None = None  # which parameters decide the headline outputs
    claims: list[ClaimVerdict] = field(default_factory=list)  # the scenario's claims, tested on the draws
    knockouts: list[Knockout] = field(default_factory=list)  # each mechanism knocked out: what it moves
    history: HistoryComparison | None = None  # base rates of the reference class, when data is given
    curves: list[ResponseCurve] = field(default_factory=list)  # outputs against each varied parameter
    policy_map: PolicyMap | None = None  # the preferred course over two varied parameters
    escalation: dict[str, list[float]] = field(default_factory=dict)  # policy -> P(ending at level 0, 1, …)
    paths: dict[str, list[PathShare]] = field(default_factory=dict)  # policy -> its likeliest paths across draws
    choices: list[ChoiceDifference] = field(default_factory=list)  # where the first two policies' play differs
    ties: dict[str, dict[str, float]] = field(default_factory=dict)  # policy -> node -> share of draws with a tie
    value_of_information: dict[str, Estimate] = field(default_factory=dict)  # policy -> the what-if actor's gain
    conditioned: Conditioned | None = None  # the same analysis on the draws the scenario's record leaves
    version: str = __version__
    created: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per draw and policy (see :func:`runs_frame`)."""
        return runs_frame(self)

    def summary(self) -> pd.DataFrame:
        """One row per policy with 95% bootstrap intervals (see :func:`summary_frame`)."""
        return summary_frame(self)

    def _repr_html_(self) -> str:
        header = f"<h4>{self.scenario.title}: {self.draws:,} draws, seed {self.seed}</h4>"
        notes = "".join(f"<p><em>{note}</em></p>" for note in self.notes)
        return header + notes + self.summary().to_html(index=False, float_format=lambda x: f"{x:.3f}")


@dataclass(frozen=True, eq=False)
class Conditioned:
    """What the scenario's record implies: the posterior draws and the analysis repeated on them."""

    posterior: Posterior
    analysis: Analysis  # policies and claims on the posterior draws (claims without knockouts)
    parameters: list[ParameterShift]
    observations: list[ObservationRow]
    forecasts: list[ForecastRow]
    fit: RecordFit
    qre_outcomes: list[QreOutcome]
    moves_only: list[ParameterShift] = field(default_factory=list)  # the posterior without the base rates
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class HistoryComparison:
    """The model's violence distribution beside the base rates of its reference class."""

    data_file: str
    where: dict
    n_crises: int
    base_rates: dict[int, Share]  # ICB violence level -> share of matching crises
    model: dict[int, Estimate]  # same levels, from the equilibrium runs


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """What decides the headline output: Sobol indices, a tornado and tipping points."""

    output: str  # e.g. "P(war)"
    base_samples: int
    sobol: dict[str, list[SobolIndex]]  # output name -> indices, largest total first
    tornado_output: str
    tornado: list[Swing]
    tornado_base: float  # the tornado's output with every parameter at its mean
    tipping: list[TippingPoint]
    warnings: list[str] = field(default_factory=list)  # Sobol indices too uncertain or impossible
    morris: dict[str, list[MorrisIndex]] = field(default_factory=dict)  # output -> elementary effects

    def to_frame(self) -> pd.DataFrame:
        """The Sobol indices: one row per output and parameter (first order, total, their 95% half-widths)."""
        rows = [{"output": output, **dataclasses.asdict(i)} for output, indices in self.sobol.items() for i in indices]
        return pd.DataFrame(rows, columns=["output", "parameter", "first", "first_conf", "total", "total_conf"])

    def tornado_frame(self) -> pd.DataFrame:
        """Each parameter's swing of the tornado's output, low to high, around the base case."""
        rows = [{**dataclasses.asdict(s), "base": self.tornado_base, "width": s.width} for s in self.tornado]
        return pd.DataFrame(rows)

    def tipping_frame(self) -> pd.DataFrame:
        """Where the preferred course changes along one parameter, the others at their means."""
        return pd.DataFrame(
            [dataclasses.asdict(t) for t in self.tipping], columns=["parameter", "value", "before", "after"]
        )

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.3f}")


def runs_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per draw and policy: parameter values, expected escalation, P(each named outcome),
    each actor's expected utility, and the solution's verified regret."""
    frames = []
    for runs in analysis.runs:
        columns: dict[str, object] = {"draw": range(runs.n_draws), "policy": runs.policy}
        columns |= {f"param_{name}": values for name, values in runs.values.items()}
        columns["expected_escalation"] = runs.expected_escalation
        columns |= {f"p_{name}": runs.measure(f"P({name})") for name in runs.event_names}
        columns |= {f"value_{actor}": runs.actor_values[:, a] for a, actor in enumerate(runs.tree.players)}
        columns["max_regret"] = runs.max_regret
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def summary_frame(analysis: Analysis) -> pd.DataFrame:
    """One row per policy: means over draws with their 95% bootstrap intervals."""
    rows = []
    for row in analysis.rows:
        record = {"policy": row.policy, "draws": analysis.draws, "seed": analysis.seed}
        estimates = {"expected_escalation": row.expected_escalation} if row.expected_escalation else {}
        estimates |= {f"p_{name}": est for name, est in row.outcomes.items()}
        estimates |= {f"value_{actor}": est for actor, est in row.values.items()}
        for name, estimate in estimates.items():
            record |= {name: estimate.mean, f"{name}_low": estimate.low, f"{name}_high": estimate.high}
        rows.append(record)
    return pd.DataFrame(rows)
