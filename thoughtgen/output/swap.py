"""Exchanging two folders in one step, so a reader sees one whole tree or the other.

Linux has ``renameat2(RENAME_EXCHANGE)`` and macOS ``renamex_np(RENAME_SWAP)``; both swap
two names atomically. Elsewhere (or on a file system that refuses them) the swap is three
renames through a parked name, and for the moment between the first two the output folder
is absent; a build killed in that moment is put right by the next one.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

# Set to 1 to use the three-rename swap even where an atomic exchange exists (tests do).
FORCE_RENAMES = "THOUGHTGEN_SWAP_BY_RENAMES"


def exchange_folders(a: Path, b: Path, parked: Path) -> None:
    """Exchange folders ``a`` and ``b``; ``parked`` is a free name beside them."""
    if os.environ.get(FORCE_RENAMES) != "1" and _atomic_exchange(a, b):
        return
    os.rename(b, parked)
    os.rename(a, b)
    os.rename(parked, a)


def _atomic_exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux"):
        function = getattr(libc, "renameat2", None)
        if function is None:
            return False
        at_fdcwd, rename_exchange = -100, 2
        result = function(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    elif sys.platform == "darwin":
        function = getattr(libc, "renamex_np", None)
        if function is None:
            return False
        rename_swap = 0x2
        result = function(os.fsencode(a), os.fsencode(b), rename_swap)
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))
