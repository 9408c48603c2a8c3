"""The output folder's manifest: what thoughtgen wrote there, and what it did not.

``.thoughtgen-manifest.json`` lists every file a build wrote (with its key, digest, size
and mtime) and the mtime of each folder that held nothing else. A folder whose mtime is
unchanged has gained or lost no entries since, so finding the files thoughtgen did not
write (which must be kept) needs a look inside only the folders that changed.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from thoughtgen import __version__
from thoughtgen.output.atomic import TEMP_SUFFIX, write_file_atomically

MANIFEST = ".thoughtgen-manifest.json"
ALWAYS_KEPT = (".git",)
RACY_NS = 2_000_000_000  # a folder changed this recently may change again unseen
PROBE_MARGIN_NS = 100_000_000  # the same, measured by the filesystem's clock (folder_marks)


@dataclass(frozen=True)
class Entry:
    """What the manifest remembers of one file thoughtgen wrote."""

    key: str | None
    digest: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Manifest:
    files: dict[str, Entry]
    folders: dict[str, int]  # folder → mtime_ns, for folders holding only our files
    inputs: str = ""  # the stamp of the files they were made from (``stamp.stamp``)
    foreign: tuple[str, ...] | None = None  # files not ours known to be in it (None: unknown)


def read_manifest(output: Path) -> Manifest:
    """The manifest in ``output`` (empty when there is none or it cannot be read)."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest({}, {})
    folders = data.get("folders", {}) if isinstance(data.get("folders"), dict) else {}
    inputs = data.get("inputs", "") if isinstance(data.get("inputs"), str) else ""
    foreign = data.get("foreign")
    kept = tuple(str(f) for f in foreign) if isinstance(foreign, list) else None
    if isinstance(files, list):  # the first manifest format: names only
        return Manifest({str(name): Entry(None, "", -1, -1) for name in files}, {})
    try:
        files = {str(name): Entry(*row) for name, row in files.items()}
        return Manifest(files, folders, inputs, kept)
    except TypeError:
        return Manifest({str(name): Entry(None, "", -1, -1) for name in files}, {})


def manifest_bytes(
    files: dict[str, Entry],
    folders: dict[str, int],
    inputs: str = "",
    foreign: tuple[str, ...] | None = None,
) -> bytes:
    data: dict[str, object] = {
        "generator": f"thoughtgen {__version__}",
        "inputs": inputs,
        "files": {p: [e.key, e.digest, e.size, e.mtime_ns] for p, e in sorted(files.items())},
        "folders": dict(sorted(folders.items())),
    }
    if foreign is not None:
        data["foreign"] = sorted(foreign)
    return (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8")


def write_manifest(
    root: Path,
    files: dict[str, Entry],
    folders: dict[str, int],
    inputs: str = "",
    foreign: tuple[str, ...] | None = None,
) -> None:
    """Replace the manifest in one step (it may be in the live output)."""
    write_file_atomically(root / MANIFEST, manifest_bytes(files, folders, inputs, foreign))


def marks_lost(old: dict[str, int], now: dict[str, int]) -> bool:
    """Whether a folder marked in ``old`` is not marked the same in ``now``.

    Folders newly marked are no reason to rewrite a manifest: a build that changes nothing
    writes nothing, and an unmarked folder is only listed again next time (the few a build
    wrote last, say)."""
    return any(now.get(folder) != mtime for folder, mtime in old.items())


def is_temporary(name: str) -> bool:
    return name.endswith(TEMP_SUFFIX)


def foreign_files(
    output: Path, manifest: Manifest | None = None
) -> tuple[list[str], dict[str, int]]:
    """Files in ``output`` that thoughtgen did not write (``.git`` aside), and folder marks.

    A folder is marked (with its mtime) when it and every folder below it hold only
    thoughtgen's files and were last changed more than a moment ago; a marked folder
    whose mtime has not moved needs no listing next time, only its subfolders a stat.
    """
    if not output.is_dir():
        return [], {}
    manifest = manifest or read_manifest(output)
    known = set(manifest.files) | {MANIFEST}
    children: dict[str, list[str]] = {}
    for folder in manifest.folders:
        children.setdefault(folder.rpartition("/")[0], []).append(folder)
    found: list[str] = []
    marks: dict[str, int] = {}
    settled = time.time_ns() - RACY_NS
    base = str(output)

    def visit(rel: str, path: str, mtime_ns: int) -> bool:
        """Look at one folder; True when it ends up marked."""
        if rel and manifest.folders.get(rel) == mtime_ns:
            clean = True  # its entries are as they were: only its subfolders may differ
            for child in children.get(rel, ()):
                child_path = f"{base}/{child}"
                try:
                    child_mtime = os.stat(child_path).st_mtime_ns
                except OSError:
                    clean = False
                    continue
                clean = visit(child, child_path, child_mtime) and clean
        else:
            before = len(found)
            clean = True
            with os.scandir(path) as entries:
                for entry in entries:
                    name = f"{rel}/{entry.name}" if rel else entry.name
                    if (not rel and entry.name in ALWAYS_KEPT) or is_temporary(entry.name):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        clean = visit(name, entry.path, stat.st_mtime_ns) and clean
                    elif name not in known:
                        found.append(name)
            clean = clean and len(found) == before and mtime_ns < settled
        if rel and clean:
            marks[rel] = mtime_ns
        return clean

    visit("", str(output), 0)
    return sorted(found), marks


def folder_marks(
    root: Path, files: dict[str, Entry], foreign: list[str], probe: Path
) -> dict[str, int]:
    """Marks for a tree just assembled and not yet seen by anyone else (no listing needed).

    ``probe`` is a file of ours in the tree, touched once the folders are read: its mtime is
    the filesystem's own clock at that moment, so any later change to a folder gives the
    folder a newer mtime, however coarse the filesystem's timestamps and whatever the clock
    of a file server. A folder is marked when its mtime is older than the probe's by more
    than a margin for a clock set back a little. When the probe cannot be touched, the racy
    window is measured from this machine's clock instead.
    """
    folders: set[str] = set()
    for path in (*files, *foreign):
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    mtimes: dict[str, int | None] = {}
    base = str(root)  # (plain strings: a folder for each post)
    for folder in folders:
        try:
            mtimes[folder] = os.stat(f"{base}/{folder}").st_mtime_ns
        except OSError:
            mtimes[folder] = None
    settled = _settled(probe)
    unclean = {f.rpartition("/")[0] for f in foreign}
    marks: dict[str, int] = {}
    for folder in sorted(folders, key=lambda f: -f.count("/")):  # deepest first
        if folder in unclean:
            unclean.add(folder.rpartition("/")[0])
            continue
        mtime = mtimes[folder]
        if mtime is None or mtime >= settled:
            unclean.add(folder.rpartition("/")[0])
            continue
        marks[folder] = mtime
    return marks


def _settled(probe: Path) -> int:
    """The mtime below which a folder of a tree no one else has seen yet is settled."""
    try:
        os.utime(probe)  # now, by the filesystem's clock
        return os.stat(probe).st_mtime_ns - PROBE_MARGIN_NS
    except OSError:
        return time.time_ns() - RACY_NS
