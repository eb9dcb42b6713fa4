"""escalade: model international crises as games, solve them, and measure escalation risk."""

from escalade.api import Analysis, DynamicAnalysis, Model, load, run, simulate, solve_central
from escalade.version import __version__

__all__ = ["Analysis", "DynamicAnalysis", "Model", "__version__", "load", "run", "simulate", "solve_central"]
