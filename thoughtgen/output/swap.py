"""Exchanging two folders in one step, so a reader sees one whole tree or the other."""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path


def exchange_folders(a: Path, b: Path) -> None:
    """Exchange two folders: atomically where the OS can (Linux renameat2), else two renames."""
    if _rename_exchange(a, b):
        return
    parked = a.with_name(a.name + ".old")
    os.rename(b, parked)
    os.rename(a, b)
    os.rename(parked, a)


def _rename_exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))
