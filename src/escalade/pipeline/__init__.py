"""The pipeline: a scenario and a typed request in, a result out. The front doors (the command line,
the Python API, the web explorer) call these functions and render what they return.

- :func:`analyse` — a game tree across parameter draws (policies, sensitivity, claims, history);
- :func:`simulate` — a dynamic scenario run forward over rounds under each course of action;
- :func:`solve_point` — one game (scenario or Gambit file) solved at one parameter point;
- :func:`claims` and :func:`model_violence` — the claims alone, the model beside its reference class.
"""

from escalade.pipeline.dynamic import simulate
from escalade.pipeline.point import first_solution, open_game, point_game, solve_point
from escalade.pipeline.requests import (
    LEVELS,
    SEED,
    Backend,
    DynamicRequest,
    PointRequest,
    RequestError,
    Settings,
    StaticRequest,
)
from escalade.pipeline.static import analyse, claims, model_violence

__all__ = [
    "LEVELS",
    "SEED",
    "Backend",
    "DynamicRequest",
    "PointRequest",
    "RequestError",
    "Settings",
    "StaticRequest",
    "analyse",
    "claims",
    "first_solution",
    "model_violence",
    "open_game",
    "point_game",
    "simulate",
    "solve_point",
]
