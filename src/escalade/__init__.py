"""escalade: model international crises as games, solve them, and measure escalation risk."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("escalade")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from escalade.api import Analysis, run, solve_central
from escalade.scenario import load

__all__ = ["Analysis", "__version__", "load", "run", "solve_central"]
