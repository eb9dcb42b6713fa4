"""Outlines of forecasts (``escalade forecast``) and of their scores (``escalade score``)."""

from __future__ import annotations

from escalade.analyze import ForecastScores
from escalade.report.outline import Report, Section, Table


def forecasts_report(title: str, forecasts: list[dict], written: str) -> Report:
    """The forecasts just made, one row per question."""
    first = forecasts[0]
    rows = [
        [
            f["question"],
            f["outcome"],
            f["by"],
            f"{f['prior_probability']:.3f}",
            f"{f['probability']:.3f}",
            f"{f['interval_90'][0]:.3f}–{f['interval_90'][1]:.3f}",
            "" if f["horizon_days"] is None else f"{f['horizon_days']:,}",
        ]
        for f in forecasts
    ]
    table = Table(
        ["question", "outcome", "by", "P before the record", "P as of the record", "5%–95% over draws", "days ahead"],
        rows,
        frozenset({3, 4, 6}),
    )
    headline = [
        f"As of {first['as_of']} ({first['observations_used']} observations; ESS {first['ess']:,.0f} of "
        f"{first['draws']:,} prior draws), written to {written} (one JSON record per question)."
    ]
    footer = (
        f"escalade {first['escalade']} · scenario {first['scenario']} sha256 {first['scenario_sha256']} · "
        f"seed {first['seed']} · {first['draws']:,} draws · {first['made']}"
    )
    return Report(title, "", headline, [], [Section("Forecasts", tables=[table])], {"forecasts": forecasts}, footer)


def scores_report(scores: ForecastScores) -> Report:
    """Each resolved forecast's Brier and log score, their means, and the calibration table."""
    scored = Table(
        ["question", "as of", "probability", "happened", "Brier", "log score"],
        [
            [
                s.question,
                s.as_of,
                f"{s.probability:.3f}",
                "yes" if s.happened else "no",
                f"{s.brier:.3f}",
                f"{s.log_score:.3f}",
            ]
            for s in scores.scored
        ],
        frozenset({2, 4, 5}),
    )
    calibration = Table(
        ["mean forecast", "share that happened", "forecasts"],
        [[f"{mean:.2f}", f"{share:.2f}", str(count)] for mean, share, count in scores.calibration],
        frozenset({0, 1, 2}),
        "Calibration: forecasts grouped in bins of width 0.2",
    )
    headline = [
        f"{len(scores.scored)} forecasts scored: mean Brier score {scores.brier:.3f} (0 is perfect, 0.25 is always "
        f"saying ½); mean log score {scores.log_score:.3f} (0 is perfect, −0.693 is always saying ½)."
    ]
    warnings = [f"Not yet resolved, so not scored: {', '.join(scores.unresolved)}"] if scores.unresolved else []
    if scores.not_forecast:
        warnings.append(f"Resolved but never forecast, so ignored: {', '.join(scores.not_forecast)}")
    if scores.certain_and_wrong:
        warnings.append(
            f"Certain and wrong (a probability of 0 or 1 that missed, log score −∞, counted as log 1e-15 ≈ −34.5): "
            f"{', '.join(scores.certain_and_wrong)}"
        )
    record = {
        "brier": scores.brier,
        "log_score": scores.log_score,
        "scored": [vars(s) for s in scores.scored],
        "calibration": [{"mean_forecast": m, "share": s, "count": c} for m, s, c in scores.calibration],
        "unresolved": scores.unresolved,
        "certain_and_wrong": scores.certain_and_wrong,
        "not_forecast": scores.not_forecast,
    }
    sections = [Section("Scores", tables=[scored]), Section("Calibration", tables=[calibration])]
    footer = f"forecasts {scores.forecasts_file} · outcomes {scores.resolved_file}"
    return Report("Forecast scores", "", headline, warnings, sections, record, footer)
