"""Spreading CPU-bound work over the machine's cores.

Workers are forked, so they start with the parent's state (the Site model, the theme) and
nothing large is pickled across. Fork is used on Linux only: macOS has it, but forking a
process that has started threads (its system libraries do) can deadlock the child, which is
why Python defaults to spawn there. For the same reason a process that runs other threads
(``serve``'s server and watcher) is never forked: a lock one of them held at that moment
would stay held forever in the child. Elsewhere, with THOUGHTGEN_NO_FORK=1, or with too
little work to be worth a process, the work runs in this process instead: the same results,
in the same order, only slower on big sites.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_WORKER = 200

_TASK: Callable[[Any], Any] | None = None  # set in the parent just before forking


def tune_gc_for_batch() -> None:
    """Fewer, cheaper garbage collections for a one-shot batch job such as a build.

    Objects alive now (modules, the config) are frozen out of collection, and the young
    generation may grow larger before it is scanned: parsing allocates many short-lived
    objects, and collecting them as often as the default costs about a tenth of the time.
    Workers forked later inherit this, and frozen objects are not written to by the
    collector, so their memory pages stay shared.
    """
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 50, 1000)


def worker_count(requested: int | None = None) -> int:
    if requested is not None:
        return max(1, requested)
    env = os.environ.get("THOUGHTGEN_JOBS")
    if env and env.isdigit():
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def fork_available() -> bool:
    """Whether workers may be forked here: on Linux, unless THOUGHTGEN_NO_FORK is set."""
    if os.environ.get("THOUGHTGEN_NO_FORK", "") not in ("", "0"):
        return False
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(item) for item in chunk]


def parallel_map(
    task: Callable[[T], R], items: Sequence[T], jobs: int, chunk_size: int = 64
) -> Iterator[tuple[int, list[R]]]:
    """Yield (start index, results) chunk by chunk, in order; ``task`` runs in workers.

    ``task`` may be a closure: workers inherit it by fork rather than by pickling.
    """
    global _TASK
    jobs = min(jobs, max(1, len(items) // MIN_ITEMS_PER_WORKER))
    chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
    if (
        jobs <= 1
        or not fork_available()
        or threading.active_count() > 1
        or multiprocessing.current_process().daemon  # a pool's worker may not start its own
    ):
        for index, chunk in enumerate(chunks):
            yield index * chunk_size, [task(item) for item in chunk]
        return
    _TASK = task
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for index, results in enumerate(pool.imap(_run_chunk, chunks)):
                yield index * chunk_size, results
    finally:
        _TASK = None
