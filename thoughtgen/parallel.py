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

import contextlib
import multiprocessing
import os
import signal
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


def may_fork(jobs: int) -> bool:
    """Whether work may go to forked processes now: more than one job asked for, fork
    available, no other thread running, and not inside a pool's worker (which may not
    start its own)."""
    return (
        jobs > 1
        and fork_available()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


class Beside:
    """One task run in a forked process while this one goes on (``beside``)."""

    def __init__(self, task: Callable[[], bytes]) -> None:
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: answer through the pipe, then leave at once
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(task())
                status = 0
            finally:
                os._exit(status)  # no atexit handlers, no flushing of the parent's buffers
        os.close(write_end)
        self._pipe: int | None = read_end

    def result(self) -> bytes | None:
        """The task's answer, waiting for it; None when the task failed."""
        if self._pipe is None:
            return None
        chunks = []
        try:
            while chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
        finally:
            self._close()
        _pid, status = os.waitpid(self._pid, 0)
        return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None

    def cancel(self) -> None:
        """Stop the task if it has not been waited for (the build ended another way)."""
        if self._pipe is None:
            return
        self._close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)

    def _close(self) -> None:
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


def beside(task: Callable[[], bytes], jobs: int) -> Beside | None:
    """``task`` started in a forked process, its bytes to be collected later; None where
    workers may not be forked (``may_fork``): then the caller does the work itself."""
    return Beside(task) if may_fork(jobs) else None


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
    if not may_fork(jobs):
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
