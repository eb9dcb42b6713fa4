"""Reports of a dynamic run: fan charts of escalation over rounds, the ratchet index, escalation
scores, the fit of the historical path, and each solution's certificate (rendering only)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from escalade.analyze.dynamics import DynamicAnalysis, PolicyPath, category_shares
from escalade.report.html import PALETTE, STYLE, _e, _figure, _table, footer, parameters_table
from escalade.report.markdown import _table as _markdown_table
from escalade.report.summary import CLAIM_HEADER, claim_record, claim_rows, provenance
from escalade.scenario.model import CATEGORIES

_SUMMARY_HEADER = [
    "course of action",
    "final level",
    "final rungs",
    "P(de-escalation)",
    "ratchet index",
    "score / actor-round",
    "certified",
]


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def summary_rows(analysis: DynamicAnalysis, intervals: bool = True) -> list[list[str]]:
    """One row per course of action (``intervals=False``: point estimates only, for terminals)."""

    def show(value: float, low: float, high: float, digits: int) -> str:
        if np.isnan(value):
            return "— (none to measure)"  # e.g. a ratchet index where no actor ever stepped up
        return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]" if intervals else f"{value:.{digits}f}"

    return [
        [
            p.label,
            show(p.final_level.mean, p.final_level.low, p.final_level.high, 2),
            ", ".join(f"{actor} {rung:.2f}" for actor, rung in p.final_rungs.items()),
            show(p.deescalation.share, p.deescalation.low, p.deescalation.high, 3),
            show(p.ratchet.mean, p.ratchet.low, p.ratchet.high, 3),
            show(p.score.mean, p.score.low, p.score.high, 2),
            "yes" if p.solution.certified.all() else "NO",
        ]
        for p in analysis.paths
    ]


def driver_rows(analysis: DynamicAnalysis) -> list[list[str]]:
    return [[p.label, ", ".join(f"{name} ({rho:+.2f})" for name, rho in p.drivers) or "—"] for p in analysis.paths]


def certificate_rows(analysis: DynamicAnalysis) -> list[list[str]]:
    return [
        [
            p.label,
            "inf (pure)" if np.isinf(p.solution.lam) else f"{p.solution.lam:g}",
            f"{p.solution.iterations}",
            "yes" if p.solution.converged else "no",
            f"{p.solution.regret.max():.3g}",
            f"{p.solution.logit_residual.max():.2g}",
        ]
        for p in analysis.paths
    ]


def fan_chart(analysis: DynamicAnalysis, path: PolicyPath, colour: str) -> str:
    fan = analysis.fan(path.label)
    x = fan["label"].tolist()
    figure = go.Figure()
    for low, high, alpha, name in (("q05", "q95", 0.18, "5–95%"), ("q25", "q75", 0.35, "25–75%")):
        figure.add_trace(go.Scatter(x=x, y=fan[high], mode="lines", line={"width": 0}, showlegend=False))
        figure.add_trace(
            go.Scatter(
                x=x,
                y=fan[low],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                name=name,
                fillcolor=_rgba(colour, alpha),
            )
        )
    figure.add_trace(go.Scatter(x=x, y=fan["q50"], mode="lines", line={"color": colour, "width": 2}, name="median"))
    figure.add_trace(go.Scatter(x=x, y=fan["mean"], mode="lines", line={"color": colour, "dash": "dot"}, name="mean"))
    rungs = path.trajectories.rungs.mean(axis=0)
    for i, actor in enumerate(path.trajectories.actors):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=rungs[:, i],
                mode="lines",
                name=f"mean rung of {actor}",
                line={"color": PALETTE[(i + 4) % len(PALETTE)], "width": 1, "dash": "dash"},
            )
        )
    fit = analysis.history.get(path.label)
    if fit is not None:
        figure.add_trace(
            go.Scatter(
                x=x[: fit.rounds],
                y=fit.observed,
                mode="markers+lines",
                name="observed",
                line={"color": "#000000", "width": 1},
                marker={"symbol": "x", "size": 8},
            )
        )
    assert analysis.scenario.dynamics is not None
    figure.update_layout(
        title=f"Escalation level (highest rung) under {path.label}",
        yaxis={"title": "rung", "range": [-0.3, analysis.scenario.dynamics.top + 0.3], "dtick": 1},
        xaxis={"title": analysis.scenario.dynamics.round},
        height=360,
    )
    return _figure(figure, f"fan chart of escalation under {path.label}")


def _arrival_table(analysis: DynamicAnalysis, path: PolicyPath) -> str:
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    actors = path.trajectories.actors
    level = analysis.time_to_rung(path.label).set_index("rung")
    each = {actor: analysis.time_to_rung(path.label, actor).set_index("rung") for actor in actors}

    def arrival(frame: pd.DataFrame, rung: int) -> str:
        if rung not in frame.index:
            return "—"  # at or below where this series starts
        row = frame.loc[rung]
        median = "" if np.isnan(row.median_round) else f" (median {row.median_round:g})"
        return f"{row.p_reached:.3f}{median}"

    def interval(rung: int) -> str:
        return f"[{level.loc[rung].low:.3f}, {level.loc[rung].high:.3f}]" if rung in level.index else "—"

    rungs = sorted({*level.index, *(rung for frame in each.values() for rung in frame.index)})
    rows = [
        [rung, dynamics.ladder[rung].name, arrival(level, rung), interval(rung)]
        + [arrival(each[actor], rung) for actor in actors]
        for rung in rungs
    ]
    return _table(["rung", "name", "level reaches", "95% interval", *(f"{a} reaches" for a in actors)], rows)


def score_chart(analysis: DynamicAnalysis) -> str:
    figure = go.Figure()
    for index, path in enumerate(analysis.paths):
        scores = analysis.scores(path.label).groupby("round", sort=True)["score"].mean()
        labels = [analysis.labels[t] for t in scores.index]
        figure.add_trace(
            go.Scatter(
                x=labels,
                y=scores.values,
                mode="lines+markers",
                name=path.label,
                line={"color": PALETTE[index % len(PALETTE)]},
            )
        )
    figure.update_layout(
        title="Mean escalation score per actor and round (Rivera et al. 2024 weights)",
        yaxis={"title": "score"},
        height=360,
    )
    return _figure(figure, "escalation score per round by course of action")


def dynamics_html(analysis: DynamicAnalysis) -> str:
    scenario, dynamics = analysis.scenario, analysis.scenario.dynamics
    assert dynamics is not None
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(scenario.title)} — escalade dynamics</title><style>{STYLE}</style>",
        f"<script>{get_plotlyjs()}</script></head><body>",
        f"<h1>{_e(scenario.title)}</h1><p>{_e(scenario.description.strip())}</p>",
        f'<div class="finding"><p>{_e(headline(analysis))}</p></div>',
    ]
    out += [f'<p class="note">{_e(note)}</p>' for note in notes(analysis)]
    out.append("<h2>Courses of action compared</h2>")
    out.append(_table(_SUMMARY_HEADER, summary_rows(analysis), numeric={1, 3, 4, 5}))
    out.append(
        f"<p>{analysis.runs:,} runs of {analysis.rounds} {_e(dynamics.round)}s per course over {analysis.draws} "
        f"parameter draws, with 95% intervals (bootstrap over runs; Wilson for shares). The level is the highest "
        "rung of any actor; final rungs are each actor's mean after the last round. The ratchet index is the "
        f"share of step-ups not followed by a step down by the same actor within {analysis.window} rounds; "
        "P(de-escalation) is the share of runs that end below their peak. Every course uses the same random "
        "numbers.</p>"
    )
    if any(p.drivers for p in analysis.paths):
        out.append("<h3>What moves the final level</h3>")
        out.append(
            _table(
                ["course of action", "parameters, strongest first (Spearman's rho over the draws)"],
                driver_rows(analysis),
            )
        )
        out.append(
            f"<p>Rank correlation between each parameter's draws and the mean final level in that draw "
            f"({analysis.draws} draws: a first look, not a variance decomposition).</p>"
        )
    out.append("<h2>Escalation over time</h2>")
    for index, path in enumerate(analysis.paths):
        out.append(fan_chart(analysis, path, PALETTE[index % len(PALETTE)]))
    out.append("<h2>Time to each rung</h2>")
    out.append(
        f"<p>For the escalation level (either side) and for each actor: the share of runs that reach the rung "
        f"within {analysis.rounds} {_e(dynamics.round)}s (95% interval for the level) and the median "
        f"{_e(dynamics.round)} of arrival among those that do.</p>"
    )
    for path in analysis.paths:
        out.append(f"<h3>{_e(path.label)}</h3>")
        out.append(_arrival_table(analysis, path))
    out.append("<h2>Escalation score (comparable with LLM war-game studies)</h2>")
    out.append(score_chart(analysis))
    out.append(
        _table(
            ["course of action", *CATEGORIES],
            ([p.label, *(f"{v:.3f}" for v in category_shares(p.trajectories).values())] for p in analysis.paths),
            numeric=set(range(1, len(CATEGORIES) + 1)),
        )
    )
    weights = ", ".join(f"{c} {w:g}" for c, w in dynamics.score_weights.items())
    out.append(f"<p>Share of moves in each category. Weights: {_e(weights)}.</p>")
    if analysis.claims:
        out.append("<h2>Claims tested</h2>")
        out.append(_table(CLAIM_HEADER[:4], (row[:4] for row in claim_rows(analysis.claims))))
        out.append(
            f"<p>Each claim compares its output under two conditions draw by draw ({analysis.draws} parameter "
            f"draws, {analysis.runs // analysis.draws:,} runs each, the same random numbers on both sides); the "
            "share is of draws where the output is lower under the first condition, with a Wilson interval.</p>"
        )
    if analysis.history:
        out.append("<h2>Against history</h2>")
        source = next(iter(analysis.history.values())).source
        out.append(f"<p>Observed path: {_e(source)}</p>")
        out.append(
            _table(
                ["course of action", "observed rounds inside the 5–95% band"],
                ([label, f"{fit.inside_90:.2f}"] for label, fit in analysis.history.items()),
                numeric={1},
            )
        )
    out.append("<h2>Solutions and their certificates</h2>")
    out.append(
        _table(
            ["course of action", "λ", "iterations", "converged", "max regret", "logit residual"],
            certificate_rows(analysis),
            numeric={2, 4, 5},
        )
    )
    out.append(
        "<p>Regret: the largest gain a solved actor gets by changing its move in one state for one round, on "
        "the exact values of the policy (zero for a Markov-perfect equilibrium; positive by design at finite λ). "
        "Logit residual: distance of the policy from the logit response to its own values.</p>"
    )
    out.append("<h2>The ladder</h2>")
    out.append(
        _table(
            ["rung", "name", "category of stepping up to it"],
            ([i, r.name, r.category] for i, r in enumerate(dynamics.ladder)),
            numeric={0},
        )
    )
    out.append(parameters_table(scenario))
    size = f"{analysis.draws} draws · {analysis.runs:,} runs"
    out.append(footer(scenario, analysis.version, analysis.seed, size, analysis.created))
    return "\n".join(out)


def headline(analysis: DynamicAnalysis) -> str:
    """One sentence: which course ends lowest and which ratchets most."""
    lowest = min(analysis.paths, key=lambda p: p.final_level.mean)
    highest = max(analysis.paths, key=lambda p: p.final_level.mean)
    ratchet = max(analysis.paths, key=lambda p: -1 if np.isnan(p.ratchet.mean) else p.ratchet.mean)
    lowest_rungs = "; ".join(
        f"{actor} under {min(analysis.paths, key=lambda p: p.final_rungs[actor]).label} "
        f"({min(p.final_rungs[actor] for p in analysis.paths):.2f})"
        for actor in analysis.paths[0].final_rungs
    )
    return (
        f"After {analysis.rounds} rounds the crisis ends lowest under {lowest.label} (mean level "
        f"{lowest.final_level.mean:.2f}) and highest under {highest.label} ({highest.final_level.mean:.2f}); "
        f"each side ends lowest on the ladder: {lowest_rungs}. Commitments ratchet most under {ratchet.label} "
        f"(ratchet index {ratchet.ratchet.mean:.2f})."
    )


def notes(analysis: DynamicAnalysis) -> list[str]:
    found = list(analysis.notes)
    for path in analysis.paths:
        if not path.solution.converged or not path.solution.certified.all():
            found.append(
                f"{path.label}: value iteration did not settle for every draw (logit residual "
                f"{path.solution.logit_residual.max():.2g}); treat its trajectories as approximate or lower λ."
            )
    return found


def dynamics_markdown(analysis: DynamicAnalysis) -> str:
    scenario = analysis.scenario
    lines = [f"# {scenario.title}", "", headline(analysis), ""]
    lines += [f"> {note}" for note in notes(analysis)]
    lines += ["", *_markdown_table(_SUMMARY_HEADER, summary_rows(analysis))]
    if any(p.drivers for p in analysis.paths):
        lines += ["", "What moves the final level (Spearman's rho over the draws):", ""]
        lines += [f"- {label}: {text}" for label, text in driver_rows(analysis)]
    for path in analysis.paths:
        fan = analysis.fan(path.label)
        rows = [[r.label, f"{r.mean:.2f}", f"{r.q05:g}", f"{r.q50:g}", f"{r.q95:g}"] for r in fan.itertuples()]
        lines += ["", f"## {path.label}: escalation level by round", ""]
        lines += _markdown_table(["round", "mean", "5%", "median", "95%"], rows)
    if analysis.claims:
        lines += ["", "## Claims tested", ""]
        lines += _markdown_table(CLAIM_HEADER[:4], [row[:4] for row in claim_rows(analysis.claims)])
    if analysis.history:
        lines += ["", "## Against history", ""]
        lines += [
            f"- {label}: {fit.inside_90:.2f} of observed rounds inside the 5–95% band"
            for label, fit in analysis.history.items()
        ]
    lines += [
        "",
        f"escalade {analysis.version} · scenario `{scenario.name}` sha256 `{scenario.sha256}` · seed "
        f"{analysis.seed} · {analysis.draws} draws · {analysis.runs} runs · {analysis.created}",
        "",
    ]
    return "\n".join(lines)


def dynamics_data(analysis: DynamicAnalysis) -> dict[str, Any]:
    """A JSON-ready record of the run, with what is needed to repeat it."""
    return {
        **provenance(analysis.scenario, analysis.version, analysis.seed, analysis.draws, analysis.created),
        "runs": analysis.runs,
        "rounds": analysis.rounds,
        "ratchet_window": analysis.window,
        "lambda": None if np.isinf(analysis.lam) else analysis.lam,
        "headline": headline(analysis),
        "notes": notes(analysis),
        "claims": [claim_record(v) for v in analysis.claims],
        "courses": [
            {
                "course": p.label,
                "final_level": vars(p.final_level),
                "final_rungs": p.final_rungs,
                "drivers_of_final_level": [{"parameter": name, "spearman": rho} for name, rho in p.drivers],
                "p_deescalation": p.deescalation.record(),
                "ratchet_index": vars(p.ratchet),
                "score_per_actor_round": vars(p.score),
                "category_shares": category_shares(p.trajectories),
                "fan": analysis.fan(p.label).to_dict(orient="records"),
                "time_to_rung": analysis.time_to_rung(p.label).to_dict(orient="records"),
                "time_to_rung_by_actor": {
                    actor: analysis.time_to_rung(p.label, actor).to_dict(orient="records") for actor in p.final_rungs
                },
                "history": None if p.label not in analysis.history else vars(analysis.history[p.label]),
                "certificate": {
                    "certified": bool(p.solution.certified.all()),
                    "converged": p.solution.converged,
                    "iterations": p.solution.iterations,
                    "max_regret": float(p.solution.regret.max()),
                    "max_logit_residual": float(p.solution.logit_residual.max()),
                },
            }
            for p in analysis.paths
        ],
    }


def trajectories_frame(analysis: DynamicAnalysis) -> pd.DataFrame:
    """One row per course, run, round and actor: rung at the end of the round, move and its score."""
    frames = []
    for path in analysis.paths:
        t = path.trajectories
        runs, rounds, actors = t.moves.shape
        run, round_, actor = np.meshgrid(np.arange(runs), np.arange(1, rounds + 1), np.arange(actors), indexing="ij")
        frames.append(
            pd.DataFrame(
                {
                    "course": path.label,
                    "run": run.ravel(),
                    "draw": t.draw[run.ravel()],
                    "round": round_.ravel(),
                    "actor": np.array(t.actors)[actor.ravel()],
                    "rung": t.rungs[:, 1:, :].ravel(),
                    "category": np.array(CATEGORIES)[t.categories.ravel()],
                    "score": t.scores.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
