"""The validated form of a scenario (pydantic v2 models).

A scenario describes one crisis: the actors and what they value (weights over outcome
attributes), the uncertain parameters with their sources, and a game tree written as named nodes
that refer to each other. A node may be referred to from several places; the compiler unfolds
those references into a tree, and each copy keeps its own history. See docs/scenario-language.md.
"""

from __future__ import annotations

import datetime
import keyword
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    field_validator,
    model_validator,
)

from escalade.scenario.expressions import FUNCTIONS, Expression, ExpressionError, parse

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
RESERVED = frozenset(keyword.kwlist) | frozenset(FUNCTIONS)


def _expression(expected: str, example: str) -> Callable[[Any], Expression]:
    """A validator of formulas that names what is ``expected`` (and gives an ``example``) when the value is
    not text or a number."""

    def to_expression(value: Any) -> Expression:
        if isinstance(value, Expression):
            return value
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"expected {expected}, got {type(value).__name__} — write {example}")
        try:
            return parse(value)
        except ExpressionError as exc:
            raise ValueError(f"{exc.message} — {exc.hint}") from None

    return to_expression


_SOURCE = PlainSerializer(lambda e: e.source, return_type=str)
_NUMBER = _expression("a number or a formula", "e.g. 0.3 or 'p_reveal * 2'")
Expr = Annotated[Expression, PlainValidator(_NUMBER), _SOURCE]
# a formula read as a condition (1 where it holds, 0 where not): a move's or outcome's `when`, a limit
CONDITION_EXAMPLE = "a comparison, e.g. 'own != 4' or 'public == 1 and ready == 1'"
When = Annotated[Expression, PlainValidator(_expression("a condition", f"{CONDITION_EXAMPLE} (1: always)")), _SOURCE]
Name = Annotated[str, Field(pattern=IDENTIFIER)]
# What a claim compares and an objective ranks: an outcome's probability (for a claim, also given
# another outcome: "P(a | b)"), an actor's expected utility, the expected escalation level or the
# probability of reaching a level on it.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PROBABILITY = rf"P\(\s*({_NAME})\s*(?:\|\s*({_NAME})\s*)?\)"
OUTPUT = rf"(expected_escalation|p_escalation_ge_\d+(\.\d+)?|{_PROBABILITY}|value\({_NAME}\))"


def probability_of(output: str) -> tuple[str, str | None] | None:
    """The outcome an output ``P(a)`` or ``P(a | b)`` names and the one it is conditioned on (None when
    unconditional); None for an output that is not an outcome's probability."""
    found = re.fullmatch(_PROBABILITY, output)
    return (found[1], found[2]) if found else None


class Strict(BaseModel):
    # NaN and infinities are refused everywhere a number is read (a payoff of inf would be "solved").
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Actor(Strict):
    """A party to the crisis. Its utility is a weighted sum of outcome attributes."""

    id: Name
    name: str
    doc: str = ""
    utility: dict[str, Expr] = Field(default_factory=dict)
    # what the actor's courses of action are judged by, e.g. "minimise P(war)" or "maximise value(WEST)":
    # a policy comparison recommends a course only for an actor whose objective is stated
    objective: str | None = Field(default=None, pattern=rf"^(minimise|maximise) (P\({_NAME}\)|value\({_NAME}\))$")


# --- parameters -------------------------------------------------------------------------------


class _Parameter(Strict):
    doc: str = Field(min_length=1)
    source: str = Field(min_length=1)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        """Quantile function: maps uniform numbers in [0, 1] to parameter values."""
        raise NotImplementedError

    def mean(self) -> float:
        raise NotImplementedError


class Fixed(_Parameter):
    dist: Literal["fixed"]
    value: float

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return np.full(np.shape(q), self.value)

    def mean(self) -> float:
        return self.value


class Uniform(_Parameter):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("uniform needs low < high — swap or widen the bounds")
        return self

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.low + np.asarray(q, dtype=float) * (self.high - self.low)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)


class Triangular(_Parameter):
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("triangular needs low <= mode <= high and low < high")
        return self

    def ppf(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        width = self.high - self.low
        below = q < (self.mode - self.low) / width
        with np.errstate(invalid="ignore"):
            rising = self.low + np.sqrt(q * width * (self.mode - self.low))
            falling = self.high - np.sqrt((1 - q) * width * (self.high - self.mode))
        return np.where(below, rising, falling)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3


class Beta(_Parameter):
    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import special  # imported on use: 0.17 s of start-up that `validate` does not need

        q = np.asarray(q, dtype=float)
        x = np.asarray(special.betaincinv(self.a, self.b, q), dtype=float)
        return np.where(np.isnan(x), np.where(q < 0.5, 0.0, 1.0), x)  # the inversion gives up below 1e-300

    def mean(self) -> float:
        return self.a / (self.a + self.b)


class Normal(_Parameter):
    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    sd: float = Field(gt=0)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import special

        return self.mean_ + self.sd * special.ndtri(np.asarray(q, dtype=float))

    def mean(self) -> float:
        return self.mean_


class LogNormal(_Parameter):
    """Log-normal given by its median and the standard deviation ``sigma`` of its logarithm."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import special

        return self.median * np.exp(self.sigma * special.ndtri(np.asarray(q, dtype=float)))

    def mean(self) -> float:
        return self.median * float(np.exp(0.5 * self.sigma**2))


Parameter = Annotated[Fixed | Uniform | Triangular | Beta | Normal | LogNormal, Field(discriminator="dist")]
DISTRIBUTIONS = ("fixed", "uniform", "triangular", "beta", "normal", "lognormal")


# --- nodes ------------------------------------------------------------------------------------


class Action(Strict):
    """A move: where it leads and how it changes the running outcome attributes."""

    next: Name
    effects: dict[str, Expr] = Field(default_factory=dict)
    doc: str = ""


def _action_shorthand(value: Any) -> Any:
    # `deny: next_node` is shorthand for `deny: {next: next_node}`.
    return {"next": value} if isinstance(value, str) else value


class Decision(Strict):
    """A choice by one actor. Nodes sharing an ``infoset`` label are indistinguishable to it."""

    actor: Name
    actions: dict[str, Action] = Field(min_length=1)
    infoset: Name | None = None
    doc: str = ""

    @field_validator("actions", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: _action_shorthand(item) for key, item in value.items()}
        return value


class Branch(Strict):
    """One outcome of a chance node: its probability (a formula over parameters) and successor."""

    p: Expr
    next: Name
    effects: dict[str, Expr] = Field(default_factory=dict)
    doc: str = ""


class Chance(Strict):
    chance: dict[str, Branch] = Field(min_length=1)
    doc: str = ""


class Terminal(Strict):
    """An end of the game. ``outcome`` adds to the attributes accumulated along the path;
    ``payoffs`` adds explicit amounts to actors' utilities."""

    outcome: dict[str, Expr]
    payoffs: dict[str, Expr] = Field(default_factory=dict)
    doc: str = ""


Node = Decision | Chance | Terminal


def effect_refs(nodes: dict[str, Node]) -> list[str]:
    """Every effect in the tree, named as mechanisms' ``remove`` names them: "node.move.attribute"
    for a move's effect, "node.outcome.attribute" and "node.payoffs.ACTOR" at an end node."""
    refs = []
    for node_id, node in nodes.items():
        if isinstance(node, Terminal):
            refs += [f"{node_id}.outcome.{name}" for name in node.outcome]
            refs += [f"{node_id}.payoffs.{name}" for name in node.payoffs]
            continue
        moves = node.actions if isinstance(node, Decision) else node.chance
        refs += [f"{node_id}.{move}.{name}" for move, item in moves.items() for name in item.effects]
    return refs


class Policy(Strict):
    """A scripted course of action: the actions an actor takes at named nodes or infosets.

    Each entry maps a node id (or infoset label) to an action name, or to probabilities over
    action names.
    """

    actor: Name
    doc: str = ""
    choose: dict[str, str | dict[str, float]] = Field(min_length=1)


class Condition(Strict):
    """A what-if for a claim: a scripted policy and/or chance nodes forced to one outcome, and the output
    read under it where that is not the claim's (two outputs of one play: a signal's effect)."""

    policy: Name | None = None
    force: dict[str, str] = Field(default_factory=dict)  # chance node id -> branch name
    output: str | None = Field(default=None, pattern=rf"^{OUTPUT}$")  # read here instead of the claim's output


class Outcome(Strict):
    """A named event, read at each end of the tree: every move in ``path`` was taken on the way
    there ("node.action", "node.branch", or just "node" for passing through it), and ``when``, a
    condition over the end's attributes and the parameters, holds. Either may be left out.

    ``icb_violence`` (1-4) or ``mid_hostility`` (1-5) say which code of those datasets the event
    corresponds to, where one does.
    """

    doc: str = Field(min_length=1)
    path: list[str] = Field(default_factory=list)
    when: When | None = None
    icb_violence: int | None = Field(default=None, ge=1, le=4)
    mid_hostility: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _says_something(self) -> Outcome:
        if not self.path and self.when is None:
            raise ValueError("an outcome needs 'path:', 'when:' or both — e.g. when: escalation >= 7")
        return self


class Mechanism(Strict):
    """A causal mechanism the modeller builds in, and how to switch it off: parameters held at
    the values in ``fix`` (numbers, or formulas of the other parameters evaluated draw by draw, e.g.
    ``deterrence_penalty: calibrated_cost``) and effects in ``remove`` ("node.move.attribute", or for an
    end node "node.outcome.attribute" / "node.payoffs.ACTOR") taken out of the tree."""

    doc: str = Field(min_length=1)
    fix: dict[str, Expr] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _does_something(self) -> Mechanism:
        if not self.fix and not self.remove:
            raise ValueError("a mechanism is switched off by 'fix:' parameters, 'remove:' effects or both")
        return self

    @property
    def numbers(self) -> dict[str, float] | None:
        """The parameters it pins, where it pins each to a number and removes no effect (as a dynamic
        scenario's mechanisms do: they are knocked out by pins alone); otherwise None."""
        if self.remove or any(expression.names for expression in self.fix.values()):
            return None
        return {parameter: float(expression({})) for parameter, expression in self.fix.items()}


def level_outcome(level: float) -> str:
    """The name of the outcome "escalation reaches ``level``": escalation_ge_7, escalation_ge_2_5."""
    return f"escalation_ge_{level:g}".replace(".", "_").replace("-", "minus_")


class Claim(Strict):
    """A proposition over model outputs: ``output`` is lower under ``lower`` than under ``higher``.

    ``output`` is ``P(outcome)`` (an outcome named under ``outcomes``), ``P(outcome | given)`` (its
    probability among the plays in which ``given`` holds), ``value(ACTOR)`` (an actor's expected
    utility), ``expected_escalation`` or ``p_escalation_ge_K`` (K a level, e.g. 7). A condition may
    name its own ``output``: the claim then compares two outputs, e.g. of one play (``output`` may then
    be left out). ``because`` names the mechanisms the claim's author says drive it.
    """

    text: str = Field(min_length=1)
    output: str | None = Field(default=None, pattern=rf"^{OUTPUT}$")
    lower: Condition
    higher: Condition
    because: list[Name] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reads_an_output(self) -> Claim:
        if self.output is None and None in (self.lower.output, self.higher.output):
            raise ValueError("a claim needs 'output:', or an 'output:' under both 'lower:' and 'higher:' — e.g. P(war)")
        return self

    @property
    def outputs(self) -> tuple[str, str]:
        """The output read under ``lower`` and the one read under ``higher``."""
        lower, higher = self.lower.output or self.output, self.higher.output or self.output
        assert lower is not None and higher is not None
        return lower, higher

    @property
    def shown(self) -> str:
        """The output as a reader sees it: one name, or "a (lower) vs b (higher)"."""
        lower, higher = self.outputs
        return lower if lower == higher else f"{lower} (lower) vs {higher} (higher)"


DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # 2024, 2024-10 or 2024-10-18


def _check_date(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else value  # YAML reads 2024-10-18 as a date
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)  # and 2024 as a number
    if not isinstance(text, str) or not re.match(DATE, text):
        raise ValueError(f"{value!r} is not a date — write 2024-10-18, 2024-10 or 2024")
    try:
        period_end(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar — check the month and the day") from None
    return text


def period_end(text: str) -> datetime.date:
    """The last day of a date written as a year, a month or a day (2024 → 2024-12-31, 2024-02 → 2024-02-29):
    the day by which something dated so is known."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 3:
        return datetime.date(*parts)
    year, month = parts[0], parts[1] if len(parts) == 2 else 12
    datetime.date(year, month, 1)  # a month outside 1-12 raises here
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


DateText = Annotated[str, PlainValidator(_check_date)]


class Observation(Strict):
    """One thing that happened: the move taken at a named node ("node.action" at a decision node,
    "node.branch" at a chance node), dated and sourced."""

    date: DateText
    move: str
    source: str = Field(min_length=1)
    doc: str = ""

    @field_validator("move")
    @classmethod
    def _node_dot_move(cls, value: str) -> str:
        if not re.fullmatch(rf"{_NAME}\.{_NAME}", value):
            raise ValueError(f"{value!r} is not node.move — e.g. us_choice.blockade (the node's id, a dot, the move)")
        return value


class BaseRate(Strict):
    """A reference class's frequency of a named outcome, read as ``cases`` binomial trials of which
    a share ``rate`` had it: soft evidence on the parameters."""

    outcome: Name
    rate: float = Field(ge=0, le=1)
    cases: int = Field(ge=1)
    source: str = Field(min_length=1)
    doc: str = ""


class Question(Strict):
    """A forecasting question: will ``outcome`` have happened by the date ``by``?"""

    outcome: Name
    by: DateText
    doc: str = ""


class Record(Strict):
    """What has happened, for conditioning the parameters on it (docs/conditioning.md): the logit
    precision with which the actors are taken to have chosen, the dated moves observed, optional base
    rates of reference classes, and the questions to forecast."""

    rationality: Expr  # λ of the logit QRE: a parameter (with its own distribution) or a number
    observed: list[Observation] = Field(default_factory=list)
    base_rates: list[BaseRate] = Field(default_factory=list)
    questions: dict[Name, Question] = Field(default_factory=dict)
    doc: str = ""

    @model_validator(mode="after")
    def _has_evidence(self) -> Record:
        if not self.observed and not self.base_rates:
            raise ValueError("a record needs 'observed:' moves, 'base_rates:' or both — see docs/conditioning.md")
        return self

    def in_order(self) -> list[Observation]:
        """The observations in the order they became known (the file's order among equal dates): the
        order of the likelihood's steps, its report rows and its messages."""
        return sorted(self.observed, key=lambda o: period_end(o.date))

    def moves(self) -> list[str]:
        """The observed moves, in order (:meth:`in_order`)."""
        return [o.move for o in self.in_order()]


class ReferenceClass(Strict):
    """Which historical crises resemble this one, and how its escalation scale maps onto theirs.

    ``where`` filters ICB crises by variable codes (plain names, see ``escalade.history``);
    ``violence_thresholds`` are the escalation levels at which ICB violence steps up: with
    ``[3, 5, 7]``, escalation below 3 reads as no violence, below 5 as minor clashes, below 7 as
    serious clashes, 7 and above as full-scale war.
    """

    doc: str = ""
    where: dict[str, float | list[float]] = Field(default_factory=dict)
    violence_thresholds: list[float] = Field(min_length=3, max_length=3)

    @property
    def codes(self) -> dict[str, list[float]]:
        """``where`` with every filter as a list of codes."""
        return {name: value if isinstance(value, list) else [value] for name, value in self.where.items()}

    @model_validator(mode="after")
    def _increasing(self) -> ReferenceClass:
        low, middle, high = self.violence_thresholds
        if not low < middle < high:
            raise ValueError("violence_thresholds must increase — write e.g. [3, 5, 7]")
        return self


# --- dynamics: crises over rounds -------------------------------------------------------------

# The action categories of Rivera et al. 2024 ("Escalation Risks from Language Models in Military and
# Diplomatic Decision-Making", FAccT 2024, arXiv:2401.03408) and their escalation-score weights, as in
# the authors' scoring code (github.com/jprivera44/EscalAItion, manual_evaluation.py: nuclear 60,
# violent 28, non-violent 12, posturing 4, de-escalation -2; status-quo actions score 0).
RIVERA_WEIGHTS: dict[str, float] = {
    "de_escalation": -2.0,
    "status_quo": 0.0,
    "posturing": 4.0,
    "non_violent_escalation": 12.0,
    "violent_escalation": 28.0,
    "nuclear": 60.0,
}
CATEGORIES = tuple(RIVERA_WEIGHTS)
Category = Literal[
    "de_escalation", "status_quo", "posturing", "non_violent_escalation", "violent_escalation", "nuclear"
]
STANDARD_MOVES = ("up", "hold", "down")  # every climber has these; named moves come after them
Bit = Literal[0, 1]


class Rung(Strict):
    """One rung of the escalation ladder; ``category`` is the category of stepping up onto it."""

    name: str = Field(min_length=1)
    category: Category
    doc: str = ""


class Flag(Strict):
    """A yes/no part of the state (revealed, a pact signed…), 0 or 1."""

    doc: str = ""
    start: Bit = 0


class Counter(Strict):
    """A count kept in the state in a few levels, 0 … levels − 1 (casualties, resources committed …)."""

    doc: str = ""
    levels: int = Field(ge=2, le=21)
    start: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _start_in_range(self) -> Counter:
        if self.start >= self.levels:
            raise ValueError(f"start {self.start} is not below levels {self.levels} — counters run 0 … levels − 1")
        return self


class Move(Strict):
    """A named move: jump ``step`` rungs or ``to`` a rung, if ``when`` holds; may set flags and add
    to counters. Where it steps down, it costs the actor's ``step_down_cost`` per rung descended, or per
    rung up to ``cost_rungs`` (a single decision that crosses several rungs, e.g. withdrawing missiles)."""

    step: int | None = None
    to: int | None = None
    category: Category
    when: When | None = None
    cost_rungs: int | None = Field(default=None, ge=0, strict=True)  # not "1" or true
    sets: dict[Name, Bit] = Field(default_factory=dict)
    add: dict[Name, int] = Field(default_factory=dict)
    doc: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> Move:
        if (self.step is None) == (self.to is None):
            raise ValueError("a move needs exactly one of 'step:' and 'to:' — e.g. 'step: 2' or 'to: 5'")
        if self.cost_rungs is not None and self.step is not None and self.step >= 0:
            raise ValueError(
                f"cost_rungs caps the step-down cost of a move that steps down, and 'step: {self.step}' never "
                "does — remove cost_rungs, or give the move a negative step or a 'to:' rung below"
            )
        return self


class Event(Strict):
    """Chance each round, after the moves: with ``probability`` it sets flags, adds to counters and
    pushes rungs."""

    probability: Expr
    sets: dict[Name, Bit] = Field(default_factory=dict)
    add: dict[Name, int] = Field(default_factory=dict)
    push: dict[Name, int] = Field(default_factory=dict)
    doc: str = ""


class StatePolicy(Strict):
    """A scripted policy over the state: the actor heads for a target rung each round.

    ``match``: other + offset, capped at ``cap`` (escalation management: offset 1, max_step 1;
    tit-for-tat: offset 0). ``deter``: ``response`` once the other side reaches ``trigger``, else hold.
    ``appease``: one rung down whenever the other side is at or above ``trigger``, else hold.
    ``target``: any formula of the state. ``max_step`` limits how far one round may move. A
    ``what_if`` policy is a counterfactual for claims, not a course of action: the courses compared by
    default leave it out (``--policy`` can still ask for it).
    """

    actor: Name
    rule: Literal["match", "deter", "appease", "target"]
    offset: int = 0
    cap: int | None = None
    trigger: int | None = None
    response: int | None = None
    target: Expr | None = None
    max_step: int | None = Field(default=None, ge=1)
    what_if: bool = Field(default=False, strict=True)  # not "yes" or 1
    doc: str = ""

    @model_validator(mode="after")
    def _fields_of_rule(self) -> StatePolicy:
        needs = {"deter": ("trigger", "response"), "appease": ("trigger",), "target": ("target",)}
        missing = [name for name in needs.get(self.rule, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"rule '{self.rule}' needs {' and '.join(missing)} — add '{missing[0]}:'")
        return self


class DynamicCondition(Strict):
    """A what-if for a dynamic claim: scripted policies (actor -> policy) and parameters pinned."""

    policies: dict[Name, Name] = Field(default_factory=dict)
    set: dict[Name, float] = Field(default_factory=dict)


class DynamicClaim(Strict):
    """A proposition over trajectories: ``output`` is lower under ``lower`` than under ``higher``.

    ``output``: ``final_level`` (highest rung after the last round), ``final_<ACTOR>``,
    ``p_level_ge_<K>`` (the level reaches rung K in some round), ``p_deescalation``,
    ``ratchet_index`` or ``escalation_score`` (per actor and round). ``because`` names the mechanisms
    (the scenario's ``mechanisms:``, each pinning parameters to numbers) the claim's author says drive it:
    each is knocked out on both sides and the claim tested again.
    """

    text: str = Field(min_length=1)
    output: str = Field(
        pattern=r"^(final_level|final_[A-Za-z_][A-Za-z0-9_]*|p_level_ge_\d+|p_deescalation|ratchet_index|escalation_score)$"
    )
    lower: DynamicCondition
    higher: DynamicCondition
    because: list[Name] = Field(default_factory=list)


class Observed(Strict):
    """The historical path: each actor's rung round by round, with where the coding comes from."""

    source: str = Field(min_length=1)
    doc: str = ""
    rungs: dict[Name, list[int]] = Field(min_length=1)


class Dynamics(Strict):
    """A crisis over rounds: each actor climbs a shared ladder (see docs/dynamics.md)."""

    round: str = "round"  # the unit of a round: day, week, month or any word
    start: str = ""  # label of the starting round, e.g. 1962-10-16 (dates label the rounds)
    rounds: int = Field(ge=1, le=1000)
    discount: Expr
    rationality: float = Field(ge=0, allow_inf_nan=True)  # logit lambda of solved actors; .inf asks for a pure MPE
    ladder: list[Rung] = Field(min_length=2, max_length=21)
    start_rungs: dict[Name, int]
    ceilings: dict[Name, int] = Field(default_factory=dict)  # an actor's highest rung, if below the ladder's top
    flags: dict[Name, Flag] = Field(default_factory=dict)
    counters: dict[Name, Counter] = Field(default_factory=dict)
    moves: dict[Name, dict[Name, Move]] = Field(default_factory=dict)
    # when an actor's one-rung ``up`` or ``down`` is available (besides the ladder's ends), a formula of its view
    limits: dict[Name, dict[Literal["up", "down"], When]] = Field(default_factory=dict)
    events: dict[Name, Event] = Field(default_factory=dict)
    payoffs: dict[Name, Expr]
    step_down_cost: dict[Name, Expr] = Field(default_factory=dict)
    policies: dict[Name, StatePolicy] = Field(default_factory=dict)
    score_weights: dict[Category, float] = Field(default_factory=lambda: dict(RIVERA_WEIGHTS))
    history: Observed | None = None
    claims: dict[Name, DynamicClaim] = Field(default_factory=dict)

    @field_validator("start", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return str(value) if hasattr(value, "isoformat") else value  # YAML reads 1962-10-16 as a date

    @property
    def top(self) -> int:
        return len(self.ladder) - 1

    def top_of(self, actor: str) -> int:
        """An actor's highest rung: its ceiling, or the ladder's top."""
        return self.ceilings.get(actor, self.top)

    def policy_names(self, actor: str) -> list[str]:
        """The names an actor's course can take: ``equilibrium`` (solved) and its scripted policies."""
        return ["equilibrium", *(name for name, policy in self.policies.items() if policy.actor == actor)]

    @property
    def variables(self) -> dict[str, int]:
        """The state beyond the rungs: each flag (2 levels) and counter, with its number of levels."""
        return {**{name: 2 for name in self.flags}, **{name: c.levels for name, c in self.counters.items()}}

    def states(self, actor_ids: list[str]) -> dict[str, np.ndarray]:
        """Every state of the crisis: name -> (S,) values, each actor's rung, each flag, each counter.

        States are numbered in mixed radix with the last variable varying fastest.
        """
        names = [*actor_ids, *self.variables]
        sizes = [self.top_of(actor) + 1 for actor in actor_ids] + list(self.variables.values())
        grid = np.indices(sizes).reshape(len(sizes), -1)
        return {name: grid[i] for i, name in enumerate(names)}

    def round_labels(self, rounds: int) -> list[str]:
        """Labels of rounds 0..rounds: dates when ``start`` is a date and ``round`` a day/week/month."""
        try:
            first = np.datetime64(self.start, "D") if self.start else None
        except ValueError:
            first = None
        if first is None or self.round not in ("day", "week", "month"):
            return [f"{self.round} {t}" for t in range(rounds + 1)]
        if self.round == "month":
            months = np.datetime64(self.start[:7], "M") + np.arange(rounds + 1)
            return [str(month) for month in months]
        step = 7 if self.round == "week" else 1
        return [str(first + step * t) for t in range(rounds + 1)]


def actor_view(env: dict[str, Any], actor_ids: list[str], actor: str) -> dict[str, Any]:
    """``env`` plus ``own`` (the actor's rung) and ``other`` (the highest rung of the others)."""
    others = [env[a] for a in actor_ids if a != actor]
    other = np.maximum.reduce(others) if others else np.zeros_like(env[actor])
    return {**env, "own": env[actor], "other": other}


class Scenario(Strict):
    """A validated scenario. Built only by :func:`escalade.scenario.load`.

    A scenario has a game tree (``root`` and ``nodes``), a ``dynamics`` section, or both.
    """

    name: Name
    title: str
    description: str = ""
    actors: list[Actor] = Field(min_length=1)
    attributes: dict[str, str] = Field(default_factory=dict)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    root: Name | None = None
    nodes: dict[str, Node] = Field(default_factory=dict)
    dynamics: Dynamics | None = None
    policies: dict[str, Policy] = Field(default_factory=dict)
    escalation_levels: list[float] = Field(default_factory=list)
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    mechanisms: dict[str, Mechanism] = Field(default_factory=dict)
    claims: dict[str, Claim] = Field(default_factory=dict)
    reference_class: ReferenceClass | None = None
    record: Record | None = None
    source_file: str = "<memory>"
    sha256: str = ""

    @property
    def actor_ids(self) -> list[str]:
        return [actor.id for actor in self.actors]

    def events(self, levels: Sequence[float] = ()) -> dict[str, Outcome]:
        """The outcomes every analysis reports: the scenario's own, then "escalation_ge_L" for each of
        its ``escalation_levels`` and of ``levels`` (a request's) not among them."""
        events = dict(self.outcomes)
        for level in sorted({*self.escalation_levels, *levels}):
            name = level_outcome(level)
            if name not in events:
                events[name] = Outcome(doc=f"escalation level {level:g} or above", when=f"escalation >= {level!r}")
        return events

    def policies_of(self, actor: str) -> list[str]:
        """The names of ``actor``'s scripted courses of action, in the file's order."""
        return [name for name, policy in self.policies.items() if policy.actor == actor]

    def central_values(self) -> dict[str, float]:
        """Each parameter at its mean: the single draw used when no sweep is asked for."""
        return {name: param.mean() for name, param in self.parameters.items()}
