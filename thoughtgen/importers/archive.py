"""Opening what a platform gave the writer: a folder, a single file, or a ``.zip``.

A zip is unpacked into a temporary folder with the checks an archive from anywhere needs:
no member may land outside the folder (``../``, absolute names), links are not unpacked,
and sizes are bounded, so a hostile archive cannot write elsewhere or fill the disk.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers.model import Note

MAX_MEMBERS = 200_000
MAX_TOTAL_BYTES = 8 * 1024**3  # an export with years of images stays well below this
MAX_RATIO = 200  # unpacked ÷ packed size of one member; more is a zip bomb


@contextmanager
def opened(source: Path, notes: list[Note]) -> Iterator[Path]:
    """The folder (or, for a single export file, the file) to read ``source`` from."""
    if not source.exists():
        raise ThoughtgenError.single(str(source), None, "no such file or folder")
    if source.is_file() and zipfile.is_zipfile(source):
        with tempfile.TemporaryDirectory(prefix="thoughtgen-import-") as folder:
            root = Path(folder)
            _unpack(source, root, notes)
            yield root
        return
    yield source


def _unpack(source: Path, root: Path, notes: list[Note]) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ThoughtgenError.single(str(source), None, f"cannot open the zip: {exc}") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ThoughtgenError.single(
                str(source), None, f"holds more than {MAX_MEMBERS:,} files; unzip it yourself"
            )
        total = 0
        for member in members:
            name = member.filename
            target = _safe_target(name)
            if target is None:
                notes.append(Note(name, None, "a name that leads outside the archive; skipped"))
                continue
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                notes.append(Note(name, None, "a link inside the archive; skipped"))
                continue
            if member.is_dir():
                (root / target).mkdir(parents=True, exist_ok=True)
                continue
            total += member.file_size
            if total > MAX_TOTAL_BYTES or (
                member.compress_size
                and member.file_size / member.compress_size > MAX_RATIO
                and member.file_size > 1024**2
            ):
                raise ThoughtgenError.single(
                    str(source), None, f"{name} unpacks to an implausible size; unzip it yourself"
                )
            path = root / target
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(member) as data, open(path, "xb") as out:
                    _copy_bounded(data, out, member.file_size)
                _keep_time(path, member)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                notes.append(Note(name, None, f"cannot unpack it ({exc}); skipped"))
                path.unlink(missing_ok=True)


def _keep_time(path: Path, member: zipfile.ZipInfo) -> None:
    """The file keeps the time the archive gives it (some platforms date posts by it)."""
    try:
        stamp = time.mktime((*member.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return
    os.utime(path, (stamp, stamp))


def _copy_bounded(data: IO[bytes], out: IO[bytes], limit: int) -> None:
    """Copy at most ``limit`` bytes: a header that lies about the size cannot fill the disk."""
    written = 0
    while chunk := data.read(1024 * 1024):
        written += len(chunk)
        if written > limit:
            raise ValueError("the member is larger than the archive says")
        out.write(chunk)


def _safe_target(name: str) -> str | None:
    """``name`` as a relative path inside the unpack folder, or None when it would leave it."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or "\x00" in name:
        return None
    return os.path.join(*parts)


def single_folder(root: Path) -> Path:
    """An archive whose members all sit in one folder (a repository's zip) is that folder."""
    entries = [e for e in root.iterdir() if e.name not in ("__MACOSX", ".DS_Store")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return root
