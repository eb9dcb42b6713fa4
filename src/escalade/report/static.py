"""The outline of a static analysis (a game tree across parameter draws): its sections, in order."""

from __future__ import annotations

from typing import Any

from escalade.analyze import Analysis, ClaimVerdict, likely_paths
from escalade.history import VIOLENCE_LABELS
from escalade.report.charts import escalation_chart, policy_chart, tornado_chart, tree_svg
from escalade.report.outline import Figure, Report, Section, Table
from escalade.scenario import Scenario
from escalade.simulate import EQUILIBRIUM

CLAIM_COLUMNS = ["claim", "statement", "holds in (share of draws, 95% CI)", "verdict", "decided by (total Sobol)"]


def static_report(analysis: Analysis) -> Report:
    """The static analysis as an outline for the writers in :mod:`escalade.report.outline`."""
    scenario = analysis.scenario
    sections = [
        _policies(analysis),
        *([_sensitivity(analysis)] if analysis.sensitivity is not None else []),
        *([_history(analysis)] if analysis.history is not None else []),
        *([claims_section(analysis.claims, CLAIM_COLUMNS)] if analysis.claims else []),
        *([_what_if(analysis)] if analysis.what_if is not None else []),
        _central(analysis),
        _actors(scenario),
        parameters_section(scenario),
    ]
    headline = [finding(analysis), *([sensitivity_sentence(analysis)] if analysis.sensitivity is not None else [])]
    record = {
        **provenance(scenario, analysis.version, analysis.seed, analysis.draws, analysis.created),
        "full_information": analysis.full_information,
        "notes": analysis.notes,
        "headline": finding(analysis),
        "sensitivity_summary": sensitivity_sentence(analysis),
        "sensitivity": None,
        "history": None,
        "claims": [],
        "what_if": None,
    }
    size = f"{analysis.draws:,} draws"
    closing = footer(scenario, analysis.version, analysis.seed, size, analysis.created)
    return Report(scenario.title, scenario.description, headline, analysis.notes, sections, record, closing)


def finding(analysis: Analysis) -> str:
    """One paragraph in plain language: the policy comparison at the highest level reported."""
    level = max(analysis.levels)
    rows = {row.policy: row for row in analysis.rows}
    scripted = [row for row in analysis.rows if row.policy != EQUILIBRIUM]
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
    free = rows.get(EQUILIBRIUM)
    if free is not None:
        parts.append(
            f"Left free, the actors' equilibrium gives {free.p_at_least[level]} (95% bootstrap intervals over draws)"
        )
    return ". ".join(parts) + "."


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


def _policy_table(analysis: Analysis, caption: str = "") -> Table:
    columns = ["policy", "E[escalation level]", *(f"P(escalation ≥ {level:g})" for level in analysis.levels)]
    rows = [
        [row.policy, str(row.expected_escalation), *(str(row.p_at_least[level]) for level in analysis.levels)]
        for row in analysis.rows
    ]
    return Table(columns, rows, frozenset(range(1, len(columns))), caption)


def _policy_records(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "policy": row.policy,
            "expected_escalation": vars(row.expected_escalation),
            "p_escalation_at_least": {f"{level:g}": vars(est) for level, est in row.p_at_least.items()},
        }
        for row in analysis.rows
    ]


def _policies(analysis: Analysis) -> Section:
    level = max(analysis.levels)
    tables = [_policy_table(analysis)]
    pairs = [(a, b, share) for (a, b), share in analysis.beats.items() if a < b]
    if pairs:
        tables.append(
            Table(
                ["policy A", "policy B", "A lower", "B lower", "tie"],
                [
                    [a, b, f"{share:.3f}", f"{analysis.beats[(b, a)]:.3f}", f"{1 - share - analysis.beats[(b, a)]:.3f}"]
                    for a, b, share in pairs
                ],
                frozenset({2, 3, 4}),
                f"Paired: share of draws in which each policy gives the lower P(escalation ≥ {level:g})",
            )
        )
    return Section(
        "Courses of action compared",
        tables=tables,
        figures=[
            Figure(policy_chart(analysis), "escalation probabilities per policy with 95% intervals"),
            Figure(escalation_chart(analysis), "distribution of the escalation level reached per policy"),
        ],
        notes=[
            f"Means over {analysis.draws:,} parameter draws with 95% bootstrap intervals; every policy is "
            "evaluated on the same draws."
        ],
        record={
            "policies": _policy_records(analysis),
            "share_of_draws_a_below_b": [{"a": a, "b": b, "share": share} for (a, b), share in analysis.beats.items()],
        },
    )


def _sensitivity(analysis: Analysis) -> Section:
    sensitivity = analysis.sensitivity
    assert sensitivity is not None
    output = sensitivity.tornado_output
    swings = {swing.parameter: swing for swing in sensitivity.tornado}
    tables = [
        Table(
            ["parameter", "first-order S1", "total ST", "swing 5%→95%"],
            [
                [
                    index.parameter,
                    f"{index.first:.2f} ± {index.first_conf:.2f}",
                    f"{index.total:.2f} ± {index.total_conf:.2f}",
                    f"{swings[index.parameter].output_at_low:.3f} → {swings[index.parameter].output_at_high:.3f}",
                ]
                for index in sensitivity.sobol[output]
            ],
            frozenset({1, 2, 3}),
        )
    ]
    if sensitivity.tipping:
        tables.append(
            Table(
                ["parameter", "value", "best policy below", "best policy above"],
                [[p.parameter, f"{p.value:.4g}", p.before, p.after] for p in sensitivity.tipping],
                frozenset({1}),
                "Tipping points (one parameter moved, the others at their means)",
            )
        )
    return Section(
        f"What decides the answer: {output}",
        paragraphs=[sensitivity_sentence(analysis)],
        tables=tables,
        figures=[Figure(tornado_chart(analysis), "tornado chart of the parameters' swings")],
        notes=[
            f"Sobol indices from {sensitivity.base_samples} base samples (Saltelli design, SALib), ± 95% bootstrap "
            "half-widths; swings move one parameter from its 5% to its 95% quantile with the others at their means."
        ],
        record={
            "sensitivity": {
                "level": sensitivity.level,
                "base_samples": sensitivity.base_samples,
                "sobol": {out: [vars(index) for index in indices] for out, indices in sensitivity.sobol.items()},
                "tornado_output": sensitivity.tornado_output,
                "tornado": [vars(swing) | {"width": swing.width} for swing in sensitivity.tornado],
                "tipping_points": [vars(point) for point in sensitivity.tipping],
            }
        },
    )


def _history(analysis: Analysis) -> Section:
    history = analysis.history
    assert history is not None
    rows = [
        [
            f"{level} {VIOLENCE_LABELS[level]}",
            f"{share.share:.3f} [{share.low:.3f}, {share.high:.3f}]",
            str(history.model[level]),
        ]
        for level, share in history.base_rates.items()
    ]
    return Section(
        f"History: {history.n_crises} ICB crises in the reference class",
        tables=[Table(["violence (ICB)", "base rate of the reference class (95% Wilson)", "model (95% CI)"], rows)],
        record={
            "history": {
                "data_file": history.data_file,
                "where": history.where,
                "n_crises": history.n_crises,
                "base_rates": {VIOLENCE_LABELS[k]: v.record() for k, v in history.base_rates.items()},
                "model": {VIOLENCE_LABELS[k]: vars(v) for k, v in history.model.items()},
            }
        },
    )


def claims_section(claims: list[ClaimVerdict], columns: list[str], notes: list[str] | None = None) -> Section:
    """The claims tested, one row each: name, statement, share of draws where it holds [CI], verdict…"""
    rows = [
        [
            verdict.name,
            verdict.text,
            f"{verdict.holds.share:.3f} [{verdict.holds.low:.3f}, {verdict.holds.high:.3f}]",
            verdict.verdict,
            ", ".join(f"{d.parameter} ({d.total:.2f})" for d in verdict.deciding),
        ][: len(columns)]
        for verdict in claims
    ]
    return Section(
        "Claims tested",
        tables=[Table(columns, rows)],
        notes=notes or [],
        record={"claims": [claim_record(verdict) for verdict in claims]},
    )


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


def _what_if(analysis: Analysis) -> Section:
    what_if = analysis.what_if
    assert what_if is not None
    who = what_if.full_information
    tables = [_policy_table(what_if)]
    if analysis.value_of_information:
        tables.append(
            Table(
                ["policy", "gain"],
                [[policy, str(estimate)] for policy, estimate in analysis.value_of_information.items()],
                frozenset({1}),
                f"Value of information to {who} (expected utility gained, 95% CI)",
            )
        )
    return Section(
        f"What-if: {who} sees every earlier move",
        tables=tables,
        record={
            "what_if": {
                "full_information": who,
                "policies": _policy_records(what_if),
                "value_of_information": {p: vars(e) for p, e in analysis.value_of_information.items()},
            }
        },
    )


def _central(analysis: Analysis) -> Section:
    tables = [
        Table(
            ["probability", "path", "escalation"],
            [
                [f"{row.probability:.3f}", " → ".join(row.moves), f"{row.attributes.get('escalation', float('nan')):g}"]
                for row in likely_paths(solution)
            ],
            frozenset({0, 2}),
            f"{policy} (max regret {solution.max_regret[0]:.2e}, verified)",
        )
        for policy, solution in analysis.central.items()
    ]
    equilibrium = analysis.central.get(EQUILIBRIUM) or next(iter(analysis.central.values()))
    svg = f'<div class="plot" style="overflow-x:auto">{tree_svg(equilibrium)}</div>'
    return Section(
        "Equilibrium play at the parameters' means",
        tables=tables,
        figures=[Figure(svg, "the game tree with the equilibrium path highlighted")],
        record={
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
            }
        },
    )


def _actors(scenario: Scenario) -> Section:
    rows = [
        [a.id, a.name, ", ".join(f"{w.source} × {k}" for k, w in a.utility.items()) or "explicit payoffs"]
        for a in scenario.actors
    ]
    return Section("Actors", tables=[Table(["id", "name", "utility"], rows)])


def parameters_section(scenario: Scenario) -> Section:
    """The scenario's parameters with their distributions, means and sources."""
    rows = [[name, distribution_text(p), f"{p.mean():.3g}", p.doc, p.source] for name, p in scenario.parameters.items()]
    return Section(
        "Parameters",
        tables=[Table(["name", "distribution", "mean", "what it is", "source"], rows, frozenset({2}))],
    )


def distribution_text(parameter: Any) -> str:
    fields = parameter.model_dump(exclude={"dist", "doc", "source"}, by_alias=True)
    return f"{parameter.dist}(" + ", ".join(f"{k}={v:g}" for k, v in fields.items()) + ")"


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


def footer(scenario: Scenario, version: str, seed: int, size: str, created: str) -> str:
    """What repeats the run: escalade version, scenario and its SHA-256, seed, size, date."""
    return f"escalade {version} · scenario {scenario.name} sha256 {scenario.sha256} · seed {seed} · {size} · {created}"
