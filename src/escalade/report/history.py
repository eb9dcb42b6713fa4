"""The outline of a backtest: forecast scores of the strategic model, the base rate and the logit,
and their calibration."""

from __future__ import annotations

from escalade.history.backtest import Backtest
from escalade.report.charts import calibration_chart
from escalade.report.outline import Figure, Report, Section, Table


def backtest_report(result: Backtest, data_file: str) -> Report:
    log_loss, brier = result.log_loss(), result.brier()
    title = f"Forecasting violence: fit on {result.n_train} crises to {result.train_until}, test on {result.n_test}"
    calibration = result.calibration()
    scores = Section(
        "Forecast scores (lower is better)",
        tables=[
            Table(
                ["forecast", "log loss", "Brier score"],
                [[name, f"{log_loss[name]:.4f}", f"{brier[name]:.4f}"] for name in log_loss],
                frozenset({1, 2}),
            )
        ],
        record={"n_train": result.n_train, "n_test": result.n_test, "log_loss": log_loss, "brier": brier},
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
            Figure(
                calibration_chart(calibration, f"Calibration: crises after {result.train_until}"), "calibration plot"
            )
        ],
        notes=["Forecast probabilities of the four ICB violence levels, pooled and binned in fifths."],
    )
    record = {"data_file": data_file, "train_until": result.train_until}
    headline = [f"Best log loss: {min(log_loss, key=log_loss.__getitem__)}."]
    return Report(
        title,
        f"Held-out ICB crises triggered after {result.train_until}.",
        headline,
        [],
        [scores, reliability],
        record,
        f"data {data_file}",
    )
