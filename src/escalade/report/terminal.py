"""Terminal views of a scenario and of one solution (analyses go through the outline writers)."""

from __future__ import annotations

from rich.table import Table
from rich.tree import Tree as RichTree

from escalade.analyze import likely_paths
from escalade.scenario import Chance, Decision, Scenario
from escalade.solve import Solution


def solution_table(solution: Solution, title: str, k: int = 0) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("P", justify="right")
    table.add_column("path")
    escalation = "escalation" in solution.game.attributes
    if escalation:
        table.add_column("escalation", justify="right")
    for row in likely_paths(solution, k):
        cells = [f"{row.probability:.3f}", " → ".join(row.moves)]
        if escalation:
            cells.append(f"{row.attributes['escalation']:g}")
        table.add_row(*cells)
    return table


def values_table(solution: Solution, k: int = 0) -> Table:
    table = Table(title="Expected utility", title_justify="left")
    for player in solution.game.tree.players:
        table.add_column(player, justify="right")
    table.add_row(*(f"{v:.3f}" for v in solution.values[k]))
    return table


def scenario_tree(scenario: Scenario) -> RichTree:
    """The scenario's tree as an outline; a node shared by several paths is expanded once."""
    means = scenario.central_values()
    root = RichTree(f"[bold]{scenario.title}[/]  ({len(scenario.actors)} actors)")
    expanded: set[str] = set()

    def add(branch: RichTree, node_id: str, via: str) -> None:
        node = scenario.nodes[node_id]
        prefix = f"{via} → " if via else ""
        if node_id in expanded:
            shown = "(shown above)" if isinstance(node, Decision | Chance) else "(end)"
            branch.add(f"{prefix}[dim]{node_id} {shown}[/]")
            return
        expanded.add(node_id)
        if isinstance(node, Decision):
            infoset = f" [magenta]infoset {node.infoset}[/]" if node.infoset else ""
            child = branch.add(f"{prefix}[bold]{node_id}[/]: [cyan]{node.actor}[/] chooses{infoset}")
            for name, action in node.actions.items():
                add(child, action.next, _effects(name, action.effects))
        elif isinstance(node, Chance):
            child = branch.add(f"{prefix}[bold]{node_id}[/]: chance")
            for name, b in node.chance.items():
                p = float(b.p(means)) if b.p.names <= set(means) else float("nan")
                add(child, b.next, _effects(f"{name} (p={p:.2f})", b.effects))
        else:
            outcome = ", ".join(f"{k} {e.source}" for k, e in node.outcome.items())
            branch.add(f"{prefix}[green]{node_id}[/] (end){': ' + outcome if outcome else ''}")

    if scenario.root is not None:
        add(root, scenario.root, "")
    if scenario.dynamics is not None:
        _ladder(root.add(f"[bold]dynamics[/]: rounds of one {scenario.dynamics.round}"), scenario)
    return root


def _ladder(branch: RichTree, scenario: Scenario) -> None:
    dynamics = scenario.dynamics
    assert dynamics is not None
    ladder = branch.add("ladder")
    for rung, step in enumerate(dynamics.ladder):
        here = [a for a, r in dynamics.start_rungs.items() if r == rung]
        start = f" [cyan]← {', '.join(here)} start here[/]" if here else ""
        ladder.add(f"{rung}: {step.name} [dim]({step.category})[/]{start}")
    for actor in scenario.actor_ids:
        named = ", ".join(
            name + (f" (step-down cost of {move.cost_rungs} rung at most)" if move.cost_rungs is not None else "")
            for name, move in dynamics.moves.get(actor, {}).items()
        )
        ceiling = f" (up to rung {dynamics.ceilings[actor]})" if actor in dynamics.ceilings else ""
        limits = "".join(f"; {move} only when {rule.source}" for move, rule in dynamics.limits.get(actor, {}).items())
        branch.add(f"[cyan]{actor}[/] moves: up, hold, down{', ' + named if named else ''}{ceiling}{limits}")
    for name, event in dynamics.events.items():
        branch.add(f"chance [bold]{name}[/]: p = {event.probability.source}")
    for name, policy in dynamics.policies.items():
        what_if = " [dim](a what-if for the claims)[/]" if policy.what_if else ""
        branch.add(f"policy [bold]{name}[/] for {policy.actor}: {policy.rule}{what_if}")
    for name, mechanism in scenario.mechanisms.items():
        pins = ", ".join(f"{parameter} = {expression.source}" for parameter, expression in mechanism.fix.items())
        branch.add(f"mechanism [bold]{name}[/]: knocked out by {pins}")


def _effects(name: str, effects: dict) -> str:
    if not effects:
        return name
    shown = ", ".join(f"{k} {'+' if not e.source.startswith('-') else ''}{e.source}" for k, e in effects.items())
    return f"{name} [dim]({shown})[/]"
