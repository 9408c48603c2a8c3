"""Writing the built site: into a temporary sibling folder, then swapped into place.

The output folder belongs to thoughtgen, which marks it with a manifest of the files it
wrote (with each file's key, digest, size and mtime). Files it did not write (a CNAME
dropped in by hand, a ``.git`` worktree) are carried over to the new output and never
deleted. A file whose key or bytes are unchanged is hard-linked from the previous output
rather than written again, so its mtime stays; when nothing changed at all, nothing is
written.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from thoughtgen.errors import Problem, ThoughtgenError
from thoughtgen.manifest import (
    ALWAYS_KEPT,
    MANIFEST,
    Entry,
    Manifest,
    folder_marks,
    foreign_files,
    read_manifest,
    write_manifest,
)
from thoughtgen.outputs import OutputFile, Planned
from thoughtgen.parallel import parallel_map


@dataclass(frozen=True)
class WriteReport:
    written: int  # files whose bytes were written by this build
    kept: int  # files carried over unchanged from the previous build
    removed: int  # files of the previous build that this one no longer has
    kept_foreign: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def check_collisions(outputs: Sequence[Planned | OutputFile]) -> None:
    """Two outputs claiming one path is an error naming both."""
    seen: dict[str, Planned | OutputFile] = {}
    problems = []
    for out in outputs:
        parts = out.path.split("/")
        if not out.path or out.path.startswith("/") or ".." in parts or "" in parts:
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


def _intact(path: Path, entry: Entry) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def write_site(
    planned: Sequence[Planned],
    output: Path,
    site_dir: Path,
    *,
    clean: bool = False,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
    inputs: str = "",
) -> WriteReport:
    """Make ``output`` hold exactly ``planned``; readers see the old site or the new, never half.

    Outputs whose key matches the previous build are kept without being made; the rest are
    made (in ``jobs`` processes) and written only where their bytes changed. ``clean``
    remakes and rewrites everything.
    """
    check_output_dir(output, site_dir)
    check_collisions(planned)
    output = output.absolute()
    manifest = read_manifest(output) if output.is_dir() else Manifest({}, {})
    old = manifest.files
    foreign, marks = foreign_files(output, manifest)
    clashes = sorted(set(foreign) & {p.path for p in planned})
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
    usable = (
        {}
        if clean
        else {
            path: entry
            for path, entry in old.items()
            if entry.digest and _intact(output / path, entry)
        }
    )
    entries: dict[str, Entry] = {}
    todo: list[Planned] = []
    for item in planned:
        entry = usable.get(item.path)
        if entry is not None and item.key is not None and entry.key == item.key:
            entries[item.path] = entry
        else:
            todo.append(item)

    output.parent.mkdir(parents=True, exist_ok=True)
    tree = _Tree(output, clean)
    try:
        written = _produce(todo, usable, entries, tree, jobs, progress)
        removed = len(set(old) - set(entries))
        if not tree.started and not removed and set(entries) == set(old):
            if entries != old or marks != manifest.folders or inputs != manifest.inputs:
                write_manifest(output, entries, marks, inputs)
            return WriteReport(0, len(entries), 0, tuple(foreign))
        tree.complete(entries)
    except BaseException:
        tree.abandon()
        raise
    warnings = tree.swap_in(foreign)
    write_manifest(output, entries, folder_marks(output, entries, foreign), inputs)
    return WriteReport(written, len(entries) - written, removed, tuple(foreign), warnings)


def unchanged_output(output: Path, site_dir: Path, inputs: str) -> tuple[str, ...] | None:
    """The output's files when it was made from exactly these inputs and is intact, else None.

    Then there is nothing to plan, render or write; only files added by hand are looked
    for, so the folder marks stay current.
    """
    check_output_dir(output, site_dir)
    if not output.is_dir():
        return None
    manifest = read_manifest(output)
    if not manifest.inputs or manifest.inputs != inputs:
        return None
    output = output.absolute()
    if not all(_intact(output / path, entry) for path, entry in manifest.files.items()):
        return None
    foreign, marks = foreign_files(output, manifest)
    if set(foreign) & set(manifest.files):
        return None
    if marks != manifest.folders:
        write_manifest(output, manifest.files, marks, inputs)
    return tuple(manifest.files)


def _produce(
    todo: Sequence[Planned],
    usable: dict[str, Entry],
    entries: dict[str, Entry],
    tree: _Tree,
    jobs: int,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    """Make every output in ``todo``; write those whose bytes changed; fill ``entries``.

    Cheap outputs (no key) are made first, here; the tree to write into is only started
    once something differs, so a build that changes nothing writes nothing. Pages are
    rendered and written by worker processes, straight into the tree.
    """

    def unchanged(item: Planned, digest: str) -> Entry | None:
        old = usable.get(item.path)
        if old is not None and old.digest == digest:
            return Entry(item.key, digest, old.size, old.mtime_ns)
        return None

    written = 0
    for item in todo:
        if item.key is None:
            out = item.produce()
            assert out.data is not None
            digest = _digest(out.data)
            same = unchanged(item, digest)
            if same is None:
                entries[item.path] = tree.write(item.path, item.key, digest, out.data)
                written += 1
            else:
                entries[item.path] = same
    keyed = [item for item in todo if item.key is not None]
    if not keyed:
        return written
    root = tree.root()
    fresh = not tree.reused_spare

    def make(index: int) -> tuple[int, Entry, bool]:
        item = keyed[index]
        out = item.produce()
        if out.data is None:  # copied as is: its key already says it changed
            assert out.source is not None
            return index, _write_one(root, item.path, item.key, "", out.source, fresh), True
        digest = _digest(out.data)
        same = unchanged(item, digest)
        if same is not None:
            return index, same, False
        return index, _write_one(root, item.path, item.key, digest, out.data, fresh), True

    done = 0
    for _start, results in parallel_map(make, range(len(keyed)), jobs, chunk_size=32):
        for index, entry, wrote in results:
            entries[keyed[index].path] = entry
            if wrote:
                tree.written.add(keyed[index].path)
                written += 1
        done += len(results)
        if progress is not None:
            progress("Rendering", done, len(keyed))
    return written


class _Tree:
    """Where the next output is assembled before it is swapped in.

    The previous build is kept beside the output (``.<name>.previous``); the next build
    updates it in place (it is not served, and its files are replaced, never written
    through, because unchanged ones are hard links shared with the live output) and
    swaps it in. Where there is no usable previous tree, a fresh one is made.
    """

    def __init__(self, output: Path, clean: bool) -> None:
        self.output = output
        self.spare = output.with_name(f".{output.name}.previous")
        # Present only between a swap and the return of the files that are not ours.
        self.swapping = output.with_name(f".{output.name}.swapping")
        self.clean = clean
        self._root: Path | None = None
        self._spare_entries: dict[str, Entry] = {}
        self.reused_spare = False
        self.written: set[str] = set()

    @property
    def started(self) -> bool:
        return self._root is not None

    def root(self) -> Path:
        if self._root is None:
            spare_entries = read_manifest(self.spare).files if self.spare.is_dir() else {}
            if spare_entries and self.output.is_dir() and not self.clean:
                self._root, self._spare_entries, self.reused_spare = (
                    self.spare,
                    spare_entries,
                    True,
                )
                self._rescue_stranded()
            else:
                self._root = Path(
                    tempfile.mkdtemp(prefix=f".{self.output.name}.tmp-", dir=self.output.parent)
                )
        return self._root

    def _rescue_stranded(self) -> None:
        """Files in the spare tree that are not ours (a .git left by an interrupted build)."""
        for rel in foreign_files(self.spare, Manifest(self._spare_entries, {}))[0] + [
            n for n in ALWAYS_KEPT if os.path.lexists(self.spare / n)
        ]:
            target = self.output / rel
            if not os.path.lexists(target):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.spare / rel, target)

    def write(self, path: str, key: str | None, digest: str, data: bytes | Path) -> Entry:
        self.written.add(path)
        return _write_one(self.root(), path, key, digest, data, fresh=not self.reused_spare)

    def complete(self, entries: dict[str, Entry]) -> None:
        """Make the tree hold exactly ``entries``: what this build wrote, the rest linked."""
        root = self.root()
        for path in entries:
            if path in self.written:
                continue
            target = root / path
            if (
                self.reused_spare
                and self._spare_entries.get(path) == entries[path]
                and _intact(target, entries[path])
            ):
                continue  # the same file as the live one (a hard link), or identical to it
            _link(self.output / path, target, replace=self.reused_spare)
        stale = set(self._spare_entries) - set(entries)
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                (root / path).unlink()
        _prune_empty_dirs(root, stale)
        write_manifest(root, entries, {})

    def abandon(self) -> None:
        if self._root is not None and not self.reused_spare:
            shutil.rmtree(self._root, ignore_errors=True)
        # A spare left half-updated still has its old manifest: the next build
        # re-checks every file of it against that manifest before trusting it.

    def swap_in(self, foreign: list[str]) -> tuple[str, ...]:
        root = self.root()
        if not self.output.exists():
            root.rename(self.output)
            return ()
        self.swapping.touch()
        _swap(root, self.output)
        previous = root  # after the swap, this path holds the previous output
        kept = [*(name for name in ALWAYS_KEPT if os.path.lexists(previous / name)), *foreign]
        for rel in kept:
            target = self.output / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(previous / rel, target)
        self.swapping.unlink()
        if self.reused_spare:
            return ()
        if not self.spare.exists():
            previous.rename(self.spare)
            return ()
        return _remove_old(previous, set(read_manifest(previous).files))


def _prune_empty_dirs(root: Path, removed: set[str]) -> None:
    parents = {PurePosixPath(p).parent for p in removed}
    for parent in sorted(parents, key=lambda p: -len(p.parts)):
        current = parent
        while current.parts:
            try:
                (root / current).rmdir()
            except OSError:
                break
            current = current.parent


def _write_one(
    root: Path, path: str, key: str | None, digest: str, data: bytes | Path, fresh: bool = False
) -> Entry:
    """Write one file. In a tree that may share inodes with the live output (``fresh`` is
    false), the file goes in as a new inode, never written through."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    destination = target if fresh else target.with_name(f".{target.name}.tmp")
    if isinstance(data, Path):
        shutil.copy2(data, destination)
        stat = destination.stat()
        digest = f"file:{key}"
    else:
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            stat = os.fstat(fd)
        finally:
            os.close(fd)
    if not fresh:
        os.replace(destination, target)
    return Entry(key, digest, stat.st_size, stat.st_mtime_ns)


def _link(source: Path, target: Path, replace: bool = False) -> None:
    """The previous build's file, unchanged: a hard link keeps its bytes and its mtime."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp") if replace else target
    try:
        os.link(source, temp)
    except OSError:
        shutil.copy2(source, temp)
    if replace:
        os.replace(temp, target)
        if os.path.lexists(temp):  # both were links to one file: rename() did nothing
            os.unlink(temp)


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
