"""The analysis as a Markdown report that reads well as plain text and renders anywhere."""

from __future__ import annotations

from escalade.analyze import Analysis, likely_paths
from escalade.report.summary import (
    CLAIM_HEADER,
    HISTORY_HEADER,
    claim_rows,
    headline,
    history_rows,
    information_value,
    policy_header,
    policy_rows,
    sensitivity_sentence,
)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def analysis_markdown(analysis: Analysis) -> str:
    scenario = analysis.scenario
    levels = analysis.levels
    out = [
        f"# {scenario.title}",
        "",
        scenario.description.strip(),
        "",
        "## Finding",
        "",
        headline(analysis),
        "",
    ]
    out += [f"> {note}" for note in analysis.notes] + ([""] if analysis.notes else [])
    out += ["## Courses of action compared", ""]
    out += _table(policy_header(analysis), policy_rows(analysis))
    out += [
        "",
        f"Means over {analysis.draws:,} draws with 95% bootstrap intervals; every policy is "
        "evaluated on the same draws.",
        "",
    ]
    level = max(levels)
    pairs = [(a, b, share) for (a, b), share in analysis.beats.items() if a < b]
    if pairs:
        out += [f"Paired comparison: share of draws in which one policy gives the lower P(escalation ≥ {level:g}):", ""]
        out += _table(
            ["policy A", "policy B", "A lower", "B lower", "tie"],
            [
                [a, b, f"{share:.3f}", f"{analysis.beats[(b, a)]:.3f}", f"{1 - share - analysis.beats[(b, a)]:.3f}"]
                for a, b, share in pairs
            ],
        )
        out += [""]
    if analysis.sensitivity is not None:
        sensitivity = analysis.sensitivity
        output = sensitivity.tornado_output
        swings = {swing.parameter: swing for swing in sensitivity.tornado}
        out += [f"## What decides the answer: {output}", "", sensitivity_sentence(analysis), ""]
        out += _table(
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
        )
        out += [
            "",
            f"Sobol indices from {sensitivity.base_samples} base samples (Saltelli design, SALib), "
            "± 95% bootstrap half-widths; swings move one parameter from its 5% to its 95% quantile "
            "with the others at their means.",
            "",
        ]
        if sensitivity.tipping:
            out += ["Tipping points (one parameter moved, the others at their means):", ""]
            out += _table(
                ["parameter", "value", "best policy below", "best policy above"],
                [[p.parameter, f"{p.value:.4g}", p.before, p.after] for p in sensitivity.tipping],
            )
            out += [""]
    if analysis.history is not None:
        out += [f"## History: {analysis.history.n_crises} ICB crises in the reference class", ""]
        out += _table(HISTORY_HEADER, history_rows(analysis))
        out += [""]
    if analysis.claims:
        out += ["## Claims tested", ""]
        out += _table(CLAIM_HEADER, claim_rows(analysis.claims))
        out += [""]
    if analysis.what_if is not None:
        who = analysis.what_if.full_information
        out += [f"## What-if: {who} sees every earlier move", ""]
        out += _table(policy_header(analysis.what_if), policy_rows(analysis.what_if))
        gains = information_value(analysis)
        if gains:
            out += ["", f"Value of information to {who} (expected utility gained, 95% CI):", ""]
            out += _table(["policy", "gain"], [[policy, str(estimate)] for policy, estimate in gains.items()])
        out += [""]
    out += ["## Equilibrium play at the parameters' means", ""]
    for policy, solution in analysis.central.items():
        out += [f"### {policy}", ""]
        out += _table(
            ["probability", "path", "escalation"],
            [
                [
                    f"{row.probability:.3f}",
                    " → ".join(row.moves),
                    f"{row.attributes.get('escalation', float('nan')):g}",
                ]
                for row in likely_paths(solution)
            ],
        )
        out += ["", f"Max regret {solution.max_regret[0]:.2e} (verified).", ""]
    out += ["## Actors", ""]
    out += _table(
        ["id", "name", "utility"],
        [
            [
                actor.id,
                actor.name,
                ", ".join(f"{w.source} × {a}" for a, w in actor.utility.items()) or "explicit payoffs",
            ]
            for actor in scenario.actors
        ],
    )
    out += ["", "## Parameters", ""]
    out += _table(
        ["name", "distribution", "mean", "what it is", "source"],
        [
            [name, _distribution(param), f"{param.mean():.3g}", param.doc, param.source]
            for name, param in scenario.parameters.items()
        ],
    )
    out += [
        "",
        "---",
        f"escalade {analysis.version} · scenario `{scenario.name}` sha256 `{scenario.sha256[:16]}` · "
        f"seed {analysis.seed} · {analysis.draws:,} draws · {analysis.created}",
        "",
    ]
    return "\n".join(out)


def _distribution(param) -> str:
    fields = param.model_dump(exclude={"dist", "doc", "source"}, by_alias=True)
    return f"{param.dist}(" + ", ".join(f"{k}={v:g}" for k, v in fields.items()) + ")"
