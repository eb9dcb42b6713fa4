"""The static analysis: a game tree solved across parameter draws, as SALib's three visible steps.

``draws = sample(...)``, ``runs = evaluate(draws)`` for every policy, ``analyze(runs)``; then what
decides the answer (Sobol, tornado, tipping points), the scenario's claims on the same draws, the
reference class beside the model, and the full-information what-if. The tree is compiled once per
scenario variant: once for the scenario, once more only for a what-if.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from escalade.analyze import (
    Analysis,
    ClaimVerdict,
    Conditioned,
    HistoryComparison,
    Knockout,
    Sensitivity,
    compare_policies,
    differing_choices,
    escalation_shares,
    evaluate_claims,
    forecast_rows,
    full_profile,
    knockout_effects,
    observation_rows,
    parameter_shifts,
    path_shares,
    policy_map,
    qre_outcomes,
    recommendations,
    record_fit,
    response_curve,
    scenario_morris,
    scenario_sobol,
    sobol_warnings,
    tie_shares,
    tipping_points,
    tornado,
    uncertain_parameters,
    value_of_information,
    violence_distribution,
)
from escalade.analyze.claims import Job, Solver
from escalade.condition import condition
from escalade.game import Tree, compile_tree, full_information, policy_profile
from escalade.history import load_icb, reference_class, violence_base_rates
from escalade.pipeline.point import first_solution
from escalade.pipeline.requests import Backend, PointRequest, StaticRequest
from escalade.scenario import Scenario
from escalade.simulate import (
    EQUILIBRIUM,
    Runs,
    from_unit,
    policy_measures,
    sample_parameters,
    sample_unit,
    solve_courses,
    solve_draws,
    solve_variants,
)


def analyse(scenario: Scenario, request: StaticRequest = StaticRequest(), backend: Backend = Backend()) -> Analysis:
    """Solve at the parameter means and across the request's draws, for every policy compared."""
    stated = request.validated(scenario)  # the settings applied; claims use every policy it defines
    backend.validated()
    compared = stated
    if request.policies is not None:
        compared = stated.model_copy(update={"policies": {name: stated.policies[name] for name in request.policies}})
    tree = compile_tree(stated)
    unit = sample_unit(compared, request.draws, request.seed, request.sampling)
    values = from_unit(compared, unit)
    backend.stage(f"solving {request.draws:,} draws")
    base = _analyse(compared, values, request, tree, None, backend)
    if request.sensitivity and uncertain_parameters(compared):
        backend.stage("sensitivity: Sobol, Morris, tornado, tipping points")
        base = dataclasses.replace(base, sensitivity=sensitivity(base, request.sensitivity, backend))
    if request.history_data is not None:
        base = dataclasses.replace(base, history=compare_history(base, request.history_data))
    if request.grid:
        backend.stage("response curves")
        base = response(base, values, request, tree, backend)
    if stated.claims:
        backend.stage("claims, their mechanisms knocked out")
        base = dataclasses.replace(base, claims=test_claims(stated, values, request, tree, backend))
    if stated.mechanisms and request.knockouts:
        backend.stage("each mechanism knocked out")
        solve = _claim_solver(tree, backend)
        knocked = knockout_effects(stated, request.claim_values(values), solve, request.seed, backend.progress)
        base = dataclasses.replace(base, knockouts=knocked)
    if request.condition and stated.record is not None:
        backend.stage("conditioning on the record")
        base = dataclasses.replace(base, conditioned=conditioned(base, stated, unit, request, tree, backend))
    if request.full_information is None:
        return base
    who = request.full_information
    backend.stage(f"what if {who} saw every move")
    what_if = _analyse(compared, values, request, full_information(tree, who), who, backend)
    gains = {}
    if who != "all":
        gains = value_of_information(base.runs, what_if.runs, tree.players.index(who), request.seed)
    return dataclasses.replace(base, what_if=what_if, value_of_information=gains)


def _analyse(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    request: StaticRequest,
    tree: Tree,
    who: str | None,
    backend: Backend,
) -> Analysis:
    notes = []
    if not tree.is_perfect_information():
        notes.append(
            "Actors cannot see some moves (information sets): inside those subgames the equilibrium "
            "is the limit of the logit quantal response equilibrium, which selects one equilibrium where the "
            "subgame has several (see docs/solvers.md)."
        )
    for actor in scenario.actors if request.policies is None else []:  # a chosen subset compares what it is asked
        own = scenario.policies_of(actor.id)
        if actor.objective is not None and len(own) < 2:
            notes.append(
                f"{actor.id}'s objective ({actor.objective}) recommends nothing: it needs two or more of "
                f"{actor.id}'s courses of action under 'policies:' to compare (it has {len(own)})."
            )
    notes += request.settings.note()
    policies = [None, *scenario.policies]
    central = {
        policy or EQUILIBRIUM: first_solution(scenario, PointRequest(policy=policy), tree) for policy in policies
    }
    outcomes = scenario.events(request.levels)
    courses = [(policy, {}) for policy in policies]
    runs = solve_courses(scenario, values, courses, tree=tree, outcomes=outcomes, **backend.chunking())
    rows, differences = compare_policies(runs, request.seed)
    scripted = [r for r in runs if r.policy in scenario.policies]
    choices = []
    if len(scripted) >= 2:
        a, b = (full_profile(r.profile, policy_profile(scenario, tree, r.policy)) for r in scripted[:2])
        choices = differing_choices(tree, a, b, scripted[0].reached, scripted[1].reached)
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Analysis(
        scenario,
        request.seed,
        request.draws,
        who,
        outcomes,
        headline(scenario, outcomes),
        central,
        runs,
        rows,
        differences,
        recommendations(scenario, differences, rows),
        notes,
        escalation=escalation_shares(runs),
        paths={r.policy: path_shares(tree, r.outcome_probs, top=5) for r in runs},
        choices=choices,
        ties={r.policy: tie_shares(tree, r.tied) for r in runs},
        created=created,
    )


def conditioned(
    base: Analysis, stated: Scenario, unit: np.ndarray, request: StaticRequest, tree: Tree, backend: Backend
) -> Conditioned:
    """The scenario's record applied to the prior draws ``unit``: the posterior draws, the policies and
    claims again on them (the claims without knockouts or sensitivity: those are the prior's), what
    each parameter and observation did, and the forecasts; with base rates, the posterior without them."""
    chunked = backend.chunking()
    posterior = condition(stated, unit, request.seed, tree, **chunked)
    after = _analyse(base.scenario, posterior.values, request, tree, None, backend)
    after = dataclasses.replace(after, draws=posterior.n_draws)
    if stated.claims:
        plain = dataclasses.replace(request, knockouts=False, claim_sensitivity=0)
        after = dataclasses.replace(after, claims=test_claims(stated, posterior.values, plain, tree, backend))
    record = stated.record
    moves_only = []
    if record.base_rates and record.observed:
        alone = stated.model_copy(update={"record": record.model_copy(update={"base_rates": []})})
        moves_only = parameter_shifts(stated, condition(alone, unit, request.seed, tree, **chunked))
    shifts = parameter_shifts(stated, posterior)
    notes = [
        f"The record says little about the precision {row.name}: its posterior is close to its prior "
        "(the likelihood is flat in it over the prior's range), so read its interval, not its mean."
        for row in shifts
        if row.name in record.rationality.names and not row.informed
    ]
    return Conditioned(
        posterior,
        after,
        shifts,
        observation_rows(stated, posterior),
        forecast_rows(stated, posterior),
        record_fit(stated, posterior, after.runs[0]),
        qre_outcomes(stated, posterior),
        moves_only,
        notes,
    )


MORRIS_TRAJECTORIES = 16  # Morris screening beside Sobol: (parameters + 1) × 16 evaluations, a cheap first look


def headline(scenario: Scenario, outcomes: dict) -> str:
    """The output a finding and its sensitivity are about: the first named outcome's probability, else
    the expected escalation level, else the first actor's expected utility."""
    if outcomes:
        return f"P({next(iter(outcomes))})"
    return "expected_escalation" if "escalation" in scenario.attributes else f"value({scenario.actor_ids[0]})"


def sensitivity(analysis: Analysis, base_samples: int, backend: Backend) -> Sensitivity:
    """Sobol indices of the headline output per policy (and of the first two policies' gap)."""
    scenario, output = analysis.scenario, analysis.headline
    policies = [None, *scenario.policies]
    names = [policy or EQUILIBRIUM for policy in policies]
    scripted = list(scenario.policies)
    tree = analysis.runs[0].tree
    chunked = backend.chunking() | {"outcomes": analysis.outcomes}

    def model(values: dict) -> np.ndarray:
        measured = policy_measures(scenario, values, policies, output, tree, **chunked)
        if len(scripted) >= 2:
            measured = np.column_stack([measured, measured[:, 1] - measured[:, 2]])
        return measured

    outputs = [f"{output} under {name}" for name in names]
    if len(scripted) >= 2:
        outputs.append(f"{scripted[0]} minus {scripted[1]}")
    sobol = scenario_sobol(scenario, model, outputs, base_samples, analysis.seed)
    morris = scenario_morris(scenario, model, outputs, MORRIS_TRAJECTORIES, analysis.seed)
    swings = tornado(scenario, model, output=len(outputs) - 1)
    tipping = []
    if len(scripted) >= 2:
        tipping = tipping_points(
            scenario, lambda v: policy_measures(scenario, v, scripted, output, tree, **chunked), scripted
        )
    warnings = sobol_warnings(sobol, base_samples)
    base = float(model({name: np.array([value]) for name, value in scenario.central_values().items()})[0, -1])
    return Sensitivity(output, base_samples, sobol, outputs[-1], swings, base, tipping, warnings, morris)


def response(analysis: Analysis, values: dict, request: StaticRequest, tree: Tree, backend: Backend) -> Analysis:
    """Response curves of every course's outputs over each varied parameter (``request.grid`` points
    across its range) and, for two varied parameters, the map of the preferred course; on the first
    ``request.claim_draws`` draws, the same draws at every point."""
    scenario = analysis.scenario
    values = request.claim_values(values)
    n = len(next(iter(values.values())))
    chunked = backend.chunking() | {"outcomes": analysis.outcomes}
    courses = [(policy, {}) for policy in [None, *scenario.policies]]

    def solved(pins: dict[str, float], chosen: list) -> list[Runs]:
        pinned = values | {name: np.full(n, value) for name, value in pins.items()}
        return solve_courses(scenario, pinned, chosen, tree=tree, **chunked)

    grids = {
        name: np.linspace(low, high, request.grid).tolist() for name, (low, high) in request.settings.ranges.items()
    }
    curves = [
        response_curve(name, grid, [solved({name: value}, courses) for value in grid], analysis.seed)
        for name, grid in grids.items()
    ]
    criterion = map_criterion(analysis)
    mapped = None
    if len(grids) >= 2 and criterion is not None:
        (first, xs), (second, ys) = list(grids.items())[:2]
        compared = [(p, {}) for p in criterion[1]]
        runs = [[solved({first: x, second: y}, compared) for y in ys] for x in xs]
        mapped = policy_map((first, second), (xs, ys), criterion[0], runs)
    return dataclasses.replace(analysis, curves=curves, policy_map=mapped)


def map_criterion(analysis: Analysis) -> tuple[str, list[str]] | None:
    """What a policy map ranks by, and the courses it ranks: the first actor with a stated objective and
    two or more courses, else every scripted course by the lower (or, for a value, higher) headline."""
    scenario = analysis.scenario
    for actor in scenario.actors:
        own = scenario.policies_of(actor.id)
        if actor.objective is not None and len(own) >= 2:
            return actor.objective, own
    if len(scenario.policies) < 2:
        return None
    direction = "maximise" if analysis.headline.startswith("value(") else "minimise"
    return f"{direction} {analysis.headline}", list(scenario.policies)


def test_claims(
    scenario: Scenario, values: dict, request: StaticRequest, tree: Tree, backend: Backend
) -> list[ClaimVerdict]:
    """Each claim of the scenario tested on the first ``request.claim_draws`` of the draws, with the
    parameters that decide it and, unless the request says no, its knockouts and effect ablation on
    the same draws (each knockout and ablation solves the claims again: they cost as much each)."""
    values = request.claim_values(values)
    return evaluate_claims(
        scenario,
        values,
        _claim_solver(tree, backend),
        request.seed,
        request.claim_samples,
        request.knockouts,
        backend.progress,
        ablation=request.ablation,
    )


def _claim_solver(tree: Tree, backend: Backend) -> Solver:
    """Scenario variants solved on the tree compiled once, under a claim's conditions: their chunks one
    stream shared by the workers, four per worker out at a time, so dozens of small variants (a claim's
    knockouts and ablations) keep every worker busy with no wait for a batch's slowest; memory stays that
    of a few variants' runs. The chunks are cut alike for any number of workers: a claim's numbers do not
    depend on it."""
    chunked = backend.chunking(report_progress=False)  # the claims report variants done, not chunks

    def solve(jobs: Iterable[Job]) -> Iterator[list[Runs]]:
        variants = ((variant, draws, [(c.policy, c.force) for c in conditions]) for variant, draws, conditions in jobs)
        yield from solve_variants(variants, tree, **chunked, ahead=4 * backend.slots)

    return solve


def claims(
    scenario: Scenario, request: StaticRequest = StaticRequest(), backend: Backend = Backend()
) -> list[ClaimVerdict]:
    """The scenario's claims alone, tested on the request's draws."""
    scenario = request.validated(scenario)
    backend.validated()
    if not scenario.claims:
        raise ValueError(f"{scenario.source_file} states no claims; add a 'claims:' section")
    values = sample_parameters(scenario, request.draws, request.seed, request.sampling)
    return test_claims(scenario, values, request, compile_tree(scenario), backend)


def mechanisms(
    scenario: Scenario, request: StaticRequest = StaticRequest(), backend: Backend = Backend()
) -> list[Knockout]:
    """Each mechanism of the scenario knocked out alone, on the request's claim draws: what it moves."""
    scenario = request.validated(scenario)
    backend.validated()
    values = request.claim_values(sample_parameters(scenario, request.draws, request.seed, request.sampling))
    solve = _claim_solver(compile_tree(scenario), backend)
    return knockout_effects(scenario, values, solve, request.seed, backend.progress)


def compare_history(analysis: Analysis, data: Path) -> HistoryComparison:
    """Base rates of the scenario's reference class beside the equilibrium's violence distribution."""
    reference = analysis.scenario.reference_class
    assert reference is not None  # checked by the request
    crises = reference_class(load_icb(data), reference.codes)
    model = violence_distribution(analysis.runs[0], reference.violence_thresholds, analysis.seed)
    return HistoryComparison(str(data), reference.codes, len(crises), violence_base_rates(crises), model)


def model_violence(scenario: Scenario, request: StaticRequest = StaticRequest()) -> dict:
    """The equilibrium's distribution over the reference class's ICB violence levels, on the request's draws."""
    scenario = request.validated(scenario)
    assert scenario.reference_class is not None
    values = sample_parameters(scenario, request.draws, request.seed, request.sampling)
    runs = solve_draws(scenario, values)
    return violence_distribution(runs, scenario.reference_class.violence_thresholds, request.seed)
