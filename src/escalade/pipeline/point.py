"""Solve at one parameter point: the one place the CLI, the Python API and the explorer solve a game.

A scenario is compiled at its parameters' means (with any pins); a Gambit ``.efg``/``.nfg`` file is
read as it is. Either way the request is checked first, then one solver runs (see escalade.solve).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from escalade.game import (
    Game,
    Tree,
    compile_game,
    compile_tree,
    event_matrix,
    full_information,
    policy_profile,
    read_efg,
    read_nfg,
)
from escalade.game import script as script_policy
from escalade.pipeline.requests import PointRequest
from escalade.scenario import Scenario, load
from escalade.solve import Solution, SolverError, solve


def open_game(source: str | Path | Scenario) -> Scenario | Game:
    """A scenario (a .yaml path or a shipped name), or the game of a Gambit .efg or .nfg file."""
    if isinstance(source, Scenario):
        return source
    text = str(source)
    if text.endswith((".efg", ".nfg")):
        if not Path(text).is_file():
            raise ValueError(f"{text}: no such Gambit file — give the path of a .efg or .nfg file")
        return read_efg(text) if text.endswith(".efg") else read_nfg(text)
    return load(text)


def point_game(target: Scenario | Game, request: PointRequest = PointRequest(), tree: Tree | None = None) -> Game:
    """The game a point request solves; ``tree`` (already compiled, with any what-if applied) is reused."""
    if isinstance(target, Game):
        request.validated(None, target.tree.players)
        if request.full_information is None:
            return target
        return dataclasses.replace(target, tree=full_information(target.tree, request.full_information))
    scenario = request.validated(target, target.actor_ids)
    assert scenario is not None
    if tree is None:
        tree = compile_tree(scenario)
        if request.full_information is not None:
            tree = full_information(tree, request.full_information)
    game = compile_game(scenario, tree=tree)
    return game if request.policy is None else script_policy(game, policy_profile(scenario, tree, request.policy))


def solve_point(
    target: Scenario | Game, request: PointRequest = PointRequest(), tree: Tree | None = None
) -> list[Solution]:
    """The equilibria the request's method finds at the point: one for ``spe`` and ``qre``, possibly
    several (or none) for ``lcp`` and ``enumpure``; each with its verified regret."""
    return solve(point_game(target, request, tree), request.method, request.lam)


def first_solution(
    target: Scenario | Game, request: PointRequest = PointRequest(), tree: Tree | None = None
) -> Solution:
    """The first equilibrium the method finds, or an error saying there is none."""
    solutions = solve_point(target, request, tree)
    if not solutions:
        raise SolverError(f"{request.method} finds no equilibrium of this game; the spe method always finds one")
    return solutions[0]


def terminal_events(scenario: Scenario, solution: Solution) -> dict[str, np.ndarray]:
    """Each of the scenario's named outcomes (and escalation levels) as a (T,) indicator over the ends
    of a point solution of it (its first draw)."""
    outcomes = scenario.events()
    events = event_matrix(solution.game, outcomes, scenario.central_values(), scenario)[0]
    return {name: events[:, o] for o, name in enumerate(outcomes)}


def point_outcomes(scenario: Scenario, solution: Solution) -> dict[str, float]:
    """The probability of each of the scenario's named outcomes (and escalation levels) in a point
    solution of it (its first draw)."""
    probs = solution.outcome_probs[0]
    return {name: float(probs @ members) for name, members in terminal_events(scenario, solution).items()}


def counts_vector(game: Game, counts: object, source: str = "counts") -> list[float]:
    """Observed action counts in the profile's order, from either form ``solve --json`` prints: nested
    ``[player][infoset][action]`` lists, or labelled ``{player: {infoset: {action: count}}}`` (infosets
    named as in the labelled profile). Every problem is named, with what was expected."""
    tree = game.tree
    names = tree.infoset_names()
    found: list[float] = []
    problems: list[str] = []
    if isinstance(counts, dict):
        for h in range(tree.n_infosets):
            player = tree.players[tree.infoset_player[h]]
            start, count = tree.action_offset[h], tree.n_actions[h]
            actions = tree.action_labels[start : start + count]
            given = counts.get(player, {}).get(names[h]) if isinstance(counts.get(player), dict) else None
            if not isinstance(given, dict):
                problems.append(f"{source}: no counts for {player} at {names[h]!r}; give {{{', '.join(actions)}}}")
                continue
            found += [given.get(action, 0) for action in actions]
            extra = set(given) - set(actions)
            if extra:
                problems.append(
                    f"{source}: {player} at {names[h]!r} has no action {sorted(extra)}; its actions: {actions}"
                )
    elif isinstance(counts, list):
        found = [
            c
            for player in counts
            if isinstance(player, list)
            for infoset in player
            if isinstance(infoset, list)
            for c in infoset
        ]
    else:
        problems.append(
            f"{source}: give nested [player][infoset][action] lists or {{player: {{infoset: {{action: count}}}}}}"
        )
    bad = [c for c in found if isinstance(c, bool) or not isinstance(c, int | float)]
    if bad:
        problems.append(f"{source}: counts are numbers; found {bad[0]!r}")
    if problems:
        raise ValueError("\n".join(problems))
    return [float(c) for c in found]
