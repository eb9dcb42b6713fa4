"""The command line: parses arguments into requests, calls the pipeline, prints and writes the result.

Nothing here models or analyses: requests are checked by their own ``validated``, results rendered by
the report writers, and files published as a set. Each command imports the stages it uses when it
runs, so that `escalade --help` starts without loading numpy, scipy or pandas.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from escalade import __version__
from escalade.pipeline.requests import (
    CLAIMS,
    FORECAST,
    SWEEP,
    DynamicRequest,
    PointRequest,
    Settings,
    StaticRequest,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from escalade.report import Report
    from escalade.report.files import Writer
    from escalade.scenario import Scenario
    from escalade.solve import Solution

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
    json: bool = False  # the command prints one JSON document on standard output (errors too)
    quiet: bool = False  # the command prints nothing on success (files are still written)


def _mode(ctx: typer.Context, as_json: bool, quiet: bool) -> None:
    """Every command's --json and --quiet: the human rendering is silenced by either."""
    ctx.obj.json, ctx.obj.quiet = as_json, quiet
    out.quiet = as_json or quiet


def _emit(ctx: typer.Context, record: object) -> None:
    """Print ``record`` as strict JSON (with --json, unless --quiet)."""
    from escalade.report import json_text

    if not ctx.obj.quiet:
        sys.stdout.write(json_text(record))


def _show(ctx: typer.Context, report: Report) -> None:
    """A report printed for people, or with --json as its one JSON document."""
    from escalade.report import to_json, to_terminal

    if ctx.obj.json:
        _emit(ctx, json.loads(to_json(report)))
    else:
        to_terminal(out, report)


@contextmanager
def reported(ctx: typer.Context) -> Iterator[None]:
    """Turn a user's mistake into red lines and exit code 1 (a traceback only with --debug); Ctrl-C
    into exit code 130. Outputs are published last, as a set, so neither leaves files behind."""
    try:
        yield
    except (ValueError, OSError, MemoryError, RuntimeError) as exc:
        from escalade.pipeline import RequestError
        from escalade.scenario import ScenarioError
        from escalade.solve import SolverError

        if ctx.obj.debug or (isinstance(exc, RuntimeError) and not isinstance(exc, SolverError)):
            raise
        problems = [str(p) for p in exc.problems] if isinstance(exc, ScenarioError | RequestError) else [str(exc)]
        if ctx.obj.json:
            from escalade.report import json_text

            sys.stdout.write(json_text({"ok": False, "problems": problems}))
        if isinstance(exc, ScenarioError | RequestError):
            err.print(f"[red]{len(exc.problems)} problem(s) found:[/]")
            for problem in problems:
                err.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
        else:  # EfgError is a ValueError
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
    out.quiet = False  # a command's --json or --quiet silences it again


ScenarioArg = Annotated[str, typer.Argument(help="A scenario .yaml file, or a shipped scenario's name.")]
GameArg = Annotated[str, typer.Argument(help="A scenario (.yaml or shipped name), or a Gambit .efg or .nfg file.")]
FullInfo = Annotated[
    str | None,
    typer.Option(
        "--full-information",
        metavar="ACTOR",
        help="What-if: ACTOR (an actor id, or 'all') sees every earlier move.",
    ),
]
Seed = Annotated[int, typer.Option(help="Random seed; the same seed gives the same numbers.")]
Pins = Annotated[
    list[str] | None, typer.Option("--set", metavar="NAME=VALUE", help="Pin a parameter to a value (repeatable).")
]
Ranges = Annotated[
    list[str] | None,
    typer.Option("--vary", metavar="NAME=LOW:HIGH", help="Make a parameter uniform over a range (repeatable)."),
]
Workers = Annotated[int, typer.Option(min=1, help="Local worker processes for the draws.")]
Scheduler = Annotated[str | None, typer.Option(help="Run the draws on this Dask scheduler (e.g. tcp://host:8786).")]
OutDir = Annotated[
    Path, typer.Option("--out", help="Folder for report.html, report.md, summary.json, runs.parquet, summary.csv.")
]
Knockouts = Annotated[
    bool,
    typer.Option(help="Knock out each mechanism: what it moves, and each claim without it (a solve each)."),
]
Ablation = Annotated[
    bool,
    typer.Option(help="With the knockouts, take each effect of the tree out in turn (a solve of the claims each)."),
]
RecordFlag = Annotated[
    bool, typer.Option("--record/--no-record", help="Repeat the analysis on the draws the scenario's record leaves.")
]
Observed = Annotated[
    Path | None,
    typer.Option(help="A YAML file whose 'record:' (dated moves, base rates, questions) replaces the scenario's."),
]
AsOf = Annotated[
    str | None, typer.Option(help="Condition only on what had happened by this date (2025-01-31, 2025-01 or 2025).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document (errors too) instead of text.")]
QuietFlag = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success (files are still written).")]


@app.command()
def validate(ctx: typer.Context, file: ScenarioArg, as_json: JsonFlag = False, quiet: QuietFlag = False) -> None:
    """Check a scenario and report every problem with its line."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.game import compile_tree
        from escalade.game.markov import compile_markov
        from escalade.scenario import load

        scenario = load(file)
        found = (
            f"[green]ok[/] {scenario.source_file}: {len(scenario.actors)} actors, {len(scenario.parameters)} parameters"
        )
        record: dict = {"ok": True, "file": scenario.source_file, "sha256": scenario.sha256}
        record |= {"actors": len(scenario.actors), "parameters": len(scenario.parameters)}
        if scenario.root is not None:
            tree = compile_tree(scenario)
            record |= {"nodes": len(scenario.nodes), "tree_nodes": tree.n_nodes, "outcomes": tree.n_terminals}
            record |= {"information_sets": tree.n_infosets}
            found += (
                f", {len(scenario.nodes)} nodes → a tree of {tree.n_nodes} nodes, {tree.n_terminals} outcomes, "
                f"{tree.n_infosets} information sets"
                + ("" if tree.is_perfect_information() else " (imperfect information)")
            )
        if scenario.dynamics is not None:
            markov = compile_markov(scenario)
            record |= {"states": int(markov.shape[0])}
            found += (
                f"; dynamics: {markov.shape[0]:,} states, {len(scenario.dynamics.ladder)} rungs, "
                f"{len(scenario.dynamics.events)} chance events, {len(scenario.dynamics.policies)} policies"
            )
        if as_json:
            _emit(ctx, record)
        out.print(found)


@app.command()
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new scenario's name (letters, digits, _).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write NAME.yaml in.")] = Path("."),
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Write NAME.yaml: a commented scenario to start from (a small crisis with policies, outcomes,
    a mechanism and a claim), valid as written."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from importlib import resources

        from escalade.report import write_atomic
        from escalade.scenario import loads
        from escalade.scenario.model import IDENTIFIER

        if not re.fullmatch(IDENTIFIER, name):
            raise ValueError(
                f"{name!r} is not a name escalade accepts: use letters, digits and _, starting with a letter"
            )
        path = out_dir / f"{name}.yaml"
        if path.exists():
            raise ValueError(f"{path} exists already: choose another name, or remove it first")
        template = resources.files("escalade.scenario").joinpath("template.yaml").read_text(encoding="utf-8")
        text = template.replace("NAME", name)
        loads(text, str(path))  # the template is valid as written: a check, not a hope
        write_atomic(path, text)
        if as_json:
            _emit(ctx, {"written": str(path)})
        out.print(f"wrote [bold]{path}[/]: edit it, then `escalade validate {path}` and `escalade run {path}`")


@app.command()
def show(ctx: typer.Context, file: ScenarioArg, as_json: JsonFlag = False, quiet: QuietFlag = False) -> None:
    """Print the scenario's tree as an outline (with --json: the validated scenario)."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.report import scenario_tree
        from escalade.scenario import load

        scenario = load(file)
        if as_json:
            _emit(ctx, scenario.model_dump(mode="json"))
        out.print(scenario_tree(scenario))


@app.command()
def scenarios(ctx: typer.Context, as_json: JsonFlag = False, quiet: QuietFlag = False) -> None:
    """List the scenarios shipped with escalade."""
    _mode(ctx, as_json, quiet)
    from escalade.scenario import load, shipped_scenarios

    shipped = [(name, load(path).title, str(path)) for name, path in sorted(shipped_scenarios().items())]
    if as_json:
        _emit(ctx, [{"name": name, "title": title, "file": path} for name, title, path in shipped])
    for name, title, _ in shipped:
        out.print(f"[bold]{name}[/]  {title}")


@app.command()
def export(
    ctx: typer.Context,
    file: GameArg,
    to: Annotated[Format, typer.Option("--to", help="Output format.")] = Format.efg,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write (default: standard output)."),
    ] = None,
    who: FullInfo = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Write the game (at the parameters' means) in Gambit's .efg format."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.game import write_efg
        from escalade.pipeline import open_game, point_game
        from escalade.report import write_atomic

        text = write_efg(point_game(open_game(file), PointRequest(full_information=who)))
        if output is not None:
            write_atomic(output, text)
        if as_json:
            _emit(ctx, {"format": to.value, "written": None if output is None else str(output), "text": text})
        elif output is None:
            if not quiet:
                sys.stdout.write(text)
        elif not quiet:
            err.print(f"wrote {output}")


def _solution_json(solution: Solution, strategic: bool) -> dict:
    """The documented JSON record; a strategic-form game's profile is ``[player][strategy]``."""
    tree = solution.game.tree
    terminal_order = [int(tree.terminal[n]) for n in tree.preorder() if tree.terminal[n] >= 0]
    nested = solution.nested_profile()
    return {
        "profile": [player[0] for player in nested] if strategic else nested,
        "labelled_profile": solution.labelled_profile(),
        "values": solution.values[0].tolist(),
        "outcome_probs": solution.outcome_probs[0, terminal_order].tolist(),
        "max_regret": float(solution.max_regret[0]),
    }


@app.command()
def solve(
    ctx: typer.Context,
    file: GameArg,
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
    policy: Annotated[
        str | None, typer.Option(metavar="ACTOR=POLICY", help="Script one actor with a scenario policy.")
    ] = None,
    who: FullInfo = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (profile in Gambit's order).")] = False,
    quiet: QuietFlag = False,
) -> None:
    """Solve a game at the parameters' means and print the equilibrium."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.pipeline import open_game, solve_point
        from escalade.report import solution_table, values_table

        target = open_game(file)
        (scripted,) = _policy_names(target, [policy]) if policy is not None else (None,)
        solutions = solve_point(target, PointRequest(method.value, lam, scripted, who))
        several = method in (Method.enumpure, Method.lcp)
        strategic = file.endswith(".nfg")
        if as_json:
            players = list(solutions[0].game.tree.players) if solutions else []
            if several:
                record = {
                    "method": method.value,
                    "players": players,
                    "equilibria": [_solution_json(s, strategic) for s in solutions],
                }
            else:
                record = {"method": solutions[0].method, "players": players, **_solution_json(solutions[0], strategic)}
            _emit(ctx, record)
            return
        if not solutions:
            out.print("No pure-strategy Nash equilibrium.")
        names = {"spe": "subgame-perfect equilibrium", "qre": "logit QRE limit"}
        for i, solution in enumerate(solutions, start=1):
            label = f"equilibrium {i} of {len(solutions)}" if several else names.get(solution.method, solution.method)
            out.print(solution_table(solution, f"{label}{' — ' + policy if policy else ''}"))
            out.print(values_table(solution))
            if lam is None:
                out.print(f"[dim]max regret {solution.max_regret[0]:.2e} (verified)[/]")
            else:  # a QRE at finite λ is not a Nash equilibrium: its own equations are what is checked
                out.print(
                    f"[dim]logit equations at λ = {lam:g} verified; Nash regret {solution.max_regret[0]:.2e} "
                    "(positive by design below the limit)[/]"
                )


@app.command()
def fit(
    ctx: typer.Context,
    file: GameArg,
    counts: Annotated[
        Path,
        typer.Option(
            help="JSON file of observed action counts: labelled {player: {infoset: {action: n}}} as in solve --json's "
            "labelled_profile, or nested \\[player]\\[infoset]\\[action] lists in Gambit's order."
        ),
    ],
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Fit the logit precision λ to observed choices by maximum likelihood."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        import numpy as np

        from escalade.pipeline import open_game, point_game
        from escalade.pipeline.point import counts_vector
        from escalade.report import solution_table
        from escalade.solve import fit_lambda

        game = point_game(open_game(file))
        try:
            data = json.loads(counts.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{counts}:{exc.lineno}: not JSON ({exc.msg})") from None
        fitted = fit_lambda(game, np.array(counts_vector(game, data, str(counts))))
        if as_json:
            record = {
                "lambda": fitted.lam,
                "log_likelihood": fitted.log_likelihood,
                "interval_95": [fitted.low, fitted.high],
                "at_search_bound": fitted.at_bound,
                "profile": fitted.solution.nested_profile(),
                "labelled_profile": fitted.solution.labelled_profile(),
            }
            _emit(ctx, record)
            return
        out.print(
            f"maximum-likelihood λ = [bold]{fitted.lam:.6g}[/] (log-likelihood {fitted.log_likelihood:.6g}), "
            f"95% profile-likelihood interval [{fitted.low:.4g}, {fitted.high:.4g}]"
        )
        if fitted.warning and not quiet:
            err.print(f"[yellow]warning:[/] {fitted.warning}", highlight=False, soft_wrap=True)
        out.print(solution_table(fitted.solution, f"logit QRE at λ = {fitted.lam:.4g}"))


@app.command()
def serve(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    host: Annotated[str, typer.Option(help="Address to listen on (local only by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Start the web explorer: sliders, the equilibrium and its tree, courses side by side, a sweep around the
    sliders, play one actor, a dynamic scenario's rounds, the scenario editor (on this machine only)."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.scenario import load

        scenario = load(file)
        text = Path(scenario.source_file).read_text(encoding="utf-8")
        import uvicorn  # imported here: only the explorer needs a web server

        from escalade.explorer import create_app, hosts_for

        if as_json:
            _emit(ctx, {"url": f"http://{host}:{port}/", "scenario": scenario.name})
        out.print(f"escalade explorer on [bold]http://{host}:{port}/[/] (Ctrl+C to stop)")
        app_ = create_app(scenario, text, allowed_hosts=hosts_for(host))
        uvicorn.run(app_, host=host, port=port, log_level="warning")


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
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws for the model's distribution.")] = SWEEP.draws,
    seed: Seed = StaticRequest.seed,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Base rates of violence in a reference class of historical crises (ICB), beside the model's."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.history import (
            VIOLENCE_LABELS,
            code_base_rates,
            load_icb,
            median_duration,
            reference_class,
            violence_base_rates,
        )
        from escalade.pipeline import model_violence
        from escalade.scenario import load

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
            model = model_violence(scenario, StaticRequest(draws=draws, seed=seed, sensitivity=0))
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
            _emit(ctx, record)
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
def deployments(ctx: typer.Context, as_json: JsonFlag = False, quiet: QuietFlag = False) -> None:
    """Deniable foreign combat deployments (a project-coded dataset): the cases, their sources' codes, and the
    base rates of disclosure, acknowledgement, deepening and open war, beside which to read the flagship."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.history.deployments import deployment_base_rates, deployments_frame
        from escalade.report import deployments_report

        report = deployments_report(deployments_frame(), deployment_base_rates())
        _show(ctx, report)


@app.command()
def backtest(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option(help="An ICB system-level CSV (or any CSV with the same columns).")],
    train_until: Annotated[int, typer.Option(help="Fit on crises triggered up to this year; forecast the rest.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for calibration.html.")] = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Forecast the violence of later crises; score the strategic model against base rate and logit."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.history import load_icb
        from escalade.history.backtest import backtest as run_backtest
        from escalade.report import backtest_report, to_html, to_terminal, write_atomic

        report = backtest_report(run_backtest(load_icb(data), train_until), str(data))
        if out_dir is not None:
            write_atomic(out_dir / "calibration.html", to_html(report))
        if as_json:
            _emit(ctx, report.sections[0].record)
            return
        to_terminal(out, report)


@app.command("claims")
def claims_command(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws to test the claims on.")] = CLAIMS.draws,
    seed: Seed = CLAIMS.seed,
    sensitivity: Annotated[
        int,
        typer.Option(
            "--sensitivity", min=0, help="Sobol base samples for what decides each claim (0: skip), as in run."
        ),
    ] = CLAIMS.claim_samples,
    knockouts: Knockouts = CLAIMS.knockouts,
    ablation: Ablation = CLAIMS.ablation,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Test the scenario's claims across its parameter draws: a verdict per claim with its CI, flags, and
    the verdict with each mechanism knocked out and each single effect taken out."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        import datetime as dt

        from escalade.pipeline import Backend, claims, mechanisms
        from escalade.report import claims_report
        from escalade.scenario import load

        request = dataclasses.replace(
            CLAIMS, draws=draws, seed=seed, claim_sensitivity=sensitivity, knockouts=knockouts, ablation=ablation
        )
        scenario = load(file)
        with progress_bar("testing the claims, knocked out and ablated", quiet) as advance:
            verdicts = claims(scenario, request, Backend(progress=advance))
        knocked = []
        if knockouts and scenario.mechanisms:
            with progress_bar("knocking out each mechanism", quiet) as advance:
                knocked = mechanisms(scenario, request, Backend(progress=advance))
        created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        report = claims_report(scenario, verdicts, seed, draws, created, knocked)
        _show(ctx, report)


@app.command()
def run(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")] = "dprk_russia_2024",
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws.")] = StaticRequest.draws,
    seed: Seed = StaticRequest.seed,
    out_dir: OutDir = Path("out"),
    who: FullInfo = None,
    pins: Pins = None,
    ranges: Ranges = None,
    grid: Annotated[
        int, typer.Option(min=0, help="Response curves over each --vary parameter at this many points (0: none).")
    ] = StaticRequest.grid,
    sensitivity: Annotated[
        int, typer.Option(min=0, help="Sobol base samples (a power of two; 0: skip).")
    ] = StaticRequest.sensitivity,
    claim_draws: Annotated[
        int, typer.Option(min=1, help="The claims and the knockouts are tested on the first this many draws.")
    ] = StaticRequest.claim_draws,
    knockouts: Knockouts = StaticRequest.knockouts,
    ablation: Ablation = StaticRequest.ablation,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    history_data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="An ICB system-level CSV, as in history and backtest: the reference class's base rates beside "
            "the model.",
        ),
    ] = None,
    record: RecordFlag = StaticRequest.condition,
    observed: Observed = None,
    as_of: AsOf = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """The full analysis: equilibria, policies compared over uncertain parameters, what decides it, and
    (when the scenario has a record) the same on the draws the record leaves."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.scenario import load

        request = StaticRequest(
            draws=draws, seed=seed, full_information=who, sensitivity=sensitivity, history_data=history_data,
            settings=_settings(pins, ranges), grid=grid, condition=record, as_of=as_of, observed=observed,
            claim_draws=claim_draws, knockouts=knockouts, ablation=ablation,
        )  # fmt: skip
        _static(ctx, load(file), request, workers, scheduler, out_dir)


@app.command("condition")
def condition_command(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file (with a 'record:') or shipped name.")] = (
        "dprk_russia_2024"
    ),
    draws: Annotated[int, typer.Option(min=1, help="Prior parameter draws.")] = FORECAST.draws,
    seed: Seed = FORECAST.seed,
    observed: Observed = None,
    as_of: AsOf = None,
    out_dir: OutDir = Path("out"),
    workers: Workers = 1,
    scheduler: Scheduler = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Condition the scenario on its record: prior against posterior for every parameter, how likely each
    observed move was, the courses of action and the claims on the posterior draws, the forecasts."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.pipeline import RequestError
        from escalade.scenario import load

        scenario = load(file)
        if scenario.record is None and observed is None:
            raise RequestError(
                [f"{scenario.source_file} has no 'record:' to condition on: add one, or give --observed FILE"]
            )
        request = dataclasses.replace(FORECAST, draws=draws, seed=seed, as_of=as_of, observed=observed)
        _static(ctx, scenario, request, workers, scheduler, out_dir)


@app.command()
def forecast(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file (with 'questions:' under 'record:').")],
    as_of: AsOf = None,
    observed: Observed = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The forecasts file (JSON lines).")] = Path(
        "out/forecasts.jsonl"
    ),
    draws: Annotated[int, typer.Option(min=1, help="Prior parameter draws.")] = FORECAST.draws,
    seed: Seed = FORECAST.seed,
    workers: Workers = 1,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Answer the record's questions given what had happened by --as-of: one JSON record per question
    (probability, scenario hash, date, horizon), for `escalade score` once the answers are known."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.pipeline import Backend
        from escalade.pipeline import forecast as make_forecasts
        from escalade.report import forecasts_report, publish, text_writer, to_terminal
        from escalade.scenario import load

        scenario = load(file)
        request = dataclasses.replace(FORECAST, draws=draws, seed=seed, as_of=as_of, observed=observed)
        with progress_bar("conditioning on the record", ctx.obj.quiet) as advance:
            forecasts = make_forecasts(scenario, request, Backend(workers, progress=advance))
        lines = "".join(json.dumps(record, sort_keys=True) + "\n" for record in forecasts)
        publish(output.parent, {output.name: text_writer(lines)})
        if ctx.obj.json:
            _emit(ctx, {"ok": True, "forecasts": forecasts, "written": [str(output)]})
            return
        to_terminal(out, forecasts_report(scenario.title, forecasts, str(output)))


@app.command()
def score(
    ctx: typer.Context,
    forecasts: Annotated[Path, typer.Argument(help="A forecasts file written by `escalade forecast`.")],
    resolved: Annotated[Path, typer.Argument(help="YAML or JSON: each question and whether it happened (true/false).")],
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Score forecasts against what happened: Brier and log scores, and a calibration table."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.pipeline import score as score_file
        from escalade.report import scores_report

        for path in (forecasts, resolved):
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no such file")
        report = scores_report(score_file(forecasts, resolved))
        _show(ctx, report)


@app.command()
def sweep(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A scenario .yaml file or shipped name.")],
    draws: Annotated[int, typer.Option(min=1, help="Parameter draws.")] = SWEEP.draws,
    seed: Seed = SWEEP.seed,
    out_dir: OutDir = Path("out"),
    policy: Annotated[
        list[str] | None,
        typer.Option(metavar="ACTOR=POLICY", help="Compare only these policies (repeatable; default: all)."),
    ] = None,
    pins: Pins = None,
    ranges: Ranges = None,
    grid: Annotated[
        int, typer.Option(min=0, help="Response curves over each --vary parameter at this many points (0: none).")
    ] = StaticRequest.grid,
    method: Annotated[str, typer.Option(help="Sampling: sobol (scrambled, quasi-random) or mc.")] = SWEEP.sampling,
    sensitivity: Annotated[
        int, typer.Option(min=0, help="Sobol base samples (a power of two; 0: skip).")
    ] = SWEEP.sensitivity,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Solve the scenario over many parameter draws and write tidy tables (Parquet and CSV)."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.scenario import load

        scenario = load(file)
        request = dataclasses.replace(
            SWEEP, draws=draws, seed=seed, sampling=method, sensitivity=sensitivity,
            policies=None if policy is None else _policy_names(scenario, policy), settings=_settings(pins, ranges),
            grid=grid,
        )  # fmt: skip
        _static(ctx, scenario, request, workers, scheduler, out_dir)


@contextmanager
def progress_bar(description: str, quiet: bool = False) -> Iterator[_Bar]:
    """A progress bar with the total and the time left, advanced by the pipeline's progress callback
    (none with --quiet)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=quiet) as bar:
        yield _Bar(bar, bar.add_task(description, total=None))


@dataclasses.dataclass
class _Bar:
    """A progress callback, ``(done, total)``, whose ``stage(name)`` relabels the bar and starts it again
    (each stage of an analysis counts its own chunks, or its claims' variants)."""

    bar: Progress
    task: TaskID

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(self.task, total=total, completed=done)

    def stage(self, name: str) -> None:
        self.bar.remove_task(self.task)
        self.task = self.bar.add_task(name, total=None)


def _static(
    ctx: typer.Context, scenario: Scenario, request: StaticRequest, workers: int, scheduler: str | None, out_dir: Path
) -> None:
    """Analyse, print the report, and publish report.md/.html, summary.json, runs.parquet, summary.csv."""
    from escalade.pipeline import Backend, analyse
    from escalade.report import static_report, table_writers

    with progress_bar("solving chunks of draws", ctx.obj.quiet) as advance:
        analysis = analyse(scenario, request, Backend(workers, scheduler, advance, advance.stage))
    names = ("report.md", "report.html", "summary.json")
    _present(ctx, static_report(analysis), out_dir, names, table_writers(analysis))


def _present(
    ctx: typer.Context, report: Report, out_dir: Path, names: tuple[str, str, str], extra: dict[str, Writer]
) -> None:
    """Print the report (or, with --json, its JSON), then publish it as Markdown, HTML and JSON
    (``names``) with ``extra`` files, as one set."""
    from escalade.report import publish, text_writer, to_html, to_json, to_markdown, to_terminal

    to_terminal(out, report)
    renderings = (to_markdown(report), to_html(report), to_json(report))
    written = publish(out_dir, {**dict(zip(names, map(text_writer, renderings), strict=True)), **extra})
    others = ", ".join(path.name for path in written if path.name != names[1])
    out.print(f"Report written to [bold]{out_dir / names[1]}[/] (also {others})")
    if ctx.obj.json:
        _emit(ctx, json.loads(renderings[2]) | {"written": [str(path) for path in written]})


@app.command("simulate")
def simulate_command(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A dynamic scenario .yaml file or shipped name.")] = "dprk_russia_dynamic",
    rounds: Annotated[int | None, typer.Option(min=1, help="Rounds to simulate (default: the scenario's).")] = None,
    runs: Annotated[int, typer.Option(min=1, help="Trajectories per course of action.")] = DynamicRequest.runs,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ACTOR=POLICY",
            help="Script an actor (repeatable; several for one actor are compared; 'equilibrium' = solved). "
            "Default: everyone solved, then each of the scenario's policies alone.",
        ),
    ] = None,
    draws: Annotated[
        int, typer.Option(min=1, help="Parameter draws (Sobol); 1 uses the parameters' means.")
    ] = DynamicRequest.draws,
    lam: Annotated[
        float | None,
        typer.Option("--lambda", help="Logit rationality of solved actors (default: the scenario's; inf: pure MPE)."),
    ] = None,
    window: Annotated[
        int, typer.Option(min=1, help="Rounds within which a step down reverses a step up.")
    ] = DynamicRequest.window,
    seed: Seed = DynamicRequest.seed,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for dynamics.html, dynamics.md, dynamics.json, trajectories.parquet.")
    ] = Path("out"),
    pins: Pins = None,
    ranges: Ranges = None,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    knockouts: Knockouts = DynamicRequest.knockouts,
    every_mechanism: Annotated[
        bool,
        typer.Option(
            help="With the knockouts, test each claim also without each mechanism it does not name "
            "(two more conditions each)."
        ),
    ] = DynamicRequest.every_mechanism,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Run a crisis forward over rounds under each course of action; fan charts and the ratchet index."""
    _mode(ctx, as_json, quiet)
    with reported(ctx):
        from escalade.pipeline import Backend, simulate
        from escalade.report import dynamic_report, trajectories_frame
        from escalade.scenario import load

        choices: dict[str, list[str]] = {}
        for actor, name in _pairs(policy or []):
            choices.setdefault(actor, []).append(name)
        request = DynamicRequest(
            rounds=rounds, runs=runs, draws=draws, lam=lam, window=window, seed=seed,
            policies={actor: tuple(names) for actor, names in choices.items()}, settings=_settings(pins, ranges),
            knockouts=knockouts, every_mechanism=every_mechanism,
        )  # fmt: skip
        with progress_bar("solving and simulating each course of action", quiet) as advance:
            analysis = simulate(load(file), request, Backend(workers, scheduler, advance))
        frame = trajectories_frame(analysis)
        extra = {"trajectories.parquet": lambda path: frame.to_parquet(path, index=False)}
        _present(ctx, dynamic_report(analysis), out_dir, ("dynamics.md", "dynamics.html", "dynamics.json"), extra)


def _settings(pins: list[str] | None, ranges: list[str] | None) -> Settings:
    """``--set NAME=VALUE`` and ``--vary NAME=LOW:HIGH`` as the request's settings."""
    pinned, ranged = _assignments(pins, "=VALUE"), _assignments(ranges, "=LOW:HIGH")
    return Settings({k: _number(k, v) for k, v in pinned.items()}, {k: _range(k, v) for k, v in ranged.items()})


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


def _policy_names(target: object, items: list[str]) -> tuple[str, ...]:
    """``--policy ACTOR=POLICY`` of a tree, as the policies' names; each policy must script that actor
    (an unknown name is reported by the request, with the names there are)."""
    from escalade.scenario import Scenario

    names = []
    for actor, name in _pairs(items):
        policy = target.policies.get(name) if isinstance(target, Scenario) else None
        if policy is not None and policy.actor != actor:
            raise ValueError(
                f"--policy {actor}={name}: {name!r} scripts {policy.actor}, not {actor}; write {policy.actor}={name}"
            )
        names.append(name)
    return tuple(names)


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        actor, sep, name = item.partition("=")
        if not sep or not actor.strip() or not name.strip():
            raise ValueError(f"--policy {item!r} should read ACTOR=POLICY, e.g. WEST=deterrence")
        pairs.append((actor.strip(), name.strip()))
    return pairs
