"""The outlines of history: a backtest's forecast scores of the strategic model, the base rate and the
logit, with their calibration; and the deniable-deployment cases with their base rates."""

from __future__ import annotations

import pandas as pd

from escalade.history.backtest import Backtest
from escalade.report.charts import calibration_chart
from escalade.report.outline import Report, Section, Table, shown


def backtest_report(result: Backtest, data_file: str) -> Report:
    log_loss, brier = result.log_loss(), result.brier()
    title = f"Forecasting violence: fit on {result.n_train} crises to {result.train_until}, test on {result.n_test}"
    calibration = result.calibration()
    paired = result.paired_difference()
    scores = Section(
        "Forecast scores (lower is better)",
        tables=[
            Table(
                ["forecast", "log loss", "Brier score"],
                [[name, f"{log_loss[name]:.4f}", f"{brier[name]:.4f}"] for name in log_loss],
                frozenset({1, 2}),
            )
        ],
        notes=[
            f"Does the game's structure add anything to the same covariates? Per-crisis log loss, model minus "
            f"logit: {paired.mean:+.4f} nats, 95% bootstrap interval [{paired.low:+.4f}, {paired.high:+.4f}] "
            f"over the {result.n_test} test crises: {paired.verdict}.",
            "Covariates known at the outbreak only: protracted conflict (any, and most intense), a violent "
            "trigger, an intra-war crisis. ICB's gravity of threat is left out: it is the gravest threat at "
            "any time during the crisis.",
        ],
        record={
            "n_train": result.n_train,
            "n_test": result.n_test,
            "log_loss": log_loss,
            "brier": brier,
            "model_minus_logit": {"mean": paired.mean, "low": paired.low, "high": paired.high},
        },
    )
    rows = [
        [row.model, str(row.bin), f"{row.forecast:.3f}", f"{row.observed:.3f}", str(row.count)]
        for row in calibration.itertuples()
    ]
    reliability = Section(
        "Calibration",
        tables=[
            Table(["model", "bin", "mean forecast", "observed frequency", "forecasts"], rows, frozenset({2, 3, 4}))
        ],
        figures=[
            shown(calibration_chart(calibration, f"Calibration: crises after {result.train_until}"), "calibration plot")
        ],
        notes=["Forecast probabilities of the four ICB violence levels, pooled and binned in fifths."],
    )
    record = {"data_file": data_file, "train_until": result.train_until}
    headline = [
        f"Best log loss: {min(log_loss, key=log_loss.__getitem__)}.",
        f"Strategic model against the logit on the same covariates: {paired.verdict} "
        f"({paired.mean:+.3f} nats per crisis, 95% interval [{paired.low:+.3f}, {paired.high:+.3f}]).",
    ]
    return Report(
        title,
        f"Held-out ICB crises triggered after {result.train_until}.",
        headline,
        [],
        [scores, reliability],
        record,
        f"data {data_file}",
    )


def deployments_report(frame: pd.DataFrame, rates: list) -> Report:
    """The deniable-deployment cases and their base rates (``escalade deployments``)."""
    columns = ["id", "start", "deploying", "adversary", "detected", "public", "acknowledged", "deepened"]
    columns += ["direct_clash", "wider_war"]
    rows = [[str(value) for value in row] for row in frame[columns].itertuples(index=False)]
    for row, modelled in zip(rows, frame.this_case, strict=True):
        row[0] += " (this case)" if modelled else ""
    cases = Table(columns, rows, caption="Cases (codes and sources: src/escalade/history/deployments.yaml)")
    shares = Table(
        ["question", "among", "share", "95% interval (Wilson)"],
        [
            [r.question, r.among, f"{r.share.count} of {r.share.total}", f"{r.share.low:.2f}–{r.share.high:.2f}"]
            for r in rates
        ],
        frozenset({2, 3}),
        "Base rates (the modelled case and cases coded 'unclear' on a question left out)",
    )
    notes = [
        "A project coding of public histories: each code is a judgement from the listed sources. Ten cases make "
        "wide intervals; read the rates as a reference class to argue with, not as frequencies to plug in.",
    ]
    record = {"cases": frame.to_dict(orient="records"), "rates": [vars(r) | {"share": r.share.record()} for r in rates]}
    section = Section("Deniable foreign combat deployments", tables=[cases, shares], notes=notes, record=record)
    headline = [f"{len(frame) - int(frame.this_case.sum())} historical cases; base rates with 95% intervals."]
    return Report("Deniable deployments", "", headline, [], [section], {}, "escalade: project-coded dataset")
