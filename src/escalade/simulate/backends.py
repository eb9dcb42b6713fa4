"""Where chunks of draws are solved: in this process, in a local process pool, or on Dask.

Every back-end returns the chunks' results in chunk order, so a run gives the same numbers whatever
the back-end, the number of workers or the chunk size (with one caveat: a QRE limit traced for a
batch of draws can differ in the last digits, within its 1e-7 tolerance, when the batch is cut
differently; local workers cut the draws into at least one chunk each).
"""

from __future__ import annotations

import atexit
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

Result = TypeVar("Result")
Progress = Callable[[int, int], None]  # (chunks done, chunks in all): before the first chunk and after each


def available_memory() -> int:
    """Bytes of memory this machine can give now (MemAvailable; all of it where that is unknown)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def require_memory(n_bytes: float, what: str, fix: str) -> None:
    """Refuse, before allocating, a job whose arrays would not fit in the memory available."""
    available = available_memory()
    if n_bytes > available:
        raise MemoryError(
            f"{what} would need about {n_bytes / 2**30:,.1f} GiB of memory; {available / 2**30:,.1f} GiB "
            f"is available — {fix}"
        )


def chunk_starts(n: int, chunk: int, workers: int = 1) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk of ``n`` draws: at most ``chunk`` draws each, and at least one
    chunk per worker where there are draws enough (an analysis's smaller jobs keep every worker busy)."""
    size = max(1, min(chunk, math.ceil(n / max(workers, 1))))
    return [(start, min(start + size, n)) for start in range(0, n, size)]


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool of ``workers`` processes for the life of this process: an analysis runs dozens of
    chunked jobs, and starting a pool for each cost more than some of the jobs."""
    pool = _POOLS.get(workers)
    if pool is None or getattr(pool, "_broken", False):
        pool = _POOLS[workers] = ProcessPoolExecutor(max_workers=workers, initializer=_one_thread)
    return pool


def _one_thread() -> None:
    """A worker process is one lane of the parallel run: its BLAS gets one thread. OpenBLAS's own threads
    spin while they wait, so two workers that each ran two on the 2-core machine fought for the cores: a
    piece of the four-actor draft's courses took over ten minutes beside another instead of 14 s."""
    threadpool_limits(1)


@atexit.register
def _close_pools() -> None:
    for pool in _POOLS.values():
        pool.shutdown(cancel_futures=True)
    _POOLS.clear()


def run_chunks(
    function: Callable[..., Result],
    tasks: Iterable[tuple[Any, ...]],
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    ahead: int | None = None,
) -> Iterator[Result]:
    """``function(*task)`` for each task, possibly in parallel, yielded in task order as each is ready (a
    caller that keeps only what it needs of each never holds every result at once). With ``ahead``, at most
    that many tasks are sent before the oldest one's result is taken: ``tasks`` may then be a generator
    that makes each task when it is needed, and the workers never wait for a batch's slowest task.
    ``progress`` needs ``tasks`` with a length (it is told the total)."""
    total = len(tasks) if isinstance(tasks, Sized) else 0
    if progress:
        progress(0, total)  # the total, before the first chunk takes its time
    if scheduler is not None:
        from distributed import Client  # imported here: only Dask runs need it

        with Client(scheduler) as client:
            results = _in_flight(lambda task: client.submit(function, *task, pure=False), tasks, ahead)
            yield from _counted(results, total, progress)
        return
    if workers > 1 and not (isinstance(tasks, Sized) and len(tasks) <= 1):
        pool = _pool(workers)
        results = _in_flight(lambda task: pool.submit(function, *task), tasks, ahead)
    else:
        results = (function(*task) for task in tasks)
    yield from _counted(results, total, progress)


def _in_flight(
    submit: Callable[[tuple[Any, ...]], Any], tasks: Iterable[tuple[Any, ...]], ahead: int | None
) -> Iterator:
    """Each task's result in order, from futures ``submit`` makes: all at once, or ``ahead`` at a time."""
    pending: deque = deque()
    for task in tasks:
        pending.append(submit(task))
        if ahead is not None and len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _counted(results: Iterable[Result], total: int, progress: Progress | None) -> Iterator[Result]:
    for done, result in enumerate(results, start=1):
        if progress:
            progress(done, total)
        yield result
