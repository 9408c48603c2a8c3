"""Replacing one file in one step, keeping its permissions; the names and modes of new files."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

# Every temporary file or folder thoughtgen makes ends so: never published, removed on sight.
TEMP_SUFFIX = ".thoughtgen-tmp"


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """What ``open()`` gives a new file under the user's umask (rw-r--r-- for 022)."""
    return 0o666 & ~current_umask()


def new_folder_mode() -> int:
    """What ``mkdir`` gives a new folder under the user's umask (rwxr-xr-x for 022)."""
    return 0o777 & ~current_umask()


def write_file_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` so that a reader sees the old bytes or the new, never half.

    The file keeps the permissions it had (a new one gets what ``open()`` would give),
    where a plain temporary file would leave it readable by its owner alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = new_file_mode()
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_new_file(path: Path, data: bytes) -> bool:
    """Create ``path`` whole (never half-written) and never over a file that is there.

    False when something appeared at ``path`` meanwhile: it is left as it is.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(handle, new_file_mode())
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        try:
            os.link(temp, path)  # fails when the name exists: no overwrite, even in a race
        except FileExistsError:
            return False
        return True
    finally:
        Path(temp).unlink(missing_ok=True)
