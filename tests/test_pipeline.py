"""The pipeline: requests checked once in the scenario's words, the tree compiled once per variant, and
every section of a report shown by all four writers."""

from __future__ import annotations

import html
import json
import sys

import pytest
from rich.console import Console

import escalade
from escalade.game.compile import compile_tree
from escalade.game.tree import TreeBuilder
from escalade.pipeline import (
    DynamicRequest,
    PointRequest,
    RequestError,
    Settings,
    StaticRequest,
    analyse,
    simulate,
    solve_point,
)
from escalade.report import dynamic_report, static_report, to_html, to_json, to_markdown, to_terminal
from escalade.scenario import load


@pytest.fixture(scope="module")
def flagship():
    return load("dprk_russia_2024")


def test_one_run_compiles_the_tree_once_per_scenario_variant(flagship, monkeypatch):
    # every name that imported compile_tree shares its code object: count the builds it makes (the
    # subgame solver builds small trees of its own, which are not compilations of the scenario)
    builds = []
    original = TreeBuilder.build

    def counted(self):
        if sys._getframe(1).f_code is compile_tree.__code__:
            builds.append(1)
        return original(self)

    monkeypatch.setattr(TreeBuilder, "build", counted)
    analyse(flagship, StaticRequest(draws=16, sensitivity=8))
    assert len(builds) == 1  # the scenario, its central solutions, Sobol, tipping points and claims
    builds.clear()
    analyse(flagship, StaticRequest(draws=16, sensitivity=0, full_information="WEST"))
    assert len(builds) == 1  # the what-if splits the compiled tree's information sets, it does not recompile


@pytest.mark.parametrize(
    ("request_", "words"),
    [
        (StaticRequest(policies=("nope",)), "no policy 'nope'; the scenario's policies are: escalation_management"),
        (StaticRequest(draws=0), "draws is 0; use a whole number of 1 or more"),
        (StaticRequest(full_information="NOBODY"), "no actor 'NOBODY' to give full information"),
        (StaticRequest(sampling="grid"), "sampling 'grid' is unknown"),
        (PointRequest(method="qre", lam=-1.0), "λ is -1.0"),
        (PointRequest(method="spe", lam=1.0), "a logit precision λ goes with the qre method, not spe"),
        (PointRequest(policy="nope"), "no policy 'nope'"),
    ],
)
def test_bad_requests_get_one_worded_error_from_the_request(flagship, request_, words):
    with pytest.raises(RequestError, match=words.replace("(", r"\(").replace(")", r"\)")):
        (solve_point if isinstance(request_, PointRequest) else analyse)(flagship, request_)


def test_every_problem_of_a_request_is_reported_at_once(flagship):
    with pytest.raises(RequestError) as caught:
        analyse(flagship, StaticRequest(draws=-3, policies=("a", "b"), sampling="x"))
    assert len(caught.value.problems) == 4


def test_dynamic_requests_are_checked_in_the_scenarios_words():
    scenario = load("cuban_missile_1962_dynamic")
    with pytest.raises(RequestError) as caught:
        simulate(scenario, DynamicRequest(policies={"USA": ("bluff",), "NOBODY": ("x",)}, lam=-1.0))
    text = str(caught.value)
    assert "USA has no dynamic policy 'bluff'" in text and "no actor 'NOBODY'" in text and "λ is -1.0" in text


def test_the_api_and_the_cli_give_the_same_error(flagship):
    from typer.testing import CliRunner

    from escalade.cli import app

    with pytest.raises(RequestError, match="no policy 'nope'"):
        escalade.Model(flagship).solve(policy="nope")
    result = CliRunner().invoke(app, ["solve", "dprk_russia_2024", "--policy", "WEST=nope"])
    assert result.exit_code == 1 and "no policy 'nope'" in result.output and "KeyError" not in result.output


def _headings_everywhere(report) -> None:
    markdown, page, record = to_markdown(report), to_html(report), json.loads(to_json(report))
    console = Console(record=True, width=200)
    to_terminal(console, report)
    terminal = console.export_text()
    assert [section["heading"] for section in record["outline"]] == [s.heading for s in report.sections]
    for section in report.sections:
        assert f"## {section.heading}" in markdown, section.heading
        assert f"<h2>{html.escape(section.heading)}</h2>" in page, section.heading
        assert section.heading in terminal, section.heading


def test_every_section_of_the_static_report_is_in_all_four_writers(flagship):
    ranges = {"audience_cost": (0.0, 3.0), "deepen_gain": (0.5, 2.0)}
    request = StaticRequest(draws=16, sensitivity=8, full_information="WEST", grid=3, settings=Settings(ranges=ranges))
    report = static_report(analyse(flagship, request))
    # policies, why, sensitivity, response curves, claims, what-if, means, actors, parameters
    assert len(report.sections) >= 9
    _headings_everywhere(report)


def test_every_section_of_the_dynamic_report_is_in_all_four_writers():
    analysis = simulate(load("cuban_missile_1962_dynamic"), DynamicRequest(runs=64, draws=2, rounds=4))
    report = dynamic_report(analysis)
    assert len(report.sections) >= 8
    _headings_everywhere(report)


def test_the_stage_packages_are_importable_beside_the_facade():
    import escalade.simulate.runs

    assert callable(escalade.simulate.runs.solve_draws) and callable(escalade.load)


def test_an_analysis_names_each_stage_and_gives_each_job_its_total_before_it_starts():
    from escalade.pipeline import Backend, StaticRequest, analyse
    from escalade.scenario import load

    stages, calls = [], []
    backend = Backend(progress=lambda done, total: calls.append((len(stages), done, total)), announce=stages.append)
    request = StaticRequest(draws=64, sensitivity=8, claim_draws=32, claim_sensitivity=0, full_information="WEST")
    analyse(load("dprk_russia_2024"), request, backend)
    assert stages == [
        "solving 64 draws",
        "sensitivity: Sobol, Morris, tornado, tipping points",
        "claims, their mechanisms knocked out",
        "each mechanism knocked out",
        "conditioning on the record",
        "what if WEST saw every move",
    ]
    assert {stage for stage, _, _ in calls} == set(range(1, len(stages) + 1))  # every stage reports
    starts = [(done, total) for _, done, total in calls if done == 0]
    assert starts and all(total >= 1 for _, total in starts)
