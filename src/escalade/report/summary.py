"""The findings of an analysis as plain data and plain words (no modelling here)."""

from __future__ import annotations

from typing import Any

from escalade.analyze import Analysis, ClaimVerdict, Estimate, likely_paths, value_of_information
from escalade.history import VIOLENCE_LABELS
from escalade.scenario import Scenario


def headline(analysis: Analysis) -> str:
    """One paragraph in plain language: the policy comparison at the highest level reported."""
    level = max(analysis.levels)
    rows = {row.policy: row for row in analysis.rows}
    scripted = [row for row in analysis.rows if row.policy != "equilibrium"]
    parts = [
        f"Across {analysis.draws:,} parameter draws, "
        + "; ".join(
            f"under {row.policy.replace('_', ' ')} P(escalation ≥ {level:g}) = {row.p_at_least[level]}"
            for row in scripted
        )
        if scripted
        else f"Across {analysis.draws:,} parameter draws, P(escalation ≥ {level:g}) = "
        f"{rows['equilibrium'].p_at_least[level]}"
    ]
    if len(scripted) >= 2:
        best = min(scripted, key=lambda row: row.p_at_least[level].mean)
        parts.append(
            f"{best.policy.replace('_', ' ').capitalize()} gives the lowest probability of reaching level {level:g}"
        )
    free = rows.get("equilibrium")
    if free is not None:
        parts.append(
            f"Left free, the actors' equilibrium gives {free.p_at_least[level]} (95% bootstrap intervals over draws)"
        )
    return ". ".join(parts) + "."


def information_value(analysis: Analysis) -> dict[str, Estimate]:
    """Per policy, what the what-if actor gains from seeing every move (needs ``what_if``)."""
    assert analysis.what_if is not None and analysis.what_if.full_information is not None
    who = analysis.what_if.full_information
    players = analysis.runs[0].tree.players
    if who == "all":
        return {}
    return value_of_information(analysis.runs, analysis.what_if.runs, players.index(who), analysis.seed)


def _policy_records(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "policy": row.policy,
            "expected_escalation": vars(row.expected_escalation),
            "p_escalation_at_least": {f"{level:g}": vars(est) for level, est in row.p_at_least.items()},
        }
        for row in analysis.rows
    ]


def sensitivity_sentence(analysis: Analysis) -> str:
    """One sentence on what the answer turns on, from the Sobol indices and tipping points."""
    sensitivity = analysis.sensitivity
    if sensitivity is None or not sensitivity.sobol:
        return ""
    output = sensitivity.tornado_output
    top = [index for index in sensitivity.sobol[output][:3] if index.total > 0.05]
    if not top:
        return f"No single parameter explains much of the variance of {output}."
    named = ", ".join(f"{index.parameter} (total Sobol index {index.total:.2f})" for index in top)
    sentence = f"The result turns on {named}."
    if sensitivity.tipping:
        flips = "; ".join(
            f"{point.parameter} ≈ {point.value:.3g} ({point.before} → {point.after})"
            for point in sensitivity.tipping[:4]
        )
        sentence += f" The recommended policy flips at {flips}, other parameters at their means."
    return sentence


def _sensitivity_record(analysis: Analysis) -> dict[str, Any] | None:
    sensitivity = analysis.sensitivity
    if sensitivity is None:
        return None
    return {
        "level": sensitivity.level,
        "base_samples": sensitivity.base_samples,
        "sobol": {output: [vars(index) for index in indices] for output, indices in sensitivity.sobol.items()},
        "tornado_output": sensitivity.tornado_output,
        "tornado": [vars(swing) | {"width": swing.width} for swing in sensitivity.tornado],
        "tipping_points": [vars(point) for point in sensitivity.tipping],
    }


def claim_rows(claims: list[ClaimVerdict]) -> list[list[str]]:
    """One row per claim: name, claim, share of draws where it holds [95% CI], verdict, deciding parameters."""
    return [
        [
            verdict.name,
            verdict.text,
            f"{verdict.holds.share:.3f} [{verdict.holds.low:.3f}, {verdict.holds.high:.3f}]",
            verdict.verdict,
            ", ".join(f"{d.parameter} ({d.total:.2f})" for d in verdict.deciding),
        ]
        for verdict in claims
    ]


def claim_record(verdict: ClaimVerdict) -> dict[str, Any]:
    """JSON-ready: the claim, the shares of draws where it holds and where it is reversed, the verdict."""
    return {
        "name": verdict.name,
        "text": verdict.text,
        "holds": verdict.holds.record(),
        "reversed": verdict.reversed.record(),
        "mean_gap": vars(verdict.gap),
        "verdict": verdict.verdict,
        "deciding": [vars(d) for d in verdict.deciding],
    }


def policy_header(analysis: Analysis) -> list[str]:
    return ["policy", "E[escalation level]", *(f"P(escalation ≥ {level:g})" for level in analysis.levels)]


def policy_rows(analysis: Analysis) -> list[list[str]]:
    """One row per policy: expected escalation and P(escalation >= level), each with its 95% CI."""
    return [
        [row.policy, str(row.expected_escalation), *(str(row.p_at_least[level]) for level in analysis.levels)]
        for row in analysis.rows
    ]


def history_rows(analysis: Analysis) -> list[list[str]]:
    """One row per ICB violence level: base rate of the reference class [Wilson CI], the model [CI]."""
    history = analysis.history
    assert history is not None
    return [
        [
            f"{level} {VIOLENCE_LABELS[level]}",
            f"{share.share:.3f} [{share.low:.3f}, {share.high:.3f}]",
            str(history.model[level]),
        ]
        for level, share in history.base_rates.items()
    ]


HISTORY_HEADER = ["violence (ICB)", "base rate of the reference class (95% Wilson)", "model (95% CI)"]
CLAIM_HEADER = ["claim", "statement", "holds in (share of draws, 95% CI)", "verdict", "decided by (total Sobol)"]


def provenance(scenario: Scenario, version: str, seed: int, draws: int, created: str) -> dict[str, Any]:
    """What repeats a run: the scenario, its file and SHA-256, the escalade version, seed and draws."""
    return {
        "scenario": scenario.name,
        "scenario_file": scenario.source_file,
        "scenario_sha256": scenario.sha256,
        "escalade_version": version,
        "seed": seed,
        "draws": draws,
        "created": created,
    }


def summary_data(analysis: Analysis) -> dict[str, Any]:
    """A JSON-ready record of the analysis, with what is needed to repeat it."""
    return {
        **provenance(analysis.scenario, analysis.version, analysis.seed, analysis.draws, analysis.created),
        "full_information": analysis.full_information,
        "notes": analysis.notes,
        "headline": headline(analysis),
        "sensitivity_summary": sensitivity_sentence(analysis),
        "sensitivity": _sensitivity_record(analysis),
        "history": None
        if analysis.history is None
        else {
            "data_file": analysis.history.data_file,
            "where": analysis.history.where,
            "n_crises": analysis.history.n_crises,
            "base_rates": {VIOLENCE_LABELS[k]: v.record() for k, v in analysis.history.base_rates.items()},
            "model": {VIOLENCE_LABELS[k]: vars(v) for k, v in analysis.history.model.items()},
        },
        "claims": [claim_record(v) for v in analysis.claims],
        "policies": _policy_records(analysis),
        "share_of_draws_a_below_b": [{"a": a, "b": b, "share": share} for (a, b), share in analysis.beats.items()],
        "what_if": None
        if analysis.what_if is None
        else {
            "full_information": analysis.what_if.full_information,
            "policies": _policy_records(analysis.what_if),
            "value_of_information": {p: vars(e) for p, e in information_value(analysis).items()},
        },
        "at_parameter_means": {
            policy: {
                "values": dict(zip(solution.game.tree.players, solution.values[0].tolist(), strict=True)),
                "max_regret": float(solution.max_regret[0]),
                "likely_paths": [
                    {"probability": row.probability, "moves": row.moves, "outcome": row.attributes}
                    for row in likely_paths(solution)
                ],
            }
            for policy, solution in analysis.central.items()
        },
    }
