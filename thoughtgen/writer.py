"""Writing the built site: into a temporary sibling folder, then swapped into place.

The output folder belongs to thoughtgen, which marks it with a manifest of the
files it wrote. Files it did not write (a CNAME dropped in by hand, a ``.git``
worktree) are carried over to the new output and never deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from thoughtgen import __version__
from thoughtgen.errors import Problem, ThoughtgenError
from thoughtgen.outputs import OutputFile

MANIFEST = ".thoughtgen-manifest.json"
ALWAYS_KEPT = (".git",)


@dataclass(frozen=True)
class WriteReport:
    written: int
    kept_foreign: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def check_collisions(outputs: Sequence[OutputFile]) -> None:
    """Two outputs claiming one path is an error naming both."""
    seen: dict[str, OutputFile] = {}
    problems = []
    for out in outputs:
        parts = PurePosixPath(out.path).parts
        if out.path.startswith("/") or ".." in parts or not parts:
            raise ValueError(f"unsafe output path {out.path!r}")  # a bug, not user input
        first = seen.setdefault(out.path, out)
        if first is not out:
            problems.append(
                Problem(
                    out.origin or out.path,
                    None,
                    f"/{out.path} is produced by both {first.origin} and {out.origin}",
                )
            )
    if problems:
        raise ThoughtgenError(problems)


def check_output_dir(output: Path, site_dir: Path) -> None:
    """Refuse output folders where a build could destroy something that is not ours."""
    out = output.resolve()
    site = site_dir.resolve()
    shown = str(output)

    def refuse(message: str) -> None:
        raise ThoughtgenError.single(shown, None, f"refusing to build here: {message}")

    if out == site:
        refuse("it is the site folder itself; use an output folder such as public/")
    if site.is_relative_to(out):
        refuse("it contains the site's sources")
    for name in ("content", "themes"):
        if out.is_relative_to(site / name):
            refuse(f"it is inside the site's {name}/ folder")
    if out.exists() and not out.is_dir():
        refuse("it is a file, not a folder")
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        refuse(
            "the folder is not empty and was not created by thoughtgen; "
            "choose another --output or empty it yourself"
        )


def read_manifest(output: Path) -> set[str]:
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        return set(data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def foreign_files(output: Path) -> list[str]:
    """Files in ``output`` that thoughtgen did not write (``.git`` aside)."""
    if not output.is_dir():
        return []
    ours = read_manifest(output) | {MANIFEST}
    found = []
    for root, dirs, files in os.walk(output):
        rel_root = Path(root).relative_to(output)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in ALWAYS_KEPT]
        for name in files:
            rel = (rel_root / name).as_posix()
            if rel not in ours and not (rel_root == Path(".") and name in ALWAYS_KEPT):
                found.append(rel)
    return sorted(found)


def write_site(outputs: Sequence[OutputFile], output: Path, site_dir: Path) -> WriteReport:
    """Write ``outputs`` so that readers of ``output`` see the old site or the new, never half."""
    check_output_dir(output, site_dir)
    check_collisions(outputs)
    output = output.absolute()
    foreign = foreign_files(output)
    clashes = sorted(set(foreign) & {o.path for o in outputs})
    if clashes:
        raise ThoughtgenError(
            Problem(
                str(output / c),
                None,
                "exists and was not written by thoughtgen, but the "
                "build produces this file; move it to content/static/ or delete it",
            )
            for c in clashes
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.parent))
    try:
        _write_tree(outputs, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not output.exists():
        staging.rename(output)
        return WriteReport(len(outputs), ())
    old_manifest = read_manifest(output)
    _swap(staging, output)
    old = staging  # after the swap, the staging path holds the previous output
    kept = [*(name for name in ALWAYS_KEPT if os.path.lexists(old / name)), *foreign]
    for rel in kept:
        target = output / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old / rel, target)
    warnings = _remove_old(old, old_manifest)
    return WriteReport(len(outputs), tuple(foreign), warnings)


def _write_tree(outputs: Sequence[OutputFile], root: Path) -> None:
    made: set[Path] = set()
    for out in outputs:
        target = root / out.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if out.data is not None:
            target.write_bytes(out.data)
        elif out.source is not None:
            shutil.copy2(out.source, target)
    manifest = {"generator": f"thoughtgen {__version__}", "files": sorted(o.path for o in outputs)}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=0) + "\n", encoding="utf-8")


def _swap(a: Path, b: Path) -> None:
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


def _remove_old(old: Path, manifest: set[str]) -> tuple[str, ...]:
    """Delete the previous output: only files thoughtgen wrote, then the empty folders."""
    for rel in (*manifest, MANIFEST):
        path = old / rel
        if path.is_file() or path.is_symlink():
            path.unlink()
    for root, _dirs, _files in sorted(os.walk(old), key=lambda w: -len(w[0])):
        with contextlib.suppress(OSError):
            os.rmdir(root)
    if old.exists():
        return (f"{old}: left in place because it holds files thoughtgen did not write",)
    return ()
