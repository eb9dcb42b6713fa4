"""Conditioning as an analyst uses it: the likelihood against an independent solver, the report, the
command line, forecasts and their scores, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from escalade.analyze import observation_rows
from escalade.cli import app
from escalade.condition import condition, evidence
from escalade.game import compile_game, compile_tree
from escalade.pipeline import StaticRequest, analyse
from escalade.scenario import load, loads
from escalade.scenario.model import BaseRate, Observation
from escalade.simulate import sample_parameters, sample_unit
from escalade.solve import solve_qre
from tests.scenario.test_load import SMALL

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_the_likelihood_is_the_whole_tree_qre_probability_of_the_observed_path():
    """Each draw's record probability, from the backward-induction logit solver, equals the total
    probability of the ends on the observed path under the whole-tree QRE homotopy (another solver)."""
    scenario = load("dprk_russia_2024")
    tree = compile_tree(scenario)
    values = sample_parameters(scenario, 12, seed=4)
    found = evidence(scenario, values, tree)
    game = compile_game(scenario, values, tree)
    reach = solve_qre(game, values["rationality"]).reach[:, tree.terminal_nodes]
    steps = [tuple(move.split(".")) for move in scenario.record.moves()]
    on_path = []
    for end in tree.terminal_nodes:
        path = tree.path_to(int(end))
        taken = {(tree.node_labels[tree.parent[n]], tree.move_labels[n]) for n in path[1:]}
        on_path.append(all(step in taken for step in steps))
    expected = np.log(reach[:, np.array(on_path)].sum(axis=1))
    np.testing.assert_allclose(found.log_likelihood, expected, rtol=1e-9)


def test_the_analysis_reports_prior_and_posterior_and_is_reproducible():
    scenario = load("cuban_missile_1962")
    request = StaticRequest(draws=256, sensitivity=0, knockouts=False)
    first, second = analyse(scenario, request), analyse(scenario, request)
    conditioned = first.conditioned
    assert conditioned is not None and conditioned.posterior.ess > 0
    assert [o.move for o in conditioned.observations] == [
        "us_choice.blockade",
        "soviet_reply.bargain",
        "us_offer.pledge_and_jupiters",
        "soviet_answer.withdraw",
    ]
    np.testing.assert_array_equal(
        conditioned.posterior.values["p_blockade_war"], second.conditioned.posterior.values["p_blockade_war"]
    )
    assert analyse(scenario, StaticRequest(draws=64, sensitivity=0, condition=False)).conditioned is None


def test_run_writes_the_record_section_and_no_record_leaves_it_out(tmp_path):
    result = invoke("run", "cuban_missile_1962", "--draws", "64", "--sensitivity", "0", "--out", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert "What the record implies" in (tmp_path / "a" / "report.md").read_text()
    record = json.loads((tmp_path / "a" / "summary.json").read_text())["record"]
    assert record["observations"][0]["move"] == "us_choice.blockade" and record["ess"] > 0
    result = invoke(
        "run", "cuban_missile_1962", "--draws", "64", "--sensitivity", "0", "--no-record", "--out", str(tmp_path / "b")
    )
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["record"] is None


def test_a_forecast_as_of_a_date_uses_only_what_was_known_then(tmp_path):
    out = tmp_path / "forecasts.jsonl"
    result = invoke("forecast", "cuban_missile_1962", "--as-of", "1962-10-22", "--draws", "256", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    withdrawal = next(r for r in records if r["question"] == "soviet_withdrawal")
    assert withdrawal["observations_used"] == 1 and withdrawal["horizon_days"] == 29
    assert 0.05 < withdrawal["probability"] < 0.999 and len(withdrawal["scenario_sha256"]) == 64
    later = tmp_path / "later.jsonl"
    invoke("forecast", "cuban_missile_1962", "--draws", "256", "-o", str(later))
    known = next(json.loads(line) for line in later.read_text().splitlines() if "withdrawal" in line)
    assert known["probability"] == pytest.approx(1.0)  # the withdrawal is in the record by then
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text("soviet_withdrawal: true\nnuclear_war: false\n")
    result = invoke("score", str(out), str(resolved), "--json")
    scores = json.loads(result.stdout)
    expected = np.mean([(r["probability"] - (r["question"] == "soviet_withdrawal")) ** 2 for r in records])
    assert scores["brier"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "cuban_missile_1962", "--as-of", "22/10/1962"], "write a day of the calendar as 2025-01-31"),
        (["forecast", "chicken"], "states no questions"),
        (["condition", "chicken"], "has no 'record:'"),
    ],
)
def test_bad_requests_are_refused_with_a_fix(args, message, tmp_path):
    result = runner.invoke(
        app, [*args, "--draws", "8", "-o" if args[0] == "forecast" else "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "x").exists()


def test_scoring_reports_bad_files_with_their_lines(tmp_path):
    forecasts, resolved = tmp_path / "f.jsonl", tmp_path / "r.yaml"
    forecasts.write_text('{"question": "a", "probability": 0.7}\nnot json\n')
    resolved.write_text("a: true\n")
    result = runner.invoke(app, ["score", str(forecasts), str(resolved)])
    assert result.exit_code == 1 and "f.jsonl:2" in result.output
    forecasts.write_text('{"question": "a", "probability": 1.7}\n{"question": "b", "probability": 0.2}\n')
    resolved.write_text("a: perhaps\n")
    result = runner.invoke(app, ["score", str(forecasts), str(resolved)])
    assert result.exit_code == 1 and "f.jsonl:1" in result.output and "'perhaps' is not an outcome" in result.output


def test_a_record_impossible_under_the_model_is_refused_by_name(tmp_path):
    text = SMALL.replace("p: {dist: beta, a: 2, b: 2,", "p: {dist: fixed, value: 0,")
    text += "record:\n  rationality: 1\n  observed:\n    - {date: 2024, move: start.push, source: s}\n"
    text += "    - {date: 2025, move: detect.seen, source: s}\n"
    path = tmp_path / "impossible.yaml"
    path.write_text(text)
    loads(text)  # valid as a file: the impossibility is the model's
    result = runner.invoke(app, ["condition", str(path), "--draws", "16", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "'detect.seen'" in result.output and "NaN" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_record_from_another_file_replaces_the_scenarios_and_is_checked_at_its_lines(tmp_path):
    record = tmp_path / "what_if.yaml"
    record.write_text(
        "record:\n  rationality: 2\n  observed:\n"
        "    - {date: 1962-10-22, move: us_choice.air_strike, source: a counterfactual}\n"
    )
    out = tmp_path / "out"
    result = invoke("condition", "cuban_missile_1962", "--observed", str(record), "--draws", "64", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert [o["move"] for o in summary["record"]["observations"]] == ["us_choice.air_strike"]
    assert summary["scenario_sha256"] != load("cuban_missile_1962").sha256  # the hash covers the record file
    record.write_text(record.read_text().replace("air_strike", "air_raid"))
    result = runner.invoke(
        app, ["condition", "cuban_missile_1962", "--observed", str(record), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and f"{record}:4:" in result.output and "air_raid" in result.output
    record.write_text("observed: []\n")
    result = runner.invoke(
        app, ["condition", "cuban_missile_1962", "--observed", str(record), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and "one top-level key, 'record:'" in result.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("forecasts", "resolved", "message"),
    [
        ("[1, 2]\n", "a: true\n", "f.jsonl:1: a forecast is a JSON object"),
        ('\n\n{"question": "a", "probability": true}\n', "a: true\n", "f.jsonl:3"),
        ('{"question": "a", "probability": 0.5}\n', "a: [true\n", "r.yaml:"),
    ],
)
def test_score_refuses_malformed_files_without_a_traceback(forecasts, resolved, message, tmp_path):
    (tmp_path / "f.jsonl").write_text(forecasts)
    (tmp_path / "r.yaml").write_text(resolved)
    result = runner.invoke(app, ["score", str(tmp_path / "f.jsonl"), str(tmp_path / "r.yaml")])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_a_certain_forecast_that_missed_is_named():
    from escalade.analyze import score_forecasts

    scores = score_forecasts(
        [(1, {"question": "a", "probability": 1.0}), (2, {"question": "b", "probability": 0.3})],
        {"a": False, "b": True},
    )
    assert scores.certain_and_wrong == ["a"] and scores.scored[0].log_score < -30


def test_a_move_at_an_information_set_is_summed_over_its_nodes():
    """`west_unrevealed.escalation_management` observes the West's move without saying which of the
    infoset's nodes it was made at (which chance branch led there): the likelihood sums over them."""
    base = load("dprk_russia_2024")
    record = base.record.model_copy(
        update={
            "observed": [
                o.model_copy(update={"move": "west_unrevealed.escalation_management"}) for o in base.record.observed[:1]
            ]
        }
    )
    scenario = base.model_copy(update={"record": record})
    tree = compile_tree(scenario)
    values = sample_parameters(scenario, 6, seed=2)
    found = evidence(scenario, values, tree).log_likelihood
    reach = solve_qre(compile_game(scenario, values, tree), values["rationality"]).reach[:, tree.terminal_nodes]
    label = tree.infoset_labels.index("west_unrevealed")
    on_path = [
        any(
            tree.infoset[tree.parent[n]] == label and tree.move_labels[n] == "escalation_management"
            for n in tree.path_to(int(end))[1:]
        )
        for end in tree.terminal_nodes
    ]
    np.testing.assert_allclose(found, np.log(reach[:, np.array(on_path)].sum(axis=1)), rtol=1e-9)


def test_a_forecast_before_anything_was_observed_is_the_prior_forecast(tmp_path):
    out = tmp_path / "f.jsonl"
    result = invoke("forecast", "cuban_missile_1962", "--as-of", "1900", "--draws", "128", "-o", str(out))
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text().splitlines()[0])
    assert record["observations_used"] == 0 and record["ess"] == pytest.approx(128)


def test_random_play_is_judged_on_the_same_evidence_as_the_model():
    """With a base rate in the record, the random-play baseline includes the base rate's likelihood under
    random play too (comparing the model's moves-and-rates with random play's moves alone was unfair)."""
    base = load("cuban_missile_1962")
    rate = {"outcome": "nuclear_war", "rate": 0.0, "cases": 30, "source": "a reference class"}
    record = base.record.model_copy(update={"base_rates": [BaseRate.model_validate(rate)]})
    scenario = base.model_copy(update={"record": record})
    values = sample_parameters(scenario, 8, seed=1)
    with_rate = evidence(scenario, values, compile_tree(scenario))
    moves_only = evidence(base, values, compile_tree(base))
    assert np.all(with_rate.random_play < moves_only.random_play)  # 30 cases without war cost random play


def test_observation_rows_follow_the_likelihoods_order_when_a_month_follows_a_day():
    """`1962-10` (known by 31 Oct) may follow `1962-10-22`; the report's rows, the likelihood's steps and
    the refusal messages all take the observations in the order they became known, not as text sorts."""
    base = load("cuban_missile_1962")
    observed = [
        {"date": "1962-10-22", "move": "us_choice.blockade", "source": "a test"},
        {"date": "1962-10", "move": "soviet_reply.bargain", "source": "a test"},
    ]
    record = base.record.model_copy(update={"observed": [Observation.model_validate(o) for o in observed]})
    scenario = base.model_copy(update={"record": record})
    posterior = condition(scenario, sample_unit(scenario, 64, 1), seed=1)
    rows = observation_rows(scenario, posterior)
    assert [row.move for row in rows] == scenario.record.moves()
    assert rows[0].move == "us_choice.blockade" and rows[1].date == "1962-10"


def test_a_forecast_from_another_record_file_carries_the_hash_that_covers_it(tmp_path):
    record = tmp_path / "record.yaml"
    record.write_text(
        "record:\n  rationality: 1\n  observed:\n    - {date: 1962-10-22, move: us_choice.blockade, source: a test}\n"
        "  questions:\n    withdrawal: {outcome: soviet_withdrawal, by: 1962-11-20}\n"
    )
    out = tmp_path / "f.jsonl"
    result = invoke("forecast", "cuban_missile_1962", "--observed", str(record), "--draws", "64", "-o", str(out))
    assert result.exit_code == 0, result.output
    made = json.loads(out.read_text().splitlines()[0])
    assert made["scenario_sha256"] != load("cuban_missile_1962").sha256 and made["as_of"] == "1962-10-22"
