import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app
from tests.scenario.test_load import SMALL

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_validate_reports_every_planted_mistake_and_exits_nonzero(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SMALL.replace("next: reply", "next: replay")
        .replace("unseen: {p: 1 - p,", "unseen: {p: 0.9 * (1 - p),")
        .replace("escalation: -cost", "escalation: -costs")
    )
    result = invoke("validate", str(bad))
    assert result.exit_code == 1
    for line in (4, 20, 21):
        assert f"bad.yaml:{line}:" in result.output
    assert "Traceback" not in result.output


def test_validate_accepts_a_good_scenario():
    result = invoke("validate", "dprk_russia_2024")
    assert result.exit_code == 0 and "ok" in result.output and "imperfect information" in result.output


def test_show_prints_the_outline():
    result = invoke("show", "cuban_missile_1962")
    assert result.exit_code == 0 and "blockade" in result.output and "chance" in result.output


def test_solve_json_has_the_documented_keys():
    result = invoke("solve", "audience_costs", "--json")
    record = json.loads(result.output)
    assert set(record) == {"method", "players", "profile", "labelled_profile", "values", "outcome_probs", "max_regret"}
    assert record["players"] == ["A", "B"]
    assert len(record["profile"]) == 2 and sum(record["outcome_probs"]) == pytest.approx(1.0)
    # the labelled profile holds the same numbers as the Gambit-order one, by actor, infoset and action
    flat = [p for player in record["profile"] for infoset in player for p in infoset]
    labelled = [
        p for actor in record["labelled_profile"].values() for infoset in actor.values() for p in infoset.values()
    ]
    assert labelled == flat


def test_fit_takes_labelled_counts_and_names_missing_ones(tmp_path):
    nested = json.loads((EXAMPLES / "observed.json").read_text())
    usa = dict(zip(["blockade", "air_strike", "acquiesce"], nested[0][0], strict=True))
    ussr = dict(zip(["withdraw", "run_blockade"], nested[1][0], strict=True))
    labelled = {"USA": {"us_choice": usa}, "USSR": {"soviet_reply": ussr}}
    (tmp_path / "labelled.json").write_text(json.dumps(labelled))
    by_label = json.loads(
        invoke("fit", str(EXAMPLES / "game.efg"), "--counts", str(tmp_path / "labelled.json"), "--json").output
    )
    by_order = json.loads(
        invoke("fit", str(EXAMPLES / "game.efg"), "--counts", str(EXAMPLES / "observed.json"), "--json").output
    )
    assert by_label["lambda"] == by_order["lambda"]
    del labelled["USSR"]
    (tmp_path / "labelled.json").write_text(json.dumps(labelled))
    result = runner.invoke(app, ["fit", str(EXAMPLES / "game.efg"), "--counts", str(tmp_path / "labelled.json")])
    assert result.exit_code == 1 and "no counts for USSR at 'soviet_reply'" in result.output


def test_solve_reads_gambit_files(gambit_games):
    result = invoke("solve", str(gambit_games / "cent4.efg"), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["max_regret"] <= 1e-9


def test_solve_handles_information_sets():
    record = json.loads(invoke("solve", "dprk_russia_2024", "--json").output)
    assert record["method"] == "spe" and record["max_regret"] <= 1e-6


def test_solve_with_a_policy_and_full_information():
    result = invoke("solve", "dprk_russia_2024", "--full-information", "WEST", "--policy", "WEST=deterrence")
    assert result.exit_code == 0 and "WEST (policy): deterrence" in result.output


def test_full_information_names_an_actor():
    result = invoke("solve", "dprk_russia_2024", "--full-information", "NOBODY")
    assert result.exit_code == 1 and "no actor 'NOBODY' to give full information; use one of RUS, DPRK" in result.output


def test_qre_at_a_given_lambda_and_its_limit():
    at_one = json.loads(invoke("solve", "chicken", "--method", "qre", "--lambda", "1", "--json").output)
    limit = json.loads(invoke("solve", "chicken", "--method", "qre", "--json").output)
    assert at_one["method"] == "qre(lambda=1)" and limit["method"] == "qre"
    assert limit["profile"][0][0] == pytest.approx([0.9, 0.1], abs=1e-6)


def test_lambda_needs_the_qre_method():
    result = invoke("solve", "chicken", "--lambda", "1")
    assert result.exit_code == 1 and "a logit precision λ goes with the qre method, not spe" in result.output


def test_enumpure_lists_both_equilibria_of_chicken():
    record = json.loads(invoke("solve", "chicken", "--method", "enumpure", "--json").output)
    assert len(record["equilibria"]) == 2


def test_export_writes_an_efg_file_that_reads_back(tmp_path):
    target = tmp_path / "cuban.efg"
    result = invoke("export", "cuban_missile_1962", "--to", "efg", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text().startswith("EFG 2 R")
    assert json.loads(invoke("solve", str(target), "--json").output)["players"] == ["USA", "USSR"]


def test_run_writes_a_reproducible_report(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("run", "--draws", "64", "--seed", "5", "--sensitivity", "0", "--out", str(first)).exit_code == 0
    assert invoke("run", "--draws", "64", "--seed", "5", "--sensitivity", "0", "--out", str(second)).exit_code == 0
    a = json.loads((first / "summary.json").read_text())
    b = json.loads((second / "summary.json").read_text())
    assert a["seed"] == 5 and len(a["scenario_sha256"]) == 64 and a["escalade_version"]
    assert a["policies"] == b["policies"]
    assert "logit quantal response" in a["notes"][0]
    report = (first / "report.md").read_text()
    assert "seed 5" in report and a["scenario_sha256"][:16] in report


def test_a_bad_file_gives_one_red_line_not_a_traceback(tmp_path):
    result = invoke("solve", str(tmp_path / "missing.efg"))
    assert result.exit_code == 1 and "error" in result.output and "Traceback" not in result.output


def test_nothing_is_written_when_the_scenario_is_invalid(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("root: start", "root: nowhere"))
    result = invoke("run", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


def test_fit_reads_counts_and_reports_lambda(tmp_path, gambit_games):
    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps([[[30, 10, 60], [60, 10, 30]], [[40, 60], [50, 50], [60, 40]]]))
    result = invoke("fit", str(gambit_games / "2_player_chance.efg"), "--counts", str(counts), "--json")
    record = json.loads(result.output)
    assert record["lambda"] > 0 and record["log_likelihood"] < 0


def test_run_with_a_what_if_reports_it_beside_the_base_case(tmp_path):
    result = invoke("run", "--draws", "32", "--sensitivity", "0", "--full-information", "WEST", "--out", str(tmp_path))
    assert result.exit_code == 0 and "What-if: WEST sees every earlier move" in result.output
    record = json.loads((tmp_path / "summary.json").read_text())
    assert record["what_if"]["full_information"] == "WEST"
    assert set(record["what_if"]["value_of_information"]) == {"equilibrium", "escalation_management", "deterrence"}


def test_lcp_lists_equilibria_as_json(gambit_games):
    record = json.loads(invoke("solve", str(gambit_games / "e04.efg"), "--method", "lcp", "--json").output)
    assert record["method"] == "lcp" and record["equilibria"]
    assert all(eq["max_regret"] <= 1e-8 for eq in record["equilibria"])


def test_sweep_writes_tidy_tables_with_overrides(tmp_path):
    result = invoke(
        "sweep", "dprk_russia_2024", "--draws", "64", "--policy", "WEST=deterrence",
        "--set", "p_reveal_combat=0.5", "--vary", "audience_cost=0:5", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import pandas as pd

    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 2 * 64 and set(runs["policy"]) == {"equilibrium", "deterrence"}
    assert (runs["param_p_reveal_combat"] == 0.5).all()
    assert runs["param_audience_cost"].between(0, 5).all()
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert list(summary["policy"]) == ["equilibrium", "deterrence"]
    assert "Set by the user" in json.loads((tmp_path / "summary.json").read_text())["notes"][-1]


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--set", "p_reveal_combat"], "should read NAME=VALUE"),
        (["--set", "p_reveal_combat=high"], "is not a number"),
        (["--vary", "audience_cost=3"], "write LOW:HIGH"),
        (["--set", "nonsense=1"], "no parameter 'nonsense'"),
        (["--policy", "WEST=appeasement"], "no policy 'appeasement'"),
        (["--policy", "deterrence"], "should read ACTOR=POLICY"),
        (["--policy", "RUS=deterrence"], "'deterrence' scripts WEST, not RUS; write WEST=deterrence"),
    ],
)
def test_sweep_options_are_checked(tmp_path, option, words):
    result = invoke("sweep", "dprk_russia_2024", "--draws", "8", "--out", str(tmp_path), *option)
    assert result.exit_code == 1 and words in result.output
    assert not (tmp_path / "runs.parquet").exists()


def test_run_reports_what_decides_the_answer(tmp_path):
    assert invoke("run", "--draws", "64", "--sensitivity", "64", "--out", str(tmp_path)).exit_code == 0
    record = json.loads((tmp_path / "summary.json").read_text())
    sobol = record["sensitivity"]["sobol"]["escalation_management minus deterrence"]
    assert {index["parameter"] for index in sobol} >= {"deepen_gain", "audience_cost"}
    assert record["sensitivity_summary"].startswith("The result turns on")


@pytest.mark.parametrize("name", ["chicken", "prisoners_dilemma", "audience_costs", "cuban_missile_1962"])
def test_every_shipped_scenario_runs_end_to_end(tmp_path, name):
    result = invoke("run", name, "--draws", "32", "--sensitivity", "16", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "summary.json").read_text())
    assert record["scenario"] == name and record["policies"][0]["policy"] == "equilibrium"


def test_dynamic_scenarios_validate_show_and_refuse_tree_commands():
    result = runner.invoke(app, ["validate", "cuban_missile_1962_dynamic"])
    assert result.exit_code == 0 and "1,452 states" in result.output
    result = runner.invoke(app, ["show", "dprk_russia_dynamic"])
    assert result.exit_code == 0 and "open, acknowledged combat role" in result.output
    result = runner.invoke(app, ["show", "dprk_russia_dynamic_v2"])
    assert result.exit_code == 0 and "CHN moves: up, hold, down (up to rung 2)" in " ".join(result.output.split())
    result = runner.invoke(app, ["solve", "cuban_missile_1962_dynamic"])  # (serve shows rounds: tests/explorer)
    assert result.exit_code == 1 and "escalade simulate" in result.output
