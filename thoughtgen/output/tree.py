"""The staging tree: where the next output is assembled before it is swapped in."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from thoughtgen.incremental.manifest import (
    ALWAYS_KEPT,
    MANIFEST,
    Entry,
    Manifest,
    foreign_files,
    read_manifest,
    write_manifest,
)
from thoughtgen.output.swap import exchange_folders


def _intact(path: Path, entry: Entry) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns


class StagingTree:
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
        exchange_folders(root, self.output)
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
