"""The pipeline: a scenario and a typed request in, a result out. The front doors (the command line,
the Python API, the web explorer) call these functions and render what they return.

- :func:`analyse` — a game tree across parameter draws (policies, sensitivity, claims, history);
- :func:`simulate` — a dynamic scenario run forward over rounds under each course of action;
- :func:`solve_point` — one game (scenario or Gambit file) solved at one parameter point;
- :func:`claims` and :func:`model_violence` — the claims alone, the model beside its reference class;
- :func:`forecast` and :func:`score` — the record's questions answered as of a date, and those answers scored.
"""

import importlib

from escalade.pipeline.requests import (
    SEED,
    Backend,
    DynamicRequest,
    PointRequest,
    RequestError,
    Settings,
    StaticRequest,
)

# the functions load the stages, so they are imported on first use (the command line starts faster)
_FUNCTIONS = {
    "simulate": "escalade.pipeline.dynamic",
    "first_solution": "escalade.pipeline.point",
    "open_game": "escalade.pipeline.point",
    "point_game": "escalade.pipeline.point",
    "point_outcomes": "escalade.pipeline.point",
    "terminal_events": "escalade.pipeline.point",
    "solve_point": "escalade.pipeline.point",
    "analyse": "escalade.pipeline.static",
    "claims": "escalade.pipeline.static",
    "mechanisms": "escalade.pipeline.static",
    "model_violence": "escalade.pipeline.static",
    "forecast": "escalade.pipeline.record",
    "score": "escalade.pipeline.record",
}


def __getattr__(name: str) -> object:
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name]), name)
    raise AttributeError(f"module 'escalade.pipeline' has no attribute {name!r}")


__all__ = [
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
    "forecast",
    "mechanisms",
    "model_violence",
    "open_game",
    "point_game",
    "point_outcomes",
    "score",
    "simulate",
    "solve_point",
    "terminal_events",
]
