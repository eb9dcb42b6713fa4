"""The web explorer: move parameter sliders, switch policies, edit the scenario, see the equilibrium.

``escalade serve [FILE]`` starts it on localhost. A small FastAPI app serves one page
(``explorer.html`` beside this module: inline script and style, no CDN) and three JSON endpoints:

- ``GET /api/scenario``: title, parameters (range = each distribution's 1%–99% quantiles), policies, YAML;
- ``POST /api/solve``: parameter values and a policy in, the subgame-perfect equilibrium out
  (likely paths, escalation probabilities, expected utilities, the tree as SVG, verified regret);
- ``POST /api/scenario``: new YAML in; if valid it replaces the scenario, otherwise the problems
  come back with their lines (HTTP 422).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from escalade.analyze import likely_paths
from escalade.game import compile_game, policy_profile, script
from escalade.report.html import tree_svg
from escalade.scenario import Scenario, ScenarioError, loads
from escalade.simulate import ESCALATION
from escalade.solve import solve_spe

LEVELS = (5.0, 7.0)


class SolveRequest(BaseModel):
    values: dict[str, float] = {}
    policy: str | None = None


class ScenarioRequest(BaseModel):
    yaml: str


@dataclass
class _State:
    scenario: Scenario
    text: str


def scenario_info(scenario: Scenario, text: str) -> dict[str, Any]:
    parameters = []
    for name, param in scenario.parameters.items():
        low, high = (float(v) for v in param.ppf(np.array([0.01, 0.99])))
        parameters.append(
            {"name": name, "dist": param.dist, "mean": param.mean(), "min": low, "max": high, "doc": param.doc}
        )
    return {"title": scenario.title, "parameters": parameters, "policies": list(scenario.policies), "yaml": text}


def solve_point(scenario: Scenario, values: dict[str, float], policy: str | None) -> dict[str, Any]:
    """The equilibrium at one parameter point (missing parameters at their means)."""
    unknown = sorted(set(values) - set(scenario.parameters))
    if unknown:
        raise ValueError(f"unknown parameters {unknown}")
    if policy is not None and policy not in scenario.policies:
        raise ValueError(f"unknown policy {policy!r}")
    point = {**scenario.central_values(), **values}
    game = compile_game(scenario, point)
    if policy is not None:
        game = script(game, policy_profile(scenario, game.tree, policy))
    solution = solve_spe(game)
    probs = solution.outcome_probs[0]
    result: dict[str, Any] = {
        "paths": [
            {"probability": row.probability, "moves": row.moves, "escalation": row.attributes.get(ESCALATION)}
            for row in likely_paths(solution)
        ],
        "values": dict(zip(game.tree.players, solution.values[0].tolist(), strict=True)),
        "max_regret": float(solution.max_regret[0]),
        "tree_svg": tree_svg(solution),
    }
    if ESCALATION in game.attributes:
        levels = game.outcome[0, :, game.attributes.index(ESCALATION)]
        result["expected_escalation"] = float(probs @ levels)
        result["p_at_least"] = {f"{level:g}": float(probs[levels >= level].sum()) for level in LEVELS}
    return result


def create_app(scenario: Scenario, text: str) -> FastAPI:
    """The explorer for ``scenario`` (``text`` is its YAML, shown in the editor)."""
    state = _State(scenario, text)
    app = FastAPI(title="escalade explorer", docs_url=None, redoc_url=None)

    page_html = (resources.files("escalade.report") / "explorer.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return page_html

    @app.get("/api/scenario")
    def get_scenario() -> dict[str, Any]:
        return scenario_info(state.scenario, state.text)

    @app.post("/api/scenario")
    def put_scenario(request: ScenarioRequest) -> JSONResponse:
        try:
            new = loads(request.yaml, "editor")
        except ScenarioError as exc:
            problems = [{"line": p.line, "message": p.message, "hint": p.hint} for p in exc.problems]
            return JSONResponse({"problems": problems}, status_code=422)
        state.scenario, state.text = new, request.yaml
        return JSONResponse(scenario_info(new, request.yaml))

    @app.post("/api/solve")
    def post_solve(request: SolveRequest) -> JSONResponse:
        try:
            return JSONResponse(solve_point(state.scenario, request.values, request.policy))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    return app
