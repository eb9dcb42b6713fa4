"""Batched backward induction vs a loop of single-draw solves, on the same draws, in one run.

Run with `make bench`. Prints draws per second for each path and their ratio; no thresholds.
"""

from __future__ import annotations

import time

import numpy as np

from escalade.scenario import load
from escalade.simulate import analysis_tree, sample_parameters, solve_draws

DRAWS = 10_000
LOOPED = 200  # the loop is slow; time a prefix of the same draws


def main() -> None:
    scenario = load("dprk_russia_2024")
    tree = analysis_tree(scenario, full_information=True)
    values = sample_parameters(scenario, DRAWS, seed=1)

    start = time.perf_counter()
    batched = solve_draws(scenario, values, "deterrence", tree=tree)
    batched_rate = DRAWS / (time.perf_counter() - start)

    start = time.perf_counter()
    looped = [
        solve_draws(scenario, {n: v[k : k + 1] for n, v in values.items()}, "deterrence", tree=tree)
        for k in range(LOOPED)
    ]
    looped_rate = LOOPED / (time.perf_counter() - start)

    same = all(np.array_equal(batched.outcome_probs[k], run.outcome_probs[0]) for k, run in enumerate(looped))
    print(f"flagship ({tree.n_nodes} nodes), subgame-perfect with the West scripted, {DRAWS:,} draws")
    print(f"  batched : {batched_rate:12,.0f} draws/s")
    print(f"  looped  : {looped_rate:12,.0f} draws/s  (first {LOOPED} draws)")
    print(f"  ratio   : {batched_rate / looped_rate:12,.1f}x   identical results: {same}")


if __name__ == "__main__":
    main()
