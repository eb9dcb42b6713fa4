"""The web explorer: move parameter sliders, compare courses of action, sweep the uncertainty around the
sliders, play one actor against the solution, run a dynamic scenario forward, edit and save the scenario.

``escalade serve [FILE]`` starts it on localhost. A small FastAPI app serves one page (``explorer.html``
beside this module: inline script and style, no CDN; Plotly's script comes from the installed package at
``/assets/plotly.min.js``), its API described at ``/docs`` (a page built here from ``/openapi.json``):

- ``GET /api/scenario``: title, kind (tree or rounds), parameters (range = each distribution's 1%–99%
  quantiles), policies, actors, YAML;
- ``POST /api/solve``: parameter values and a policy in, the subgame-perfect equilibrium out (likely
  paths, escalation probabilities, expected utilities, the tree, verified regret);
- ``POST /api/compare``: every course of action solved at the sliders, side by side;
- ``POST /api/sweep``: a few hundred draws with each parameter uniform in a window around its slider,
  every course on the same draws: means with 95% intervals and the 5–95% spread across draws;
- ``POST /api/play``: the user's choices for one actor so far in, the next decision or the debrief out;
- ``POST /api/rounds``: a dynamic scenario run forward at the sliders under each course: fan charts;
- ``POST /api/scenario``: new YAML in; if valid it becomes this browser's scenario, otherwise the
  problems come back with their lines (HTTP 422).

Bad input never reaches the solver and never costs a 500: values pass the scenario's own checks
first, and every refusal is JSON, ``{"error": "summary", "errors": [{"field", "message", "hint",
"line"}]}``, whatever the endpoint. Requests must name this server as their Host (a web page that
rebinds its DNS name to 127.0.0.1 is turned away) and carry at most :data:`MAX_BODY` bytes. Each
browser edits its own copy of the scenario (a client id in an HttpOnly cookie), so one visitor's
edit never changes what another sees.
"""

from __future__ import annotations

import functools
import html
import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Annotated, Any, TypeVar

import numpy as np
import plotly.io as pio
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalade.analyze import likely_paths
from escalade.analyze.play import PlayError, play
from escalade.game import Tree, compile_game, compile_tree, event_matrix, outcome_paths
from escalade.pipeline import (
    SEED,
    DynamicRequest,
    PointRequest,
    RequestError,
    Settings,
    StaticRequest,
    analyse,
    first_solution,
    point_outcomes,
    simulate,
    terminal_events,
)
from escalade.report.charts import PALETTE, fan_chart, policy_chart, tree_outline
from escalade.scenario import Problem, Scenario, ScenarioError, loads, override
from escalade.simulate import EQUILIBRIUM, ESCALATION
from escalade.solve import Solution, SolverError
from escalade.version import __version__

MAX_BODY = 1_000_000  # bytes: a scenario is tens of kilobytes, a solve request a few hundred bytes
MAX_CLIENTS = 64  # edited scenarios kept at once; the least recently used is forgotten first
MAX_ERRORS = 20  # field errors listed in one answer
MAX_SWEEP = 2048  # draws of one "sweep here": 256 answer in well under 2 s for the shipped tree scenarios
MAX_CHOICES = 500  # a play's choices: far beyond any shipped tree's depth
MAX_RUNS = 16_384  # trajectories per course in the rounds view
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "[::1]")  # Host names, without the port
COOKIE = "escalade_client"
USER_ERRORS = (SolverError, ValueError, ArithmeticError, MemoryError, RecursionError)
R = TypeVar("R", bound=Response)
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
_SHAPES = {
    "/api/solve": 'send {"values": {"name": number, …}, "policy": "name" or null}',
    "/api/compare": 'send {"values": {"name": number, …}}',
    "/api/sweep": 'send {"values": {…}, "draws": 16 to 2048, "spread": 0 to 1, "seed": whole number}',
    "/api/play": 'send {"values": {…}, "policy": "name" or null, "actor": "id", "choices": ["action", …], "seed": n}',
    "/api/rounds": 'send {"values": {…}, "runs": 64 to 16384}',
    "/api/scenario": 'send {"yaml": "the scenario text"}',
}


class PointValues(BaseModel):
    """Parameter values (missing ones at their means); strict: true and "0.5" are mistakes, not numbers."""

    model_config = ConfigDict(extra="forbid")
    values: dict[str, StrictFloat] = {}


class SolveRequest(PointValues):
    """The equilibrium at the values, with ``policy`` scripting its actor (null: every actor free)."""

    policy: str | None = None


class SweepRequest(PointValues):
    """``draws`` draws, each parameter uniform within ± ``spread`` × (its 1–99% range) / 2 of its value."""

    draws: Annotated[StrictInt, Field(ge=16, le=MAX_SWEEP)] = 256
    spread: Annotated[StrictFloat, Field(gt=0, le=1)] = 0.2
    seed: Annotated[StrictInt, Field(ge=0)] = SEED


class PlayRequest(SolveRequest):
    """``actor``'s choices so far (action labels, in order); the other moves are drawn with ``seed``."""

    actor: str
    choices: Annotated[list[str], Field(max_length=MAX_CHOICES)] = []
    seed: Annotated[StrictInt, Field(ge=0)] = 0


class RoundsRequest(PointValues):
    """A dynamic scenario at the values, ``runs`` trajectories per course of action."""

    runs: Annotated[StrictInt, Field(ge=64, le=MAX_RUNS)] = 1024


class ScenarioRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: str


@dataclass(frozen=True)
class _State:
    scenario: Scenario
    text: str


@dataclass(frozen=True)
class Client:
    """Who is asking: the id from the cookie, or a fresh one (``new``: the answer must set it)."""

    id: str
    new: bool


class BadRequest(Exception):
    """A request refused with field errors; the app's handler answers it as JSON with ``status``."""

    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "bad request")
        self.status = status
        self.errors = errors


def field_error(field: str | None, message: str, hint: str = "", line: int | None = None) -> dict[str, Any]:
    """One entry of an answer's ``errors``: the same four keys for every endpoint and every cause."""
    return {"field": field, "message": message, "hint": hint, "line": line}


def error_response(status: int, errors: list[dict[str, Any]], headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The refusal every endpoint sends: a one-line summary for people, the capped list for programs."""
    shown = errors[:MAX_ERRORS]
    if len(errors) > MAX_ERRORS:
        shown.append(field_error(None, f"… and {len(errors) - MAX_ERRORS:,} more", "fix these first"))
    summary = "; ".join(error["message"] for error in errors[:3]) + ("; …" if len(errors) > 3 else "")
    return JSONResponse({"error": summary, "errors": shown}, status_code=status, headers=headers)


def _short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters: a megabyte-long name must not come back in every error."""
    return text if len(text) <= limit else text[:limit] + "…"


def scenario_info(scenario: Scenario, text: str) -> dict[str, Any]:
    rounds = scenario.dynamics is not None
    tree = None if rounds else compile_tree(scenario)
    parameters = []
    unread = set() if tree is None else record_only(scenario, tree)
    for name, param in scenario.parameters.items():
        low, high = (float(v) for v in param.ppf(np.array([0.01, 0.99])))
        parameters.append(
            {
                "name": name,
                "dist": param.dist,
                "mean": param.mean(),
                "min": low,
                "max": high,
                "doc": param.doc,
                "record_only": name in unread,
            }
        )
    # the actors who decide somewhere in the tree: the ones a user can play
    movers = scenario.actor_ids if tree is None else [tree.players[a] for a in tree.movers()]
    return {
        "title": scenario.title,
        "name": scenario.name,
        "kind": "rounds" if rounds else "tree",
        "parameters": parameters,
        "policies": list(scenario.dynamics.policies if rounds else scenario.policies),
        "actors": scenario.actor_ids,
        "movers": movers,
        "policy_actors": {} if rounds else {name: policy.actor for name, policy in scenario.policies.items()},
        "yaml": text,
    }


def record_only(scenario: Scenario, tree: Tree) -> set[str]:
    """The parameters only the record's logit precision reads (a tree scenario's ``record: rationality``;
    ``tree`` its compiled tree): nothing the explorer solves depends on them, so their sliders are shown
    disabled. A parameter counts only if moving it to its 1% and to its 99% point leaves the compiled game
    and where each outcome holds exactly as at the means."""
    if scenario.record is None:
        return set()
    outcomes = scenario.events()
    paths = outcome_paths(tree, outcomes)
    central = scenario.central_values()

    def solved_from(values: Mapping[str, float]) -> list[np.ndarray]:
        game = compile_game(scenario, values, tree)
        return [game.payoff, game.chance_prob, game.outcome, event_matrix(game, outcomes, values, scenario, paths)]

    base = solved_from(central)
    unread = set()
    for name in scenario.record.rationality.names & set(scenario.parameters):
        ends = (float(end) for end in scenario.parameters[name].ppf(np.array([0.01, 0.99])))
        moved = (solved_from(central | {name: end}) for end in ends)
        if all(all(np.array_equal(a, b) for a, b in zip(base, arrays, strict=True)) for arrays in moved):
            unread.add(name)
    return unread


def pinned(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """``scenario`` with ``values`` pinned, checked by the scenario's own rules before any solving (a
    probability of 1.7 once sent the solver on a minute-long walk that ended in a 500)."""
    unknown = [name for name in values if name not in scenario.parameters]
    if unknown:
        known = "known: " + ", ".join(scenario.parameters)
        errors = [field_error(f"values.{_short(n)}", f"unknown parameter {_short(n)!r}", known) for n in unknown]
        raise BadRequest(400, errors)
    try:
        return override(scenario, pins=values)
    except ScenarioError as exc:
        raise BadRequest(400, [_value_error(problem, values) for problem in exc.problems]) from None


def _value_error(problem: Problem, values: Mapping[str, float]) -> dict[str, Any]:
    """A pinned value's problem, on the one value it names: override prefixes a failed check with every
    pin ('with a = 1, b = 2: …'), so only the part after that says which value is at fault."""
    message = problem.message.split(": ", 1)[-1] if problem.message.startswith("with ") else problem.message
    named = [name for name in values if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message)]
    return field_error(f"values.{named[0]}" if len(named) == 1 else "values", message, problem.hint)


def _measured(scenario: Scenario, solution: Solution) -> dict[str, Any]:
    """What one solution gives, as the explorer shows it: P(each named outcome), each actor's expected
    utility, the expected escalation (where the scenario has the attribute) and the verified regret."""
    game = solution.game
    result: dict[str, Any] = {
        "outcomes": point_outcomes(scenario, solution),
        "values": dict(zip(game.tree.players, solution.values[0].tolist(), strict=True)),
        "max_regret": float(solution.max_regret[0]),
    }
    if ESCALATION in game.attributes:
        levels = game.outcome[0, :, game.attributes.index(ESCALATION)]
        result["expected_escalation"] = float(solution.outcome_probs[0] @ levels)
    return result


def _solved(scenario: Scenario, policy: str | None) -> Solution:
    """The pipeline's point solution, a request it refuses as a 400 on ``policy``."""
    try:
        return first_solution(scenario, PointRequest(policy=policy))
    except RequestError as exc:
        raise BadRequest(400, [field_error("policy", _short(problem, 500)) for problem in exc.problems]) from None


def _tree_only(scenario: Scenario) -> None:
    if scenario.root is None:
        message = f"{scenario.name} is dynamic only: it has rounds, not a game tree"
        raise BadRequest(422, [field_error(None, message, "use the rounds view (POST /api/rounds)")])


def solve_point(scenario: Scenario, values: Mapping[str, float], policy: str | None) -> dict[str, Any]:
    """The equilibrium at one parameter point (missing parameters at their means), solved by the
    pipeline; :class:`BadRequest` for values or a policy the scenario does not allow."""
    _tree_only(scenario)
    scenario = pinned(scenario, values)
    solution = _solved(scenario, policy)
    paths = [
        {"probability": row.probability, "moves": row.moves, "escalation": row.attributes.get(ESCALATION)}
        for row in likely_paths(solution)
    ]
    return {"paths": paths, **_measured(scenario, solution), "tree": tree_outline(solution)}


def compare_courses(scenario: Scenario, values: Mapping[str, float]) -> dict[str, Any]:
    """Every course of action solved at the point, side by side: the free equilibrium, then each policy."""
    _tree_only(scenario)
    scenario = pinned(scenario, values)
    courses = [{"course": EQUILIBRIUM, "actor": None, **_measured(scenario, _solved(scenario, None))}]
    for name, policy in scenario.policies.items():
        courses.append({"course": name, "actor": policy.actor, **_measured(scenario, _solved(scenario, name))})
    return {"courses": courses}


def sweep_here(scenario: Scenario, request: SweepRequest) -> dict[str, Any]:
    """Every course on ``request.draws`` draws around the point: each uncertain parameter uniform within
    ± spread/2 of its 1–99% range around its value (clipped to its support), the others fixed; the
    pipeline's analysis without sensitivity, claims or conditioning, so it answers in about a second."""
    _tree_only(scenario)
    pinned(scenario, request.values)  # the values pass the scenario's own checks first
    ranges, pins = {}, {}
    for name, param in scenario.parameters.items():
        if param.dist == "fixed":
            continue
        low, high, floor, ceiling = (float(v) for v in param.ppf(np.array([0.01, 0.99, 0.0, 1.0])))
        centre, half = request.values.get(name, param.mean()), request.spread * (high - low) / 2
        window = (max(centre - half, floor), min(centre + half, ceiling))
        if window[1] > window[0]:
            ranges[name] = window
        else:  # an empty window stays at its slider (or its mean), never back on its prior
            pins[name] = centre
    bare = scenario.model_copy(update={"claims": [], "record": None})
    settings = Settings(pins=pins, ranges=ranges)
    analysis_request = StaticRequest(
        draws=request.draws, seed=request.seed, sensitivity=0, knockouts=False, ablation=False, condition=False,
        settings=settings,
    )  # fmt: skip
    try:
        analysis = analyse(bare, analysis_request)
    except RequestError as exc:
        raise BadRequest(400, [field_error(None, _short(problem, 500)) for problem in exc.problems]) from None
    courses = []
    for runs, row in zip(analysis.runs, analysis.rows, strict=True):
        # the rows in the order of the point comparison: outcomes, the expected escalation, each actor
        spread = {f"P({name})": runs.measure(f"P({name})") for name in row.outcomes}
        estimates = {f"P({name})": estimate for name, estimate in row.outcomes.items()}
        if row.expected_escalation is not None:
            estimates["E[escalation]"] = row.expected_escalation
            spread["E[escalation]"] = runs.expected_escalation
        spread |= {f"E[{actor}]": runs.actor_values[:, a] for a, actor in enumerate(runs.tree.players)}
        estimates |= {f"E[{actor}]": estimate for actor, estimate in row.values.items()}
        outputs = {
            output: {"mean": e.mean, "low": e.low, "high": e.high, "q05": float(np.quantile(spread[output], 0.05)),
                     "q95": float(np.quantile(spread[output], 0.95))}
            for output, e in estimates.items()
        }  # fmt: skip
        actor = scenario.policies[row.policy].actor if row.policy in scenario.policies else None
        courses.append(
            {"course": row.policy, "actor": actor, "outputs": outputs, "max_regret": float(runs.max_regret.max())}
        )
    return {
        "draws": request.draws,
        "seed": request.seed,
        "ranges": {name: list(window) for name, window in ranges.items()},
        "courses": courses,
        "recommendations": [
            {
                "actor": r.actor,
                "objective": r.objective,
                "preferred": r.best,
                "runner_up": r.runner_up,
                "difference": str(r.difference.difference),
            }
            for r in analysis.recommendations
        ],
        "figure": json.loads(pio.to_json(policy_chart(analysis))),
    }


def play_turn(scenario: Scenario, request: PlayRequest) -> dict[str, Any]:
    """The user's next decision as ``request.actor`` (or the debrief once play ends), the other moves
    drawn from the solution at the point."""
    _tree_only(scenario)
    scenario = pinned(scenario, request.values)
    solution = _solved(scenario, request.policy)
    try:
        state = play(solution, request.actor, request.choices, request.seed, terminal_events(scenario, solution))
    except PlayError as exc:
        field = "actor" if "makes no move" in str(exc) else "choices"
        raise BadRequest(400, [field_error(field, _short(str(exc), 500))]) from None
    answer: dict[str, Any] = {**asdict(state), "pending": None if state.pending is None else asdict(state.pending)}
    if state.ending is None:  # no peeking: what the solution does is the debrief's, once play is over
        for decision in [*answer["decisions"], answer["pending"]]:
            decision.pop("solved"), decision.pop("values")
        return answer
    paths = [{"probability": row.probability, "moves": row.moves} for row in likely_paths(solution)]
    return {**answer, "cost": state.cost, "paths": paths}


def run_rounds(scenario: Scenario, request: RoundsRequest) -> dict[str, Any]:
    """A dynamic scenario at the point: every course of action run forward ``request.runs`` times; per
    course a fan chart of the escalation level over rounds and its summary."""
    if scenario.dynamics is None:
        message = f"{scenario.name} has no rounds ('dynamics:')"
        raise BadRequest(422, [field_error(None, message, "use the tree views (compare, sweep, play)")])
    scenario = pinned(scenario, request.values)
    analysis = simulate(scenario, DynamicRequest(draws=1, runs=request.runs, knockouts=False))  # courses only
    # a share over no runs (no step up to reverse) is NaN, which JSON cannot carry: null
    summary = [
        {key: None if isinstance(value, float) and not np.isfinite(value) else value for key, value in row.items()}
        for row in analysis.summary().to_dict(orient="records")
    ]
    courses = []
    for i, (path, row) in enumerate(zip(analysis.paths, summary, strict=True)):
        figure = fan_chart(analysis, path, PALETTE[i % len(PALETTE)])
        courses.append({"course": path.label, "summary": row, "figure": json.loads(pio.to_json(figure))})
    return {"runs": request.runs, "rounds": analysis.rounds, "courses": courses}


def edited(text: str) -> Scenario:
    """The editor's text as a scenario (a game tree, or rounds: the loader requires one); :class:`BadRequest`
    (422) with each problem on its line otherwise."""
    try:
        new = loads(text, "editor")
    except ScenarioError as exc:
        raise BadRequest(422, [field_error("yaml", p.message, p.hint, p.line) for p in exc.problems]) from None
    except USER_ERRORS as exc:
        raise BadRequest(422, [field_error("yaml", f"cannot read this scenario: {_short(str(exc), 500)}")]) from None
    return new


def _rendered(build: Callable[[], dict[str, Any]], doing: str, hint: str) -> JSONResponse:
    """``build()`` as JSON, or a 422 saying why not: the solver giving up, a value it cannot take, memory
    running out, a number that is not finite (no JSON for it) are the user's answer, not a 500."""
    try:
        return JSONResponse(build())
    except USER_ERRORS as exc:
        message = f"cannot {doing}: {_short(str(exc), 500) or type(exc).__name__}"
        raise BadRequest(422, [field_error(None, message, hint)]) from None


def hosts_for(address: str) -> tuple[str, ...]:
    """The Host names to accept when serving on ``address``: the loopback names, plus the address itself
    when it is a specific one (a wildcard such as 0.0.0.0 is no name a browser would send)."""
    if address in ("", "0.0.0.0", "::"):
        return DEFAULT_HOSTS
    named = f"[{address}]" if ":" in address and not address.startswith("[") else address
    return tuple(dict.fromkeys((*DEFAULT_HOSTS, named.lower())))


class _Edits:
    """Each client's edited scenario, at most ``limit`` of them, the least recently used forgotten first;
    a client without an edit (or forgotten) sees the default. Locked: endpoints run in worker threads."""

    def __init__(self, default: _State, limit: int = MAX_CLIENTS) -> None:
        self.default = default
        self.limit = limit
        self._edits: OrderedDict[str, _State] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, client: str) -> _State:
        with self._lock:
            if client not in self._edits:
                return self.default
            self._edits.move_to_end(client)
            return self._edits[client]

    def put(self, client: str, state: _State) -> None:
        with self._lock:
            self._edits[client] = state
            self._edits.move_to_end(client)
            while len(self._edits) > self.limit:
                self._edits.popitem(last=False)


class BodyCap:
    """Refuse a body over ``limit`` bytes with 413 before anything parses it: a declared Content-Length is
    checked up front, a chunked body is counted as it arrives; the app gets the body replayed whole."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "0")
        if not (declared.isascii() and declared.isdigit()) or int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
            more = message.get("more_body", False)
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = field_error(None, f"the request is larger than {self.limit:,} bytes", "send a shorter scenario")
        await error_response(413, [error], {"Connection": "close"})(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the buffered body once, then listens for the disconnect as before."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _client(request: Request) -> Client:
    given = request.cookies.get(COOKIE, "")
    if _CLIENT_ID.fullmatch(given):
        return Client(given, new=False)
    return Client(secrets.token_urlsafe(16), new=True)


ClientId = Annotated[Client, Depends(_client)]


def _json_only(request: Request) -> None:
    """Refuse a POST not declared as JSON: another site's page may send text/plain without asking, but
    application/json needs a CORS preflight, which this server never grants."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise BadRequest(415, [field_error(None, "the body must be JSON", "send Content-Type: application/json")])


def _reply(response: R, client: Client) -> R:
    """``response``, giving a new client its id (HttpOnly: no script reads it; Strict: no other site sends it)."""
    if client.new:
        response.set_cookie(COOKIE, client.id, httponly=True, samesite="strict", path="/")
    return response


def _validation_errors(request: Request, exc: RequestValidationError) -> JSONResponse:
    hint = _SHAPES.get(request.url.path, "")
    errors = []
    for error in exc.errors()[: MAX_ERRORS + 1]:
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "")
            errors.append(field_error(None, f"the body is not valid JSON ({reason})", hint))
            continue
        field = ".".join(_short(str(part)) for part in error.get("loc", ()) if part != "body")
        errors.append(field_error(field or None, str(error.get("msg", "invalid")), hint))
    return error_response(422, errors)


def _add_handlers(app: FastAPI) -> None:
    """Every refusal as the same JSON; a genuine bug still answers 500, but as JSON and without details."""

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> JSONResponse:
        return error_response(exc.status, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_errors(request, exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        hint = _SHAPES.get(request.url.path, "")
        return error_response(exc.status_code, [field_error(None, str(exc.detail), hint)], exc.headers)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        error = field_error(None, f"internal error ({type(exc).__name__})", "please report it with the request")
        return error_response(500, [error])


def create_app(scenario: Scenario, text: str, allowed_hosts: Sequence[str] = DEFAULT_HOSTS) -> FastAPI:
    """The explorer for ``scenario`` (``text`` is its YAML, shown in the editor), answering only requests
    whose Host is one of ``allowed_hosts`` (names without the port; see :func:`hosts_for`)."""
    edits = _Edits(_State(scenario, text))
    app = FastAPI(title="escalade explorer", version=__version__, docs_url=None, redoc_url=None)
    app.add_middleware(BodyCap, limit=MAX_BODY)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False)
    _add_handlers(app)
    page_html = (resources.files("escalade.explorer") / "explorer.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse)
    def page(client: ClientId) -> HTMLResponse:
        return _reply(HTMLResponse(page_html), client)

    @app.get("/api/scenario")
    def get_scenario(client: ClientId) -> JSONResponse:
        """This browser's scenario: title, kind (tree or rounds), parameters with their ranges, YAML."""
        state = edits.get(client.id)
        return _reply(JSONResponse(scenario_info(state.scenario, state.text)), client)

    @app.post("/api/scenario", dependencies=[Depends(_json_only)])
    def put_scenario(request: ScenarioRequest, client: ClientId) -> JSONResponse:
        """Edited YAML: if valid, this browser's scenario from now on; otherwise its problems by line."""
        new = edited(request.yaml)
        response = _rendered(lambda: scenario_info(new, request.yaml), "use this scenario", "check its parameters")
        edits.put(client.id, _State(new, request.yaml))
        return _reply(response, client)

    back = "move the values back toward the defaults"

    @app.post("/api/solve", dependencies=[Depends(_json_only)])
    def post_solve(request: SolveRequest, client: ClientId) -> JSONResponse:
        """The equilibrium at the values: likely paths, P(each outcome), expected utilities, the tree."""
        scenario = edits.get(client.id).scenario
        response = _rendered(lambda: solve_point(scenario, request.values, request.policy), "solve at this point", back)
        return _reply(response, client)

    @app.post("/api/compare", dependencies=[Depends(_json_only)])
    def post_compare(request: PointValues, client: ClientId) -> JSONResponse:
        """Every course of action at the values, side by side (the free equilibrium first)."""
        scenario = edits.get(client.id).scenario
        return _reply(_rendered(lambda: compare_courses(scenario, request.values), "compare here", back), client)

    @app.post("/api/sweep", dependencies=[Depends(_json_only)])
    def post_sweep(request: SweepRequest, client: ClientId) -> JSONResponse:
        """Every course on draws around the values: means, 95% intervals and the 5–95% spread."""
        scenario = edits.get(client.id).scenario
        return _reply(_rendered(lambda: sweep_here(scenario, request), "sweep here", back), client)

    @app.post("/api/play", dependencies=[Depends(_json_only)])
    def post_play(request: PlayRequest, client: ClientId) -> JSONResponse:
        """One actor played by the user: the next decision, or the path and its debrief."""
        scenario = edits.get(client.id).scenario
        return _reply(_rendered(lambda: play_turn(scenario, request), "play here", back), client)

    @app.post("/api/rounds", dependencies=[Depends(_json_only)])
    def post_rounds(request: RoundsRequest, client: ClientId) -> JSONResponse:
        """A dynamic scenario at the values, each course run forward: fan charts and summaries."""
        scenario = edits.get(client.id).scenario
        return _reply(_rendered(lambda: run_rounds(scenario, request), "run the rounds here", back), client)

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def plotly_script() -> Response:
        return Response(_plotly_script(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_page() -> HTMLResponse:
        return HTMLResponse(api_docs(app.openapi()))

    return app


@functools.cache
def _plotly_script() -> str:
    from plotly.offline import get_plotlyjs  # the installed package's copy: no CDN, no network

    return get_plotlyjs()


def api_docs(schema: dict[str, Any]) -> str:
    """The API described on one self-contained page, read from the app's OpenAPI schema (Swagger UI and
    ReDoc load from a CDN; this page loads nothing)."""
    components = schema.get("components", {}).get("schemas", {})
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>escalade explorer API</title>",
        "<link rel='icon' href='data:,'><style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;",
        "padding:0 1em}code{background:#f2f2f2;padding:0 .2em}td,th{border:1px solid #ccc;padding:.2em .5em}",
        "table{border-collapse:collapse}</style></head><body><h1>escalade explorer API</h1>",
        '<p>JSON in, JSON out, on this machine only. Every refusal is <code>{"error": summary, "errors": ',
        "[{field, message, hint, line}]}</code> with a 4xx status. The schema: <a href='/openapi.json'>",
        "/openapi.json</a>.</p>",
    ]
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            parts.append(f"<h2><code>{method.upper()} {html.escape(path)}</code></h2>")
            text = (operation.get("description") or operation.get("summary", "")).replace("``", "")
            parts.append(f"<p>{html.escape(text)}</p>")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            name = body.get("$ref", "").rsplit("/", 1)[-1]
            if name in components:
                model = components[name]
                described = model.get("description", "").replace("``", "")
                parts.append(f"<p>{html.escape(described)}</p><table><tr><th>field</th>")
                parts.append("<th>type</th><th>default</th><th>limits</th></tr>")
                for field, spec in model.get("properties", {}).items():
                    limits = ", ".join(
                        f"{k} {spec[k]:g}" for k in ("minimum", "exclusiveMinimum", "maximum", "maxItems") if k in spec
                    )
                    kind = spec.get("type") or " or ".join(o.get("type", "?") for o in spec.get("anyOf", []))
                    required = " (required)" if field in model.get("required", []) else ""
                    default = html.escape(json.dumps(spec["default"])) if "default" in spec else ""
                    parts.append(
                        f"<tr><td><code>{field}</code>{required}</td><td>{kind}</td><td>{default}</td><td>{limits}</td></tr>"
                    )
                parts.append("</table>")
    return "".join(parts) + "</body></html>"
