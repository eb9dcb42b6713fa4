"""Figures for the HTML report, the notebook and the explorer: Plotly charts (``*_chart`` return the
figure, :func:`escalade.report.outline.shown` puts it in a report) and the equilibrium tree as inline SVG. Drawing only:
every number comes from an analysis or a solution."""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from escalade.analyze import Analysis, ClaimVerdict, ParameterShift, PolicyMap, ResponseCurve, likely_paths
from escalade.analyze.dynamics import DynamicAnalysis, PolicyPath
from escalade.solve import Solution

# Okabe & Ito (2008) colour-blind-safe palette
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def escape(text: object) -> str:
    return html.escape(str(text))


def styled(figure: go.Figure) -> go.Figure:
    """The house style, applied to every chart: the toolbar stands upright in the right margin and the
    legend lies above the plot, under the title: neither covers the other nor a title (the top margin
    grows with the legend's rows, counted for a narrow window: :func:`legend_rows`)."""
    names = [trace.name for trace in figure.data if trace.showlegend is not False and trace.name]
    return figure.update_layout(
        template="simple_white",
        margin={"l": 60, "r": 50, "t": 60 + 24 * legend_rows(names), "b": 50},
        font={"size": 13},
        modebar={"orientation": "v"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        title={"y": 1, "yanchor": "top", "pad": {"t": 14}},  # at the top, whatever the legend's rows below it
    )


def legend_rows(names: list[str], width: float = 400) -> int:
    """How many rows a horizontal legend of ``names`` takes in a plot ``width`` pixels wide (the plot of a
    chart in an 800-px window): each entry is its swatch and about 7.5 px a character, packed greedily."""
    rows, used = 1, 0.0
    for name in names:
        entry = 45 + 7.5 * len(name)
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _error(estimates: list) -> dict:
    return {
        "type": "data",
        "symmetric": False,
        "array": [e.high - e.mean for e in estimates],
        "arrayminus": [e.mean - e.low for e in estimates],
    }


def policy_chart(analysis: Analysis) -> go.Figure:
    """P(each named outcome) per course of action, with 95% intervals."""
    figure = go.Figure()
    for i, name in enumerate(analysis.outcomes):
        estimates = [row.outcomes[name] for row in analysis.rows]
        figure.add_bar(
            name=name.replace("_", " "),
            x=[row.policy.replace("_", " ") for row in analysis.rows],
            y=[e.mean for e in estimates],
            error_y=_error(estimates),
            marker_color=PALETTE[i % len(PALETTE)],
        )
    figure.update_layout(
        barmode="group",
        title="Probability of each outcome by course of action (95% CI)",
        yaxis_title="probability",
        yaxis_range=[0, 1],
    )
    return styled(figure)


def claims_chart(verdicts: list[ClaimVerdict]) -> go.Figure:
    """Each claim's share of judged draws in which it holds and in which the opposite does (Wilson 95%),
    against the ½ a verdict needs its interval to clear; the status and the draws judged in the label."""
    names = [f"{v.name} ({v.result.status}, {v.holds.total} draws)" for v in verdicts]
    figure = go.Figure()
    for label, shares, colour in (
        ("claim holds", [v.holds for v in verdicts], PALETTE[0]),
        ("opposite holds", [v.result.reversed for v in verdicts], PALETTE[1]),
    ):
        figure.add_bar(
            name=label,
            y=names,
            x=[s.share for s in shares],
            orientation="h",
            marker_color=colour,
            error_x={"type": "data", "symmetric": False, "array": [s.high - s.share for s in shares],
                     "arrayminus": [s.share - s.low for s in shares]},
        )  # fmt: skip
    figure.add_vline(x=0.5, line={"color": "black", "dash": "dash", "width": 1})
    figure.update_layout(
        barmode="group",
        title="Share of judged draws in which each claim holds (Wilson 95%); a verdict needs ½ cleared",
        xaxis_title="share of draws",
        xaxis_range=[0, 1],
        yaxis={"autorange": "reversed"},
        height=200 + 60 * len(verdicts),
    )
    return styled(figure)


def paths_chart(solution: Solution, top: int = 8) -> go.Figure:
    """The likeliest complete paths of play at the point, as bars (the path's moves in the hover)."""
    rows = likely_paths(solution, top=top)
    figure = go.Figure(
        go.Bar(
            x=[row.probability for row in rows],
            y=[f"path {i + 1}: …{row.moves[-1]}" for i, row in enumerate(rows)],
            orientation="h",
            hovertext=[" → ".join(row.moves) for row in rows],
            marker_color=PALETTE[0],
        )
    )
    figure.update_layout(
        title="The likeliest paths of play", xaxis_title="probability", xaxis_range=[0, 1],
        yaxis={"autorange": "reversed"}, height=180 + 40 * len(rows),
    )  # fmt: skip
    return styled(figure)


def risk_payoff_chart(analysis: Analysis, actor: str) -> go.Figure:
    """For one policy-choosing actor: each course of action (and the free equilibrium) placed by the
    headline risk (x) and the actor's expected utility (y), with 95% intervals both ways."""
    head = analysis.headline
    figure = go.Figure()
    # the headline is the risk axis; a value headline (no outcomes, no escalation) leaves the chart empty
    placed = [
        (i, row, row.estimate(head), row.values[actor])
        for i, row in enumerate(analysis.rows)
        if not head.startswith("value(") and row.estimate(head) is not None
    ]
    points: dict[tuple[float, float], list[str]] = {}  # courses at the same point share one label
    for _, row, risk, value in placed:
        points.setdefault((round(risk.mean, 3), round(value.mean, 3)), []).append(row.policy.replace("_", " "))
    for i, row, risk, value in placed:
        together = points[(round(risk.mean, 3), round(value.mean, 3))]
        figure.add_scatter(
            x=[risk.mean],
            y=[value.mean],
            error_x=_error([risk]),
            error_y=_error([value]),
            mode="markers+text",
            text=[" = ".join(together) if together[0] == row.policy.replace("_", " ") else ""],
            textposition="top center",
            name=row.policy.replace("_", " "),
            marker={"size": 12, "color": PALETTE[i % len(PALETTE)]},
        )
    figure.update_layout(
        title=f"Risk and payoff for {actor}: {head} against its expected utility (95% CI)",
        xaxis_title=head if head.startswith("P(") else "expected escalation level",
        yaxis_title=f"expected utility of {actor}",
        showlegend=False,
    )
    return styled(figure)


def escalation_chart(analysis: Analysis) -> go.Figure:
    figure = go.Figure()
    for i, (policy, shares) in enumerate(analysis.escalation.items()):
        figure.add_bar(
            name=policy.replace("_", " "), x=list(range(len(shares))), y=shares, marker_color=PALETTE[i % len(PALETTE)]
        )
    figure.update_layout(
        barmode="group",
        title="Distribution of the escalation level reached",
        xaxis_title="escalation level",
        yaxis_title="probability",
    )
    return styled(figure)


def curve_chart(curve: ResponseCurve, labels: dict[str, str]) -> go.Figure:
    """Every course's outputs against the varied parameter, each with its 95% band: one output at a
    time, chosen in a menu over ``labels`` (output -> words; the first is shown first)."""
    figure = go.Figure()
    per_output = 2 * len(curve.outputs)  # a band and a line per course
    for shown, output in enumerate(labels):
        for i, (policy, outputs) in enumerate(curve.outputs.items()):
            colour = PALETTE[i % len(PALETTE)]
            estimates = outputs[output]
            figure.add_scatter(
                x=[*curve.grid, *curve.grid[::-1]],
                y=[*(e.high for e in estimates), *(e.low for e in estimates[::-1])],
                fill="toself",
                fillcolor=_rgba(colour, 0.15),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                visible=shown == 0,
            )
            figure.add_scatter(
                x=curve.grid,
                y=[e.mean for e in estimates],
                name=policy.replace("_", " "),
                line={"color": colour},
                visible=shown == 0,
                showlegend=shown == 0,
            )
    total = per_output * len(labels)
    buttons = [
        {
            "label": words,
            "method": "update",
            "args": [
                {
                    "visible": [per_output * k <= t < per_output * (k + 1) for t in range(total)],
                    "showlegend": [t % 2 == 1 and per_output * k <= t < per_output * (k + 1) for t in range(total)],
                },
                {"yaxis": {"title": {"text": words}}},
            ],
        }
        for k, words in enumerate(labels.values())
    ]
    first = next(iter(labels.values()))
    figure.update_layout(
        title=f"Against {curve.parameter} (95% bands): choose the output in the menu",
        xaxis_title=curve.parameter,
        yaxis_title=first,
        updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"}],
    )
    return styled(figure)


def map_chart(mapped: PolicyMap) -> go.Figure:
    """The preferred course over two parameters: one colour per course (named in the legend), and the
    tipping boundary, where the preferred course changes, drawn as a line."""
    courses = sorted({course for row in mapped.preferred for course in row})
    code = {course: i for i, course in enumerate(courses)}
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(courses))]
    first, second = mapped.parameters
    xs, ys = mapped.grids
    z = [[code[mapped.preferred[i][j]] for i in range(len(xs))] for j in range(len(ys))]
    stops = [[i / max(1, len(courses) - 1), colour] for i, colour in enumerate(colours)]
    figure = go.Figure(
        go.Heatmap(
            x=xs,
            y=ys,
            z=z,
            zmin=0,
            zmax=max(1, len(courses) - 1),
            text=[[mapped.preferred[i][j] for i in range(len(xs))] for j in range(len(ys))],
            hovertemplate=f"{first} %{{x:.3g}}, {second} %{{y:.3g}}: %{{text}}<extra></extra>",
            colorscale=stops if len(courses) > 1 else [[0, colours[0]], [1, colours[0]]],
            showscale=False,
        )
    )
    for j in range(len(ys)):  # the boundary: between neighbouring cells that prefer different courses
        for i in range(len(xs) - 1):
            if z[j][i] != z[j][i + 1]:
                middle = (xs[i] + xs[i + 1]) / 2
                low, high = _cell_edges(ys, j)
                figure.add_shape(
                    type="line", x0=middle, x1=middle, y0=low, y1=high, line={"color": "black", "width": 2}
                )
    for i in range(len(xs)):
        for j in range(len(ys) - 1):
            if z[j][i] != z[j + 1][i]:
                middle = (ys[j] + ys[j + 1]) / 2
                low, high = _cell_edges(xs, i)
                figure.add_shape(
                    type="line", x0=low, x1=high, y0=middle, y1=middle, line={"color": "black", "width": 2}
                )
    for course, colour in zip(courses, colours, strict=True):  # legend entries for the colours
        figure.add_scatter(x=[None], y=[None], mode="markers", marker={"color": colour, "size": 12, "symbol": "square"},
                           name=course, showlegend=True)  # fmt: skip
    figure.update_layout(
        title=f"Preferred course ({mapped.criterion}); the black line is where it tips",
        xaxis_title=first,
        yaxis_title=second,
    )
    return styled(figure)


def _cell_edges(grid: list[float], i: int) -> tuple[float, float]:
    """The edges of grid point ``i``'s cell, as the heatmap draws it: halfway to its neighbours, and half
    a spacing beyond the grid's ends."""
    points = (
        [2 * grid[0] - grid[1], *grid, 2 * grid[-1] - grid[-2]] if len(grid) > 1 else [grid[0] - 1, *grid, grid[0] + 1]
    )
    return (points[i] + points[i + 1]) / 2, (points[i + 1] + points[i + 2]) / 2


def tornado_chart(analysis: Analysis, top: int = 10) -> go.Figure:
    """Each parameter's swing around the base case (every parameter at its mean): a bar from the output
    at the parameter's 5% quantile to that at its 95%, the largest first; parameters that do not move
    the output are counted, not drawn."""
    sensitivity = analysis.sensitivity
    assert sensitivity is not None
    moving = [s for s in sensitivity.tornado if s.width > 1e-9]
    swings = moving[:top][::-1]
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
    figure.add_vline(x=sensitivity.tornado_base, line_dash="dot", annotation_text="base case (means)")
    still = len(sensitivity.tornado) - len(moving)
    figure.update_layout(
        title=f"Tornado: {sensitivity.tornado_output}" + (f" ({still} parameters do not move it)" if still else ""),
        xaxis_title=f"{sensitivity.tornado_output} (orange: rises from 5% to 95%; blue: falls)",
        height=140 + 40 * len(swings),
    )
    return styled(figure)


def sobol_chart(analysis: Analysis, floor: float = 0.01) -> go.Figure:
    """Total and first-order Sobol indices of the tornado's output with their 95% intervals, for the
    parameters whose total index (with its interval) reaches ``floor``."""
    sensitivity = analysis.sensitivity
    assert sensitivity is not None
    indices = [i for i in sensitivity.sobol[sensitivity.tornado_output] if i.total + i.total_conf >= floor][::-1]
    figure = go.Figure()
    for name, values, conf, colour in (
        ("total ST", [i.total for i in indices], [i.total_conf for i in indices], PALETTE[0]),
        ("first-order S1", [i.first for i in indices], [i.first_conf for i in indices], PALETTE[2]),
    ):
        figure.add_bar(
            name=name,
            y=[i.parameter for i in indices],
            x=values,
            orientation="h",
            error_x={"type": "data", "array": conf},
            marker_color=colour,
        )
    figure.update_layout(
        barmode="group",
        title=f"Sobol indices of {sensitivity.tornado_output} (95% intervals)",
        xaxis_title="share of the output's variance",
        height=160 + 44 * len(indices),
    )
    return styled(figure)


def posterior_chart(shifts: list[ParameterShift], top: int = 12) -> go.Figure:
    """Each parameter's central 90% before and after conditioning on the record, with its mean, for the
    ``top`` parameters the record moved most."""
    rows = shifts[:top][::-1]
    figure = go.Figure()
    for offset, (name, pick, colour) in enumerate(
        (("prior", lambda r: r.prior, "#7f7f7f"), ("posterior", lambda r: r.posterior, PALETTE[0]))
    ):
        summaries = [pick(r) for r in rows]
        figure.add_scatter(
            name=f"{name}: mean and 90% interval",
            y=[f"{r.name}" for r in rows],
            x=[mean for mean, _, _ in summaries],
            mode="markers",
            marker={"color": colour, "size": 9, "symbol": "circle" if offset else "diamond-open"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [high - mean for mean, _, high in summaries],
                "arrayminus": [mean - low for mean, low, _ in summaries],
            },
            offsetgroup=name,
        )
    figure.update_layout(
        title="What the record did to each parameter (largest changes first)",
        xaxis_title="parameter value",
        scattermode="group",
        height=160 + 44 * len(rows),
    )
    return styled(figure)


TREE_NODES = 1500  # a tree this small is drawn whole; a larger one only below the nodes play reaches
TREE_STYLE = """
.game-tree { font-size: 0.9em; line-height: 1.5; overflow-wrap: anywhere; }
.game-tree ul { list-style: none; margin: 0; padding-left: 1.1em; border-left: 1px solid #ddd; }
.game-tree summary { cursor: pointer; } .game-tree .leaf { padding-left: 1.1em; }
.game-tree .mover { font-weight: 600; } .game-tree .off { color: #888; }
.game-tree .likely > details > summary .move, .game-tree .likely > .move { color: #0072B2; font-weight: 600; }
.game-tree .bar { display: inline-block; height: 0.6em; background: #0072B2; margin: 0 0.3em; vertical-align: middle; }
.game-tree .end { color: #444; }
"""


def tree_outline(solution: Solution, floor: float = 1e-6) -> str:
    """The equilibrium at the parameters' means as a collapsible outline that fits any width: each move
    with its probability (a bar beside the number), the likely path in colour and open, the moves play
    does not reach folded (and, in a tree over :data:`TREE_NODES` nodes, left out below unreached nodes);
    each end with its escalation level and payoffs."""
    tree, game = solution.game.tree, solution.game
    reach = solution.reach[0]
    whole = tree.n_nodes <= TREE_NODES
    players = tree.players
    escalation = game.attributes.index("escalation") if "escalation" in game.attributes else None

    def probability(node: int) -> float:
        slot = tree.slot[node]
        return float(game.chance_prob[0, node] if slot < 0 else solution.profile[0, slot])

    def end(node: int) -> str:
        t = tree.terminal[node]
        text = tree.node_labels[node]
        if escalation is not None:
            text += f" · escalation {game.outcome[0, t, escalation]:g}"
        payoffs = ", ".join(f"{p} {v:+.2f}" for p, v in zip(players, game.payoff[0, t].tolist(), strict=True))
        return f'<span class="end">→ {escape(text)} ({escape(payoffs)})</span>'

    def mover(node: int) -> str:
        who = tree.mover(node)
        infoset = tree.infoset[node]
        where = f" · {tree.infoset_labels[infoset]}" if infoset >= 0 else ""
        return f'<span class="mover">{escape(who)}</span>{escape(where)}'

    def item(node: int) -> str:
        p = probability(node)
        reached = reach[node] > floor
        classes = ("likely " if reached and p > 0.5 else "") + ("" if reached else "off")
        move = (
            f'<span class="move">{escape(tree.move_labels[node])}</span>'
            f'<span class="bar" style="width:{3 * p:.2f}em"></span>{p:.2f}'
        )
        if tree.n_children[node] == 0:
            return f'<li class="leaf {classes}">{move} {end(node)}</li>'
        if not whole and reach[node] <= floor:
            return f'<li class="leaf {classes}">{move} {mover(node)} … (not reached)</li>'
        summary = f"<summary>{move} {mover(node)}</summary>"
        return f'<li class="{classes}"><details{" open" if reached else ""}>{summary}{children(node)}</details></li>'

    def children(node: int) -> str:
        first = tree.first_child[node]
        return "<ul>" + "".join(item(c) for c in range(first, first + tree.n_children[node])) + "</ul>"

    label = "game tree with the equilibrium path highlighted"
    return (
        f'<div class="game-tree" role="group" aria-label="{label}"><style>{TREE_STYLE}</style>'
        f"<details open><summary>{mover(0)}</summary>{children(0)}</details></div>"
    )


def fan_chart(analysis: DynamicAnalysis, path: PolicyPath, colour: str) -> go.Figure:
    fan = analysis.fan(path.label)
    x = fan["label"].tolist()
    figure = go.Figure()
    for low, high, alpha, name in (("q05", "q95", 0.18, "5–95%"), ("q25", "q75", 0.35, "25–75%")):
        figure.add_trace(go.Scatter(x=x, y=fan[high], mode="lines", line={"width": 0}, showlegend=False))
        figure.add_trace(
            go.Scatter(
                x=x, y=fan[low], mode="lines", line={"width": 0}, fill="tonexty", name=name,
                fillcolor=_rgba(colour, alpha),
            )
        )  # fmt: skip
    figure.add_trace(go.Scatter(x=x, y=fan["q50"], mode="lines", line={"color": colour, "width": 2}, name="median"))
    figure.add_trace(go.Scatter(x=x, y=fan["mean"], mode="lines", line={"color": colour, "dash": "dot"}, name="mean"))
    rungs = path.trajectories.rungs.mean(axis=0)
    for i, actor in enumerate(path.trajectories.actors):
        figure.add_trace(
            go.Scatter(
                x=x, y=rungs[:, i], mode="lines", name=f"mean rung of {actor}",
                line={"color": PALETTE[(i + 4) % len(PALETTE)], "width": 1, "dash": "dash"},
            )
        )  # fmt: skip
    fit = analysis.history.get(path.label)
    if fit is not None:
        figure.add_trace(
            go.Scatter(
                x=x[: len(fit.observed)], y=[max(rungs) for rungs in fit.observed], mode="markers+lines",
                name="observed (highest rung)",
                line={"color": "#000000", "width": 1}, marker={"symbol": "x", "size": 8},
            )
        )  # fmt: skip
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    figure.update_layout(
        title=f"Escalation level (highest rung) under {path.label}",
        yaxis={"title": "rung", "range": [-0.3, dynamics.top + 0.3], **rung_ticks(analysis)},
        xaxis={"title": dynamics.round},
        height=300 + 34 * (dynamics.top + 1),  # room for two-line rung names
    )
    return styled(figure)


def rung_ticks(analysis: DynamicAnalysis) -> dict:
    """A rung axis labelled with the ladder's names ("5 blockade"), not bare numbers."""
    assert analysis.scenario.dynamics is not None
    ladder = analysis.scenario.dynamics.ladder
    return {
        "tickvals": list(range(len(ladder))),
        # wrapped: a long rung name on one line took half of an 800-px window from the plot
        "ticktext": ["<br>".join(textwrap.wrap(f"{i} {rung.name}", 24, max_lines=2)) for i, rung in enumerate(ladder)],
        "automargin": True,
    }


def reached_chart(analysis: DynamicAnalysis, reached: dict[str, np.ndarray], rung: int) -> go.Figure:
    """The share of runs in which the escalation level has reached ``rung`` by each round, one curve per
    course of action: cumulative, so the curve at the last round is the share that ever reached it."""
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    figure = go.Figure()
    for i, (label, shares) in enumerate(reached.items()):
        figure.add_scatter(
            x=analysis.labels, y=shares, mode="lines", name=label, line={"color": PALETTE[i % len(PALETTE)]}
        )
    figure.update_layout(
        title=f"Reached rung {rung} ({dynamics.ladder[rung].name}) by each {dynamics.round}",
        yaxis={"title": "share of runs", "range": [0, 1]},
        xaxis={"title": dynamics.round},
        height=330,
    )
    return styled(figure)


def score_chart(analysis: DynamicAnalysis) -> go.Figure:
    figure = go.Figure()
    for index, path in enumerate(analysis.paths):
        scores = analysis.scores(path.label).groupby("round", sort=True)["score"].mean()
        labels = [analysis.labels[t] for t in scores.index]
        figure.add_trace(
            go.Scatter(
                x=labels, y=scores.values, mode="lines+markers", name=path.label,
                line={"color": PALETTE[index % len(PALETTE)]},
            )
        )  # fmt: skip
    figure.update_layout(
        title="Mean escalation score per actor and round (Rivera et al. 2024 weights)",
        yaxis={"title": "score"},
        height=360,
    )
    return styled(figure)


def calibration_chart(calibration: pd.DataFrame, title: str) -> go.Figure:
    """Forecast probability against observed frequency, per model (a backtest's calibration)."""
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
    return styled(figure)
