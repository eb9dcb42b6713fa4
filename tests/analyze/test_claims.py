import json

import numpy as np
import pytest
from typer.testing import CliRunner

from escalade.analyze import evaluate_claims
from escalade.analyze.claims import one_at_a_time
from escalade.cli import app
from escalade.game import compile_game, force
from escalade.scenario import ScenarioError, load, loads
from escalade.simulate import sample_parameters
from tests.scenario.test_load import SMALL

CLAIMED = SMALL.replace(
    "policies:\n  firm: {actor: B, choose: {reply: resist}}",
    "policies:\n  firm: {actor: B, choose: {reply: resist}}\n  soft: {actor: B, choose: {reply: accept}}\n"
    "claims:\n  firmness_escalates:\n    text: a firm defender raises escalation\n    output: expected_escalation\n"
    "    lower: {policy: soft}\n    higher: {policy: firm}\n",
)


def test_a_claim_that_holds_by_construction_holds_in_every_draw():
    scenario = loads(CLAIMED)
    values = sample_parameters(scenario, 64, seed=1)

    class Outputs:  # what a solver gives: escalation is 3p more under 'firm'
        def __init__(self, values):
            self.values = values

        def measure(self, output):
            assert output == "expected_escalation"
            return self.values

    def solve(variant, draws, conditions):
        p = draws["p"]
        return [Outputs(2.0 * np.ones_like(p) if c.policy == "soft" else 2.0 + 3.0 * p) for c in conditions]

    (verdict,) = evaluate_claims(scenario, values, one_at_a_time(solve), seed=1, sobol_samples=32, knockouts=False)
    assert verdict.holds.count == 64 and verdict.result.reversed.count == 0
    assert verdict.verdict == "holds in nearly all draws"
    assert verdict.gap.mean == pytest.approx(3.0 * values["p"].mean())
    assert verdict.deciding[0].parameter == "p"
    assert verdict.mechanisms == [] and verdict.effects_tested == 0


def test_forcing_a_chance_node_fixes_its_branch_in_every_copy():
    scenario = load("dprk_russia_2024")
    game = force(compile_game(scenario), {"reveal_combat": "hidden"})
    tree = game.tree
    for node in range(1, tree.n_nodes):
        if tree.node_labels[tree.parent[node]] == "reveal_combat":
            assert game.chance_prob[0, node] == (1.0 if tree.move_labels[node] == "hidden" else 0.0)


def test_claims_naming_unknown_policies_or_branches_are_located():
    broken = CLAIMED.replace("lower: {policy: soft}", "lower: {policy: gentle, force: {detect: maybe}}")
    with pytest.raises(ScenarioError) as info:
        loads(broken, "claims.yaml")
    messages = " ".join(p.message for p in info.value.problems)
    assert "unknown policy 'gentle'" in messages and "no branch 'maybe'" in messages
    assert all(p.line for p in info.value.problems)


def test_the_flagship_claims_get_verdicts_from_the_command_line():
    result = CliRunner().invoke(app, ["claims", "--draws", "64", "--sensitivity", "0", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)["claims"]
    assert [c["name"] for c in record] == [
        "revelation_raises_escalation",
        "deterrence_beats_management",
        "management_rewards_deepening",
    ]
    for claim in record:
        holds = claim["holds"]
        assert 0 <= holds["low"] <= holds["share"] <= holds["high"] <= 1 and claim["verdict"]
        assert claim["effects_tested"] == 45 and claim["knockouts"]
    # and what each mechanism moves on the same draws, the overwhelming response above all
    moved = {k["mechanism"]: k["moved"] for k in json.loads(result.output)["knockouts"]}
    assert set(moved) == {"audience_costs", "ratchet", "overwhelming_response", "china_restraint"}
    assert "P(dprk_deepens)" in moved["overwhelming_response"]
