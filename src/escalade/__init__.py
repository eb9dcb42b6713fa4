"""escalade: model international crises as games, solve them, and measure escalation risk."""

from escalade.api import Analysis, Model, load, run, solve_central
from escalade.version import __version__

__all__ = ["Analysis", "Model", "__version__", "load", "run", "solve_central"]
