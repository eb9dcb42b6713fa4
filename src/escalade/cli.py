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
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from escalade import __version__
from escalade.analyze import violence_distribution
from escalade.api import run as run_analysis
from escalade.api import simulate as simulate_dynamics
from escalade.api import test_claims
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
from escalade.game.markov import compile_markov
from escalade.history import (
    VIOLENCE_LABELS,
    code_base_rates,
    load_icb,
    median_duration,
    reference_class,
    violence_base_rates,
)
from escalade.history.backtest import backtest as run_backtest
from escalade.report import (
    analysis_html,
    analysis_markdown,
    calibration_html,
    json_text,
    outline,
    print_analysis,
    publish,
    solution_table,
    summary_data,
    table_writers,
    text_writer,
    values_table,
    write_atomic,
)
from escalade.report.dynamics import (
    dynamics_data,
    dynamics_html,
    dynamics_markdown,
    trajectories_frame,
)
from escalade.report.dynamics import headline as headline_dynamics
from escalade.report.dynamics import notes as dynamics_notes
from escalade.report.dynamics import summary_rows as dynamics_rows
from escalade.report.explorer import create_app
from escalade.scenario import Scenario, ScenarioError, load, override, shipped_scenarios
from escalade.simulate import sample_parameters, solve_draws
from escalade.solve import Solution, SolverError, fit_lambda
from escalade.solve import solve as solve_game

app = typer.Typer(
    help=(
        "Model international crises as games, solve them, and measure escalation risk.\n\n"
        "Examples:\n\n"
        "  escalade run                      # the flagship analysis\n\n"
        "  escalade validate my_crisis.yaml  # check a scenario\n\n"
        "  escalade solve chicken --json     # solve a shipped scenario\n\n"
        "  escalade export cuban_missile_1962 --to efg -o cuban.efg\n\n"
        "  escalade claims dprk_russia_2024   # test the flagship's claims\n\n"
        "  escalade simulate cuban_missile_1962_dynamic --policy USA=deterrence  # a crisis over rounds\n\n"
        "  escalade serve                     # the web explorer"
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
    except (EfgError, SolverError, ValueError, OSError, MemoryError) as exc:
        if ctx.obj.debug:
            raise
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        if ctx.obj.debug:
            raise
        err.print("[red]interrupted[/]: stopped before writing anything (output files are written as a set, last)")
        raise typer.Exit(130) from None


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
        found = (
            f"[green]ok[/] {scenario.source_file}: {len(scenario.actors)} actors, {len(scenario.parameters)} parameters"
        )
        if scenario.root is not None:
            tree = compile_game(scenario).tree
            found += (
                f", {len(scenario.nodes)} nodes → a tree of {tree.n_nodes} nodes, {tree.n_terminals} outcomes, "
                f"{tree.n_infosets} information sets"
                + ("" if tree.is_perfect_information() else " (imperfect information)")
            )
        if scenario.dynamics is not None:
            markov = compile_markov(scenario)
            found += (
                f"; dynamics: {markov.shape[0]:,} states, {len(scenario.dynamics.ladder)} rungs, "
                f"{len(scenario.dynamics.events)} chance events, {len(scenario.dynamics.policies)} policies"
            )
        out.print(found)


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
        if policy is not None:
            if scenario is None or policy not in scenario.policies:
                known = ", ".join(scenario.policies) if scenario else "none (a .efg file has no policies)"
                raise ValueError(f"unknown policy {policy!r}; known: {known}")
            game = script(game, policy_profile(scenario, game.tree, policy))
        solutions = solve_game(game, method.value, lam)
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
            sys.stdout.write(json_text(record))
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
            sys.stdout.write(json_text(record))
            return
        out.print(f"maximum-likelihood λ = [bold]{lam:.6g}[/] (log-likelihood {log_likelihood:.6g})")
        out.print(solution_table(solution, f"logit QRE at λ = {lam:.4g}"))


@app.command()
def serve(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    host: Annotated[str, typer.Option(help="Address to listen on (local only by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
) -> None:
    """Start the web explorer: parameter sliders, policies, the scenario editor, the equilibrium."""
    with reported(ctx):
        scenario = load(file)
        if scenario.root is None:
            raise ValueError(
                f"the explorer shows game trees; {scenario.name} is dynamic only — run `escalade simulate`"
            )
        text = Path(scenario.source_file).read_text(encoding="utf-8")
        import uvicorn  # imported here: only the explorer needs a web server

        out.print(f"escalade explorer on [bold]http://{host}:{port}/[/] (Ctrl+C to stop)")
        uvicorn.run(create_app(scenario, text), host=host, port=port, log_level="warning")


@app.command()
def history(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="An ICB CSV file (your own download; escalade does not ship it).")],
    file: Annotated[
        str | None, typer.Argument(help="A scenario with a reference_class (its filters, and the model beside them).")
    ] = None,
    level: Annotated[str, typer.Option(help="system (icb1 file) or actor (icb2 file).")] = "system",
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME=CODE[,CODE]", help="Keep crises whose variable has one of these codes (repeatable)."
        ),
    ] = None,
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws for the model's distribution.")] = 512,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20241018,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Base rates of violence in a reference class of historical crises (ICB), beside the model's."""
    with reported(ctx):
        crises = load_icb(data, level)
        scenario = load(file) if file else None
        reference = scenario.reference_class if scenario else None
        if scenario is not None and reference is None:
            raise ValueError(f"{scenario.source_file} has no reference_class section; add one or drop FILE")
        filters = {
            name: [_number(name, code) for code in codes.split(",")]
            for name, codes in _assignments(where, "=CODE").items()
        }
        if not filters and reference is not None:
            filters = reference.codes
        selected = reference_class(crises, filters)
        rates = violence_base_rates(selected)
        model = None
        if scenario is not None and reference is not None:
            runs = solve_draws(scenario, sample_parameters(scenario, draws, seed))
            model = violence_distribution(runs, reference.violence_thresholds, seed)
        if as_json:
            record = {
                "n": len(selected),
                "where": filters,
                "violence": {VIOLENCE_LABELS[k]: v.record() for k, v in rates.items()},
                "model": None if model is None else {VIOLENCE_LABELS[k]: vars(e) for k, e in model.items()},
                "median_duration_days": median_duration(selected, seed)
                if "duration_days" in selected.columns
                else None,
                "tension_outcome": {str(c): s.record() for c, s in code_base_rates(selected, "tension_outcome").items()}
                if "tension_outcome" in selected.columns
                else None,
            }
            sys.stdout.write(json_text(record))
            return
        table = Table(title=f"{len(selected)} of {len(crises)} crises", title_justify="left")
        columns = ["violence", "crises", "base rate (95% Wilson)"] + (["model (95% CI)"] if model else [])
        for column in columns:
            table.add_column(column, justify="left" if column == "violence" else "right")
        for code, share in rates.items():
            row = [
                f"{code} {VIOLENCE_LABELS[code]}",
                str(share.count),
                f"{share.share:.3f} [{share.low:.3f}, {share.high:.3f}]",
            ]
            table.add_row(*row, *([str(model[code])] if model else []))
        out.print(table)
        if "duration_days" in selected.columns and len(selected):
            median, low, high = median_duration(selected, seed)
            out.print(f"median duration {median:.0f} days [95% CI {low:.0f}, {high:.0f}]")
        if "tension_outcome" in selected.columns and len(selected):
            shares = code_base_rates(selected, "tension_outcome")
            text = "; ".join(f"code {c}: {s.share:.3f} [{s.low:.3f}, {s.high:.3f}]" for c, s in shares.items())
            out.print(f"tension outcome (ICB outesr; codes per the codebook): {text}")
        shown = selected.sort_values("year_triggered").tail(10)
        out.print(
            "latest: "
            + "; ".join(f"{row.crisis_name.title()} ({int(row.year_triggered)})" for row in shown.itertuples())
        )


@app.command()
def backtest(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="An ICB system-level CSV (or any CSV with the same columns).")],
    train_until: Annotated[int, typer.Option(help="Fit on crises triggered up to this year; forecast the rest.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for calibration.html.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Forecast the violence of later crises; score the strategic model against base rate and logit."""
    with reported(ctx):
        result = run_backtest(load_icb(data), train_until)
        log_loss, brier = result.log_loss(), result.brier()
        if out_dir is not None:
            title = f"Calibration: crises after {train_until} ({result.n_test} crises)"
            write_atomic(out_dir / "calibration.html", calibration_html(result.calibration(), title))
        if as_json:
            record = {"n_train": result.n_train, "n_test": result.n_test, "log_loss": log_loss, "brier": brier}
            sys.stdout.write(json_text(record))
            return
        table = Table(
            title=f"Forecasting violence: fit on {result.n_train} crises to {train_until}, "
            f"test on {result.n_test} later ones (lower is better)",
            title_justify="left",
        )
        for column in ("forecast", "log loss", "Brier score"):
            table.add_column(column, justify="left" if column == "forecast" else "right")
        for name in log_loss:
            table.add_row(name, f"{log_loss[name]:.4f}", f"{brier[name]:.4f}")
        out.print(table)


@app.command()
def claims(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws to test the claims on.")] = 1024,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same numbers.")] = 20241018,
    sobol: Annotated[int, typer.Option(min=0, help="Sobol base samples for what decides each claim (0: skip).")] = 64,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Test the scenario's claims across its parameter draws: a verdict per claim, with its CI."""
    with reported(ctx):
        scenario = load(file)
        if not scenario.claims:
            raise ValueError(f"{scenario.source_file} states no claims; add a 'claims:' section")
        verdicts = test_claims(scenario, sample_parameters(scenario, draws, seed), seed, sobol, {})
        if as_json:
            record = [
                {"name": v.name, "text": v.text, "share": v.holds.share, "low": v.holds.low, "high": v.holds.high,
                 "verdict": v.verdict, "deciding": [d.parameter for d in v.deciding]}
                for v in verdicts
            ]  # fmt: skip
            sys.stdout.write(json_text(record))
            return
        table = Table(title=f"Claims of {scenario.name} over {draws:,} draws (seed {seed})", title_justify="left")
        for column in ("claim", "holds in (95% CI)", "verdict", "decided by"):
            table.add_column(column)
        for v in verdicts:
            deciding = ", ".join(d.parameter for d in v.deciding)
            table.add_row(v.text, f"{v.holds.share:.3f} [{v.holds.low:.3f}, {v.holds.high:.3f}]", v.verdict, deciding)
        out.print(table)


Draws = Annotated[int, typer.Option(min=1, help="Parameter draws for the uncertainty analysis.")]
Seed = Annotated[int, typer.Option(help="Random seed; the same seed gives the same numbers.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder for report.md, summary.json, runs.parquet, summary.csv.")]
Pins = Annotated[
    list[str] | None, typer.Option("--set", metavar="NAME=VALUE", help="Pin a parameter to a value (repeatable).")
]
Ranges = Annotated[
    list[str] | None,
    typer.Option("--vary", metavar="NAME=LOW:HIGH", help="Make a parameter uniform over a range (repeatable)."),
]
Workers = Annotated[int, typer.Option(min=1, help="Local worker processes for the draws.")]
Scheduler = Annotated[str | None, typer.Option(help="Run the draws on this Dask scheduler (e.g. tcp://host:8786).")]


@app.command()
def run(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    draws: Draws = 4096,
    seed: Seed = 20241018,
    out_dir: OutDir = Path("out"),
    who: FullInfo = None,
    pins: Pins = None,
    ranges: Ranges = None,
    sensitivity: Annotated[int, typer.Option(min=0, help="Sobol base samples (a power of two; 0: skip).")] = 256,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    history_data: Annotated[
        Path | None, typer.Option(help="ICB system-level CSV: show the reference class's base rates beside the model.")
    ] = None,
) -> None:
    """The full analysis: equilibria, policies compared over uncertain parameters, what decides it."""
    _analysis_command(
        ctx, file, draws, seed, out_dir, who, pins, ranges, sensitivity, None, "sobol", workers, scheduler, history_data
    )


@app.command()
def sweep(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")],
    draws: Draws = 10_000,
    seed: Seed = 20241018,
    out_dir: OutDir = Path("out"),
    policy: Annotated[
        list[str] | None, typer.Option(help="Compare only these policies (repeatable; default: all).")
    ] = None,
    pins: Pins = None,
    ranges: Ranges = None,
    method: Annotated[str, typer.Option(help="Sampling: sobol (scrambled, quasi-random) or mc.")] = "sobol",
    sensitivity: Annotated[int, typer.Option(min=0, help="Sobol base samples (a power of two; 0: skip).")] = 0,
    workers: Workers = 1,
    scheduler: Scheduler = None,
) -> None:
    """Solve the scenario over many parameter draws and write tidy tables (Parquet and CSV)."""
    _analysis_command(
        ctx, file, draws, seed, out_dir, None, pins, ranges, sensitivity, policy, method, workers, scheduler
    )


def _analysis_command(
    ctx: typer.Context,
    file: str,
    draws: int,
    seed: int,
    out_dir: Path,
    who: str | None,
    pins: list[str] | None,
    ranges: list[str] | None,
    sensitivity: int,
    policies: list[str] | None,
    method: str,
    workers: int,
    scheduler: str | None,
    history_data: Path | None = None,
) -> None:
    with reported(ctx):
        scenario, pinned, ranged = _overridden(file, pins, ranges)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), MofNCompleteColumn(), console=err) as bar:
            task = bar.add_task("solving chunks of draws", total=None)
            analysis = run_analysis(
                scenario,
                draws=draws,
                seed=seed,
                full_information=who,
                sensitivity_samples=sensitivity,
                policies=policies,
                sample_method=method,
                workers=workers,
                scheduler=scheduler,
                progress=lambda done, total: bar.advance(task),
                history_data=history_data,
            )
        overrides = [f"{k}={v}" for k, v in {**pinned, **ranged}.items()]
        if overrides:
            analysis = dataclasses.replace(
                analysis, notes=[*analysis.notes, "Set by the user: " + ", ".join(overrides)]
            )
        print_analysis(out, analysis)
        publish(
            out_dir,
            {
                "report.md": text_writer(analysis_markdown(analysis)),
                "report.html": text_writer(analysis_html(analysis)),
                "summary.json": text_writer(json_text(summary_data(analysis))),
                **table_writers(analysis),
            },
        )
        report = out_dir / "report.html"
        out.print(f"Report written to [bold]{report}[/] (also report.md, summary.json, runs.parquet, summary.csv)")


def _overridden(
    file: str, pins: list[str] | None, ranges: list[str] | None
) -> tuple[Scenario, dict[str, str], dict[str, str]]:
    """The scenario with ``--set NAME=VALUE`` and ``--vary NAME=LOW:HIGH`` applied, and those settings."""
    pinned, ranged = _assignments(pins, "=VALUE"), _assignments(ranges, "=LOW:HIGH")
    scenario = override(
        load(file), {k: _number(k, v) for k, v in pinned.items()}, {k: _range(k, v) for k, v in ranged.items()}
    )
    return scenario, pinned, ranged


def _assignments(items: list[str] | None, form: str) -> dict[str, str]:
    result = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"{item!r} should read NAME{form}")
        result[name.strip()] = value.strip()
    return result


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"--set {name}={text}: {text!r} is not a number") from None


def _range(name: str, text: str) -> tuple[float, float]:
    low, sep, high = text.partition(":")
    if not sep:
        raise ValueError(f"--vary {name}={text}: write LOW:HIGH, e.g. {name}=0.2:0.8")
    return _number(name, low), _number(name, high)


@app.command()
def simulate(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A dynamic scenario .yaml file or shipped name.")] = "dprk_russia_dynamic",
    rounds: Annotated[int | None, typer.Option(min=1, help="Rounds to simulate (default: the scenario's).")] = None,
    runs: Annotated[int, typer.Option(min=1, help="Trajectories per course of action.")] = 4096,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ACTOR=POLICY",
            help="Script an actor (repeatable; several for one actor are compared; 'equilibrium' = solved). "
            "Default: everyone solved, then each of the scenario's policies alone.",
        ),
    ] = None,
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws (Sobol); 1 uses the parameters' means.")] = 16,
    lam: Annotated[
        float | None,
        typer.Option("--lambda", help="Logit rationality of solved actors (default: the scenario's; inf: pure MPE)."),
    ] = None,
    window: Annotated[int, typer.Option(min=1, help="Rounds within which a step down reverses a step up.")] = 3,
    seed: Seed = 20241018,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for dynamics.html, dynamics.md, dynamics.json, trajectories.parquet.")
    ] = Path("out"),
    pins: Pins = None,
    ranges: Ranges = None,
    workers: Workers = 1,
    scheduler: Scheduler = None,
) -> None:
    """Run a crisis forward over rounds under each course of action; fan charts and the ratchet index."""
    with reported(ctx):
        scenario, pinned, ranged = _overridden(file, pins, ranges)
        choices: dict[str, list[str]] = {}
        for actor, name in _pairs(policy or []):
            choices.setdefault(actor, []).append(name)
        with err.status("solving and simulating each course of action"):
            analysis = simulate_dynamics(
                scenario,
                rounds=rounds,
                runs=runs,
                policies=choices,
                seed=seed,
                draws=draws,
                lam=lam,
                window=window,
                workers=workers,
                scheduler=scheduler,
            )
        overrides = [f"{k}={v}" for k, v in {**pinned, **ranged}.items()]
        if overrides:
            analysis = dataclasses.replace(analysis, notes=["Set by the user: " + ", ".join(overrides)])
        out.print(headline_dynamics(analysis))
        table = Table(
            "course of action", "final level", "final rungs", "P(de-escalation)", "ratchet", "score", "certified"
        )
        for row in dynamics_rows(analysis, intervals=False):
            table.add_row(*row)
        out.print(table)
        for note in dynamics_notes(analysis):
            err.print(f"[yellow]{note}[/]", highlight=False, soft_wrap=True)
        frame = trajectories_frame(analysis)
        publish(
            out_dir,
            {
                "dynamics.md": text_writer(dynamics_markdown(analysis)),
                "dynamics.html": text_writer(dynamics_html(analysis)),
                "dynamics.json": text_writer(json_text(dynamics_data(analysis))),
                "trajectories.parquet": lambda path: frame.to_parquet(path, index=False),
            },
        )
        report = out_dir / "dynamics.html"
        out.print(f"Fan charts written to [bold]{report}[/] (also dynamics.md, dynamics.json, trajectories.parquet)")


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        actor, sep, name = item.partition("=")
        if not sep or not actor.strip() or not name.strip():
            raise ValueError(f"--policy {item!r} should read ACTOR=POLICY, e.g. WEST=deterrence")
        pairs.append((actor.strip(), name.strip()))
    return pairs
