"""One build per output folder at a time.

The lock is an advisory ``flock`` on ``.<name>.lock`` beside the output folder: the kernel
drops it when its holder exits, however it exits, so a killed build never leaves a stale
lock behind. The holder writes who it is into the file, so a second build that gives up
waiting can say who holds it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from thoughtgen.errors import ThoughtgenError

WAIT_SECONDS = 10.0
WAIT_VARIABLE = "THOUGHTGEN_LOCK_WAIT"  # seconds to wait for another build, if set
POLL_SECONDS = 0.05


def lock_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.lock")


@contextmanager
def output_lock(
    output: Path, wait: float | None = None, shown: str | None = None
) -> Iterator[None]:
    """Hold the output folder's lock; wait up to ``wait`` seconds, then say who holds it."""
    import fcntl  # POSIX only; the CLI stops at once elsewhere

    if wait is None:
        try:
            wait = float(os.environ.get(WAIT_VARIABLE, WAIT_SECONDS))
        except ValueError:
            wait = WAIT_SECONDS
    path = lock_path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise ThoughtgenError.single(
            shown or str(output),
            None,
            f"cannot create the lock file {path.name} beside it ({exc.strerror}); "
            "make its parent folder writable",
        ) from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ThoughtgenError.single(
                        shown or str(output),
                        None,
                        f"another thoughtgen is building here ({_holder(fd)}); "
                        "wait for it to finish, or stop it, then build again",
                    ) from None
                time.sleep(POLL_SECONDS)
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {stamp}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "a process that has not said who it is yet"
