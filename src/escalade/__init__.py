"""escalade: model international crises as games, solve them, and measure escalation risk.

>>> import escalade
>>> model = escalade.load("dprk_russia_2024")   # a Model: .solve(), .sweep(), .claims(), .simulate()

The stages are packages (scenario, game, solve, simulate, analyze, report); the pipeline that runs
them is ``escalade.pipeline``.
"""

from escalade.analyze import Analysis
from escalade.analyze.dynamics import DynamicAnalysis
from escalade.api import Equilibrium, Model, load
from escalade.version import __version__

__all__ = ["Analysis", "DynamicAnalysis", "Equilibrium", "Model", "__version__", "load"]
