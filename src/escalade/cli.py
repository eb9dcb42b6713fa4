"""The command line: wires the stages together; holds no modelling logic of its own."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console

from escalade import __version__
from escalade.api import run as run_analysis
from escalade.game import (
    EfgError,
    Game,
    compile_game,
    full_information,
    policy_profile,
    read_efg,
    read_nfg,
    script,
    write_efg,
)
from escalade.report import (
    analysis_markdown,
    outline,
    print_analysis,
    solution_table,
    summary_data,
    values_table,
    write_atomic,
)
from escalade.scenario import Scenario, ScenarioError, load, shipped_scenarios
from escalade.solve import Solution, SolverError, enumerate_pure, fit_lambda, solve_lcp, solve_qre, solve_spe

app = typer.Typer(
    help=(
        "Model international crises as games, solve them, and measure escalation risk.\n\n"
        "Examples:\n\n"
        "  escalade run                      # the flagship analysis\n\n"
        "  escalade validate my_crisis.yaml  # check a scenario\n\n"
        "  escalade solve chicken --json     # solve a shipped scenario\n\n"
        "  escalade export cuban_missile_1962 --to efg -o cuban.efg"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


class Method(StrEnum):
    spe = "spe"
    qre = "qre"
    lcp = "lcp"
    enumpure = "enumpure"


class Format(StrEnum):
    efg = "efg"


@dataclasses.dataclass
class Options:
    debug: bool = False


@contextmanager
def reported(ctx: typer.Context) -> Iterator[None]:
    """Turn a user's mistake into red lines and exit code 1 (a traceback only with --debug)."""
    try:
        yield
    except ScenarioError as exc:
        if ctx.obj.debug:
            raise
        err.print(f"[red]{len(exc.problems)} problem(s) found:[/]")
        for problem in exc.problems:
            err.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except (EfgError, SolverError, ValueError, OSError) as exc:
        if ctx.obj.debug:
            raise
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"escalade {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    ctx.obj = Options(debug=debug)


ScenarioArg = Annotated[str, typer.Argument(help="A scenario .yaml file, or a shipped scenario's name.")]
FullInfo = Annotated[
    str | None,
    typer.Option(
        "--full-information",
        metavar="ACTOR",
        help="What-if: ACTOR (an actor id, or 'all') sees every earlier move.",
    ),
]


@app.command()
def validate(ctx: typer.Context, file: ScenarioArg) -> None:
    """Check a scenario and report every problem with its line."""
    with reported(ctx):
        scenario = load(file)
        game = compile_game(scenario)
        tree = game.tree
        out.print(
            f"[green]ok[/] {scenario.source_file}: {len(scenario.actors)} actors, "
            f"{len(scenario.parameters)} parameters, {len(scenario.nodes)} nodes "
            f"→ a tree of {tree.n_nodes} nodes, {tree.n_terminals} outcomes, "
            f"{tree.n_infosets} information sets"
            + ("" if tree.is_perfect_information() else " (imperfect information)")
        )


@app.command()
def show(ctx: typer.Context, file: ScenarioArg) -> None:
    """Print the scenario's tree as an outline."""
    with reported(ctx):
        out.print(outline(load(file)))


@app.command()
def scenarios() -> None:
    """List the scenarios shipped with escalade."""
    for name, path in sorted(shipped_scenarios().items()):
        title = load(path).title
        out.print(f"[bold]{name}[/]  {title}")


def _game(file: str, who: str | None) -> tuple[Game, Scenario | None]:
    """A Gambit .efg/.nfg file, or a scenario at its parameter means; returns (game, scenario or None)."""
    if file.endswith(".efg"):
        game, scenario = read_efg(file), None
    elif file.endswith(".nfg"):
        game, scenario = read_nfg(file), None
    else:
        scenario = load(file)
        game = compile_game(scenario)
    if who is not None:
        game = dataclasses.replace(game, tree=full_information(game.tree, who))
    return game, scenario


@app.command()
def export(
    ctx: typer.Context,
    file: ScenarioArg,
    to: Annotated[Format, typer.Option("--to", help="Output format.")] = Format.efg,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (default: standard output)."),
    ] = None,
    who: FullInfo = None,
) -> None:
    """Write the game (at the parameters' means) in Gambit's .efg format."""
    with reported(ctx):
        game, _ = _game(file, who)
        text = write_efg(game)
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomic(output, text)
            err.print(f"wrote {output}")


def _solution_json(solution: Solution, strategic: bool) -> dict:
    """The documented JSON record; a strategic-form game's profile is ``[player][strategy]``."""
    tree = solution.game.tree
    terminal_order = [int(tree.terminal[n]) for n in tree.preorder() if tree.terminal[n] >= 0]
    nested = solution.nested_profile()
    return {
        "profile": [player[0] for player in nested] if strategic else nested,
        "values": solution.values[0].tolist(),
        "outcome_probs": solution.outcome_probs[0, terminal_order].tolist(),
        "max_regret": float(solution.max_regret[0]),
    }


@app.command()
def solve(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario (.yaml or shipped name), or a Gambit .efg or .nfg file.")],
    method: Annotated[
        Method,
        typer.Option(
            help="spe: subgame-perfect (backward induction; logit-QRE limit inside subgames with "
            "information sets); qre: the logit QRE of the whole game; lcp: equilibria of two-player "
            "games (sequence-form Lemke); enumpure: all pure equilibria."
        ),
    ] = Method.spe,
    lam: Annotated[
        float | None, typer.Option("--lambda", help="With --method qre: the QRE at this λ, not the limit.")
    ] = None,
    policy: Annotated[str | None, typer.Option(help="Script one actor with a scenario policy.")] = None,
    who: FullInfo = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (profile in Gambit's order).")] = False,
) -> None:
    """Solve a game at the parameters' means and print the equilibrium."""
    with reported(ctx):
        game, scenario = _game(file, who)
        if lam is not None and method is not Method.qre:
            raise ValueError("--lambda goes with --method qre")
        if policy is not None:
            if scenario is None or policy not in scenario.policies:
                known = ", ".join(scenario.policies) if scenario else "none (a .efg file has no policies)"
                raise ValueError(f"unknown policy {policy!r}; known: {known}")
            game = script(game, policy_profile(scenario, game.tree, policy))
        if method is Method.spe:
            solutions = [solve_spe(game)]
        elif method is Method.qre:
            solutions = [solve_qre(game, lam)]
        elif method is Method.lcp:
            solutions = solve_lcp(game)
        else:
            solutions = enumerate_pure(game)
        players = list(game.tree.players)
        strategic = file.endswith(".nfg")
        if as_json:
            if method in (Method.enumpure, Method.lcp):
                record = {
                    "method": method.value,
                    "players": players,
                    "equilibria": [_solution_json(s, strategic) for s in solutions],
                }
            else:
                record = {"method": solutions[0].method, "players": players, **_solution_json(solutions[0], strategic)}
            sys.stdout.write(json.dumps(record, indent=2) + "\n")
            return
        if not solutions:
            out.print("No pure-strategy Nash equilibrium.")
        for i, solution in enumerate(solutions, start=1):
            label = (
                f"equilibrium {i} of {len(solutions)}"
                if method in (Method.enumpure, Method.lcp)
                else {"spe": "subgame-perfect equilibrium", "qre": "logit QRE limit"}.get(
                    solution.method, solution.method
                )
            )
            out.print(solution_table(solution, f"{label}{' — ' + policy if policy else ''}"))
            out.print(values_table(solution))
            out.print(f"[dim]max regret {solution.max_regret[0]:.2e} (verified)[/]")


@app.command()
def fit(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario (.yaml or shipped name), or a Gambit .efg or .nfg file.")],
    counts: Annotated[
        Path,
        typer.Option(help="JSON file of observed action counts, nested [player][infoset][action] as in solve --json."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fit the logit precision λ to observed choices by maximum likelihood."""
    with reported(ctx):
        game, _ = _game(file, None)
        nested = json.loads(counts.read_text(encoding="utf-8"))
        flat = [float(c) for player in nested for infoset in player for c in infoset]
        lam, log_likelihood, solution = fit_lambda(game, np.array(flat))
        if as_json:
            record = {"lambda": lam, "log_likelihood": log_likelihood, "profile": solution.nested_profile()}
            sys.stdout.write(json.dumps(record, indent=2) + "\n")
            return
        out.print(f"maximum-likelihood λ = [bold]{lam:.6g}[/] (log-likelihood {log_likelihood:.6g})")
        out.print(solution_table(solution, f"logit QRE at λ = {lam:.4g}"))


@app.command()
def run(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws for the uncertainty analysis.")] = 4096,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same numbers.")] = 20241018,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.md and summary.json.")] = Path("out"),
    who: FullInfo = None,
) -> None:
    """Run the full analysis: equilibrium, courses of action compared over uncertain parameters."""
    with reported(ctx):
        with err.status("solving across parameter draws…"):
            analysis = run_analysis(file, draws=draws, seed=seed, full_information=who)
        print_analysis(out, analysis)
        report = write_atomic(out_dir / "report.md", analysis_markdown(analysis))
        write_atomic(
            out_dir / "summary.json",
            json.dumps(summary_data(analysis), indent=2, default=_plain) + "\n",
        )
        out.print(f"Report written to [bold]{report}[/]")


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
