"""The analysis as one self-contained HTML file: opens offline, mails to a colleague, prints cleanly.

Plotly's JavaScript is inlined once (no CDN); the game tree is drawn as inline SVG. Rendering only:
every number comes from the :class:`~escalade.analyze.Analysis`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

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
from escalade.scenario import Scenario
from escalade.solve import Solution

# Okabe & Ito (2008) colour-blind-safe palette
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.finding { background: #eef5fb; border-left: 4px solid #0072B2; padding: 0.6em 1em; }
.note { color: #6b4e00; background: #fff7e0; padding: 0.4em 0.8em; }
footer { margin-top: 3em; font-size: 0.85em; color: #555; border-top: 1px solid #ccc; padding-top: 0.6em; }
svg text { font-family: inherit; }
@media print { .plot { page-break-inside: avoid; } body { max-width: none; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _table(header: list[str], rows: Iterable[list[object]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(figure: go.Figure, label: str) -> str:
    figure.update_layout(template="simple_white", margin={"l": 60, "r": 20, "t": 50, "b": 50}, font={"size": 13})
    return (
        f'<div class="plot" role="img" aria-label="{_e(label)}">'
        + figure.to_html(full_html=False, include_plotlyjs=False)
        + "</div>"
    )


def policy_chart(analysis: Analysis) -> str:
    figure = go.Figure()
    for i, level in enumerate(analysis.levels):
        estimates = [row.p_at_least[level] for row in analysis.rows]
        figure.add_bar(
            name=f"P(escalation ≥ {level:g})",
            x=[row.policy.replace("_", " ") for row in analysis.rows],
            y=[e.mean for e in estimates],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [e.high - e.mean for e in estimates],
                "arrayminus": [e.mean - e.low for e in estimates],
            },
            marker_color=PALETTE[i % len(PALETTE)],
        )
    figure.update_layout(
        barmode="group",
        title="Probability of escalation by course of action (95% CI)",
        yaxis_title="probability",
        yaxis_range=[0, 1],
    )
    return _figure(figure, "bar chart of escalation probabilities per policy")


def escalation_chart(analysis: Analysis) -> str:
    levels = np.arange(0, 11)
    figure = go.Figure()
    for i, runs in enumerate(analysis.runs):
        rounded = np.rint(runs.terminal_escalation)
        share = [(runs.outcome_probs * (rounded == level)).sum(axis=1).mean() for level in levels]
        figure.add_bar(name=runs.policy.replace("_", " "), x=levels, y=share, marker_color=PALETTE[i % len(PALETTE)])
    figure.update_layout(
        barmode="group",
        title="Distribution of the escalation level reached",
        xaxis_title="escalation level",
        yaxis_title="probability",
    )
    return _figure(figure, "distribution of escalation levels per policy")


def tornado_chart(analysis: Analysis, top: int = 10) -> str:
    """Each parameter's swing as a bar from the output at its 5% quantile to that at its 95% quantile."""
    sensitivity = analysis.sensitivity
    assert sensitivity is not None
    swings = sensitivity.tornado[:top][::-1]
    figure = go.Figure()
    figure.add_bar(
        y=[s.parameter for s in swings],
        x=[s.output_at_high - s.output_at_low for s in swings],
        base=[s.output_at_low for s in swings],
        orientation="h",
        marker_color=[PALETTE[1] if s.output_at_high >= s.output_at_low else PALETTE[0] for s in swings],
        hovertemplate="%{y}: %{base:.3f} (5%) → %{customdata:.3f} (95%)<extra></extra>",
        customdata=[s.output_at_high for s in swings],
        showlegend=False,
    )
    figure.update_layout(
        title=f"Tornado: {sensitivity.tornado_output} (5% → 95% quantile; orange rises, blue falls)",
        xaxis_title="output",
        height=120 + 40 * len(swings),
    )
    return _figure(figure, "tornado chart of parameter swings")


def tree_svg(solution: Solution, floor: float = 1e-6) -> str:
    """The equilibrium at the parameters' means: every reached node, with its unreached moves as stubs."""
    tree = solution.game.tree
    reach = solution.reach[0]
    slot = tree.slot
    shown: list[int] = []
    order = tree.preorder()
    for node in order:
        parent = tree.parent[node]
        if node == 0 or reach[parent] > floor:
            shown.append(node)
    shown_set = set(shown)
    row: dict[int, float] = {}
    next_row = 0
    for node in reversed(order):  # leaves get rows, parents sit between their shown children
        if node not in shown_set:
            continue
        children = [
            c for c in range(tree.first_child[node], tree.first_child[node] + tree.n_children[node]) if c in shown_set
        ]
        if children and reach[node] > floor:
            row[node] = float(np.mean([row[c] for c in children]))
        else:
            row[node] = next_row
            next_row += 1
    # rows were assigned bottom-up in reverse order; flip so the first move is on top
    top = max(row.values(), default=0)
    x_step, y_step = 170, 34
    width, height = x_step * (int(tree.depth[shown].max()) + 1) + 320, y_step * (int(top) + 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        'aria-label="game tree with the equilibrium path highlighted">'
    ]

    def position(node: int) -> tuple[float, float]:
        return 70 + x_step * int(tree.depth[node]), y_step * (top - row[node] + 1)

    for node in shown:
        if node == 0:
            continue
        parent = int(tree.parent[node])
        (x0, y0), (x1, y1) = position(parent), position(node)
        probability = solution.game.chance_prob[0, node] if slot[node] < 0 else solution.profile[0, slot[node]]
        on_path = reach[node] > floor
        colour, stroke = (PALETTE[1], 3) if on_path and probability > 0.5 else ("#999", 1)
        parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{colour}" stroke-width="{stroke}"/>')
        label = f"{tree.move_labels[node]} ({probability:.2f})"
        parts.append(
            f'<text x="{(x0 + x1) / 2}" y="{(y0 + y1) / 2 - 4}" font-size="10" text-anchor="middle" '
            f'fill="#333">{_e(label)}</text>'
        )
    for node in shown:
        x, y = position(node)
        reached = reach[node] > floor
        fill = "#fff" if not reached else (PALETTE[0] if tree.player[node] >= 0 else "#777")
        parts.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{fill}" stroke="#333"/>')
        if tree.n_children[node] == 0 or not reached:
            text = tree.node_labels[node] if tree.n_children[node] == 0 else "…"
            if tree.n_children[node] == 0:
                esc = solution.game.outcome[0, tree.terminal[node]]
                if "escalation" in solution.game.attributes:
                    text += f" — escalation {esc[solution.game.attributes.index('escalation')]:g}"
            parts.append(f'<text x="{x + 9}" y="{y + 4}" font-size="11">{_e(text)}</text>')
        else:
            parts.append(
                f'<text x="{x - 4}" y="{y - 8}" font-size="11" font-weight="bold" '
                f'text-anchor="end">{_e(tree.mover(node))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def analysis_html(analysis: Analysis) -> str:
    scenario = analysis.scenario
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(scenario.title)} — escalade report</title><style>{STYLE}</style>",
        f"<script>{get_plotlyjs()}</script></head><body>",
        f"<h1>{_e(scenario.title)}</h1><p>{_e(scenario.description.strip())}</p>",
        f'<div class="finding"><p>{_e(headline(analysis))}</p>',
    ]
    if analysis.sensitivity is not None:
        out.append(f"<p>{_e(sensitivity_sentence(analysis))}</p>")
    out.append("</div>")
    out += [f'<p class="note">{_e(note)}</p>' for note in analysis.notes]
    out += ["<h2>Courses of action compared</h2>", policy_chart(analysis)]
    levels = analysis.levels
    out.append(_table(policy_header(analysis), policy_rows(analysis), numeric=set(range(1, 2 + len(levels)))))
    out.append(
        f"<p>Means over {analysis.draws:,} parameter draws with 95% bootstrap intervals; "
        "all policies use the same draws.</p>"
    )
    out.append(escalation_chart(analysis))
    if analysis.sensitivity is not None:
        sensitivity = analysis.sensitivity
        output = sensitivity.tornado_output
        out += ["<h2>What decides the answer</h2>", tornado_chart(analysis)]
        out.append(
            _table(
                ["parameter", "first-order S1", "total ST"],
                (
                    [i.parameter, f"{i.first:.2f} ± {i.first_conf:.2f}", f"{i.total:.2f} ± {i.total_conf:.2f}"]
                    for i in sensitivity.sobol[output]
                ),
                numeric={1, 2},
            )
        )
        if sensitivity.tipping:
            out.append("<h3>Tipping points</h3>")
            out.append(
                _table(
                    ["parameter", "value", "best below", "best above"],
                    ([p.parameter, f"{p.value:.4g}", p.before, p.after] for p in sensitivity.tipping),
                    numeric={1},
                )
            )
    if analysis.history is not None:
        out += [f"<h2>History: {analysis.history.n_crises} ICB crises in the reference class</h2>"]
        out.append(_table(HISTORY_HEADER, history_rows(analysis)))
    if analysis.claims:
        out += ["<h2>Claims tested</h2>", _table(CLAIM_HEADER, claim_rows(analysis.claims))]
    if analysis.what_if is not None:
        who = analysis.what_if.full_information
        out.append(f"<h2>What-if: {_e(who)} sees every earlier move</h2>")
        out.append(
            _table(
                ["policy", *(f"P(escalation ≥ {level:g})" for level in levels)],
                ([row.policy, *(str(row.p_at_least[level]) for level in levels)] for row in analysis.what_if.rows),
            )
        )
        gains = information_value(analysis)
        if gains:
            out.append(_table(["policy", f"value of information to {who}"], ([p, str(e)] for p, e in gains.items())))
    out.append("<h2>Equilibrium at the parameters' means</h2>")
    equilibrium = analysis.central.get("equilibrium") or next(iter(analysis.central.values()))
    out.append(f'<div class="plot" style="overflow-x:auto">{tree_svg(equilibrium)}</div>')
    for policy, solution in analysis.central.items():
        out.append(f"<h3>{_e(policy)}</h3>")
        out.append(
            _table(
                ["probability", "path", "escalation"],
                (
                    [f"{r.probability:.3f}", " → ".join(r.moves), f"{r.attributes.get('escalation', float('nan')):g}"]
                    for r in likely_paths(solution)
                ),
                numeric={0, 2},
            )
        )
    out.append("<h2>Actors</h2>")
    out.append(
        _table(
            ["id", "name", "utility"],
            (
                [a.id, a.name, ", ".join(f"{w.source} × {k}" for k, w in a.utility.items()) or "explicit payoffs"]
                for a in scenario.actors
            ),
        )
    )
    out.append(parameters_table(scenario))
    out.append(footer(scenario, analysis.version, analysis.seed, f"{analysis.draws:,} draws", analysis.created))
    return "\n".join(out)


def parameters_table(scenario: Scenario) -> str:
    """The scenario's parameters with their distributions, means and sources."""
    return "<h2>Parameters</h2>" + _table(
        ["name", "distribution", "mean", "what it is", "source"],
        ([n, p.dist, f"{p.mean():.3g}", p.doc, p.source] for n, p in scenario.parameters.items()),
        numeric={2},
    )


def footer(scenario: Scenario, version: str, seed: int, size: str, created: str) -> str:
    """What repeats the run: escalade version, scenario and its SHA-256, seed, size, date; closes the page."""
    return (
        f"<footer>escalade {_e(version)} · scenario <code>{_e(scenario.name)}</code> "
        f"sha256 <code>{_e(scenario.sha256)}</code> · seed {seed} · {_e(size)} · {_e(created)}</footer></body></html>"
    )


def calibration_html(calibration, title: str) -> str:
    """A self-contained page with the calibration plot of a backtest (forecast vs observed frequency)."""
    figure = go.Figure()
    figure.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"}, name="perfect calibration"
    )
    for i, (model, rows) in enumerate(calibration.groupby("model", sort=False)):
        figure.add_scatter(
            x=rows["forecast"], y=rows["observed"], mode="lines+markers", name=str(model),
            marker={"size": 6 + 14 * rows["count"] / rows["count"].max(), "color": PALETTE[i % len(PALETTE)]},
        )  # fmt: skip
    figure.update_layout(title=title, xaxis_title="forecast probability", yaxis_title="observed frequency")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body><h1>{_e(title)}</h1>"
        + _figure(figure, "calibration plot")
        + "</body></html>"
    )
