"""Stage 6: render results for people (no modelling, no statistics here).

A result becomes an outline (:func:`static_report`, :func:`dynamic_report`, :func:`backtest_report`);
the writers :func:`to_terminal`, :func:`to_markdown`, :func:`to_html` and :func:`to_json` render any
outline. Files are published as a set (:func:`publish`).
"""

from escalade.report.dynamic import dynamic_report, trajectories_frame
from escalade.report.files import OutputError, json_text, publish, text_writer, write_atomic
from escalade.report.forecasts import forecasts_report, scores_report
from escalade.report.history import backtest_report, deployments_report
from escalade.report.outline import Report, Section, to_html, to_json, to_markdown, to_terminal
from escalade.report.static import claims_report, equilibrium_report, static_report
from escalade.report.tables import table_writers
from escalade.report.terminal import scenario_tree, solution_table, values_table

__all__ = [
    "OutputError",
    "Report",
    "Section",
    "backtest_report",
    "claims_report",
    "deployments_report",
    "dynamic_report",
    "equilibrium_report",
    "forecasts_report",
    "json_text",
    "publish",
    "scenario_tree",
    "scores_report",
    "solution_table",
    "static_report",
    "table_writers",
    "text_writer",
    "to_html",
    "to_json",
    "to_markdown",
    "to_terminal",
    "trajectories_frame",
    "values_table",
    "write_atomic",
]
