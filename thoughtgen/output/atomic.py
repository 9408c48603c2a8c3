"""Replacing one file in one step, keeping its permissions."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644


def write_file_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` so that a reader sees the old bytes or the new, never half.

    The file keeps the permissions it had (a new one gets rw-r--r--), where a plain
    temporary file would leave it readable by its owner alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
