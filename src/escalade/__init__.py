"""escalade: model international crises as games, solve them, and measure escalation risk.

>>> import escalade
>>> model = escalade.load("dprk_russia_2024")   # a Model: .solve(), .sweep(), .claims(), .simulate()

The stages are packages (scenario, game, solve, simulate, analyze, report); the pipeline that runs
them is ``escalade.pipeline``.
"""

import importlib

from escalade.version import __version__

# imported on first use, so that `escalade --help` does not load numpy, scipy and pandas
_LAZY = {
    "Analysis": "escalade.analyze",
    "DynamicAnalysis": "escalade.analyze.dynamics",
    "Equilibrium": "escalade.api",
    "Model": "escalade.api",
    "Simulation": "escalade.api",
    "Sweep": "escalade.api",
    "load": "escalade.api",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'escalade' has no attribute {name!r}")


__all__ = ["Analysis", "DynamicAnalysis", "Equilibrium", "Model", "Simulation", "Sweep", "__version__", "load"]
