"""The outline of a dynamic run: courses of action compared, fan charts of escalation over rounds,
time to each rung, escalation scores, claims, the observed path, and each solution's certificate."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from escalade.analyze.dynamics import DynamicAnalysis, HistoryFit, PolicyPath, category_shares
from escalade.report.charts import PALETTE, fan_chart, reached_chart, score_chart
from escalade.report.outline import Report, Section, Table, shown
from escalade.report.static import (
    CLAIM_COLUMNS,
    claims_section,
    footer,
    knockouts_section,
    parameters_section,
    provenance,
)
from escalade.scenario.model import CATEGORIES

SUMMARY_COLUMNS = [
    "course of action",
    "final level",
    "final rungs",
    "P(de-escalation)",
    "ratchet index",
    "score / actor-round",
    "certified",
]


def dynamic_report(analysis: DynamicAnalysis) -> Report:
    """The dynamic run as an outline for the writers in :mod:`escalade.report.outline`."""
    scenario = analysis.scenario
    sections = [
        _courses(analysis),
        _over_time(analysis),
        _arrivals(analysis),
        _scores(analysis),
        *([_claims(analysis)] if analysis.claims else []),
        *([_knockouts(analysis)] if analysis.knockouts else []),
        *([_history(analysis)] if analysis.history else []),
        _certificates(analysis),
        _ladder(analysis),
        parameters_section(scenario),
    ]
    record = {
        **provenance(scenario, analysis.version, analysis.seed, analysis.draws, analysis.created),
        "runs": analysis.runs,
        "rounds": analysis.rounds,
        "ratchet_window": analysis.window,
        "lambda": None if np.isinf(analysis.lam) else analysis.lam,
        "headline": headline(analysis),
        "notes": warnings(analysis),
        "claims": [],
    }
    size = f"{analysis.draws} draws · {analysis.runs:,} runs"
    closing = footer(scenario, analysis.version, analysis.seed, size, analysis.created)
    return Report(
        scenario.title, scenario.description, [headline(analysis)], warnings(analysis), sections, record, closing
    )


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


def warnings(analysis: DynamicAnalysis) -> list[str]:
    """The run's notes, a warning for every course with a draw not solved to its certificate, and a
    note for every course with draws whose equilibrium is the traced principal branch."""
    found = list(analysis.notes)
    for path in analysis.paths:
        if not path.solution.converged or not path.solution.certified.all():
            found.append(
                f"{path.label}: no certified equilibrium in every draw (logit residual "
                f"{path.solution.logit_residual.max():.2g}); treat its trajectories as approximate or lower λ."
            )
        traced = int(path.solution.traced.sum())
        if traced:
            found.append(
                f"{path.label}: in {traced} of {path.solution.traced.size} draws value iteration does not settle (the "
                "finite-horizon answers oscillate); their equilibrium is the principal branch traced from λ = 0."
            )
    return found


def _show(value: float, low: float, high: float, digits: int) -> str:
    if np.isnan(value):
        return "— (none to measure)"  # e.g. a ratchet index where no actor ever stepped up
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def _courses(analysis: DynamicAnalysis) -> Section:
    rows = [
        [
            p.label,
            _show(p.final_level.mean, p.final_level.low, p.final_level.high, 2),
            ", ".join(f"{actor} {rung:.2f}" for actor, rung in p.final_rungs.items()),
            _show(p.deescalation.share, p.deescalation.low, p.deescalation.high, 3),
            _show(p.ratchet.mean, p.ratchet.low, p.ratchet.high, 3),
            _show(p.score.mean, p.score.low, p.score.high, 2),
            "yes" if p.solution.certified.all() else "NO",
        ]
        for p in analysis.paths
    ]
    tables = [Table(SUMMARY_COLUMNS, rows, frozenset({1, 3, 4, 5}))]
    assert analysis.scenario.dynamics is not None
    round_name = analysis.scenario.dynamics.round
    notes = [
        f"{analysis.runs:,} runs of {analysis.rounds} {round_name}s per course over {analysis.draws} "
        "parameter draws, with 95% intervals (bootstrap over runs; Wilson for shares). The level is the "
        "highest rung of any actor; final rungs are each actor's mean after the last round. The ratchet "
        "index is the share of step-ups not followed by a step down by the same actor within "
        f"{analysis.window} rounds; P(de-escalation) is the share of runs that end below their peak. "
        "Every course uses the same random numbers."
    ]
    if any(p.drivers for p in analysis.paths):
        drivers = [[p.label, ", ".join(f"{n} ({rho:+.2f})" for n, rho in p.drivers) or "—"] for p in analysis.paths]
        tables.append(
            Table(
                ["course of action", "parameters, strongest first (Spearman's rho over the draws)"],
                drivers,
                caption="What moves the final level",
            )
        )
        notes.append(
            f"Rank correlation between each parameter's draws and the mean final level in that draw "
            f"({analysis.draws} draws: a first look, not a variance decomposition)."
        )
    return Section(
        "Courses of action compared",
        tables=tables,
        notes=notes,
        record={"courses": [_course(analysis, p) for p in analysis.paths]},
    )


def _course(analysis: DynamicAnalysis, p: PolicyPath) -> dict[str, Any]:
    return {
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
            "traced_draws": int(p.solution.traced.sum()),
            "max_regret": float(p.solution.regret.max()),
            "max_logit_residual": float(p.solution.logit_residual.max()),
        },
    }


def _over_time(analysis: DynamicAnalysis) -> Section:
    figures = [
        shown(fan_chart(analysis, path, PALETTE[i % len(PALETTE)]), f"fan chart of escalation under {path.label}")
        for i, path in enumerate(analysis.paths)
    ]
    tables = []
    for path in analysis.paths:
        fan = analysis.fan(path.label)
        rows = [[r.label, f"{r.mean:.2f}", f"{r.q05:g}", f"{r.q50:g}", f"{r.q95:g}"] for r in fan.itertuples()]
        tables.append(Table(["round", "mean", "5%", "median", "95%"], rows, frozenset({1, 2, 3, 4}), path.label))
    return Section("Escalation over time", tables=tables, figures=figures)


def _arrivals(analysis: DynamicAnalysis) -> Section:
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    start = max(dynamics.start_rungs.values())
    # the rungs above the start that some course reaches in at least 1% of runs: one cumulative chart each
    curves = {
        rung: {p.label: analysis.reached(p.label, rung) for p in analysis.paths}
        for rung in range(start + 1, dynamics.top + 1)
    }
    figures = [
        shown(reached_chart(analysis, shares, rung), f"share of runs that reached rung {rung} by each round")
        for rung, shares in curves.items()
        if max(share[-1] for share in shares.values()) >= 0.01
    ]
    return Section(
        "Time to each rung",
        paragraphs=[
            f"The charts show, rung by rung, the share of runs whose escalation level (either side) has reached "
            f"it by each {dynamics.round}, every course of action on one chart. The table gives, per course, the "
            f"share that reaches each rung within {analysis.rounds} {dynamics.round}s (95% interval) and the "
            f"median {dynamics.round} of arrival among those that do; each actor's own arrivals are in "
            f"dynamics.json (time_to_rung_by_actor)."
        ],
        tables=[_arrival_table(analysis)],
        figures=figures,
    )


def _arrival_table(analysis: DynamicAnalysis) -> Table:
    """One row per rung, one column per course: P(the level reaches it) [95% interval] (median round)."""
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    frames = {p.label: analysis.time_to_rung(p.label).set_index("rung") for p in analysis.paths}

    def arrival(frame: pd.DataFrame, rung: int) -> str:
        if rung not in frame.index:
            return "—"  # at or below where the level starts
        row = frame.loc[rung]
        median = "" if np.isnan(row.median_round) else f" ({row.median_round:g})"
        return f"{row.p_reached:.3f} [{row.low:.3f}, {row.high:.3f}]{median}"

    rungs = sorted({rung for frame in frames.values() for rung in frame.index})
    rows = [[str(rung), dynamics.ladder[rung].name, *(arrival(f, rung) for f in frames.values())] for rung in rungs]
    return Table(
        ["rung", "name", *frames],
        rows,
        caption=f"P(the level reaches the rung) [95% interval] (median {dynamics.round} of arrival)",
    )


def _scores(analysis: DynamicAnalysis) -> Section:
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    rows = [[p.label, *(f"{v:.3f}" for v in category_shares(p.trajectories).values())] for p in analysis.paths]
    weights = ", ".join(f"{c} {w:g}" for c, w in dynamics.score_weights.items())
    return Section(
        "Escalation score (comparable with LLM war-game studies)",
        tables=[Table(["course of action", *CATEGORIES], rows, frozenset(range(1, len(CATEGORIES) + 1)))],
        figures=[shown(score_chart(analysis), "escalation score per round by course of action")],
        notes=[f"Share of moves in each category. Weights: {weights}."],
    )


def _claims(analysis: DynamicAnalysis) -> Section:
    return claims_section(
        analysis.claims,
        CLAIM_COLUMNS[:6],
        [
            f"Each claim compares its output under two conditions draw by draw ({analysis.draws} parameter draws, "
            f"{analysis.runs // analysis.draws:,} runs each, the same random numbers on both sides); the share is of "
            "draws where the output is lower under the first condition, with a Wilson interval."
        ],
        analysis.scenario,
        knockouts_caption="Knockouts: each mechanism a claim names switched off (its parameters pinned) on both "
        "sides, every solved actor re-solved, same draws and random numbers",
    )


def _knockouts(analysis: DynamicAnalysis) -> Section:
    how = (
        "Each of the scenario's {n} mechanisms is switched off alone (its parameters pinned) and everyone's "
        f"equilibrium solved and run forward again on the same {analysis.draws} draws and random numbers. A "
        "mechanism moves an output when the 95% bootstrap interval (over draws) of the paired change excludes "
        "zero; one that moves none does no work while everyone plays the equilibrium (it may still act under a "
        "scripted course: see the claims' knockouts)."
    )
    measured = "Change in each actor's final rung, P(de-escalation) and the ratchet index (as stated in the header)"
    return knockouts_section(analysis.knockouts, how, measured)


def _history(analysis: DynamicAnalysis) -> Section:
    """How each course predicted the observed path, and the best course round by round."""
    fits = analysis.history
    source = next(iter(fits.values())).source
    actors = analysis.scenario.actor_ids
    courses = Table(
        ["course of action", "log P(observed path)", "per round", "impossible from", "draws still weighing (ESS)"],
        [
            [
                label,
                f"{fit.log_likelihood:.2f}",
                f"{fit.mean_log_score:.2f}",
                _impossible(analysis, fit),
                f"{fit.ess[-1]:.1f} of {analysis.draws}" if fit.ess else "—",
            ]
            for label, fit in fits.items()
        ],
        frozenset({1, 2}),
        "Each course's solved policies, asked to predict the observed path round by round",
    )
    best_label = max(fits, key=lambda label: fits[label].log_likelihood)
    best = fits[best_label]
    rounds = Table(
        ["round", *(f"{a} rung" for a in actors), "P(these rungs | rounds before)", *(f"PIT {a}" for a in actors)],
        [
            [
                analysis.labels[t + 1],
                *(str(r) for r in best.observed[t + 1]),
                f"{best.predictive[t]:.3f}",
                *(f"{x:.2f}" for x in best.pit[t]),
            ]
            for t in range(best.rounds)
        ],
        frozenset(range(1, 2 * len(actors) + 2)),
        f"Round by round under {best_label} (the course that predicts the path best)",
    )
    return Section(
        "Against history",
        paragraphs=[f"Observed path: {source}"],
        tables=[courses, rounds],
        notes=[
            "Each round's rungs are predicted from the rounds before: the draws are weighed by how well they "
            "predicted so far (the sequential posterior), and flags and counters the record does not show are "
            "summed over (a forward filter). log P(observed path) adds the rounds' log-probabilities; 0 would "
            "be a perfect prediction. A scripted course that never plays the observed rungs makes the path "
            "impossible from the round it departs; the column names the move no draw could make from the "
            "states the rounds before allow (a scripted rule, a limit, a move's 'when', or the ladder forbids it).",
            "PIT: where the observed rung falls in the distribution predicted for it, P(below) + ½ P(equal). "
            "Values near 0 or 1, round after round, say the model runs above or below what happened.",
        ],
    )


def _impossible(analysis: DynamicAnalysis, fit: HistoryFit) -> str:
    """The round from which a course cannot produce the observed path, and whose move it cannot produce."""
    if fit.impossible_from is None:
        return "—"
    t, actors = fit.impossible_from, analysis.scenario.actor_ids
    moves = [f"{actors[j]} {fit.observed[t - 1][j]} → {fit.observed[t][j]}" for j in fit.impossible_by]
    return f"{analysis.labels[t]} ({', '.join(moves) if moves else 'the rungs together'})"


def _certificates(analysis: DynamicAnalysis) -> Section:
    rows = [
        [
            p.label,
            "inf (pure)" if np.isinf(p.solution.lam) else f"{p.solution.lam:g}",
            f"{p.solution.iterations}",
            "yes" if p.solution.converged else "no",
            f"{int(p.solution.traced.sum())} of {p.solution.traced.size}",
            f"{p.solution.regret.max():.3g}",
            f"{p.solution.logit_residual.max():.2g}",
        ]
        for p in analysis.paths
    ]
    return Section(
        "Solutions and their certificates",
        tables=[
            Table(
                ["course of action", "λ", "sweeps", "converged", "draws traced", "max regret", "logit residual"],
                rows,
                frozenset({2, 5, 6}),
            )
        ],
        notes=[
            "Regret: the largest gain a solved actor gets by changing its move in one state for one round, on the "
            "exact values of the policy (zero for a Markov-perfect equilibrium; positive by design at finite λ). "
            "Logit residual: distance of the policy from the logit response to its own values. "
            "Sweeps: value iteration's, before Newton's method finished the draws that were settling. Draws "
            "traced: draws whose iteration never settles, solved on the principal branch from λ = 0 instead."
        ],
    )


def _ladder(analysis: DynamicAnalysis) -> Section:
    dynamics = analysis.scenario.dynamics
    assert dynamics is not None
    rows = [[str(i), rung.name, rung.category] for i, rung in enumerate(dynamics.ladder)]
    return Section(
        "The ladder", tables=[Table(["rung", "name", "category of stepping up to it"], rows, frozenset({0}))]
    )


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
