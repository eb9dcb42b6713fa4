"""Terminal rendering with rich: tables and trees, never dict dumps."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.tree import Tree as RichTree

from escalade.analyze import Analysis, likely_paths
from escalade.report.summary import (
    CLAIM_HEADER,
    HISTORY_HEADER,
    claim_rows,
    headline,
    history_rows,
    information_value,
    policy_rows,
    sensitivity_sentence,
)
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


def print_analysis(console: Console, analysis: Analysis) -> None:
    scenario = analysis.scenario
    console.rule(f"[bold]{scenario.title}")
    for note in analysis.notes:
        console.print(f"[yellow]Note:[/] {note}")
    for policy, solution in analysis.central.items():
        console.print(solution_table(solution, f"Equilibrium play at the parameters' means — {policy}"))
    title = f"Courses of action over {analysis.draws:,} parameter draws (95% bootstrap CI)"
    console.print(policy_table(analysis, title))
    console.print(headline(analysis))
    if analysis.sensitivity is not None:
        console.print(sensitivity_table(analysis))
        console.print(sensitivity_sentence(analysis))
    if analysis.history is not None:
        table = Table(
            title=f"History: {analysis.history.n_crises} ICB crises in the reference class, beside the model",
            title_justify="left",
        )
        for column in HISTORY_HEADER:
            table.add_column(column)
        for row in history_rows(analysis):
            table.add_row(*row)
        console.print(table)
    if analysis.claims:
        table = Table(title="Claims tested across the parameter draws", title_justify="left")
        for column in CLAIM_HEADER:
            table.add_column(column)
        for row in claim_rows(analysis.claims):
            table.add_row(*row)
        console.print(table)
    if analysis.what_if is not None:
        who = analysis.what_if.full_information
        console.print(policy_table(analysis.what_if, f"What-if: {who} sees every earlier move"))
        gains = information_value(analysis)
        if gains:
            table = Table(title=f"Value of information to {who} (expected utility gained)", title_justify="left")
            table.add_column("policy")
            table.add_column("gain", justify="right")
            for policy, estimate in gains.items():
                table.add_row(policy, str(estimate))
            console.print(table)
    console.print(
        f"[dim]seed {analysis.seed} · scenario sha256 {scenario.sha256[:16]} · escalade {analysis.version}[/]"
    )


def sensitivity_table(analysis: Analysis, top: int = 8) -> Table:
    sensitivity = analysis.sensitivity
    assert sensitivity is not None
    output = sensitivity.tornado_output
    swings = {swing.parameter: swing for swing in sensitivity.tornado}
    table = Table(title=f"What decides {output} (Sobol indices, tornado 5%–95%)", title_justify="left")
    for column in ("parameter", "S1", "ST", "swing"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for index in sensitivity.sobol[output][:top]:
        swing = swings[index.parameter]
        bar = "█" * round(20 * min(swing.width, 1.0))
        table.add_row(index.parameter, f"{index.first:.2f}", f"{index.total:.2f}", f"{swing.width:.3f} {bar}")
    return table


def policy_table(analysis: Analysis, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("policy")
    table.add_column("E[escalation]", justify="right")
    for level in analysis.levels:
        table.add_column(f"P(esc ≥ {level:g})", justify="right")
    for row in policy_rows(analysis):
        table.add_row(*row)
    return table


def outline(scenario: Scenario) -> RichTree:
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
        named = ", ".join(dynamics.moves.get(actor, {}))
        branch.add(f"[cyan]{actor}[/] moves: up, hold, down{', ' + named if named else ''}")
    for name, event in dynamics.events.items():
        branch.add(f"chance [bold]{name}[/]: p = {event.probability.source}")
    for name, policy in dynamics.policies.items():
        branch.add(f"policy [bold]{name}[/] for {policy.actor}: {policy.rule}")


def _effects(name: str, effects: dict) -> str:
    if not effects:
        return name
    shown = ", ".join(f"{k} {'+' if not e.source.startswith('-') else ''}{e.source}" for k, e in effects.items())
    return f"{name} [dim]({shown})[/]"
