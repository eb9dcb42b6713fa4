"""escalade's solvers against pygambit's on the same Gambit example games, in the same run.

Run with `make bench` (which installs the optional `gambit` extra). Prints, per method, the total
time of each and the ratio (pygambit time / escalade time; above 1 means escalade is faster).
No thresholds: this measures, it does not judge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from escalade.game import read_efg
from escalade.solve import enumerate_pure, solve_qre

GAMES = Path(__file__).resolve().parents[1] / "tests" / "data" / "gambit_games"
NAMES = [
    "2_player_chance.efg",
    "cent4.efg",
    "e04.efg",
    "poker.efg",
    "sww1.efg",
    "montyhal.efg",
    "bcp2.efg",
    "palf2.efg",
    "stripped_down_poker.efg",
]


def timed(function: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    try:
        import pygambit as gbt
    except ImportError:
        gbt = None
        print("pygambit is not installed (pip install -e '.[gambit]'): timing escalade alone")
    paths = [GAMES / name for name in NAMES if (GAMES / name).exists()]
    methods = {
        "logit QRE at λ=1": (
            lambda path: solve_qre(read_efg(path), 1.0),
            lambda game: gbt.qre.logit_solve_lambda(game, lam=[1.0]),
        ),
        "logit QRE limit": (
            lambda path: solve_qre(read_efg(path)),
            lambda game: gbt.nash.logit_solve(game, use_strategic=False),
        ),
        "pure equilibria": (
            lambda path: enumerate_pure(read_efg(path)),
            lambda game: gbt.nash.enumpure_solve(game),
        ),
    }
    print(f"{len(paths)} games from {GAMES}")
    print(f"{'method':20} {'escalade s':>11} {'pygambit s':>11} {'ratio':>8}")
    for method, (ours, theirs) in methods.items():
        ours_total = theirs_total = 0.0
        for path in paths:
            try:
                ours_total += timed(lambda path=path, ours=ours: ours(path))
            except Exception as exc:  # a game a method refuses (e.g. too many pure profiles)
                print(f"  escalade skipped {path.name}: {exc}")
                continue
            if gbt is not None:
                game = gbt.read_efg(str(path))
                theirs_total += timed(lambda game=game, theirs=theirs: theirs(game))
        ratio = f"{theirs_total / ours_total:8.2f}" if gbt is not None else "     n/a"
        print(f"{method:20} {ours_total:11.3f} {theirs_total:11.3f} {ratio}")


if __name__ == "__main__":
    main()
