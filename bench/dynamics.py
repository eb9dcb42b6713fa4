"""Dynamic scenarios: vectorized trajectories against the one-at-a-time loop, and the Markov solver.

Run with `make bench`. For the Cuban missile crisis in daily rounds and the flagship in monthly rounds
it times (1) value iteration for 16 parameter draws at once, (2) 100,000 vectorized trajectories, and
(3) the plain-Python loop of tests/simulate/test_trajectories.py over the first trajectories of the
same sample, and prints trajectories per second and their ratio; then (4) one Newton step's linear solve,
GMRES on the round's factors against the LU of the multiplied-out Jacobian (the baseline), on the two
flagship dynamics and the four-actor draft. Numbers only: no thresholds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scipy.sparse.linalg import splu

from escalade.game.markov import compile_markov
from escalade.scenario import load
from escalade.simulate import sample_parameters
from escalade.simulate.trajectories import simulate
from escalade.solve.markov import _Draw, _Factors, solve_markov
from tests.simulate.test_trajectories import loop_simulation

RUNS = 100_000
LOOPED = 1_000


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    for name in ("cuban_missile_1962_dynamic", "dprk_russia_dynamic", "dprk_russia_dynamic_v2"):
        scenario = load(name)
        assert scenario.dynamics is not None
        rounds = scenario.dynamics.rounds
        game = compile_markov(scenario, sample_parameters(scenario, 16, seed=1))
        solve_time = best_of(1, lambda game=game, lam=scenario.dynamics.rationality: solve_markov(game, lam))
        policy = solve_markov(game, scenario.dynamics.rationality).policy
        fast = best_of(3, lambda game=game, policy=policy, rounds=rounds: simulate(game, policy, rounds, RUNS, 7))
        slow = best_of(
            1, lambda game=game, policy=policy, rounds=rounds: loop_simulation(game, policy, rounds, LOOPED, 7)
        )
        fast_rate, slow_rate = RUNS / fast, LOOPED / slow
        print(
            f"{name}: {game.shape[0]} states, {rounds} rounds; solve 16 draws {solve_time:.2f} s; "
            f"vectorized {fast_rate:,.0f} trajectories/s, loop {slow_rate:,.0f}/s, ratio {fast_rate / slow_rate:,.0f}x"
        )


def newton_step() -> None:
    """A Newton step's linear solve next to one already solved, as in a Newton iteration or a trace: GMRES
    preconditioned by the kept factors of the system before (``_Factors``) vs LU of the product afresh."""
    for name in ("cuban_missile_1962_dynamic", "dprk_russia_dynamic", "dprk_russia_dynamic_v2"):
        scenario = load(name)
        assert scenario.dynamics is not None
        lam = scenario.dynamics.rationality
        game = compile_markov(scenario, sample_parameters(scenario, 1, seed=1))
        solution = solve_markov(game, lam)
        draw = _Draw(game, solution.solved, solution.policy[0])
        values = solution.values[0]
        rhs = 1.0 - draw.linearize(values, lam)[0]  # a right-hand side of order one
        kept = _Factors()
        draw.linearize(values, lam)[2].solve(rhs, kept)  # the system before: factorized (GMRES first if large)
        nearby = draw.linearize(values * (1 + 1e-4), lam)[2]
        fast = best_of(3, lambda nearby=nearby, rhs=rhs, kept=kept: nearby.solve(rhs, kept))
        plain = best_of(1, lambda nearby=nearby, rhs=rhs: splu(nearby.matrix).solve(rhs))
        how = "GMRES on the kept factors" if kept.lu is not None else "GMRES, no factors kept"
        print(
            f"{scenario.name}: {game.shape[0]} states × {game.shape[1]} actors; Newton step {fast * 1e3:,.1f} ms "
            f"({how}) vs {plain * 1e3:,.1f} ms (LU of the product): {plain / fast:,.1f}x"
        )


if __name__ == "__main__":
    main()
    newton_step()
