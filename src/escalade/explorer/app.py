"""The web explorer: move parameter sliders, switch policies, edit the scenario, see the equilibrium.

``escalade serve [FILE]`` starts it on localhost. A small FastAPI app serves one page
(``explorer.html`` beside this module: inline script and style, no CDN) and three JSON endpoints:

- ``GET /api/scenario``: title, parameters (range = each distribution's 1%–99% quantiles), policies, YAML;
- ``POST /api/solve``: parameter values and a policy in, the subgame-perfect equilibrium out
  (likely paths, escalation probabilities, expected utilities, the tree as SVG, verified regret);
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

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, TypeVar

import numpy as np
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StrictFloat
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalade.analyze import likely_paths
from escalade.pipeline import PointRequest, RequestError, first_solution, point_outcomes
from escalade.report.charts import tree_svg
from escalade.scenario import Problem, Scenario, ScenarioError, loads, override
from escalade.simulate import ESCALATION
from escalade.solve import SolverError

MAX_BODY = 1_000_000  # bytes: a scenario is tens of kilobytes, a solve request a few hundred bytes
MAX_CLIENTS = 64  # edited scenarios kept at once; the least recently used is forgotten first
MAX_ERRORS = 20  # field errors listed in one answer
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "[::1]")  # Host names, without the port
COOKIE = "escalade_client"
USER_ERRORS = (SolverError, ValueError, ArithmeticError, MemoryError, RecursionError)
R = TypeVar("R", bound=Response)
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
_SHAPES = {
    "/api/solve": 'send {"values": {"name": number, …}, "policy": "name" or null}',
    "/api/scenario": 'send {"yaml": "the scenario text"}',
}


class SolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, StrictFloat] = {}  # strict: true and "0.5" are mistakes, not numbers
    policy: str | None = None


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
    parameters = []
    for name, param in scenario.parameters.items():
        low, high = (float(v) for v in param.ppf(np.array([0.01, 0.99])))
        parameters.append(
            {"name": name, "dist": param.dist, "mean": param.mean(), "min": low, "max": high, "doc": param.doc}
        )
    return {"title": scenario.title, "parameters": parameters, "policies": list(scenario.policies), "yaml": text}


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


def solve_point(scenario: Scenario, values: Mapping[str, float], policy: str | None) -> dict[str, Any]:
    """The equilibrium at one parameter point (missing parameters at their means), solved by the
    pipeline; :class:`BadRequest` for values or a policy the scenario does not allow."""
    scenario = pinned(scenario, values)
    try:
        solution = first_solution(scenario, PointRequest(policy=policy))
    except RequestError as exc:
        raise BadRequest(400, [field_error("policy", _short(problem, 500)) for problem in exc.problems]) from None
    game, probs = solution.game, solution.outcome_probs[0]
    result: dict[str, Any] = {
        "paths": [
            {"probability": row.probability, "moves": row.moves, "escalation": row.attributes.get(ESCALATION)}
            for row in likely_paths(solution)
        ],
        "values": dict(zip(game.tree.players, solution.values[0].tolist(), strict=True)),
        "max_regret": float(solution.max_regret[0]),
        "outcomes": point_outcomes(scenario, solution),
        "tree_svg": tree_svg(solution),
    }
    if ESCALATION in game.attributes:
        levels = game.outcome[0, :, game.attributes.index(ESCALATION)]
        result["expected_escalation"] = float(probs @ levels)
    return result


def edited(text: str) -> Scenario:
    """The editor's text as a scenario the explorer can show; :class:`BadRequest` (422) with each problem
    on its line otherwise."""
    try:
        new = loads(text, "editor")
    except ScenarioError as exc:
        raise BadRequest(422, [field_error("yaml", p.message, p.hint, p.line) for p in exc.problems]) from None
    except USER_ERRORS as exc:
        raise BadRequest(422, [field_error("yaml", f"cannot read this scenario: {_short(str(exc), 500)}")]) from None
    if new.root is None:
        message = f"the explorer shows game trees; {new.name} is dynamic only"
        raise BadRequest(422, [field_error("yaml", message, "add 'root:' and 'nodes:', or use `escalade simulate`")])
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
    app = FastAPI(title="escalade explorer", docs_url=None, redoc_url=None)
    app.add_middleware(BodyCap, limit=MAX_BODY)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False)
    _add_handlers(app)
    page_html = (resources.files("escalade.explorer") / "explorer.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse)
    def page(client: ClientId) -> HTMLResponse:
        return _reply(HTMLResponse(page_html), client)

    @app.get("/api/scenario")
    def get_scenario(client: ClientId) -> JSONResponse:
        state = edits.get(client.id)
        return _reply(JSONResponse(scenario_info(state.scenario, state.text)), client)

    @app.post("/api/scenario", dependencies=[Depends(_json_only)])
    def put_scenario(request: ScenarioRequest, client: ClientId) -> JSONResponse:
        new = edited(request.yaml)
        response = _rendered(lambda: scenario_info(new, request.yaml), "use this scenario", "check its parameters")
        edits.put(client.id, _State(new, request.yaml))
        return _reply(response, client)

    @app.post("/api/solve", dependencies=[Depends(_json_only)])
    def post_solve(request: SolveRequest, client: ClientId) -> JSONResponse:
        scenario = edits.get(client.id).scenario
        response = _rendered(
            lambda: solve_point(scenario, request.values, request.policy),
            "solve at this point",
            "move the values back toward the defaults",
        )
        return _reply(response, client)

    return app
