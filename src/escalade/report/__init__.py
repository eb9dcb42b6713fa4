"""Stage 6: render tables and the scenario for people (no modelling here)."""

from escalade.report.files import OutputError, json_text, publish, text_writer, write_atomic
from escalade.report.html import analysis_html, calibration_html
from escalade.report.markdown import analysis_markdown
from escalade.report.summary import headline, summary_data
from escalade.report.tables import table_writers
from escalade.report.terminal import outline, print_analysis, solution_table, values_table

__all__ = [
    "OutputError",
    "analysis_html",
    "analysis_markdown",
    "calibration_html",
    "headline",
    "json_text",
    "outline",
    "print_analysis",
    "publish",
    "solution_table",
    "summary_data",
    "table_writers",
    "text_writer",
    "values_table",
    "write_atomic",
]
