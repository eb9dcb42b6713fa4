import csv
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.history import SYSTEM_VARIABLES, HistoryDataError, load_icb, reference_class, violence_base_rates, wilson
from tests.conftest import ROOT

ICB = ROOT.parent / "shared" / "data" / "icb"
SYSTEM, ACTOR = ICB / "icb1v14_pre2000.csv", ICB / "icb2v14_pre2000.csv"
pytestmark = pytest.mark.skipif(not SYSTEM.exists(), reason="../shared/data/icb is not beside this checkout")


def raw_rows(path):
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def test_both_levels_load_with_plain_names():
    system = load_icb(SYSTEM)
    actor = load_icb(ACTOR, "actor")
    assert len(system) == 433 and len(actor) == 952
    assert {"crisis_id", "violence", "protracted_conflict", "great_power_involvement"} <= set(system.columns)
    assert {"actor", "nuclear_capability", "outcome"} <= set(actor.columns)
    assert pd.api.types.is_numeric_dtype(system["violence"]) and pd.api.types.is_string_dtype(system["crisis_name"])


def test_base_rates_equal_hand_counts():
    rows = raw_rows(SYSTEM)
    rates = violence_base_rates(load_icb(SYSTEM))
    for level, share in rates.items():
        assert share.count == sum(1 for row in rows if row["viol"] == str(level))
        assert share.total == len(rows)
    protracted = [row for row in rows if row["protrac"] in ("2", "3")]
    chosen = violence_base_rates(reference_class(load_icb(SYSTEM), {"protracted_conflict": [2, 3]}))
    assert chosen[4].count == sum(1 for row in protracted if row["viol"] == "4")


def test_wilson_interval_matches_its_formula():
    share = wilson(5, 10)
    assert (
        share.share == 0.5
        and share.low == pytest.approx(0.2366, abs=1e-4)
        and share.high == pytest.approx(0.7634, abs=1e-4)
    )
    assert wilson(0, 20).low == 0.0


def test_a_later_release_with_extra_rows_and_columns_loads(tmp_path):
    rows = raw_rows(SYSTEM)
    path = tmp_path / "icb1v15.csv"
    with open(path, "w", newline="") as stream:
        writer = csv.DictWriter(stream, [*rows[0].keys(), "newvar"])
        writer.writeheader()
        for row in [*rows, {**rows[-1], "crisno": "999", "yrtrig": "2021"}]:
            writer.writerow({**row, "newvar": "7"})
    frame = load_icb(path)
    assert len(frame) == 434 and (frame["newvar"] == 7).all()


def test_loading_round_trips(tmp_path):
    frame = load_icb(SYSTEM)
    codes = {plain: code for code, plain in SYSTEM_VARIABLES.items()}
    frame.rename(columns=codes).to_csv(tmp_path / "again.csv", index=False)
    again = load_icb(tmp_path / "again.csv")
    assert list(again.columns) == list(frame.columns)
    np.testing.assert_array_equal(again["violence"], frame["violence"])
    assert (again["crisis_name"] == frame["crisis_name"]).all()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda text: text.replace("viol,", "violx,", 1), r"column\(s\) viol missing"),
        (lambda text: text.split("\n", 1)[0] + "\n", "no rows"),
        (
            lambda text: text.replace(
                "\nICB1,1,RUSSIAN CIVIL WAR I,9,996,1918,", "\nICB1,1,RUSSIAN CIVIL WAR I,9,996,late,", 1
            ),
            ":2: column 'yrtrig'",
        ),
    ],
)
def test_malformed_files_are_refused_with_the_column(tmp_path, change, words):
    path = tmp_path / "bad.csv"
    path.write_text(change(SYSTEM.read_text()))
    with pytest.raises(HistoryDataError, match=words):
        load_icb(path)


def test_history_command_prints_base_rates_as_json():
    result = CliRunner().invoke(app, ["history", "--data", str(SYSTEM), "--where", "protracted_conflict=2,3", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["n"] == 258 and abs(sum(v["share"] for v in record["violence"].values()) - 1) < 1e-12


def test_history_command_names_unknown_variables():
    result = CliRunner().invoke(app, ["history", "--data", str(SYSTEM), "--where", "nonsense=1"])
    assert result.exit_code == 1 and "no variable 'nonsense'" in result.output


def test_the_flagship_reference_class_puts_the_model_beside_the_base_rate():
    args = ["history", "dprk_russia_2024", "--data", str(SYSTEM), "--draws", "32", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["where"] == {"protracted_conflict": [2, 3]} and record["n"] == 258
    assert abs(sum(level["mean"] for level in record["model"].values()) - 1) < 1e-9


def test_reference_class_thresholds_must_increase():
    from escalade.scenario import ScenarioError, loads
    from tests.scenario.test_load import SMALL

    text = SMALL + "reference_class: {where: {protracted_conflict: 2}, violence_thresholds: [5, 3, 7]}\n"
    with pytest.raises(ScenarioError, match="violence_thresholds must increase"):
        loads(text)


def test_run_puts_the_reference_class_beside_the_model_in_the_report(tmp_path):
    args = ["run", "--draws", "32", "--sensitivity", "0", "--history-data", str(SYSTEM), "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "summary.json").read_text())
    assert record["history"]["n_crises"] == 258
    assert "History: 258 ICB crises" in (tmp_path / "report.html").read_text()


def test_duration_and_outcome_base_rates_match_hand_counts():
    from escalade.history import code_base_rates, median_duration

    rows = raw_rows(SYSTEM)
    crises = load_icb(SYSTEM)
    median, low, high = median_duration(crises)
    assert median == np.median([float(row["brexit"]) for row in rows]) and low <= median <= high
    outcomes = code_base_rates(crises, "tension_outcome")
    assert {code: share.count for code, share in outcomes.items()} == {
        int(code): sum(1 for row in rows if row["outesr"] == code) for code in {row["outesr"] for row in rows}
    }
