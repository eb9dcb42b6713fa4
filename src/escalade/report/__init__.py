"""Stage 6: render tables and the scenario for people (no modelling here)."""

from escalade.report.files import write_atomic, write_atomic_with
from escalade.report.html import analysis_html, calibration_html
from escalade.report.markdown import analysis_markdown
from escalade.report.summary import headline, summary_data
from escalade.report.tables import write_tables
from escalade.report.terminal import outline, print_analysis, solution_table, values_table

__all__ = [
    "analysis_html",
    "analysis_markdown",
    "calibration_html",
    "headline",
    "outline",
    "print_analysis",
    "solution_table",
    "summary_data",
    "values_table",
    "write_atomic",
    "write_atomic_with",
    "write_tables",
]
