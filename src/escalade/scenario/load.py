"""Load and validate a scenario: YAML text -> :class:`Scenario`, or every problem at once.

Validation runs in two passes. The first checks each piece (an actor, a parameter, a node, a
policy) against its pydantic model; a broken piece is reported and set aside so the others can
still be checked. The second checks how the pieces fit: names that must exist, cycles,
unreachable nodes, information sets, perfect recall, and chance probabilities that must sum to 1
for every plausible parameter value. Nothing downstream re-validates.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path as FilePath
from typing import Any

import numpy as np
from pydantic import BaseModel, TypeAdapter, ValidationError

from escalade.scenario.errors import Problem, ScenarioError
from escalade.scenario.expressions import Expression
from escalade.scenario.model import (
    CONDITION_EXAMPLE,
    DISTRIBUTIONS,
    IDENTIFIER,
    RESERVED,
    STANDARD_MOVES,
    Actor,
    Beta,
    Chance,
    Claim,
    Condition,
    Decision,
    DynamicClaim,
    Dynamics,
    Event,
    Fixed,
    LogNormal,
    Mechanism,
    Node,
    Normal,
    Outcome,
    Policy,
    Record,
    ReferenceClass,
    Scenario,
    StatePolicy,
    Terminal,
    Triangular,
    Uniform,
    actor_view,
    effect_refs,
    period_end,
    probability_of,
)
from escalade.scenario.source import MAX_BYTES, Lines, Path, decode, load_yaml

MAX_TREE_NODES = 200_000
MAX_MAGNITUDE = 1e12  # parameters and payoffs: larger numbers are a slip, and would swamp the solvers' tolerances
PROBABILITY_TOLERANCE = 1e-9
_DIST_MODELS = dict(zip(DISTRIBUTIONS, (Fixed, Uniform, Triangular, Beta, Normal, LogNormal), strict=True))
_TOP_KEYS = {
    "name": "a short identifier for the scenario",
    "title": "a one-line title",
    "description": "what the scenario models and where its numbers come from",
    "actors": "the parties to the crisis",
    "attributes": "the named outcome attributes actors care about",
    "parameters": "uncertain numbers with distributions",
    "root": "the id of the first node",
    "nodes": "the game tree as named nodes",
    "policies": "scripted courses of action",
    "escalation_levels": "levels on the escalation attribute whose probability every analysis reports",
    "outcomes": "named events over the path and the end's attributes (war, a deepened commitment …)",
    "mechanisms": "the causal mechanisms built in, and how to switch each off (knockouts)",
    "claims": "propositions over model outputs, evaluated across parameter draws",
    "reference_class": "which historical crises resemble this one (ICB filters) and the violence mapping",
    "record": "what has happened (dated moves, base rates) and the questions to forecast (docs/conditioning.md)",
    "dynamics": "the crisis over rounds: ladder, moves, chance events, per-round payoffs (docs/dynamics.md)",
}
_REQUIRED_TOP = ("name", "title", "actors")
_TREE_KEYS = ("attributes", "root", "nodes")  # required unless the scenario is dynamics only


def shipped_scenarios() -> dict[str, FilePath]:
    """The scenarios shipped with escalade, by name."""
    folder = resources.files("escalade") / "scenarios"
    return {
        entry.name.removesuffix(".yaml"): FilePath(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def load(source: str | FilePath) -> Scenario:
    """Load a scenario from a file path, or by the name of a shipped scenario."""
    path = FilePath(source)
    if not path.exists():
        shipped = shipped_scenarios()
        if str(source) in shipped:
            path = shipped[str(source)]
        else:
            raise ScenarioError(
                [
                    Problem(
                        str(source),
                        None,
                        "no such file or shipped scenario",
                        "give a path to a .yaml file or one of: " + ", ".join(sorted(shipped)),
                    )
                ]
            )
    return loads(_read(path), str(path))


def _read(path: FilePath) -> str:
    """The text of a YAML file, refused before reading if it is not a regular file or too large."""
    if not path.is_file():
        raise ScenarioError([Problem(str(path), None, "this is not a regular file", "give a .yaml file")])
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused before it is read into memory
            hint = f"a scenario is a short text file (at most {MAX_BYTES:,} bytes): check that this is the right file"
            raise ScenarioError([Problem(str(path), None, f"the file is {size:,} bytes long", hint)])
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(str(path), None, f"cannot read it ({exc.strerror})", "check the path")]) from None
    text, problems = decode(data, str(path))
    if text is None:
        raise ScenarioError(problems)
    return text


def with_record(scenario: Scenario, source: str | FilePath) -> Scenario:
    """``scenario`` with the ``record:`` of the YAML file ``source`` in place of its own, checked against the
    scenario as if it were written in it (problems at that file's lines). The scenario's hash then
    covers both files."""
    path = FilePath(source)
    if not path.exists():
        raise ScenarioError([Problem(str(path), None, "no such file", "give the path of a YAML file with 'record:'")])
    text = _read(path)
    data, lines, problems = load_yaml(text, str(path))
    if problems:
        raise ScenarioError(problems)
    checker = _Checker(lines)
    if not isinstance(data, dict) or list(data) != ["record"]:
        hint = "write 'record:' and under it rationality, observed … as in a scenario (docs/conditioning.md)"
        raise ScenarioError([lines.problem((), "a record file holds one top-level key, 'record:'", hint)])
    record = checker.piece(Record, data["record"], ("record",))
    if record is not None:
        actors = {actor.id: actor for actor in scenario.actors}
        outputs = _Outputs(scenario.attributes, scenario.outcomes, actors, scenario.escalation_levels)
        points = _test_points(scenario.parameters)
        checker._record(record, scenario.root, scenario.nodes, scenario.parameters, points, outputs)
    if checker.problems:
        raise ScenarioError(checker.problems)
    digest = hashlib.sha256((scenario.sha256 + hashlib.sha256(text.encode("utf-8")).hexdigest()).encode()).hexdigest()
    return scenario.model_copy(update={"record": record, "sha256": digest})


def loads(text: str, file: str = "<string>") -> Scenario:
    """Validate scenario YAML text; ``file`` is the name used in error messages."""
    data, lines, problems = load_yaml(text, file)
    if problems:
        raise ScenarioError(problems)
    scenario = validate(data, lines)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return scenario.model_copy(update={"source_file": file, "sha256": digest})


def validate(data: Any, lines: Lines | None = None) -> Scenario:
    """Validate already-parsed scenario data (a dict), reporting every problem found."""
    lines = lines or Lines("<dict>")
    checker = _Checker(lines)
    scenario = checker.run(data)
    if checker.problems or scenario is None:
        raise ScenarioError(checker.problems)
    return scenario


def check_values(scenario: Scenario) -> list[Problem]:
    """The value checks of validation, run again on a scenario whose parameters were changed after
    loading (pinned or re-ranged settings): each parameter's range, probabilities in [0, 1] that sum
    to 1 at the test points (in every state of the dynamics), and finite formulas."""
    checker = _Checker(Lines(scenario.source_file))
    for name, parameter in scenario.parameters.items():
        checker._parameter_reach(name, parameter)
    if checker.problems:
        return checker.problems
    actors = {actor.id: actor for actor in scenario.actors}
    points = _test_points(scenario.parameters)
    checker._probabilities(points, scenario.nodes)
    checker._finite_formulas(points, actors, scenario.nodes)
    if scenario.dynamics is not None:
        checker._dynamic_ranges(points, scenario.dynamics, scenario.actor_ids)
    return checker.problems


class _Checker:
    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        self.declared_parameters: set[str] = set()
        self.declared_mechanisms: set[str] = set()  # as written, valid or not (an invalid one is reported once)
        self.has_tree = False

    def report(self, path: Path, message: str, hint: str) -> None:
        self.problems.append(self.lines.problem(path, message, hint))

    # --- first pass: each piece on its own ---------------------------------------------------

    def piece(self, model: type[BaseModel], value: Any, path: Path) -> Any:
        try:
            return TypeAdapter(model).validate_python(value)
        except ValidationError as exc:
            for error in exc.errors():
                self._pydantic_problem(model, error, path)
            return None

    def _pydantic_problem(self, model: type[BaseModel], error: Any, path: Path) -> None:
        loc = tuple(part for part in error["loc"] if part != "[key]")
        where = (*path, *loc)
        field = ".".join(str(part) for part in where)
        kind = error["type"]
        if kind == "missing":
            self.report(where[:-1], f"'{field}' is missing", f"add '{loc[-1]}:'")
        elif kind == "extra_forbidden":
            allowed = ", ".join(_field_names(model, loc[:-1]))
            self.report(where, f"unknown key '{field}'", f"check the spelling; allowed here: {allowed}")
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            message, _, hint = message.partition(" — ")
            self.report(where, f"'{field}': {message}", hint or "see docs/scenario-language.md")

    def run(self, data: Any) -> Scenario | None:
        if not isinstance(data, dict):
            self.report((), "a scenario must be a YAML mapping", "start with 'name:', 'actors:'…")
            return None
        for key in data:
            if key not in _TOP_KEYS:
                self.report(
                    (key,),
                    f"unknown top-level key {key!r}",
                    "allowed: " + ", ".join(_TOP_KEYS),
                )
        required = (
            _REQUIRED_TOP
            if "dynamics" in data and not {"root", "nodes"} & set(data)
            else (
                *_REQUIRED_TOP,
                *_TREE_KEYS,
            )
        )
        for key in required:
            if key not in data:
                self.report((), f"'{key}' is missing", f"add '{key}:' — {_TOP_KEYS[key]}")
        header = {key: data[key] for key in ("name", "title", "description", "root") if key in data}
        header_ok = self._header(header)
        actors = self._list(data.get("actors"), Actor, ("actors",))
        if data.get("actors") == []:
            self.report(("actors",), "'actors' is empty", "list at least one actor under 'actors:'")
        attributes = self._attributes(data.get("attributes", {}))
        parameters = self._parameters(data.get("parameters") or {})
        nodes = self._nodes(data.get("nodes") or {})
        policies = self._mapping(data.get("policies") or {}, Policy, ("policies",))
        levels = self._levels(data.get("escalation_levels") or [])
        outcomes = self._mapping(data.get("outcomes") or {}, Outcome, ("outcomes",))
        mechanisms = self._mapping(data.get("mechanisms") or {}, Mechanism, ("mechanisms",))
        raw_mechanisms = data.get("mechanisms")
        self.declared_mechanisms = {str(key) for key in raw_mechanisms} if isinstance(raw_mechanisms, dict) else set()
        self.has_tree = data.get("root") is not None
        claims = self._mapping(data.get("claims") or {}, Claim, ("claims",))
        reference = (
            self.piece(ReferenceClass, data["reference_class"], ("reference_class",))
            if data.get("reference_class")
            else None
        )
        record = self.piece(Record, data["record"], ("record",)) if data.get("record") is not None else None
        dynamics = self._dynamics_piece(data["dynamics"]) if "dynamics" in data else None
        pieces_ok = not self.problems
        points = _test_points(parameters)  # where the value checks evaluate formulas, once for all of them
        self._cross_checks(header.get("root"), actors, attributes, parameters, nodes, policies, points)
        if dynamics is not None:
            self._dynamics(dynamics, list(actors), parameters, points, mechanisms)
        for name, outcome in outcomes.items():
            self._outcome(name, outcome, nodes, attributes, parameters)
        for name, mechanism in mechanisms.items():
            self._mechanism(name, mechanism, nodes, parameters, points, actors, dynamics)
            if dynamics is not None and not self.has_tree:  # its mechanisms then pin numbers only
                self._numbers_only(name, mechanism)
        outputs = _Outputs(attributes, outcomes, actors, levels)
        for index, actor in enumerate(actors.values()):
            if actor.objective is not None:
                self._output(actor.objective.split(" ", 1)[1], outputs, ("actors", index, "objective"))
        for name, claim in claims.items():
            self._claim(name, claim, nodes, policies, outputs, mechanisms)
        if record is not None:
            self._record(record, header.get("root"), nodes, parameters, points, outputs)
        if levels and "escalation" not in attributes:
            self.report(("escalation_levels",), "levels need an 'escalation' attribute", "declare one under attributes")
        if not (pieces_ok and header_ok) or self.problems:
            return None
        return Scenario(
            **header,
            actors=list(actors.values()),
            attributes=attributes,
            parameters=parameters,
            nodes=nodes,
            policies=policies,
            escalation_levels=levels,
            outcomes=outcomes,
            mechanisms=mechanisms,
            claims=claims,
            reference_class=reference,
            record=record,
            dynamics=dynamics,
        )

    def _header(self, header: dict[str, Any]) -> bool:
        before = len(self.problems)
        for key, value in header.items():
            if not isinstance(value, str):
                self.report((key,), f"'{key}' must be text", "put it in quotes if needed")
        for key in ("name", "root"):
            value = header.get(key)
            if isinstance(value, str) and not _is_identifier(value):
                self.report((key,), f"'{key}' {value!r} is not an identifier", _IDENT_HINT)
        return len(self.problems) == before

    def _list(self, value: Any, model: type[BaseModel], path: Path) -> dict[str, Any]:
        if not isinstance(value, list):
            if value is not None:
                self.report(path, f"'{path[0]}' must be a list", "write each item after '- '")
            return {}
        result: dict[str, Any] = {}
        for index, item in enumerate(value):
            parsed = self.piece(model, item, (*path, index))
            if parsed is None:
                continue
            if parsed.id in result:
                self.report((*path, index), f"actor id {parsed.id!r} is used twice", "rename one")
            result[parsed.id] = parsed
        return result

    def _mapping(self, value: Any, model: type[BaseModel], path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.report(path, f"'{path[0]}' must be a mapping", "write 'name:' then its fields")
            return {}
        result = {}
        for key, item in value.items():
            if not self._name_ok(str(key), (*path, key)):
                continue
            parsed = self.piece(model, item, (*path, key))
            if parsed is not None:
                result[str(key)] = parsed
        return result

    def _name_ok(self, name: str, path: Path) -> bool:
        if not _is_identifier(name):
            self.report(path, f"{name!r} is not a valid name", _IDENT_HINT)
            return False
        if name in RESERVED:
            self.report(path, f"{name!r} is a reserved word", "choose another name")
            return False
        return True

    def _attributes(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            self.report(("attributes",), "'attributes' must be a mapping", "write 'name: doc'")
            return {}
        result = {}
        for key, doc in value.items():
            if self._name_ok(str(key), ("attributes", key)):
                result[str(key)] = "" if doc is None else str(doc)
        return result

    def _parameters(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.report(("parameters",), "'parameters' must be a mapping", "write 'name:' first")
            return {}
        result = {}
        self.declared_parameters = {str(key) for key in value}
        for key, item in value.items():
            path = ("parameters", key)
            if not self._name_ok(str(key), path):
                continue
            dist = item.get("dist") if isinstance(item, dict) else None
            if not isinstance(dist, str) or dist not in _DIST_MODELS:
                self.report(
                    (*path, "dist") if isinstance(item, dict) and "dist" in item else path,
                    f"parameter {key!r} has no known distribution (dist: {dist!r})",
                    _suggest(dist, DISTRIBUTIONS, "distributions")
                    if isinstance(dist, str)
                    else "set 'dist:' to one of " + ", ".join(DISTRIBUTIONS),
                )
                continue
            parsed = self.piece(_DIST_MODELS[dist], item, path)
            if parsed is not None and self._parameter_reach(str(key), parsed):
                result[str(key)] = parsed
        return result

    def _parameter_reach(self, name: str, parameter: Any) -> bool:
        """Whether the parameter's mean and 0.1%–99.9% range are finite and of a sane size."""
        with np.errstate(all="ignore"):
            reach = np.array([parameter.mean(), *parameter.ppf(np.array([0.001, 0.999]))])
        wild = beyond_magnitude(reach)
        if wild.any():
            self.report(
                ("parameters", name),
                f"parameter {name!r} reaches {reach[np.argmax(wild)]:.3g}",
                f"keep each parameter's mean and 0.1%–99.9% range finite and below {MAX_MAGNITUDE:.0e} in size",
            )
        return not wild.any()

    def _nodes(self, value: Any) -> dict[str, Node]:
        if not isinstance(value, dict):
            self.report(("nodes",), "'nodes' must be a mapping", "write 'node_id:' then its fields")
            return {}
        result: dict[str, Node] = {}
        for key, item in value.items():
            path = ("nodes", key)
            if not self._name_ok(str(key), path):
                continue
            kinds = [k for k in ("actor", "chance", "outcome") if isinstance(item, dict) and k in item]
            if len(kinds) != 1:
                self.report(
                    path,
                    f"node {key!r} must be exactly one kind of node",
                    "a decision has 'actor:' and 'actions:', a chance node 'chance:', an end 'outcome:'",
                )
                continue
            model = {"actor": Decision, "chance": Chance, "outcome": Terminal}[kinds[0]]
            parsed = self.piece(model, item, path)
            if parsed is not None:
                result[str(key)] = parsed
        return result

    # --- second pass: how the pieces fit -----------------------------------------------------

    def _cross_checks(
        self,
        root: Any,
        actors: dict[str, Actor],
        attributes: dict[str, str],
        parameters: dict[str, Any],
        nodes: dict[str, Node],
        policies: dict[str, Policy],
        points: dict[str, np.ndarray],
    ) -> None:
        for name in set(parameters) & set(attributes):
            self.report(
                ("parameters", name),
                f"{name!r} is both a parameter and an attribute",
                "rename one: formulas could not tell them apart",
            )
        # a parameter whose definition failed is still declared: formulas that use it are not at fault
        params = set(parameters) | self.declared_parameters
        state = params | set(attributes)
        for index, actor in enumerate(actors.values()):
            path = ("actors", index, "utility")
            self._keys_known(actor.utility, attributes, path, "attribute")
            self._formulas(actor.utility, params, path, "parameters")
        for node_id, node in nodes.items():
            self._node_refs(node_id, node, actors, attributes, params, state, nodes)
        if isinstance(root, str) and _is_identifier(root) and root not in nodes:
            self.report(("root",), f"root node {root!r} is not defined", _suggest(root, nodes))
        labels = self._infosets(nodes)
        for name, policy in policies.items():
            self._policy(name, policy, actors, nodes, labels)
        self._probabilities(points, nodes)
        self._finite_formulas(points, actors, nodes)
        targets = [target for node_id, node in nodes.items() for _, target in _moves(node_id, node)]
        sound = isinstance(root, str) and root in nodes and all(target in nodes for target in targets)
        if sound and self._acyclic_and_reachable(root, nodes):
            self._perfect_recall(root, nodes)

    def _dynamics_piece(self, value: Any) -> Dynamics | None:
        """The section, with events and policies parsed one by one so that one bad entry does not
        hide the problems of the others."""
        if not isinstance(value, dict):
            self.report(("dynamics",), "'dynamics' must be a mapping", "see docs/dynamics.md")
            return None
        path = ("dynamics",)
        events = self._mapping(value.get("events") or {}, Event, (*path, "events"))
        policies = self._mapping(value.get("policies") or {}, StatePolicy, (*path, "policies"))
        rest = {key: item for key, item in value.items() if key not in ("events", "policies")}
        dynamics = self.piece(Dynamics, rest, path)
        # entries that failed are left out (and reported); the rest are still cross-checked
        return None if dynamics is None else dynamics.model_copy(update={"events": events, "policies": policies})

    def _dynamics(
        self,
        dynamics: Dynamics,
        actor_ids: list[str],
        parameters: dict[str, Any],
        points: dict[str, np.ndarray],
        mechanisms: dict[str, Mechanism],
    ) -> None:
        path = ("dynamics",)
        top, flags, counters = dynamics.top, set(dynamics.flags), set(dynamics.counters)
        for kind, names in (("flags", flags), ("counters", counters)):
            for name in sorted(names):
                taken = {*actor_ids, *parameters, "own", "other", *(flags if kind == "counters" else ())}
                if self._name_ok(name, (*path, kind, name)) and name in taken:
                    self.report(
                        (*path, kind, name),
                        f"{kind[:-1]} {name!r} clashes with an actor, parameter, flag or 'own'/'other'",
                        "rename it: formulas could not tell them apart",
                    )
        for name in sorted(set(parameters) & {*actor_ids, "own", "other"}):
            self.report(
                ("parameters", name),
                f"parameter {name!r} clashes with an actor id or 'own'/'other'",
                "rename the parameter: dynamic formulas read actor ids as their rungs",
            )
        state = set(parameters) | set(actor_ids) | flags | counters
        own = state | {"own", "other"}
        where = "parameters, actor rungs, flags and counters"
        where_own = "parameters, actor rungs, flags, counters, own and other"
        self._formula(dynamics.discount, set(parameters), (*path, "discount"), "parameters")
        for actor in actor_ids:
            if actor not in dynamics.start_rungs:
                self.report((*path, "start_rungs"), f"no starting rung for {actor}", f"add '{actor}: 0'")
            if actor not in dynamics.payoffs:
                self.report((*path, "payoffs"), f"no per-round payoff for {actor}", f"add '{actor}: <formula>'")
        for key in ("start_rungs", "ceilings", "payoffs", "step_down_cost", "moves", "limits"):
            self._keys_known(getattr(dynamics, key), actor_ids, (*path, key), "actor")
        for actor, limits in dynamics.limits.items():
            self._formulas(limits, own, (*path, "limits", actor), where_own)
        for actor, rung in dynamics.ceilings.items():
            self._rung(rung, top, (*path, "ceilings", actor))
        for actor, rung in dynamics.start_rungs.items():
            self._actor_rung(rung, dynamics, actor, (*path, "start_rungs", actor))
        for key in ("payoffs", "step_down_cost"):
            self._formulas(getattr(dynamics, key), own, (*path, key), where_own)
        for actor, moves in dynamics.moves.items():
            for name, move in moves.items():
                where_move = (*path, "moves", actor, name)
                if name in STANDARD_MOVES or not self._name_ok(name, where_move):
                    if name in STANDARD_MOVES:
                        self.report(
                            where_move,
                            f"{name!r} is a standard move every actor has",
                            "give the named move another name",
                        )
                    continue
                if move.to is not None:
                    self._rung(move.to, top, (*where_move, "to"))
                if move.when is not None:
                    self._formula(move.when, own, (*where_move, "when"), where_own)
                self._keys_known(move.sets, flags, (*where_move, "sets"), "flag")
                self._keys_known(move.add, counters, (*where_move, "add"), "counter")
        for name, event in dynamics.events.items():
            where_event = (*path, "events", name)
            self._name_ok(name, where_event)
            self._formula(event.probability, state, (*where_event, "probability"), where)
            self._keys_known(event.sets, flags, (*where_event, "sets"), "flag")
            self._keys_known(event.add, counters, (*where_event, "add"), "counter")
            self._keys_known(event.push, actor_ids, (*where_event, "push"), "actor")
        for name, policy in dynamics.policies.items():
            where_policy = (*path, "policies", name)
            if self._name_ok(name, where_policy) and name == "equilibrium":
                self.report(where_policy, "'equilibrium' names the solved policy", "choose another name")
            if policy.actor not in actor_ids:
                self.report(
                    (*where_policy, "actor"), f"unknown actor {policy.actor!r}", _suggest(policy.actor, actor_ids)
                )
            for key in ("cap", "trigger", "response"):
                if getattr(policy, key) is not None:
                    self._rung(getattr(policy, key), top, (*where_policy, key))
            if policy.target is not None:
                self._formula(policy.target, own, (*where_policy, "target"), where_own)
        if dynamics.history is not None:
            self._history(dynamics, actor_ids)
        for name, claim in dynamics.claims.items():
            self._dynamic_claim(name, claim, dynamics, actor_ids, parameters, mechanisms)
        self._dynamic_ranges(points, dynamics, actor_ids)

    def _dynamic_claim(
        self,
        name: str,
        claim: DynamicClaim,
        dynamics: Dynamics,
        actor_ids: list[str],
        parameters: dict[str, Any],
        mechanisms: dict[str, Mechanism],
    ) -> None:
        path = ("dynamics", "claims", name)
        self._because(claim.because, mechanisms, (*path, "because"))
        for index, mechanism in enumerate(claim.because):
            found = mechanisms.get(mechanism)
            if found is not None and found.numbers is None and self.has_tree:  # tree-less: said at the mechanism
                self.report(
                    (*path, "because", index),
                    f"mechanism {mechanism!r} removes effects or pins a parameter to a formula; a dynamic claim's "
                    "mechanisms pin parameters to numbers",
                    f"under 'mechanisms: {mechanism}: fix:' give each parameter a number",
                )
        output = claim.output
        if output.startswith("final_") and output != "final_level" and output[6:] not in actor_ids:
            self.report((*path, "output"), f"{output!r} names no actor", f"use final_<ACTOR>, one of {actor_ids}")
        if output.startswith("p_level_ge_") and int(output[11:]) > dynamics.top:
            self.report(
                (*path, "output"),
                f"{output!r} is above the ladder's top rung {dynamics.top}",
                f"use p_level_ge_K with K from 0 to {dynamics.top}",
            )
        for side in ("lower", "higher"):
            condition = getattr(claim, side)
            for actor, policy in condition.policies.items():
                where = (*path, side, "policies", actor)
                if actor not in actor_ids:
                    self.report(where, f"unknown actor {actor!r}", _suggest(actor, actor_ids))
                elif policy not in dynamics.policy_names(actor):
                    self.report(
                        where,
                        f"{actor} has no dynamic policy {policy!r}",
                        _suggest(policy, dynamics.policy_names(actor), "policies"),
                    )
            self._keys_known(condition.set, parameters, (*path, side, "set"), "parameter")
        if claim.lower == claim.higher:
            self.report(path, f"claim {name!r} compares a condition with itself", "make 'lower' and 'higher' differ")

    def _because(self, because: list[str], mechanisms: dict[str, Mechanism], path: Path) -> None:
        """A claim's named mechanisms: each declared, named once, and pinning no parameter two ways."""
        twice = sorted({name for name in because if because.count(name) > 1})
        if twice:
            self.report(path, f"{', '.join(map(repr, twice))} named twice", "name each mechanism once")
        pinned: dict[str, tuple[str, str]] = {}
        for mechanism in dict.fromkeys(because):
            for parameter, expression in getattr(mechanisms.get(mechanism), "fix", {}).items():
                other = pinned.setdefault(parameter, (mechanism, expression.source))
                if other[1] != expression.source:
                    self.report(
                        path,
                        f"{other[0]!r} and {mechanism!r} pin {parameter!r} to different values",
                        "knocked out together they must agree: pin it the same way, or in one of them only",
                    )
        for index, mechanism in enumerate(because):
            if mechanism not in self.declared_mechanisms:  # one declared but invalid is reported where it is
                self.report(
                    (*path, index),
                    f"unknown mechanism {mechanism!r}",
                    _suggest(mechanism, mechanisms, "mechanisms") + " (declared under 'mechanisms:')",
                )

    def _rung(self, rung: int, top: int, path: Path, ceiling: bool = False) -> None:
        if not 0 <= rung <= top:
            where = "the actor's rungs (0 to its ceiling" if ceiling else "the ladder (0 to"
            self.report(path, f"rung {rung} is off {where} {top})", f"use a rung from 0 to {top}")

    def _actor_rung(self, rung: int, dynamics: Dynamics, actor: str, path: Path) -> None:
        self._rung(rung, dynamics.top_of(actor), path, actor in dynamics.ceilings)

    def _history(self, dynamics: Dynamics, actor_ids: list[str]) -> None:
        assert dynamics.history is not None
        path = ("dynamics", "history", "rungs")
        self._keys_known(dynamics.history.rungs, actor_ids, path, "actor")
        lengths = {len(rungs) for rungs in dynamics.history.rungs.values()}
        if len(lengths) > 1:
            self.report(
                path,
                f"the observed paths have different lengths {sorted(lengths)}",
                "give every actor one rung per round, starting with round 0",
            )
        for actor, rungs in dynamics.history.rungs.items():
            for index, rung in enumerate(rungs):
                self._actor_rung(rung, dynamics, actor, (*path, actor, index))

    def _dynamic_ranges(self, raw: dict[str, np.ndarray], dynamics: Dynamics, actor_ids: list[str]) -> None:
        """Discount in (0, 1) and event probabilities in [0, 1] at the test points, in every state."""
        points = {name: values[:, None] for name, values in raw.items()}
        known = set(points) | set(actor_ids) | set(dynamics.variables)  # unknown names are reported already
        if dynamics.discount.names <= set(points):
            discount = np.broadcast_to(dynamics.discount(points), (_TEST_POINTS, 1))[:, 0]
            bad = np.flatnonzero(~((discount > 0) & (discount < 1)))
            if bad.size:
                self.report(
                    ("dynamics", "discount"),
                    f"discount is {discount[bad[0]]:.4g}, outside (0, 1), "
                    f"when {_describe(raw, bad[0], dynamics.discount.names)}",
                    "a discount factor per round lies strictly between 0 and 1",
                )
        env = {**points, **{name: grid[None, :] for name, grid in dynamics.states(actor_ids).items()}}
        for actor, limits in dynamics.limits.items():
            for move, limit in limits.items():
                if actor not in actor_ids or not limit.names <= known | {"own", "other"}:
                    continue  # reported already
                value = np.asarray(limit(actor_view(env, actor_ids, actor)), dtype=float)
                loose = ~np.isin(value, (0.0, 1.0))
                if loose.any():
                    self.report(
                        ("dynamics", "limits", actor, move),
                        f"the limit on {actor}'s {move!r} is {value[np.nonzero(loose)][0]:.4g} somewhere; a limit is a "
                        "condition, 1 where the move is available and 0 where it is not",
                        f"write {CONDITION_EXAMPLE}",
                    )
        for name, event in dynamics.events.items():
            if not event.probability.names <= known:
                continue
            p = np.asarray(event.probability(env), dtype=float)
            outside = ~np.isfinite(p) | (p < -PROBABILITY_TOLERANCE) | (p > 1 + PROBABILITY_TOLERANCE)
            if outside.any():
                point, state = np.argwhere(np.broadcast_to(outside, np.broadcast_shapes(p.shape, (1, 1))))[0]
                at = ", ".join(f"{n}={int(env[n][0, state])}" for n in [*actor_ids, *dynamics.variables])
                self.report(
                    ("dynamics", "events", name, "probability"),
                    f"probability of {name!r} is {np.broadcast_to(p, outside.shape)[point, state]:.4g}, "
                    f"outside [0, 1], at {at}",
                    "keep it in [0, 1] over every rung and parameter value, e.g. with clip(x, 0, 1)",
                )

    def _keys_known(self, mapping: dict, known: Any, path: Path, what: str) -> None:
        for key in mapping:
            if key not in known:
                self.report((*path, key), f"unknown {what} {key!r}", _suggest(key, known, f"{what}s"))

    def _formulas(self, mapping: dict[str, Expression], known: set[str], path: Path, what: str) -> None:
        for key, expression in mapping.items():
            self._formula(expression, known, (*path, key), what)

    def _formula(self, expression: Expression, known: set[str], path: Path, what: str) -> None:
        for name in sorted(expression.names - known):
            self.report(
                path,
                f"{expression.source!r} uses unknown name {name!r}",
                _suggest(name, known, f"names (here only {what} are allowed)"),
            )

    def _node_refs(
        self,
        node_id: str,
        node: Node,
        actors: dict[str, Actor],
        attributes: dict[str, str],
        params: set[str],
        state: set[str],
        nodes: dict[str, Node],
    ) -> None:
        path = ("nodes", node_id)
        where = "parameters and attributes"
        if isinstance(node, Decision):
            if node.actor not in actors:
                self.report((*path, "actor"), f"unknown actor {node.actor!r}", _suggest(node.actor, actors))
            moves = [(name, action.next, action.effects) for name, action in node.actions.items()]
            key = "actions"
        elif isinstance(node, Chance):
            moves = [(name, branch.next, branch.effects) for name, branch in node.chance.items()]
            key = "chance"
            for name, branch in node.chance.items():
                self._formula(branch.p, params, (*path, key, name, "p"), "parameters")
        else:
            self._keys_known(node.outcome, attributes, (*path, "outcome"), "attribute")
            self._formulas(node.outcome, state, (*path, "outcome"), where)
            self._keys_known(node.payoffs, actors, (*path, "payoffs"), "actor")
            self._formulas(node.payoffs, state, (*path, "payoffs"), where)
            return
        for name, target, effects in moves:
            if target not in nodes:
                self.report(
                    (*path, key, name),
                    f"{name!r} leads to unknown node {target!r}",
                    _suggest(target, nodes),
                )
            self._keys_known(effects, attributes, (*path, key, name, "effects"), "attribute")
            self._formulas(effects, state, (*path, key, name, "effects"), where)

    def _infosets(self, nodes: dict[str, Node]) -> dict[str, list[str]]:
        """Group labelled decision nodes; members must share actor and action names."""
        labels: dict[str, list[str]] = {}
        for node_id, node in nodes.items():
            if isinstance(node, Decision) and node.infoset is not None:
                labels.setdefault(node.infoset, []).append(node_id)
        for label, members in labels.items():
            first = nodes[members[0]]
            assert isinstance(first, Decision)
            for other_id in members[1:]:
                other = nodes[other_id]
                assert isinstance(other, Decision)
                path = ("nodes", other_id, "infoset")
                if other.actor != first.actor:
                    self.report(
                        path,
                        f"infoset {label!r} mixes actors {first.actor} (node {members[0]!r}) and "
                        f"{other.actor} (node {other_id!r})",
                        "an information set belongs to one actor: give these nodes different labels",
                    )
                elif list(other.actions) != list(first.actions):
                    self.report(
                        path,
                        f"infoset {label!r}: node {other_id!r} offers {list(other.actions)} but "
                        f"{members[0]!r} offers {list(first.actions)}",
                        "nodes an actor cannot tell apart must offer the same actions, in the same order",
                    )
        return labels

    def _policy(
        self,
        name: str,
        policy: Policy,
        actors: dict[str, Actor],
        nodes: dict[str, Node],
        labels: dict[str, list[str]],
    ) -> None:
        path = ("policies", name)
        if policy.actor not in actors:
            self.report((*path, "actor"), f"unknown actor {policy.actor!r}", _suggest(policy.actor, actors))
            return
        for target, choice in policy.choose.items():
            where = (*path, "choose", target)
            members = labels.get(target) or ([target] if target in nodes else [])
            decision = nodes[members[0]] if members else None
            if not isinstance(decision, Decision):
                self.report(
                    where,
                    f"{target!r} is not a decision node or infoset label",
                    _suggest(target, nodes),
                )
                continue
            if decision.actor != policy.actor:
                self.report(
                    where,
                    f"policy for {policy.actor} sets {target!r}, where {decision.actor} moves",
                    f"a policy may only choose at {policy.actor}'s own nodes",
                )
                continue
            probs = {choice: 1.0} if isinstance(choice, str) else choice
            for action in probs:
                if action not in decision.actions:
                    self.report(
                        where,
                        f"{target!r} has no action {action!r}",
                        _suggest(action, decision.actions),
                    )
            values = np.array(list(probs.values()), dtype=float)
            if np.any(values < 0) or abs(values.sum() - 1.0) > PROBABILITY_TOLERANCE:
                self.report(
                    where,
                    f"probabilities at {target!r} sum to {values.sum():g}",
                    "make them non-negative and sum to 1",
                )

    def _levels(self, value: Any) -> list[float]:
        numbers = value if isinstance(value, list) else [value]
        if not all(isinstance(x, int | float) and not isinstance(x, bool) and np.isfinite(x) for x in numbers):
            self.report(("escalation_levels",), "levels must be a list of numbers", "write e.g. [5, 7]")
            return []
        if sorted(set(numbers)) != numbers:
            self.report(("escalation_levels",), f"levels {numbers} do not increase", "write them in increasing order")
        return [float(x) for x in numbers]

    def _outcome(
        self, name: str, outcome: Outcome, nodes: dict[str, Node], attributes: dict[str, str], parameters: dict
    ) -> None:
        path = ("outcomes", name)
        for index, step in enumerate(outcome.path):
            node_id, _, move = step.partition(".")
            node = nodes.get(node_id)
            if node is None:
                self.report((*path, "path", index), f"unknown node {node_id!r}", _suggest(node_id, nodes))
                continue
            moves = node.actions if isinstance(node, Decision) else node.chance if isinstance(node, Chance) else {}
            if move and move not in moves:
                self.report(
                    (*path, "path", index),
                    f"{node_id!r} has no move {move!r}",
                    _suggest(move, moves, "moves") + " — write 'node.move', or 'node' for passing through it",
                )
        if outcome.when is not None:
            known = set(attributes) | set(parameters) | self.declared_parameters
            self._formula(outcome.when, known, (*path, "when"), "attributes and parameters")

    def _mechanism(
        self,
        name: str,
        mechanism: Mechanism,
        nodes: dict[str, Node],
        parameters: dict,
        points: dict[str, np.ndarray],
        actors: dict[str, Actor],
        dynamics: Dynamics | None,
    ) -> None:
        """A mechanism's pins and removals known, and its knocked-out scenario passing the tree's checks and
        the dynamics', as ``--set``'s values do (in a scenario without a tree, removals are reported by
        :meth:`_numbers_only`)."""
        path = ("mechanisms", name)
        known = set(parameters) | self.declared_parameters
        for parameter, expression in mechanism.fix.items():
            if parameter not in known:
                hint = _suggest(parameter, parameters)
                self.report((*path, "fix", parameter), f"unknown parameter {parameter!r}", hint)
            self._formula(expression, known, (*path, "fix", parameter), "parameters")
        refs = effect_refs(nodes)
        for index, ref in enumerate(mechanism.remove if self.has_tree else []):
            if ref not in refs:
                self.report(
                    (*path, "remove", index),
                    f"no effect {ref!r} in the tree",
                    _suggest(ref, refs, "effects") + ": write 'node.move.attribute' (at an end 'node.outcome.name')",
                )
        fixes = {p: e for p, e in mechanism.fix.items() if p in points and e.names <= set(points)}
        if not fixes or len(fixes) < len(mechanism.fix):
            return
        # the knocked-out scenario must pass the same value checks as the file: probabilities in [0, 1] …
        knocked = dict(points)
        knocked |= {p: np.broadcast_to(np.asarray(e(points), dtype=float), (_TEST_POINTS,)) for p, e in fixes.items()}
        before = len(self.problems)
        self._probabilities(knocked, nodes)
        self._finite_formulas(knocked, actors, nodes)
        if dynamics is not None:
            self._dynamic_ranges(knocked, dynamics, list(actors))
        found, self.problems[before:] = self.problems[before:], []
        first = next(iter(fixes))
        for problem in found:
            self.report(
                (*path, "fix", first),
                f"with {name} knocked out, {problem.message} (at line {problem.line})",
                "pin the parameters to values the scenario allows",
            )

    def _numbers_only(self, name: str, mechanism: Mechanism) -> None:
        """A scenario without a tree knocks a mechanism out by pins to numbers alone."""
        path = ("mechanisms", name)
        if mechanism.remove:
            self.report(
                (*path, "remove"),
                f"mechanism {name!r} removes effects, but this scenario has no game tree to remove them from",
                "switch it off with 'fix:' parameters pinned to numbers (e.g. fix: {some_cost: 0})",
            )
        for parameter, expression in mechanism.fix.items():
            if expression.names:
                self.report(
                    (*path, "fix", parameter),
                    f"mechanism {name!r} pins {parameter!r} to a formula ({expression.source!r}); a dynamic "
                    "scenario's mechanisms pin parameters to numbers",
                    f"give {parameter!r} a number, e.g. '{parameter}: 0'",
                )

    def _output(self, output: str, outputs: _Outputs, path: Path) -> None:
        problem = outputs.problem(output)
        if problem is not None:
            self.report(path, *problem)

    def _claim(
        self,
        name: str,
        claim: Claim,
        nodes: dict[str, Node],
        policies: dict[str, Policy],
        outputs: _Outputs,
        mechanisms: dict[str, Mechanism],
    ) -> None:
        if claim.output is not None:
            self._output(claim.output, outputs, ("claims", name, "output"))
        for side in ("lower", "higher"):
            side_output = getattr(claim, side).output
            if side_output is not None:
                self._output(side_output, outputs, ("claims", name, side, "output"))
        if claim.lower == claim.higher:
            self.report(
                ("claims", name), f"claim {name!r} compares a condition with itself", "make 'lower' and 'higher' differ"
            )
        self._because(claim.because, mechanisms, ("claims", name, "because"))
        for side in ("lower", "higher"):
            condition: Condition = getattr(claim, side)
            path = ("claims", name, side)
            if condition.policy is not None and condition.policy not in policies:
                self.report(
                    (*path, "policy"), f"unknown policy {condition.policy!r}", _suggest(condition.policy, policies)
                )
            for node_id, branch in condition.force.items():
                node = nodes.get(node_id)
                if node is None:
                    self.report((*path, "force", node_id), f"unknown node {node_id!r}", _suggest(node_id, nodes))
                elif not isinstance(node, Chance):
                    chance = [n for n, x in nodes.items() if isinstance(x, Chance)]
                    self.report(
                        (*path, "force", node_id),
                        f"{node_id!r} is not a chance node: only chance nodes can be forced",
                        _suggest(node_id, chance, "chance nodes") if chance else "the tree has no chance node",
                    )
                elif branch not in node.chance:
                    self.report(
                        (*path, "force", node_id),
                        f"{node_id!r} has no branch {branch!r}",
                        _suggest(branch, node.chance),
                    )

    def _record(
        self,
        record: Record,
        root: str | None,
        nodes: dict[str, Node],
        parameters: dict,
        points: dict[str, np.ndarray],
        outputs: _Outputs,
    ) -> None:
        known = set(parameters) | self.declared_parameters
        self._formula(record.rationality, known, ("record", "rationality"), "parameters")
        if record.rationality.names <= set(points):
            lam = np.broadcast_to(np.asarray(record.rationality(points), dtype=float), (_TEST_POINTS,))
            bad = ~(np.isfinite(lam) & (lam >= 0))
            if bad.any():
                point = int(np.argmax(bad))
                self.report(
                    ("record", "rationality"),
                    f"the logit precision {record.rationality.source!r} is {lam[point]:.4g} when "
                    f"{_describe(points, point, record.rationality.names)}",
                    "λ must be a finite number ≥ 0 (0: choices at random; large: nearly best replies)",
                )
        if record.observed and not nodes:
            self.report(("record", "observed"), "observed moves need a game tree", "add 'root:' and 'nodes:'")
            return
        seen: dict[str, int] = {}
        steps = []
        infosets = {
            label: members
            for label, members in self._infosets(nodes).items()
            if label not in nodes  # a label that is also a node id names the node
        }
        for index, observation in enumerate(record.observed):
            path = ("record", "observed", index)
            if index and period_end(observation.date) < period_end(record.observed[index - 1].date):
                self.report(
                    (*path, "date"),
                    f"{observation.date} comes before the observation above it ({record.observed[index - 1].date})",
                    "list the observations in the order they became known (2024-10 counts as the end of October)",
                )
            node_id, _, move = observation.move.partition(".")
            node = nodes.get(node_id)
            if node is None and node_id in infosets:  # a move at an information set, wherever in it
                node = nodes[infosets[node_id][0]]
            if node is None:
                known = [*nodes, *infosets]
                self.report((*path, "move"), f"unknown node or information set {node_id!r}", _suggest(node_id, known))
                continue
            if isinstance(node, Terminal):
                self.report((*path, "move"), f"{node_id!r} is an end: no move is made there", "observe a move")
                continue
            moves = node.actions if isinstance(node, Decision) else node.chance
            if move not in moves:
                self.report((*path, "move"), f"{node_id!r} has no move {move!r}", _suggest(move, moves, "moves"))
                continue
            if node_id in seen:
                self.report(
                    (*path, "move"),
                    f"{node_id!r} is observed twice (also in observation {seen[node_id] + 1})",
                    "a node is passed once in a play of the tree: keep one observation of it",
                )
                continue
            seen[node_id] = index
            steps.append([(member, move) for member in infosets.get(node_id, [node_id])])
        if steps and root in nodes and len(steps) == len(record.observed) and not _on_one_path(root, nodes, steps):
            first = next(j for j in range(1, len(steps) + 1) if not _on_one_path(root, nodes, steps[:j]))
            self.report(
                ("record", "observed", first - 1, "move"),
                f"{record.observed[first - 1].move!r} cannot happen in one play of the tree with the moves "
                f"observed before it ({', '.join(o.move for o in record.observed[: first - 1])})",
                "check that this node lies below the moves observed before it, on the branches they took",
            )
        for index, rate in enumerate(record.base_rates):
            self._output(f"P({rate.outcome})", outputs, ("record", "base_rates", index, "outcome"))
        for name, question in record.questions.items():
            self._output(f"P({question.outcome})", outputs, ("record", "questions", name, "outcome"))

    def _acyclic_and_reachable(self, root: str, nodes: dict[str, Node]) -> bool:
        """Depth-first search with an explicit stack (a long chain of nodes must not exhaust Python's)."""
        state: dict[str, int] = {root: 1}  # 1 = on the current path, 2 = done
        trail = [root]
        stack = [iter(_moves(root, nodes[root]))]
        ok = True
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[trail.pop()] = 2
                stack.pop()
                continue
            path, target = step
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target) :], target]
                self.report(
                    path,
                    "the tree has a cycle: " + " -> ".join(cycle),
                    "a crisis tree must end: point one of these moves to an end node",
                )
                ok = False
            elif target not in state:
                state[target] = 1
                trail.append(target)
                stack.append(iter(_moves(target, nodes[target])))
        for node_id in nodes:
            if node_id not in state:
                self.report(
                    ("nodes", node_id),
                    f"node {node_id!r} cannot be reached from the root {root!r}",
                    "lead a move to it, or delete it",
                )
                ok = False
        return ok

    def _perfect_recall(self, root: str, nodes: dict[str, Node]) -> None:
        """Walk every history; nodes of one infoset must share the mover's own past moves."""
        seen: dict[str, tuple[str, tuple]] = {}  # label -> (first node, own history)
        reported: set[str] = set()
        count = 0
        for node_id, history in _walk(root, nodes):
            count += 1
            if count > MAX_TREE_NODES:
                self.report(
                    ("nodes",),
                    f"the tree unfolds to more than {MAX_TREE_NODES:,} nodes",
                    "share fewer sub-trees, or split the scenario",
                )
                return
            node = nodes[node_id]
            if not isinstance(node, Decision) or node.infoset is None:
                continue
            own = history.get(node.actor, ())
            first = seen.setdefault(node.infoset, (node_id, own))
            if first[1] != own and node.infoset not in reported:
                reported.add(node.infoset)
                self.report(
                    ("nodes", node_id, "infoset"),
                    f"infoset {node.infoset!r}: {node.actor} would forget its own earlier moves "
                    f"(node {node_id!r} and node {first[0]!r} follow different choices of "
                    f"{node.actor}, so the game lacks perfect recall)",
                    "give these nodes different infoset labels",
                )

    def _finite_formulas(self, env: dict[str, np.ndarray], actors: dict[str, Actor], nodes: dict[str, Node]) -> None:
        """Formulas of parameters alone (utility weights, effects, outcomes, payoffs) must give finite
        numbers of a sane size at the test points ``env``: '1/0', 'log(0)' or '10**400' would be "solved"."""
        formulas: list[tuple[Path, Expression]] = [
            (("actors", index, "utility", key), expression)
            for index, actor in enumerate(actors.values())
            for key, expression in actor.utility.items()
        ]
        for node_id, node in nodes.items():
            if isinstance(node, Terminal):
                formulas += [(("nodes", node_id, "outcome", k), e) for k, e in node.outcome.items()]
                formulas += [(("nodes", node_id, "payoffs", k), e) for k, e in node.payoffs.items()]
            else:
                moves = node.actions if isinstance(node, Decision) else node.chance
                for name, move in moves.items():
                    kind = "actions" if isinstance(node, Decision) else "chance"
                    formulas += [(("nodes", node_id, kind, name, "effects", k), e) for k, e in move.effects.items()]
        for path, expression in formulas:
            if not expression.names <= set(env):
                continue  # reads attributes (checked once compiled) or unknown names (reported already)
            value = np.broadcast_to(np.asarray(expression(env), dtype=float), (_TEST_POINTS,))
            wild = beyond_magnitude(value)
            if wild.any():
                point = int(np.argmax(wild))
                self.report(
                    path,
                    f"{expression.source!r} is {value[point]:.4g} when {_describe(env, point, expression.names)}",
                    f"keep formulas finite and below {MAX_MAGNITUDE:.0e} in size (no division by zero, log(0), "
                    "or huge powers)",
                )

    def _probabilities(self, env: dict[str, np.ndarray], nodes: dict[str, Node]) -> None:
        for node_id, node in nodes.items():
            if not isinstance(node, Chance) or any(not b.p.names <= set(env) for b in node.chance.values()):
                continue  # unknown names are reported already
            probs = np.array([np.broadcast_to(b.p(env), (_TEST_POINTS,)) for b in node.chance.values()])
            reads = frozenset().union(*(b.p.names for b in node.chance.values()))
            outside = (probs < -PROBABILITY_TOLERANCE) | (probs > 1 + PROBABILITY_TOLERANCE)
            outside |= ~np.isfinite(probs)  # (branches, points)
            total = probs.sum(axis=0)
            bad_sum = np.flatnonzero(np.abs(total - 1.0) > 1e-6)
            if outside.any():
                branch, point = np.argwhere(outside)[0]
                name = list(node.chance)[branch]
                self.report(
                    ("nodes", node_id, "chance", name, "p"),
                    f"probability of {name!r} is {probs[branch, point]:.4g}, outside [0, 1], "
                    f"when {_describe(env, point, reads)}",
                    "write probabilities that stay in [0, 1] over each parameter's range (e.g. clip(x, 0, 1))",
                )
            elif bad_sum.size:
                point = bad_sum[0]
                self.report(
                    ("nodes", node_id, "chance"),
                    f"probabilities of chance node {node_id!r} sum to {total[point]:.6g}, not 1, "
                    f"when {_describe(env, point, reads)}",
                    "make the branches complementary, e.g. 'p' and '1 - p'",
                )


_TEST_POINTS = 65
_IDENT_HINT = "use letters, digits and underscores, starting with a letter"


class _Outputs:
    """What the scenario's claims and objectives may name: P(outcome), value(ACTOR), escalation."""

    def __init__(self, attributes: dict, outcomes: dict, actors: dict, levels: list[float]) -> None:
        self.escalation = "escalation" in attributes
        self.outcomes = outcomes
        self.actors = actors
        self.levels = levels

    def problem(self, output: str) -> tuple[str, str] | None:
        """(message, hint) when ``output`` names something the scenario lacks."""
        named = probability_of(output)
        if named is not None:
            event, given = named
            for name in (event, given):
                if name is not None and name not in self.outcomes:
                    hint = _suggest(name, self.outcomes, "outcomes") + " (under 'outcomes:')"
                    return f"unknown outcome {name!r}", hint
            if event == given:
                return f"{output!r} conditions an outcome on itself (1 where defined)", "condition on another outcome"
        elif output.startswith("value("):
            actor = output[6:-1]
            if actor not in self.actors:
                return f"unknown actor {actor!r}", _suggest(actor, self.actors, "actors")
        elif not self.escalation:
            hint = "declare one under attributes, or name an outcome: P(name)"
            return f"{output!r} needs an 'escalation' attribute", hint
        return None


def beyond_magnitude(values: np.ndarray) -> np.ndarray:
    """Where numbers are not finite or reach MAX_MAGNITUDE in size (NaN counts: it compares false)."""
    return ~(np.abs(values) < MAX_MAGNITUDE)


def _test_points(parameters: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each parameter's mean, then 64 quasi-random points spread over its 0.1%–99.9% range."""
    names = sorted(parameters)
    if not names:
        return {}
    quantiles = 0.001 + 0.998 * _halton(_TEST_POINTS - 1, len(names))
    return {
        name: np.concatenate([[parameters[name].mean()], parameters[name].ppf(quantiles[:, i])])
        for i, name in enumerate(names)
    }


def _halton(n: int, dimensions: int) -> np.ndarray:
    """(n, d) the first n points of the Halton sequence (radical inverses in the first d primes), from the
    corner 0. Written here rather than taken from scipy.stats.qmc, whose import costs a second of every
    `escalade validate`; for checking formulas at 64 well-spread points the difference does not matter."""
    primes: list[int] = []
    candidate = 2
    while len(primes) < dimensions:
        if all(candidate % p for p in primes if p * p <= candidate):
            primes.append(candidate)
        candidate += 1
    points = np.zeros((n, dimensions))
    for j, base in enumerate(primes):
        for i in range(n):
            index, fraction, value = i, 1.0, 0.0
            while index:
                fraction /= base
                value += fraction * (index % base)
                index //= base
            points[i, j] = value
    return points


def _describe(env: dict[str, np.ndarray], point: int, names: frozenset[str]) -> str:
    """The values of the parameters a formula reads at one test point."""
    shown = [name for name in env if name in names]
    if not shown:
        return "evaluated"
    return ", ".join(f"{name}={env[name][point]:.4g}" for name in shown)


def _moves(node_id: str, node: Node) -> list[tuple[Path, str]]:
    """(path of the move in the file, target node) for each move out of ``node``."""
    if isinstance(node, Decision):
        return [(("nodes", node_id, "actions", a), x.next) for a, x in node.actions.items()]
    if isinstance(node, Chance):
        return [(("nodes", node_id, "chance", b), x.next) for b, x in node.chance.items()]
    return []


def _walk(root: str, nodes: dict[str, Node]) -> Iterator[tuple[str, dict[str, tuple]]]:
    """Every node copy of the unfolded tree with each actor's own (infoset, action) history.

    A labelled node's infoset is its label; an unlabelled node's is its position in the tree.
    """
    stack: list[tuple[str, tuple[str, ...], dict[str, tuple]]] = [(root, (), {})]
    while stack:
        node_id, position, history = stack.pop()
        yield node_id, history
        node = nodes[node_id]
        if isinstance(node, Decision):
            infoset = node.infoset if node.infoset is not None else position
            for name, action in node.actions.items():
                own = {**history, node.actor: (*history.get(node.actor, ()), (infoset, name))}
                stack.append((action.next, (*position, name), own))
        elif isinstance(node, Chance):
            for name, branch in node.chance.items():
                stack.append((branch.next, (*position, name), history))


def _on_one_path(root: str, nodes: dict[str, Node], steps: list[list[tuple[str, str]]]) -> bool:
    """Whether some play from ``root`` to an end takes every step of ``steps``, each one of its (node,
    move) alternatives (several for a move at an information set): the sets of steps a play below each
    node can take, as bit masks, from the ends up (nodes are shared, so memoised)."""
    bit: dict[tuple[str, str], int] = {}
    for i, alternatives in enumerate(steps):
        for alternative in alternatives:
            bit[alternative] = bit.get(alternative, 0) | 1 << i
    found: dict[str, set[int]] = {}
    stack = [(root, False)]
    while stack:  # depth first, each node after the nodes below it
        node_id, expanded = stack.pop()
        if node_id in found or node_id not in nodes:
            continue
        targets = [target for _, target in _moves(node_id, nodes[node_id])]
        if not expanded:
            stack.append((node_id, True))
            stack.extend((target, False) for target in targets if target not in found)
            continue
        node = nodes[node_id]
        moves = node.actions if isinstance(node, Decision) else node.chance if isinstance(node, Chance) else {}
        masks = set() if moves else {0}
        for move, item in moves.items():
            own = bit.get((node_id, move), 0)
            masks |= {mask | own for mask in found.get(item.next, {0})}
        found[node_id] = masks
    return (1 << len(steps)) - 1 in found[root]


def _is_identifier(name: str) -> bool:
    return re.fullmatch(IDENTIFIER, name) is not None


def _suggest(name: str, known: Any, what: str = "names") -> str:
    options = sorted(str(k) for k in known)
    close = difflib.get_close_matches(str(name), options, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if not options:
        return f"no {what} are defined"
    shown = ", ".join(options[:12]) + (", …" if len(options) > 12 else "")
    return f"known {what}: {shown}"


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names allowed at ``loc`` inside ``model`` (best effort, for hints)."""

    def is_model(kind: Any) -> bool:
        return isinstance(kind, type) and issubclass(kind, BaseModel)

    current: Any = model
    for part in loc:
        if is_model(current):
            field = current.model_fields.get(part)
            if field is None:
                break
            current = field.annotation
        else:  # a mapping's or a list's entry: its value type (dict[Name, Move] -> Move)
            args = getattr(current, "__args__", ())
            if not args:
                break
            current = args[-1]
        if getattr(current, "__origin__", None) not in (dict, list):  # an optional model is the model
            models = [arg for arg in getattr(current, "__args__", ()) if is_model(arg)]
            current = models[-1] if models else current
    fields = getattr(current, "model_fields", {})
    return [field.alias or name for name, field in fields.items()]
