"""Loader, reference classes, base rates and the `history` command, on the synthetic ICB files (always)
and on the real ones (when ESCALADE_ICB_DATA names them; see conftest.py). Expected counts come from the
raw rows, read with the csv module."""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.history import SYSTEM_VARIABLES, HistoryDataError, load_icb, reference_class, violence_base_rates, wilson
from tests.history.synthetic_icb import ACTOR_CODES, SYSTEM_CODES


def protracted(rows):
    return [row for row in rows if row["protrac"] in ("2", "3")]


def flagship_class(rows):
    """The flagship's reference class, counted from the raw rows: protracted, not intra-war."""
    return [row for row in protracted(rows) if row["iwcmb"] == "1"]


def test_both_levels_load_with_plain_names(icb):
    system = load_icb(icb.system)
    actor = load_icb(icb.actor, "actor")
    assert len(system) == len(icb.system_rows()) and len(actor) == len(icb.actor_rows())
    assert {"crisis_id", "violence", "protracted_conflict", "great_power_involvement"} <= set(system.columns)
    assert {"actor", "nuclear_capability", "outcome"} <= set(actor.columns)
    assert pd.api.types.is_numeric_dtype(system["violence"]) and pd.api.types.is_string_dtype(system["crisis_name"])


def test_the_pre2000_cut_holds_the_documented_rows(real_icb):
    if "_pre2000" not in real_icb.system.name:
        pytest.skip(f"{real_icb.system.name} is not the team's pre2000 cut (433 crises, 952 actor rows)")
    assert len(load_icb(real_icb.system)) == 433 and len(load_icb(real_icb.actor, "actor")) == 952


def test_synthetic_files_have_the_header_and_codes_of_the_real_ones(real_icb, synthetic_icb):
    for synthetic, real, codes in (
        (synthetic_icb.system_rows(), real_icb.system_rows(), [*SYSTEM_CODES, "viol"]),
        (synthetic_icb.actor_rows(), real_icb.actor_rows(), [*ACTOR_CODES, "viol", "actor", "cracid"]),
    ):
        assert list(synthetic[0]) == list(real[0])
        for column in codes:
            assert {row[column] for row in synthetic} <= {row[column] for row in real}, column


def test_base_rates_equal_hand_counts(icb):
    rows = icb.system_rows()
    rates = violence_base_rates(load_icb(icb.system))
    for level, share in rates.items():
        assert share.count == sum(1 for row in rows if row["viol"] == str(level))
        assert share.total == sum(1 for row in rows if row["viol"] != "")
    chosen = violence_base_rates(reference_class(load_icb(icb.system), {"protracted_conflict": [2, 3]}))
    assert chosen[4].count == sum(1 for row in protracted(rows) if row["viol"] == "4")


def test_wilson_interval_matches_its_formula():
    share = wilson(5, 10)
    assert (
        share.share == 0.5
        and share.low == pytest.approx(0.2366, abs=1e-4)
        and share.high == pytest.approx(0.7634, abs=1e-4)
    )
    assert wilson(0, 20).low == 0.0


def test_a_later_release_with_extra_rows_and_columns_loads(icb, tmp_path):
    rows = icb.system_rows()
    path = tmp_path / "icb1v15.csv"
    with open(path, "w", newline="") as stream:
        writer = csv.DictWriter(stream, [*rows[0].keys(), "newvar"])
        writer.writeheader()
        for row in [*rows, {**rows[-1], "crisno": "999", "yrtrig": "2021"}]:
            writer.writerow({**row, "newvar": "7"})
    frame = load_icb(path)
    assert len(frame) == len(rows) + 1 and (frame["newvar"] == 7).all()


def test_loading_round_trips(icb, tmp_path):
    frame = load_icb(icb.system)
    codes = {plain: code for code, plain in SYSTEM_VARIABLES.items()}
    frame.rename(columns=codes).to_csv(tmp_path / "again.csv", index=False)
    again = load_icb(tmp_path / "again.csv")
    assert list(again.columns) == list(frame.columns)
    np.testing.assert_array_equal(again["violence"], frame["violence"])
    assert (again["crisis_name"] == frame["crisis_name"]).all()


def rename_violence(table):
    table[0] = ["violx" if column == "viol" else column for column in table[0]]
    return table


def text_for_the_first_trigger_year(table):
    table[1][table[0].index("yrtrig")] = "late"
    return table


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (rename_violence, r"column\(s\) viol missing"),
        (lambda table: table[:1], "no rows"),
        (text_for_the_first_trigger_year, ":2: column 'yrtrig' holds 'late'"),
    ],
    ids=["missing-column", "no-rows", "text-in-a-number-column"],
)
def test_malformed_files_are_refused_with_the_column(icb, tmp_path, change, words):
    with open(icb.system, newline="", encoding="utf-8-sig") as stream:
        table = list(csv.reader(stream))
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(change(table))
    path = tmp_path / "bad.csv"
    path.write_text(text.getvalue())
    with pytest.raises(HistoryDataError, match=words):
        load_icb(path)


def test_history_command_prints_base_rates_as_json(icb):
    result = CliRunner().invoke(
        app, ["history", "--data", str(icb.system), "--where", "protracted_conflict=2,3", "--json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    rows = protracted(icb.system_rows())
    assert record["n"] == len(rows) and abs(sum(v["share"] for v in record["violence"].values()) - 1) < 1e-12
    assert record["violence"]["full-scale war"]["count"] == sum(1 for row in rows if row["viol"] == "4")


def test_codebook_names_select_what_plain_names_do_and_misspellings_get_a_suggestion(icb):
    crises = load_icb(icb.system)
    by_codebook = reference_class(crises, {"protrac": [2, 3], "IWCMB": 1})
    by_plain = reference_class(crises, {"protracted_conflict": [2, 3], "intra_war_crisis": 1})
    assert by_codebook.index.equals(by_plain.index) and len(by_plain) > 0
    with pytest.raises(HistoryDataError, match="did you mean 'protrac'"):
        reference_class(crises, {"protrak": 2})
    result = CliRunner().invoke(app, ["history", "--data", str(icb.system), "--where", "protrac=2,3", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["n"] == len(protracted(icb.system_rows()))


def test_history_command_reads_the_actor_level_file(icb):
    args = ["history", "--data", str(icb.actor), "--level", "actor", "--where", "power_status=4", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n"] == sum(1 for row in icb.actor_rows() if row["powsta"] == "4")


def test_history_command_names_unknown_variables(synthetic_icb):
    result = CliRunner().invoke(app, ["history", "--data", str(synthetic_icb.system), "--where", "nonsense=1"])
    assert result.exit_code == 1 and "no variable 'nonsense'" in result.output


def test_the_flagship_reference_class_puts_the_model_beside_the_base_rate(icb):
    args = ["history", "dprk_russia_2024", "--data", str(icb.system), "--draws", "32", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["where"] == {"protracted_conflict": [2, 3], "intra_war_crisis": [1]}
    assert record["n"] == len(flagship_class(icb.system_rows())) < len(protracted(icb.system_rows()))
    assert abs(sum(level["mean"] for level in record["model"].values()) - 1) < 1e-9


def test_reference_class_thresholds_must_increase():
    from escalade.scenario import ScenarioError, loads
    from tests.scenario.test_load import SMALL

    text = SMALL + "reference_class: {where: {protracted_conflict: 2}, violence_thresholds: [5, 3, 7]}\n"
    with pytest.raises(ScenarioError, match="violence_thresholds must increase"):
        loads(text)


def test_run_puts_the_reference_class_beside_the_model_in_the_report(icb, tmp_path):
    args = ["run", "--draws", "32", "--sensitivity", "0", "--data", str(icb.system), "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "summary.json").read_text())
    n = len(flagship_class(icb.system_rows()))
    assert record["history"]["n_crises"] == n
    assert f"History: {n} ICB crises" in (tmp_path / "report.html").read_text()


def test_duration_and_outcome_base_rates_match_hand_counts(icb):
    from escalade.history import code_base_rates, median_duration

    rows = icb.system_rows()
    crises = load_icb(icb.system)
    median, low, high = median_duration(crises)
    assert median == np.median([float(row["brexit"]) for row in rows if row["brexit"]]) and low <= median <= high
    outcomes = code_base_rates(crises, "tension_outcome")
    codes = {row["outesr"] for row in rows if row["outesr"]}
    assert {code: share.count for code, share in outcomes.items()} == {
        int(code): sum(1 for row in rows if row["outesr"] == code) for code in codes
    }
