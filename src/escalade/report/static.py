"""The outline of a static analysis (a game tree across parameter draws): its sections, in order."""

from __future__ import annotations

from typing import Any

import numpy as np

from escalade.analyze import (
    Analysis,
    ClaimVerdict,
    Knockout,
    ResponseCurve,
    beliefs,
    least_likely,
    likely_paths,
    mechanism_notes,
    tie_report,
)
from escalade.history import VIOLENCE_LABELS
from escalade.report.charts import (
    claims_chart,
    curve_chart,
    escalation_chart,
    map_chart,
    policy_chart,
    posterior_chart,
    risk_payoff_chart,
    sobol_chart,
    tornado_chart,
    tree_outline,
)
from escalade.report.outline import Figure, Report, Section, Table, shown
from escalade.scenario import Scenario
from escalade.simulate import EQUILIBRIUM
from escalade.solve import Solution

CLAIM_COLUMNS = [
    "claim",
    "statement",
    "holds in (share of draws, 95% CI)",
    "mean gap (95% CI)",
    "verdict",
    "flags",
    "decided by (total Sobol)",
]
RANGES_NOT_EVIDENCE = (
    "Shares of draws are shares of the modeller's stated parameter ranges, not evidence about the world: "
    "evidence comes from conditioning on what happened."
)


def static_report(analysis: Analysis) -> Report:
    """The static analysis as an outline for the writers in :mod:`escalade.report.outline`."""
    scenario = analysis.scenario
    sections = [
        _policies(analysis),
        _why(analysis),
        *([_sensitivity(analysis)] if analysis.sensitivity is not None else []),
        *([_response(analysis)] if analysis.curves else []),
        *([_history(analysis)] if analysis.history is not None else []),
        *([claims_section(analysis.claims, CLAIM_COLUMNS, scenario=scenario)] if analysis.claims else []),
        *([knockouts_section(analysis.knockouts)] if analysis.knockouts else []),
        *([record_section(analysis)] if analysis.conditioned is not None else []),
        *([_what_if(analysis)] if analysis.what_if is not None else []),
        equilibrium_section(analysis.central),
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
        "knockouts": [],
        "what_if": None,
        "record": None,
    }
    size = f"{analysis.draws:,} draws"
    closing = footer(scenario, analysis.version, analysis.seed, size, analysis.created)
    return Report(scenario.title, scenario.description, headline, analysis.notes, sections, record, closing)


def label(output: str) -> str:
    """An output as a reader sees it: "P(war)", "E[utility of WEST]", "E[escalation level]"."""
    if output.startswith("value("):
        return f"E[utility of {output[6:-1]}]"
    if output == "expected_escalation":
        return "E[escalation level]"
    if output.startswith("p_escalation_ge_"):
        return f"P(escalation ≥ {output.removeprefix('p_escalation_ge_')})"
    return output


def finding(analysis: Analysis) -> str:
    """One paragraph in plain language: the headline output per course of action, and a recommendation
    only for an actor whose objective the scenario states."""
    head = analysis.headline
    rows = {row.policy: row for row in analysis.rows}
    scripted = [row for row in analysis.rows if row.policy != EQUILIBRIUM]
    described = scripted or [rows[EQUILIBRIUM]]
    parts = [
        f"Across {analysis.draws:,} parameter draws, "
        + "; ".join(f"under {row.policy.replace('_', ' ')} {label(head)} = {row.estimate(head)}" for row in described)
    ]
    for rec in analysis.recommendations:
        d = rec.difference
        gap = f"{label(d.output)} {d.a.replace('_', ' ')} minus {d.b.replace('_', ' ')} = {d.difference}"
        if rec.best is None:
            parts.append(f"By {rec.actor}'s stated objective ({rec.objective}) no course is clearly preferred ({gap})")
        else:
            share = d.a_lower if rec.objective.startswith("minimise") else d.a_higher
            parts.append(
                f"By {rec.actor}'s stated objective ({rec.objective}), {rec.best.replace('_', ' ')} is preferred: "
                f"{gap}, better in {share:.0%} of draws"
            )
    if len(scripted) >= 2 and not analysis.recommendations:
        parts.append("No stated objective, so no course is recommended: compare them on every outcome and actor below")
    free = rows.get(EQUILIBRIUM)
    if free is not None and scripted:
        parts.append(f"Left free, the actors' equilibrium gives {free.estimate(head)} (95% bootstrap intervals)")
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
        lower = label(sensitivity.output)
        sentence += f" The policy with the lower {lower} changes at {flips}, other parameters at their means."
    return sentence


def _policy_tables(analysis: Analysis, caption: str = "") -> list[Table]:
    names = list(analysis.outcomes)
    escalation = analysis.rows[0].expected_escalation is not None
    columns = ["policy", *(f"P({name})" for name in names), *(["E[escalation level]"] if escalation else [])]
    rows = [
        [
            row.policy,
            *(str(row.outcomes[name]) for name in names),
            *([str(row.expected_escalation)] if escalation else []),
        ]
        for row in analysis.rows
    ]
    actors = list(analysis.rows[0].values)
    utilities = [[row.policy, *(str(row.values[a]) for a in actors)] for row in analysis.rows]
    return [
        Table(columns, rows, frozenset(range(1, len(columns))), caption or "Probability of each outcome (95% CI)"),
        Table(
            ["policy", *actors],
            utilities,
            frozenset(range(1, len(actors) + 1)),
            "Each actor's expected utility (95% CI)",
        ),
    ]


def _policy_records(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "policy": row.policy,
            "expected_escalation": vars(row.expected_escalation) if row.expected_escalation else None,
            "outcomes": {name: vars(est) for name, est in row.outcomes.items()},
            "values": {actor: vars(est) for actor, est in row.values.items()},
        }
        for row in analysis.rows
    ]


def _outcomes_table(analysis: Analysis) -> Table:
    rows = [
        [
            name,
            outcome.doc,
            " and ".join(
                [*(f"passes {step}" for step in outcome.path), *([outcome.when.source] if outcome.when else [])]
            ),
            " ".join(
                [
                    *([f"ICB violence {outcome.icb_violence}"] if outcome.icb_violence else []),
                    *([f"MID hostility {outcome.mid_hostility}"] if outcome.mid_hostility else []),
                ]
            ),
        ]
        for name, outcome in analysis.outcomes.items()
    ]
    return Table(["outcome", "what it is", "holds at an end where", "dataset code"], rows, caption="Outcomes")


def _policies(analysis: Analysis) -> Section:
    tables = [*(_policy_tables(analysis)), *([_outcomes_table(analysis)] if analysis.outcomes else [])]
    if analysis.differences:
        tables.append(
            Table(
                ["A", "B", "output", "A − B (95% CI)", "A lower in", "A higher in"],
                [
                    [d.a, d.b, label(d.output), str(d.difference), f"{d.a_lower:.3f}", f"{d.a_higher:.3f}"]
                    for d in analysis.differences
                ],
                frozenset({3, 4, 5}),
                "Paired differences, draw by draw on the same draws (share of draws where A is lower / higher)",
            )
        )
    if analysis.recommendations:
        tables.append(
            Table(
                ["actor", "stated objective", "preferred", "runner-up", "difference (95% CI)"],
                [
                    [r.actor, r.objective, r.best or "none clearly", r.runner_up, str(r.difference.difference)]
                    for r in analysis.recommendations
                ],
                caption="Recommendations, only where the scenario states an actor's objective",
            )
        )
    figures = [
        shown(policy_chart(analysis), "probability of each outcome per policy with 95% intervals"),
        *(
            shown(risk_payoff_chart(analysis, actor), f"risk and payoff of {actor}'s courses of action")
            for actor in _policy_actors(analysis)
        ),
        shown(escalation_chart(analysis), "distribution of the escalation level reached per policy"),
    ]
    return Section(
        "Courses of action compared",
        tables=tables,
        figures=figures,
        notes=[
            f"Means over {analysis.draws:,} parameter draws with 95% bootstrap intervals; every policy is "
            "evaluated on the same draws. " + RANGES_NOT_EVIDENCE
        ],
        record={
            "headline_output": analysis.headline,
            "policies": _policy_records(analysis),
            "outcomes": {
                name: outcome.model_dump(mode="json", exclude_none=True) for name, outcome in analysis.outcomes.items()
            },
            "paired_differences": [vars(d) | {"difference": vars(d.difference)} for d in analysis.differences],
            "recommendations": [
                vars(r) | {"difference": vars(r.difference) | {"difference": vars(r.difference.difference)}}
                for r in analysis.recommendations
            ],
        },
    )


def _policy_actors(analysis: Analysis) -> list[str]:
    """The actors whose scripted courses of action the analysis compares."""
    scenario = analysis.scenario
    return list(
        dict.fromkeys(scenario.policies[row.policy].actor for row in analysis.rows if row.policy in scenario.policies)
    )


def _why(analysis: Analysis) -> Section:
    """Why, across all draws: each policy's likeliest paths, where two policies' play differs, ties."""
    tables = [
        Table(
            ["mean probability", "5–95% of draws", "likeliest in", "path"],
            [
                [f"{p.mean:.3f}", f"{p.low:.3f}–{p.high:.3f}", f"{p.modal_share:.0%}", " → ".join(p.moves)]
                for p in paths
            ],
            frozenset({0, 1, 2}),
            f"{policy}: its likeliest paths across the draws",
        )
        for policy, paths in analysis.paths.items()
    ]
    scripted = [row.policy for row in analysis.rows if row.policy in analysis.scenario.policies][:2]
    if analysis.choices:
        a, b = scripted
        tables.append(
            Table(
                ["actor", "decides at", f"under {a}", f"under {b}", "differs in (of draws reaching it)", "reached in"],
                [
                    [c.actor, c.infoset, c.action_a, c.action_b, f"{c.share_differing:.3f}", f"{c.share_reached:.3f}"]
                    for c in analysis.choices
                ],
                frozenset({4, 5}),
                f"Where play differs between {a} and {b}: the decisions whose equilibrium choice changes",
            )
        )
    tied = [
        [policy, node, f"{share:.3f}"] for policy, shares in analysis.ties.items() for node, share in shares.items()
    ]
    notes = (
        [
            "Backward induction met exact payoff ties (it takes the first listed action among the best): "
            + "; ".join(f"{p} at {n} in {s} of draws" for p, n, s in tied)
        ]
        if tied
        else ["Backward induction met no payoff tie on the path of play in any draw."]
    )
    return Section(
        "Why: paths and choices across the draws",
        tables=tables,
        notes=notes,
        record={
            "paths_across_draws": {policy: [vars(p) for p in paths] for policy, paths in analysis.paths.items()},
            "differing_choices": [vars(c) for c in analysis.choices],
            "ties": analysis.ties,
        },
    )


def curve_labels(curve: ResponseCurve, head: str) -> dict[str, str]:
    """A response curve's outputs as a reader sees them: the headline first, then every outcome and value."""
    outputs = list(next(iter(curve.outputs.values())))
    return {output: label(output) for output in [head, *(o for o in outputs if o != head)]}


def _response(analysis: Analysis) -> Section:
    """Each varied parameter's response curves, and the map of the preferred course over two of them."""
    head = analysis.headline
    figures, tables = [], []
    for curve in analysis.curves:
        chart = curve_chart(curve, curve_labels(curve, head))
        figures.append(shown(chart, f"every outcome and every actor's expected utility against {curve.parameter}"))
        policies = list(curve.outputs)
        tables.append(
            Table(
                [curve.parameter, *policies],
                [
                    [f"{value:.4g}", *(str(curve.outputs[p][head][i]) for p in policies)]
                    for i, value in enumerate(curve.grid)
                ],
                frozenset(range(len(policies) + 1)),
                f"{label(head)} as {curve.parameter} moves across its range (the other parameters drawn; 95% CI)",
            )
        )
    mapped = analysis.policy_map
    if mapped is not None:
        first, second = mapped.parameters
        figures.append(shown(map_chart(mapped), f"preferred course over {first} and {second}"))
        tables.append(
            Table(
                [f"{first} \\ {second}", *(f"{y:.3g}" for y in mapped.grids[1])],
                [[f"{x:.3g}", *mapped.preferred[i]] for i, x in enumerate(mapped.grids[0])],
                caption=f"Preferred course ({mapped.criterion}) over {first} and {second}",
            )
        )
    return Section(
        "How the answer changes with the varied parameters",
        tables=tables,
        figures=figures,
        notes=[
            "Each point pins the parameter and solves every course on the same draws of the others "
            "(95% bootstrap intervals). " + RANGES_NOT_EVIDENCE
        ],
        record={
            "response_curves": [
                {
                    "parameter": c.parameter,
                    "grid": c.grid,
                    "outputs": {p: {o: [vars(e) for e in es] for o, es in out.items()} for p, out in c.outputs.items()},
                }
                for c in analysis.curves
            ],
            "policy_map": vars(mapped) if mapped is not None else None,
        },
    )


def _sensitivity(analysis: Analysis) -> Section:
    sensitivity = analysis.sensitivity
    assert sensitivity is not None
    output = sensitivity.tornado_output
    swings = {swing.parameter: swing for swing in sensitivity.tornado}
    listed = [index for index in sensitivity.sobol[output] if index.total + index.total_conf >= 0.01]
    hidden = [index for index in sensitivity.sobol[output] if index.total + index.total_conf < 0.01]
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
                for index in listed
            ],
            frozenset({1, 2, 3}),
            f"{len(hidden)} parameters whose total index and its interval stay below 0.01 are left out"
            if hidden
            else "",
        )
    ]
    if sensitivity.morris:
        tables.append(
            Table(
                ["parameter", "μ* (mean |elementary effect|)", "σ"],
                [
                    [m.parameter, f"{m.mu_star:.3f} ± {m.mu_star_conf:.3f}", f"{m.sigma:.3f}"]
                    for m in sensitivity.morris[output]
                ],
                frozenset({1, 2}),
                f"Morris screening of {output}: a cheap first look (σ large beside μ*: interactions or curvature)",
            )
        )
    if sensitivity.tipping:
        tables.append(
            Table(
                ["parameter", "value", "lower below", "lower above"],
                [[p.parameter, f"{p.value:.4g}", p.before, p.after] for p in sensitivity.tipping],
                frozenset({1}),
                "Tipping points (one parameter moved, the others at their means)",
            )
        )
    return Section(
        f"What decides the answer: {output}",
        paragraphs=[sensitivity_sentence(analysis)],
        tables=tables,
        figures=[
            shown(tornado_chart(analysis), "tornado chart of the parameters' swings around the base case"),
            shown(sobol_chart(analysis), "Sobol indices with their intervals"),
        ],
        notes=[
            *sensitivity.warnings,
            f"Sobol indices from {sensitivity.base_samples} base samples (Saltelli design, SALib), ± 95% bootstrap "
            "half-widths; swings move one parameter from its 5% to its 95% quantile with the others at their means.",
        ],
        record={
            "sensitivity": {
                "output": sensitivity.output,
                "base_samples": sensitivity.base_samples,
                "sobol": {out: [vars(index) for index in indices] for out, indices in sensitivity.sobol.items()},
                "tornado_output": sensitivity.tornado_output,
                "tornado": [vars(swing) | {"width": swing.width} for swing in sensitivity.tornado],
                "tornado_base": sensitivity.tornado_base,
                "tipping_points": [vars(point) for point in sensitivity.tipping],
                "warnings": sensitivity.warnings,
                "morris": {out: [vars(index) for index in indices] for out, indices in sensitivity.morris.items()},
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


KNOCKOUTS_CAPTION = "Knockouts: each mechanism switched off (its parameters pinned, its effects removed), same draws"


def claims_section(
    claims: list[ClaimVerdict],
    columns: list[str],
    notes: list[str] | None = None,
    scenario: Scenario | None = None,
    knockouts_caption: str = KNOCKOUTS_CAPTION,
) -> Section:
    """The claims tested: one row each (statement, share of draws where it holds, mean gap, verdict,
    flags, what decides it), then each claim with its mechanisms knocked out and the single effects
    whose removal changes its verdict."""
    cells = [
        {
            "claim": verdict.name,
            "statement": verdict.text,
            "holds in (share of draws, 95% CI)": _share(verdict.holds),
            "mean gap (95% CI)": str(verdict.gap),
            "verdict": verdict.verdict,
            "flags": "; ".join(verdict.flags) or "—",
            "decided by (total Sobol)": ", ".join(f"{d.parameter} ({d.total:.2f})" for d in verdict.deciding),
        }
        for verdict in claims
    ]
    rows = [[row[column] for column in columns] for row in cells]
    tables = [Table(columns, rows)]
    knocked = [
        [
            v.name,
            test.switched_off + (" (stated)" if test.stated else ""),
            _share(test.holds),
            str(test.gap),
            test.wording,
            _changes(v, test),
        ]
        for v in claims
        for test in v.mechanisms
    ]
    if knocked:
        tables.append(
            Table(
                ["claim", "mechanism knocked out", "holds in", "mean gap", "verdict", "verdict changes"],
                knocked,
                frozenset({2, 3}),
                knockouts_caption,
            )
        )
    ablated = [
        [v.name, test.switched_off, _share(test.holds), str(test.gap), test.wording, "yes" if test.by_scoring else "no"]
        for v in claims
        for test in v.deciding_effects
    ]
    tested = max((v.effects_tested for v in claims), default=0)
    if tested:
        tables.append(
            Table(
                ["claim", "effect taken out", "holds in", "mean gap", "verdict", "changes with play held (scoring)"],
                ablated or [["—", "no single effect changes any verdict", "", "", "", ""]],
                frozenset({2, 3}),
                f"Effect ablation: each of the tree's {tested} effects taken out alone; listed if the verdict changes",
            )
        )
    return Section(
        "Claims tested",
        tables=tables,
        figures=[shown(claims_chart(claims), "share of draws in which each claim holds, with intervals")],
        notes=[
            *(mechanism_notes(scenario) if scenario is not None else []),
            *(notes or []),
            f"Each claim is tested on {claims[0].holds.total:,} parameter draws"
            + (
                ", the same for its knockouts and ablation."
                if knocked or tested
                else "; no mechanism was knocked out (asked not to, or none is declared or named)."
            )
            + " Verdict wording: docs/claims.md. "
            + RANGES_NOT_EVIDENCE,
        ],
        record={"claims": [claim_record(verdict) for verdict in claims]},
    )


KNOCKED_OUT = (
    "Each of the scenario's {n} mechanisms is switched off alone (its parameters pinned, its effects removed) and "
    "the equilibrium solved again on the claims' draws. A mechanism moves an outcome when the 95% bootstrap "
    "interval of the paired change excludes zero; one that moves none does no work in the model, whatever its "
    "name promises."
)


def knockouts_section(
    knockouts: list[Knockout],
    how: str = KNOCKED_OUT,
    measured: str = "Change in each outcome's probability (as stated in the header)",
) -> Section:
    """Each mechanism knocked out alone: what it moves (the clearest changes first), then every
    outcome's change, so that a mechanism that does no work shows as such. ``how`` says how they were
    knocked out ({n}: how many), ``measured`` what the second table's changes are of."""
    outputs = list(knockouts[0].change)

    def change(knockout: Knockout, output: str) -> str:
        estimate = knockout.change[output]
        return f"{estimate.mean:+.3f} [{estimate.low:+.3f}, {estimate.high:+.3f}]"

    summary = [
        [k.mechanism, k.doc, k.verdict, "; ".join(f"{label(o)} {change(k, o)}" for o in k.moved[:3]) or "—"]
        for k in knockouts
    ]
    marked = [
        [k.mechanism, *(f"{k.change[o].mean:+.3f}{'' if o in k.moved else ' ·'}" for o in outputs)] for k in knockouts
    ]
    stated = knockouts[0].stated
    n = len(knockouts)
    return Section(
        "What each mechanism does",
        paragraphs=[how.format(n=n)],
        tables=[
            Table(
                ["mechanism", "what it is", "verdict", "largest changes (knocked out − as stated, 95% CI)"],
                summary,
            ),
            Table(
                ["mechanism", *(f"{label(o)} ({stated[o]:.3f})" for o in outputs)],
                marked,
                frozenset(range(1, len(outputs) + 1)),
                f"{measured}; · within Monte Carlo error",
            ),
        ],
        record={"knockouts": [knockout_record(k) for k in knockouts]},
    )


def knockout_record(knockout: Knockout) -> dict[str, Any]:
    """JSON-ready: the mechanism, the outputs it moves, and each output as stated and its change."""
    return {
        "mechanism": knockout.mechanism,
        "doc": knockout.doc,
        "verdict": knockout.verdict,
        "moved": knockout.moved,
        "stated": knockout.stated,
        "change": {output: vars(estimate) for output, estimate in knockout.change.items()},
    }


def claims_report(
    scenario: Scenario,
    claims: list[ClaimVerdict],
    seed: int,
    draws: int,
    created: str,
    knockouts: list[Knockout] | None = None,
) -> Report:
    """The claims alone (``escalade claims``): the claims section with its provenance, then what each
    mechanism moves; the flags are the report's notes (printed above the tables), so the table leaves
    them out."""
    from escalade.version import __version__

    flagged = [f"{v.name}: {flag}" for v in claims for flag in v.flags]
    headline = [f"{len(claims)} claims tested on {draws:,} parameter draws (seed {seed})."]
    return Report(
        f"Claims: {scenario.title}",
        scenario.description,
        headline,
        flagged,
        [
            claims_section(claims, [c for c in CLAIM_COLUMNS if c not in ("statement", "flags")], scenario=scenario),
            *([knockouts_section(knockouts)] if knockouts else []),
        ],
        provenance(scenario, __version__, seed, draws, created),
        footer(scenario, __version__, seed, f"{draws:,} draws", created),
    )


def _share(share: Any) -> str:
    return f"{share.share:.3f} [{share.low:.3f}, {share.high:.3f}]"


def _changes(verdict: ClaimVerdict, test: Any) -> str:
    """Whether the verdict changes; where it does not, the mean gap's change (a gap can collapse within
    one status, e.g. from undecided to undecided)."""
    if test.changes(verdict.result):
        return f"yes: {verdict.result.status} → {test.status}"
    return f"no (mean gap {verdict.gap.mean:.3g} → {test.gap.mean:.3g})"


def claim_record(verdict: ClaimVerdict) -> dict[str, Any]:
    """JSON-ready: the claim, the shares of draws where it holds and where it is reversed, the verdict,
    its flags, knockouts and the effects that decide it."""

    def test_record(test: Any) -> dict[str, Any]:
        return {
            "switched_off": test.switched_off,
            "stated": test.stated,
            "holds": test.holds.record(),
            "reversed": test.reversed.record(),
            "mean_gap": vars(test.gap),
            "status": test.status,
            "verdict": test.wording,
            "same_play": test.same_play,
            "by_scoring": test.by_scoring,
        }

    return {
        "name": verdict.name,
        "text": verdict.text,
        "output": verdict.output,
        "because": verdict.because,
        "draws": verdict.draws,
        "holds": verdict.holds.record(),
        "reversed": verdict.result.reversed.record(),
        "mean_gap": vars(verdict.gap),
        "status": verdict.result.status,
        "verdict": verdict.verdict,
        "flags": verdict.flags,
        "deciding": [vars(d) for d in verdict.deciding],
        "knockouts": [test_record(test) for test in verdict.mechanisms],
        "effects_tested": verdict.effects_tested,
        "deciding_effects": [test_record(test) for test in verdict.deciding_effects],
    }


def record_section(analysis: Analysis) -> Section:
    """What the record implies: how the posterior was reached, each observation's surprise, each
    parameter before and after, the courses of action and the claims on the posterior draws, and the
    forecasts."""
    conditioned = analysis.conditioned
    assert conditioned is not None
    posterior, after, record = conditioned.posterior, conditioned.analysis, analysis.scenario.record
    worst = least_likely(conditioned.observations)
    paragraphs = [
        f"The record ({_count(len(record.observed), 'dated move')}"
        + (f", {_count(len(record.base_rates), 'base rate')}" if record.base_rates else "")
        + f") weighs each of the {analysis.draws:,} prior draws by how likely its logit equilibrium "
        f"(precision λ = {record.rationality.source}) makes it. Effective sample size of those weights: "
        f"{posterior.ess:,.0f} of {analysis.draws:,}; log P(record) = {posterior.log_evidence:.2f}. "
        f"Posterior: {posterior.method}; {posterior.n_draws:,} draws.",
    ]
    fit = conditioned.fit
    paragraphs.append(
        f"Against random play: if every actor chose at random (λ = 0), log P(record) = {fit.random_play:.2f}; "
        + (
            f"the model explains the record better (Bayes factor, model to random play: "
            f"{np.exp(fit.log_evidence - fit.random_play):.2g})."
            if fit.beats_random_play
            else "the model explains it worse (Bayes factor, model to random play: "
            f"{np.exp(fit.log_evidence - fit.random_play):.2g}): read the posterior as what the model can say, "
            "not as a fit."
        )
    )
    paragraphs.append(
        f"The equilibrium the tables report (λ → ∞) plays the observed moves in {fit.equilibrium_share:.0%} of the "
        f"posterior draws (their mean probability {fit.equilibrium_mean:.3f})"
        + (
            ": the posterior policy table describes play the record contradicts; the logit table below is the "
            "model the record was read with."
            if fit.equilibrium_share < 0.5
            else "."
        )
    )
    if posterior.n_draws < 100 or posterior.ess < 100:
        paragraphs.append(
            f"Only {min(posterior.ess, posterior.n_draws):,.0f} effective draws: the posterior summaries are rough; "
            "ask for more draws."
        )
    if worst is not None:
        paragraphs.append(
            f"Least likely observation: {worst.move} ({worst.date}), probability {worst.prior_predictive:.3f} "
            "given the moves before it under the prior."
        )
    if posterior.acceptance:
        paragraphs.append(
            f"Temperatures {', '.join(f'{t:.3g}' for t in posterior.temperatures)}; Metropolis–Hastings acceptance "
            f"{min(posterior.acceptance):.2f}–{max(posterior.acceptance):.2f}; {posterior.moved:.0%} of the draws "
            "moved after the last resampling."
        )
    observations = Table(
        ["date", "move", "P(move | earlier moves), prior", "same, averaged over the posterior draws", "source"],
        [
            [o.date, o.move, f"{o.prior_predictive:.3f}", f"{o.posterior_mean:.3f}", _clip(o.source)]
            for o in conditioned.observations
        ],
        frozenset({2, 3}),
        "The observed moves in date order",
    )
    parameters = Table(
        ["parameter", "prior mean [5%, 95%]", "posterior mean [5%, 95%]", "narrowing", "shift (prior sds) ± MC error"],
        [
            [
                p.name,
                _interval(p.prior),
                _interval(p.posterior),
                f"{p.narrowing:+.2f}",
                f"{p.shift:+.2f} ± {p.error:.2f}",
            ]
            for p in conditioned.parameters
            if p.informed
        ]
        or [["—", "the record moves no parameter by 0.1 prior sd or more", "", "", ""]],
        frozenset({3, 4}),
        "Parameters the record moved (narrowing: 1 − posterior sd / prior sd)",
    )
    tables = [observations, parameters]
    if conditioned.moves_only:
        tables.append(
            Table(
                ["parameter", "posterior from the moves alone", "with the base rates"],
                [
                    [alone.name, _interval(alone.posterior), _interval(both.posterior)]
                    for alone in conditioned.moves_only
                    for both in conditioned.parameters
                    if alone.name == both.name and (alone.informed or both.informed)
                ],
                caption="The base rates' share: the posterior with and without them",
            )
        )
    tables += _policy_tables(
        after,
        "On the posterior draws, in equilibrium: probability of each outcome (its mean over the draws, with the "
        "95% Monte Carlo interval of that mean; the spread of the parameters is in the table above)",
    )[:1]
    tables.append(
        Table(
            ["outcome", "prior", "posterior"],
            [[o.name, f"{o.prior:.3f}", f"{o.posterior:.3f}"] for o in conditioned.qre_outcomes],
            frozenset({1, 2}),
            "Under the logit QRE at λ (the model the record is read with): probability of each outcome",
        )
    )
    if conditioned.forecasts:
        tables.append(
            Table(
                ["question", "outcome", "by", "P before the record (logit)", "P given the record", "5%–95% over draws"],
                [
                    [
                        f.question,
                        f.outcome,
                        f.by,
                        f"{f.prior:.3f}",
                        f"settled by the record ({'yes' if f.probability else 'no'})"
                        if f.settled
                        else f"{f.probability:.3f}",
                        "" if f.settled else f"{f.low:.3f}–{f.high:.3f}",
                    ]
                    for f in conditioned.forecasts
                ],
                frozenset({3, 4}),
                "Forecasts (the tree has no clock: 'by' is when a question resolves; --as-of cuts the record)",
            )
        )
    if after.claims:
        before = {verdict.name: verdict for verdict in analysis.claims}
        tables.append(
            Table(
                ["claim", "prior: holds in", "prior verdict", "posterior: holds in", "posterior verdict"],
                [
                    [
                        v.name,
                        _share(before[v.name].holds) if v.name in before else "—",
                        before[v.name].verdict if v.name in before else "—",
                        _share(v.holds),
                        v.verdict,
                    ]
                    for v in after.claims
                ],
                frozenset({1, 3}),
                f"Claims before and after conditioning (same wording as above; the posterior's on its first "
                f"{after.claims[0].holds.total:,} draws; knockouts on the prior draws only)",
            )
        )
    notes = [
        *conditioned.notes,
        "The posterior table plays the whole crisis again from its start with the parameters the record "
        "favours; the forecasts instead condition on the moves already made (P(outcome and record) / P(record)).",
        "A move's probability comes from the logit equilibrium at precision λ, in which every move has some "
        "chance; the other tables use the equilibrium itself (docs/conditioning.md).",
    ]
    return Section(
        "What the record implies",
        paragraphs=paragraphs,
        tables=tables,
        figures=[shown(posterior_chart(conditioned.parameters), "prior and posterior intervals of the parameters")],
        notes=notes,
        record={"record": _record_record(conditioned)},
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _clip(text: str, width: int = 70) -> str:
    """A long source shortened for the table (the JSON record keeps it whole)."""
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def _interval(summary: tuple[float, float, float]) -> str:
    mean, low, high = (0.0 if abs(x) < 1e-9 else x for x in summary)  # a mean of 0 is not -4.66e-10
    return f"{mean:.3g} [{low:.3g}, {high:.3g}]"


def _record_record(conditioned: Any) -> dict[str, Any]:
    posterior = conditioned.posterior
    return {
        "method": posterior.method,
        "ess": posterior.ess,
        "log_evidence": posterior.log_evidence,
        "posterior_draws": posterior.n_draws,
        "temperatures": posterior.temperatures,
        "acceptance": posterior.acceptance,
        "observations": [vars(o) for o in conditioned.observations],
        "parameters": [vars(p) for p in conditioned.parameters],
        "moves_only": [vars(p) for p in conditioned.moves_only],
        "forecasts": [vars(f) | {"settled": f.settled} for f in conditioned.forecasts],
        "fit": vars(conditioned.fit),
        "qre_outcomes": [vars(o) for o in conditioned.qre_outcomes],
        "policies": _policy_records(conditioned.analysis),
        "claims": [claim_record(v) for v in conditioned.analysis.claims],
        "notes": conditioned.notes,
    }


def _what_if(analysis: Analysis) -> Section:
    what_if = analysis.what_if
    assert what_if is not None
    who = what_if.full_information
    tables = _policy_tables(what_if)
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


def equilibrium_section(central: dict[str, Solution]) -> Section:
    """Each course's solution at one point (``central``: course -> solution): its likely paths, the beliefs
    and payoff ties of the free equilibrium (or the first course's), the tree, the record."""
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
        for policy, solution in central.items()
    ]
    equilibrium = central.get(EQUILIBRIUM) or next(iter(central.values()))
    believed = [
        [b.actor, b.infoset, b.verdict, f"{b.reach:.3f}", _beliefs(b.histories, b.belief)] for b in beliefs(equilibrium)
    ]
    if believed:
        tables.append(
            Table(
                ["actor", "information set", "verdict", "reached", "belief in each history (Bayes)"],
                believed,
                frozenset({3}),
                "Beliefs at information sets, equilibrium at the means (pools: several histories arrive)",
            )
        )
    tied = [
        [
            policy,
            t.node,
            t.chosen,
            t.alternative,
            f"{t.reach:.3f}",
            _values(t.chosen_values),
            _values(t.alternative_values),
        ]
        for policy, solution in central.items()
        if solution.ties is not None
        for t in tie_report(solution)
    ]
    if tied:
        tables.append(
            Table(
                [
                    "policy",
                    "node",
                    "chosen (first listed)",
                    "tied alternative",
                    "reached",
                    "values",
                    "values if alternative",
                ],
                tied,
                frozenset({4}),
                "Payoff ties broken by backward induction, and what the other choice would give",
            )
        )
    outline = tree_outline(equilibrium)
    return Section(
        "Equilibrium play at the parameters' means",
        tables=tables,
        figures=[
            Figure(outline, "the game tree with the equilibrium path highlighted: click a move to fold or unfold it")
        ],
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
                for policy, solution in central.items()
            }
        },
    )


def equilibrium_report(scenario: Scenario, central: dict[str, Solution], created: str) -> Report:
    """One point solved (``Model.solve``): the equilibrium section with the actors and parameters."""
    from escalade.version import __version__

    solution = next(iter(central.values()))
    headline = [f"{solution.method} at the parameters' means (with any pins), max regret {solution.max_regret[0]:.2e}."]
    return Report(
        scenario.title,
        scenario.description,
        headline,
        [],
        [equilibrium_section(central), _actors(scenario), parameters_section(scenario)],
        provenance(scenario, __version__, None, 1, created),
        footer(scenario, __version__, None, "one point, no random draws", created),
    )


def _beliefs(histories: list[list[str]], belief: list[float]) -> str:
    if not np.isfinite(belief).any():
        return "— (never reached: Bayes' rule gives no belief)"
    return "; ".join(f"{' → '.join(h) or 'root'}: {p:.3f}" for h, p in zip(histories, belief, strict=True))


def _values(values: dict[str, float]) -> str:
    return ", ".join(f"{actor} {value:.3g}" for actor, value in values.items())


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


def provenance(scenario: Scenario, version: str, seed: int | None, draws: int, created: str) -> dict[str, Any]:
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


def footer(scenario: Scenario, version: str, seed: int | None, size: str, created: str) -> str:
    """What repeats the run: escalade version, scenario and its SHA-256, seed (none: nothing random), size, date."""
    seeded = f" · seed {seed}" if seed is not None else ""
    return f"escalade {version} · scenario {scenario.name} sha256 {scenario.sha256}{seeded} · {size} · {created}"
