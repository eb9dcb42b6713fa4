"""The dynamic analysis: a crisis over rounds, run forward under each course of action.

Parameter draws are sampled once; each course (and each condition a dynamic claim compares) is
solved for the unscripted actors' logit Markov equilibrium and simulated on the same random numbers,
so differences between courses are not noise of the draw. Each course is solved in pieces of its
draws, as tasks on the backend; the runs are simulated here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from escalade.analyze.dynamics import (
    DynamicAnalysis,
    claim_conditions,
    dynamic_claims,
    history_fit,
    knockout_conditions,
    knockout_effects,
    measure,
)
from escalade.condition import path_evidence
from escalade.game.markov import compile_markov
from escalade.pipeline.requests import Backend, DynamicRequest
from escalade.scenario import Scenario
from escalade.simulate import sample_parameters
from escalade.simulate.backends import run_chunks
from escalade.simulate.trajectories import (
    Condition,
    Trajectories,
    condition_game,
    condition_key,
    course_label,
    courses,
    require_trajectory_memory,
    solve_condition,
)
from escalade.simulate.trajectories import simulate as simulate_runs
from escalade.solve.markov import MarkovSolution


def simulate(
    scenario: Scenario, request: DynamicRequest = DynamicRequest(), backend: Backend = Backend()
) -> DynamicAnalysis:
    """Trajectories of every course of action (see :func:`courses`), measured and with claims tested."""
    scenario = request.validated(scenario)
    backend.validated()
    dynamics = scenario.dynamics
    assert dynamics is not None
    rounds = dynamics.rounds if request.rounds is None else request.rounds
    lam = dynamics.rationality if request.lam is None else request.lam
    require_trajectory_memory(len(scenario.actors), len(dynamics.events), rounds, request.runs)
    draws, seed = request.draws, request.seed
    if draws == 1 or not scenario.parameters:
        draws = 1
        values = {name: np.array([value]) for name, value in scenario.central_values().items()}
    else:
        values = sample_parameters(scenario, draws, seed)
    compared = [(course, {}) for course in courses(scenario, {a: list(p) for a, p in request.policies.items()})]
    knocked = request.knockouts and bool(scenario.mechanisms)
    claimed = claim_conditions(scenario, request.knockouts, request.every_mechanism)
    extra = [*claimed, *(knockout_conditions(scenario) if knocked else [])]
    needed = {condition_key(c): c for c in [*compared, *extra]}
    # each condition's draws in as many pieces as run at once, so the slowest condition is shared out too
    # (each draw is solved on its own: the pieces change no number)
    pieces = np.array_split(np.arange(draws), min(backend.slots, draws))
    tasks = [
        (scenario, condition, {name: value[piece] for name, value in values.items()}, lam)
        for condition in needed.values()
        for piece in pieces
    ]
    solved = list(run_chunks(solve_condition, tasks, backend.workers, backend.scheduler, backend.progress))
    results = {}
    for i, (key, condition) in enumerate(needed.items()):
        solution = MarkovSolution.join(solved[i * len(pieces) : (i + 1) * len(pieces)])
        game, _ = condition_game(scenario, condition, values)
        results[key] = solution, simulate_runs(game, solution.policy, rounds, request.runs, seed)
    paths = [
        measure(course_label(course), *results[condition_key((course, {}))], request.window, seed, values)
        for course, _ in compared
    ]

    def simulated(condition: Condition) -> Trajectories:
        return results[condition_key(condition)][1]

    claims = dynamic_claims(
        scenario, simulated, draws, request.window, seed, request.knockouts, request.every_mechanism
    )
    knockouts = knockout_effects(scenario, simulated, draws, request.window, seed) if knocked else []
    history = {}
    if dynamics.history is not None:
        observed = np.array([dynamics.history.rungs[actor] for actor in scenario.actor_ids]).T[: rounds + 1]
        game = compile_markov(scenario, values)
        history = {
            p.label: history_fit(path_evidence(game, p.solution.policy, observed), observed, dynamics.history.source)
            for p in paths
        }
    return DynamicAnalysis(
        scenario=scenario,
        seed=seed,
        draws=draws,
        rounds=rounds,
        runs=request.runs,
        window=request.window,
        lam=lam,
        labels=dynamics.round_labels(rounds),
        paths=paths,
        history=history,
        claims=claims,
        knockouts=knockouts,
        notes=request.settings.note(),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
