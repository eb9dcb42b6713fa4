"""Inputs that cannot hurt: each reproducer of the bad-input campaign gets a worded, located error and a
non-zero exit, and writes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalade.cli import app
from escalade.scenario import ScenarioError, load, loads, override, shipped_scenarios

MINIMAL = """\
name: tiny
title: A tiny crisis
actors:
  - {id: A, name: Alpha, utility: {gain: 1}}
attributes: {gain: what A gains}
parameters:
  p: {dist: uniform, low: 0.2, high: 0.8, doc: a probability, source: test}
root: start
nodes:
  start:
    actor: A
    actions:
      go: {next: luck}
      stay: {next: done}
  luck:
    chance:
      good: {p: p, next: done, effects: {gain: 1}}
      bad: {p: 1 - p, next: done}
  done:
    outcome: {gain: 0}
"""


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def write(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        loads(text, "bad.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_minimal_scenario_is_valid():
    assert loads(MINIMAL).name == "tiny"


# --- the scenario loader ---------------------------------------------------------------------


def test_deep_nesting_is_refused_with_its_line(tmp_path):
    result = invoke("validate", str(write(tmp_path, "name: x\ntitle: " + "[" * 5000 + "]" * 5000)))
    assert result.exit_code == 1
    assert "bad.yaml:2: lists and mappings nest more than 64 levels" in result.output


def test_a_binary_file_is_named_and_refused(tmp_path):
    result = invoke("validate", str(write(tmp_path, b"name: x\n\xad\xff\xfe")))
    assert result.exit_code == 1
    assert "bad.yaml:2: byte 0xad is not UTF-8 text" in result.output and "Traceback" not in result.output
    nul = invoke("validate", str(write(tmp_path, b"\x00\x01binary", "nul.yaml")))
    assert nul.exit_code == 1 and "nul.yaml:1: this is a binary file" in nul.output


def test_an_alias_bomb_is_refused_quickly():
    bomb, previous = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n', "a"
    for name in "bcdefghij":
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    assert len(bomb) < 400
    start = time.perf_counter()
    found = problems(bomb)
    assert time.perf_counter() - start < 5
    assert any("expands to more than 200,000 items" in p for p in found)


def test_a_self_referencing_alias_is_refused():
    assert any("refers to the list or mapping that contains it" in p for p in problems("a: &x [1, *x]\n"))


def test_merge_keys_are_refused_with_their_line():
    assert "bad.yaml:3: merge keys ('<<') are not supported" in problems("base: &b {x: 1}\nname: t\n<<: *b\n")[0]


def test_a_control_character_is_located():
    found = problems("name: t\ntitle: \x01bad\n")
    assert found[0].startswith("bad.yaml:2: this is not valid YAML") and "U+0001" in found[0]


def test_an_integer_of_five_thousand_digits_is_refused():
    assert any(p.startswith("bad.yaml:2: cannot read the value") for p in problems("name: t\nx: " + "9" * 5000))


def test_a_list_where_a_name_is_expected_is_reported():
    text = MINIMAL.replace("dist: uniform", "dist: [uniform]").replace("root: start", "root: [start, luck]")
    found = problems(text)
    assert any("bad.yaml:7: parameter 'p' has no known distribution" in p for p in found)
    assert any("bad.yaml:8: 'root' must be text" in p for p in found)


def test_a_twenty_thousand_term_formula_is_refused():
    found = problems(MINIMAL.replace("outcome: {gain: 0}", "outcome: {gain: '" + "+".join(["p"] * 20000) + "'}"))
    assert any("characters long" in p and "bad.yaml:20" in p for p in found)


def test_a_chain_of_990_nodes_validates_without_recursion():
    chain = "\n".join(f"  n{i}:\n    actor: A\n    actions:\n      go: {{next: n{i + 1}}}" for i in range(990))
    text = MINIMAL.split("root:")[0] + f"root: n0\nnodes:\n{chain}\n  n990:\n    outcome: {{gain: 1}}\n"
    assert len(loads(text).nodes) == 991


@pytest.mark.parametrize("formula", ["1 / 0", "log(0)", "10 ** 400", "exp(1000)", "p / (p - p)"])
def test_formulas_that_are_not_finite_are_refused_with_their_line(formula):
    found = problems(MINIMAL.replace("effects: {gain: 1}", f"effects: {{gain: '{formula}'}}"))
    assert any(p.startswith("bad.yaml:17:") and "keep formulas finite" in p for p in found), found


@pytest.mark.parametrize("number", ["1e999", ".inf", ".nan", "-.inf"])
def test_non_finite_parameter_numbers_are_refused(number):
    found = problems(MINIMAL.replace("high: 0.8", f"high: {number}"))
    assert any(p.startswith("bad.yaml:7:") for p in found), found


def test_an_infinite_range_in_a_shipped_scenario_is_refused_not_certified(tmp_path):
    text = shipped_scenarios()["audience_costs"].read_text()
    high = next(line for line in text.splitlines() if line.strip().startswith("high:"))
    result = invoke("solve", str(write(tmp_path, text.replace(high, high.split(":")[0] + ": .inf", 1))))
    assert result.exit_code == 1 and "finite number" in result.output and "verified" not in result.output


def test_a_payoff_that_overflows_along_a_path_is_refused(tmp_path):
    text = MINIMAL.replace("outcome: {gain: 0}", "outcome: {gain: '1 / (gain - 1)'}")
    result = invoke("solve", str(write(tmp_path, text)))
    assert result.exit_code == 1
    assert "the payoff 'A' at end node 'done' is inf" in result.output and "verified" not in result.output


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "setting", "message"),
    [
        ("--set", "p_reveal_combat=1.7", "outside [0, 1]"),
        ("--set", "p_reveal_combat=5", "outside [0, 1]"),
        ("--set", "p_reveal_combat=nan", "give a finite number"),
        ("--vary", "p_reveal_combat=0:3", "outside [0, 1]"),
        ("--vary", "audience_cost=0:inf", "give a finite number"),
        ("--set", "nope=1", "no parameter 'nope'"),
    ],
)
def test_settings_are_checked_like_the_scenario_before_any_solving(tmp_path, flag, setting, message):
    start = time.perf_counter()
    result = invoke("sweep", "dprk_russia_2024", "--draws", "64", flag, setting, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and message in result.output
    assert time.perf_counter() - start < 10  # refused before the sweep, not after it
    assert not (tmp_path / "out").exists()


def test_settings_are_checked_from_python_too():
    with pytest.raises(ScenarioError, match=r"with p_reveal_combat = 1.7: probability of 'revealed' is 1.7"):
        override(load("dprk_russia_2024"), {"p_reveal_combat": 1.7})


# --- the command line ------------------------------------------------------------------------


def test_a_huge_draw_count_is_refused_before_allocating(tmp_path):
    result = invoke("sweep", "dprk_russia_2024", "--draws", str(10**12), "--out", str(tmp_path))
    assert result.exit_code == 1 and "GiB of memory" in result.output and "ask for fewer draws" in result.output


def test_a_huge_run_count_is_refused_before_solving(tmp_path):
    start = time.perf_counter()
    result = invoke("simulate", "cuban_missile_1962_dynamic", "--runs", str(10**12), "--out", str(tmp_path))
    assert result.exit_code == 1 and "ask for fewer runs or rounds" in result.output
    assert time.perf_counter() - start < 10


def test_a_port_out_of_range_is_refused():
    result = invoke("serve", "--port", "70000")
    assert result.exit_code == 2 and "65535" in result.output


@pytest.mark.parametrize("lam", ["-1", "nan"])
def test_a_negative_or_missing_rationality_is_refused(tmp_path, lam):
    result = invoke("simulate", "cuban_missile_1962_dynamic", "--lambda", lam, "--out", str(tmp_path))
    assert result.exit_code == 1 and "use a number ≥ 0" in result.output


def test_a_pure_equilibrium_that_does_not_exist_is_an_error_not_a_nan(tmp_path):
    # one of the flagship's default draws, where best responses cycle (found by sampling 16 draws)
    point = {
        "casualty_cost": 1.066, "china_restraint": 0.5293, "deepen_gain": 1.7706, "deterrence_effect": 0.9441,
        "p_collapse": 0.2615, "p_reveal": 0.9096, "p_setback": 0.3784, "p_talks": 0.1588, "prestige_cost": 1.9482,
        "settle_value": 0.956, "sunk_share": 0.0688, "support_cost": 0.3972, "war_cost": 20.0, "west_harm": 1.002,
        "west_pressure": 0.4487,
    }  # fmt: skip
    sets = [arg for name, value in point.items() for arg in ("--set", f"{name}={value}")]
    args = ["--lambda", "inf", "--draws", "1", "--runs", "8", "--policy", "WEST=equilibrium"]
    result = invoke("simulate", "dprk_russia_dynamic", *args, *sets, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "best-response iteration found none" in result.output and "use a finite rationality" in result.output
    assert "nan" not in result.output and not (tmp_path / "out").exists()


def test_input_errors_are_not_labelled_as_bugs(tmp_path):
    for args in (["validate", "/nonexistent.yaml"], ["sweep", "dprk_russia_2024", "--set", "p_reveal_combat=2"]):
        result = invoke(*args)
        assert result.exit_code == 1 and "bug" not in result.output


# --- outputs ---------------------------------------------------------------------------------


def test_a_symlink_or_device_target_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "elsewhere.efg"
    target.write_text("keep me")
    link = tmp_path / "link.efg"
    link.symlink_to(target)
    result = invoke("export", "chicken", "-o", str(link))
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert link.is_symlink() and target.read_text() == "keep me"
    device = invoke("export", "chicken", "-o", "/dev/null")
    assert device.exit_code == 1 and "not a regular file" in device.output and Path("/dev/null").is_char_device()


def test_a_failing_writer_leaves_no_file_of_the_set(tmp_path):
    from escalade.report import publish, text_writer

    def broken(path: Path) -> None:
        path.write_text("half")
        raise OSError(28, "No space left on device")

    (tmp_path / "report.md").write_text("previous run")
    with pytest.raises(OSError, match="No space"):
        publish(tmp_path, {"report.md": text_writer("new"), "summary.json": broken})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]
    assert (tmp_path / "report.md").read_text() == "previous run"


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    command = [str(Path(sys.executable).parent / "escalade"), "sweep", "dprk_russia_2024", "--draws", "200000"]
    # as from a terminal: a test run started in the background inherits SIGINT ignored, and a process that
    # starts with SIGINT ignored rightly keeps ignoring it
    process = subprocess.Popen(
        [*command, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    time.sleep(6)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_a_missing_gambit_file_is_named_with_a_fix():
    result = invoke("solve", "nosuch.efg")
    assert (
        result.exit_code == 1
        and "nosuch.efg: no such Gambit file — give the path of a .efg or .nfg file" in result.output
    )


def test_a_misspelt_distribution_is_one_problem_with_a_suggestion():
    found = problems(MINIMAL.replace("dist: uniform", "dist: unifrom"))
    assert found == ["bad.yaml:7: parameter 'p' has no known distribution (dist: 'unifrom') — did you mean 'uniform'?"]


def test_settings_problems_name_the_settings_not_the_file():
    with pytest.raises(ScenarioError) as caught:
        override(load("dprk_russia_2024"), {"p_reveal_combat": 1.7})
    assert str(caught.value.problems[0]).startswith("settings: with p_reveal_combat = 1.7:")


def test_an_oversized_file_is_refused_before_it_is_read_and_so_is_oversized_text(tmp_path):
    result = invoke("validate", str(write(tmp_path, "name: x\n" + "#" * 2_100_000)))
    assert result.exit_code == 1 and "bytes long" in result.output and "at most 2,000,000 bytes" in result.output
    assert any("characters long" in p for p in problems("name: x\n" + "#" * 2_100_000))
