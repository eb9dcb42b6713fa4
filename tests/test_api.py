import numpy as np
import pytest

import escalade
import escalade.pipeline


@pytest.fixture(scope="module")
def cuban():
    return escalade.load("cuban_missile_1962")


def test_load_gives_a_model_that_shows_itself_in_a_notebook(cuban):
    html = cuban._repr_html_()
    assert "Cuban Missile Crisis" in html and "p_blockade_war" in html


def test_solve_returns_tables(cuban):
    equilibrium = cuban.solve()
    assert list(equilibrium.paths["path"]) == ["USA: blockade → USSR: withdraw"]
    profile = equilibrium.profile
    assert set(profile.columns) == {"actor", "infoset", "action", "probability"}
    assert np.allclose(profile.groupby(["actor", "infoset"])["probability"].sum(), 1.0)
    assert equilibrium.values["USA"] == pytest.approx(1.0)
    assert "max regret" in equilibrium._repr_html_()


def test_solve_offers_the_other_methods(cuban):
    qre = cuban.solve(method="qre", lam=1.0).profile
    assert 0 < qre["probability"].min() < qre["probability"].max() < 1
    with pytest.raises(escalade.pipeline.RequestError, match="method 'magic' is unknown"):
        cuban.solve(method="magic")


def test_sweep_returns_frames_with_one_row_per_draw_and_policy():
    model = escalade.load("dprk_russia_2024")
    analysis = model.sweep(draws=32, seed=3, sensitivity=0)
    frame = analysis.to_frame()
    assert len(frame) == 32 * 3 and set(frame["policy"]) == {"equilibrium", "escalation_management", "deterrence"}
    summary = analysis.summary()
    assert list(summary["policy"]) == ["equilibrium", "escalation_management", "deterrence"]
    assert (summary["p_major_escalation_low"] <= summary["p_major_escalation"]).all()
    assert "32 draws, seed 3" in analysis._repr_html_()


def test_simulate_returns_a_dynamic_analysis_with_frames():
    crisis = escalade.load("cuban_missile_1962_dynamic").simulate(
        runs=200, draws=2, policies={"USA": ["deterrence", "equilibrium"]}, window=2
    )
    assert isinstance(crisis, escalade.DynamicAnalysis)
    summary = crisis.summary()
    assert summary["policy"].tolist() == ["USA=deterrence", "equilibrium"]
    assert {"final_level", "final_USA", "final_USSR", "p_deescalation", "ratchet_index"} <= set(summary.columns)
    assert summary["certified"].all()
    fan = crisis.fan("equilibrium")
    assert len(fan) == 13 and (fan["q05"] <= fan["q50"]).all() and (fan["q50"] <= fan["q95"]).all()
    assert fan["label"].iloc[-1] == "1962-10-28"
    assert "<table" in crisis._repr_html_()
    reached = {label: crisis.time_to_rung(label).set_index("rung")["p_reached"] for label in summary["policy"]}
    assert reached["USA=deterrence"][7] > reached["equilibrium"][7] + 0.2  # the air strike, once US forces are ready
    with pytest.raises(escalade.pipeline.RequestError, match="no 'dynamics:' section"):
        escalade.load("chicken").simulate()


def test_simulate_gives_the_same_numbers_on_worker_processes():
    # two workers solve each course's draws in two pieces (2 and 1 of 3), joined before the runs
    options = {"runs": 120, "draws": 3, "policies": {"USA": ["appeasement", "equilibrium"]}, "seed": 3}
    model = escalade.load("cuban_missile_1962_dynamic")
    serial = model.simulate(**options)
    parallel = model.simulate(workers=2, **options)
    for a, b in zip(serial.paths, parallel.paths, strict=True):
        np.testing.assert_array_equal(a.solution.policy, b.solution.policy)
        np.testing.assert_array_equal(a.solution.regret, b.solution.regret)
        np.testing.assert_array_equal(a.trajectories.states, b.trajectories.states)
    assert [c.holds for c in serial.claims] == [c.holds for c in parallel.claims]


def test_simulate_refuses_fewer_runs_than_draws():
    with pytest.raises(escalade.pipeline.RequestError, match="runs \\(10\\) must be at least draws \\(16\\)"):
        escalade.load("cuban_missile_1962_dynamic").simulate(runs=10, draws=16)


def test_a_sweep_in_a_notebook_gives_the_reports_figures_and_writes_the_report(tmp_path):
    import plotly.graph_objects as go

    analysis = escalade.load("cuban_missile_1962").sweep(
        draws=32, sensitivity=8, ranges={"strike_cost": (0.0, 3.0)}, grid=3, record=False
    )
    assert isinstance(analysis, escalade.Analysis) and isinstance(analysis, escalade.Sweep)
    figures = [
        analysis.plot.policies(),
        analysis.plot.escalation(),
        analysis.plot.tornado(),
        analysis.plot.sobol(),
        analysis.plot.curves("strike_cost"),
    ]
    assert all(isinstance(f, go.Figure) and f.data for f in figures)
    with pytest.raises(ValueError, match="no policy_map"):
        analysis.plot.policy_map()
    written = analysis.to_html(tmp_path / "report.html")
    text = written.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Cuban" in text and "strike_cost" in text
    assert len(analysis.to_frame()) == 32 * len(analysis.runs)


def test_a_simulation_in_a_notebook_gives_its_figures_frame_and_report(tmp_path):
    import plotly.graph_objects as go

    crisis = escalade.load("cuban_missile_1962_dynamic").simulate(runs=64, draws=2, rounds=4)
    assert isinstance(crisis, escalade.DynamicAnalysis) and isinstance(crisis, escalade.Simulation)
    course = crisis.paths[-1].label
    assert all(
        isinstance(f, go.Figure) for f in (crisis.plot.fan(course), crisis.plot.reached(6), crisis.plot.scores())
    )
    with pytest.raises(ValueError, match="no course 'nope'"):
        crisis.plot.fan("nope")
    frame = crisis.to_frame()
    assert set(frame["course"]) == {p.label for p in crisis.paths}
    assert crisis.to_html(tmp_path / "dynamics.html").read_text().startswith("<!DOCTYPE html>")
