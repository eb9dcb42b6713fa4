"""Sweeps over parameter draws: batched escalade against per-draw loops, in the same run.

Run with `make bench`. For the flagship (with its information set, and in the full-information
what-if) and for a random 1,000-node game, it times 10,000 draws solved in vectorized chunks and a
loop of single-draw solves over the first draws of the same sample (escalade's own single-draw
path, and pygambit's logit solver on the exported .efg when pygambit is installed), and prints
draws per second and their ratios. It also measures the peak memory of a 100,000-draw sweep in a
fresh process. Numbers only: no thresholds, nothing asserted.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import time

import numpy as np

from escalade.game import compile_game, write_efg
from escalade.scenario import Scenario, load, validate
from escalade.simulate import analysis_tree, sample_parameters, solve_draws

DRAWS = 10_000
LOOPED = 100
GAMBIT_LOOPED = 3


def random_scenario(target_nodes: int = 1000, seed: int = 0) -> Scenario:
    """A perfect-information game of about ``target_nodes`` nodes whose payoffs depend on 4 parameters."""
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c", "d"]
    parameters = {
        n: {"dist": "uniform", "low": -1, "high": 1, "doc": "random weight", "source": "bench"} for n in names
    }
    nodes: dict = {}
    frontier = ["n0"]
    count = 1
    while frontier:
        node_id = frontier.pop(0)
        if count + 3 > target_nodes:
            nodes[node_id] = {"outcome": {"x": f"{rng.normal():.3f} * {rng.choice(names)}", "y": float(rng.normal())}}
            continue
        kind = rng.choice(["decision", "chance"], p=[0.8, 0.2])
        children = [f"n{count + i}" for i in range(3)]
        count += 3
        frontier.extend(children)
        if kind == "chance":
            nodes[node_id] = {
                "chance": {
                    "u": {"p": "0.5 + a / 4", "next": children[0]},
                    "v": {"p": "0.25 - a / 8", "next": children[1]},
                    "w": {"p": "0.25 - a / 8", "next": children[2], "effects": {"x": "b"}},
                }
            }
        else:
            actor = str(rng.choice(["P1", "P2"]))
            nodes[node_id] = {
                "actor": actor,
                "actions": {
                    f"m{i}": {"next": c, "effects": {"y": f"{rng.normal():.3f} + c * x"}}
                    for i, c in enumerate(children)
                },
            }
    data = {
        "name": "random_game",
        "title": "random benchmark game",
        "actors": [
            {"id": "P1", "name": "one", "utility": {"x": 1, "y": "d"}},
            {"id": "P2", "name": "two", "utility": {"x": -1, "y": 1}},
        ],
        "attributes": {"x": "first quantity", "y": "second quantity"},
        "parameters": parameters,
        "root": "n0",
        "nodes": nodes,
    }
    return validate(data)


def rate(function, count: int) -> float:
    start = time.perf_counter()
    function()
    return count / (time.perf_counter() - start)


def compare(label: str, scenario: Scenario, who: str | None, gambit_draws: int = GAMBIT_LOOPED) -> None:
    tree = analysis_tree(scenario, who)
    values = sample_parameters(scenario, DRAWS, seed=1)
    batched = rate(lambda: solve_draws(scenario, values, tree=tree), DRAWS)
    looped = rate(
        lambda: [solve_draws(scenario, {n: v[k : k + 1] for n, v in values.items()}, tree=tree) for k in range(LOOPED)],
        LOOPED,
    )
    print(f"{label} ({tree.n_nodes} nodes, {tree.n_infosets} infosets), {DRAWS:,} draws")
    print(f"  escalade batched     {batched:12,.0f} draws/s  ({DRAWS / batched:6.2f} s for {DRAWS:,})")
    print(f"  escalade loop        {looped:12,.0f} draws/s  ratio {batched / looped:8.1f}x")
    try:
        import pygambit as gbt
    except ImportError:
        print("  pygambit             not installed (pip install -e '.[gambit]')")
        return

    def gambit_loop() -> None:
        for k in range(gambit_draws):
            game = compile_game(scenario, {n: v[k] for n, v in values.items()}, tree)
            gbt.nash.logit_solve(gbt.read_efg(io.StringIO(write_efg(game))), use_strategic=False)

    gambit = rate(gambit_loop, gambit_draws)
    print(f"  pygambit logit loop  {gambit:12,.1f} draws/s  ratio {batched / gambit:8.1f}x")


def peak_memory(draws: int) -> float:
    """Peak resident memory (MiB) of a fresh process sweeping ``draws`` flagship draws."""
    code = (
        "import resource; from escalade.scenario import load; "
        "from escalade.simulate import sample_parameters, solve_draws; "
        f"s = load('dprk_russia_2024'); v = sample_parameters(s, {draws}, 1); solve_draws(s, v, 'deterrence'); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    kib = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    return kib / 1024


def main() -> None:
    flagship = load("dprk_russia_2024")
    compare("flagship, full information (backward induction)", flagship, "all")
    compare("flagship, with its information set (QRE limit inside the subgame)", flagship, None)
    compare("random game", random_scenario(), None, gambit_draws=1)  # pygambit takes minutes per draw here
    print(f"peak memory, 100,000 flagship draws in chunks: {peak_memory(100_000):,.0f} MiB")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB)")


if __name__ == "__main__":
    main()
