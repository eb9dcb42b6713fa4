"""The version of escalade, recorded in every report. pyproject.toml reads it from here (one place), so
finding it costs no package-metadata lookup at start-up (that took 0.08 s of `escalade validate`)."""

__version__ = "0.1.0"
