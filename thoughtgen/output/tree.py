"""The staging tree: where the next output is assembled before it is swapped in.

The next output is always staged at ``.<name>.previous`` beside the output folder. After
a swap that path holds the previous output, which the next build updates in place: it is
not served, and its files are replaced, never written through, because unchanged ones are
hard links shared with the live output. So at every instant the live folder is one whole
build, and each of the two trees holds every file thoughtgen did not write (``CNAME``,
``.git``): those are hard-linked into the staging tree before the swap, never moved.

Every temporary name ends in ``TEMP_SUFFIX``; a build killed at any point leaves nothing
that the next one publishes or keeps.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from thoughtgen.incremental.manifest import (
    ALWAYS_KEPT,
    MANIFEST,
    Entry,
    Manifest,
    folder_marks,
    foreign_files,
    is_temporary,
    read_manifest,
    write_manifest,
)
from thoughtgen.output.atomic import TEMP_SUFFIX, new_folder_mode
from thoughtgen.output.survey import Spare, measure_spare, parked_path, spare_path
from thoughtgen.output.swap import exchange_folders

# Present in the staging tree while a build changes it; removed just before the swap.
DIRTY = f".thoughtgen-staging{TEMP_SUFFIX}"


class StagingTree:
    """Where the next output is assembled before it is swapped in (see the module doc)."""

    def __init__(self, output: Path, clean: bool) -> None:
        self.output = output
        self.spare = spare_path(output)
        self.parked = parked_path(output)
        self.clean = clean
        self._root: Path | None = None
        self._live: dict[str, Entry] = {}
        self._measured: Spare | None = None  # the spare tree against the live manifest
        self._is_measured = False
        self.reused_spare = False
        self.written: set[str] = set()
        self.warnings: list[str] = []

    @property
    def started(self) -> bool:
        return self._root is not None

    # -- before a build ---------------------------------------------------------------------
    def recover(self) -> bool:
        """Put right what a build killed at any point left beside the output; True when
        that put a tree back in the output's place."""
        parent = self.output.parent
        restored = False
        if self.parked.exists():  # killed inside a two-rename swap
            if not self.output.exists():
                os.rename(self.parked, self.output)
                restored = True
            elif not self.spare.exists():
                os.rename(self.parked, self.spare)
            else:
                self._discard(self.parked)
        if not parent.is_dir():
            return restored
        name = self.output.name
        for entry in os.scandir(parent):
            # Left by earlier versions of thoughtgen: temporary trees and the swap marker.
            if entry.name.startswith(f".{name}.tmp-") and entry.is_dir(follow_symlinks=False):
                self._discard(Path(entry.path), legacy=True)
            elif entry.name == f".{name}.swapping":
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        return restored

    # -- staging ----------------------------------------------------------------------------
    def stage_against(
        self, live: dict[str, Entry], spare: Spare | None = None, *, measured: bool = False
    ) -> None:
        """Stage against ``live``, the live output's manifest files. When ``measured``,
        ``spare`` is the spare tree measured against them already (``survey``); else it is
        measured when the tree is first needed."""
        self._live = live
        self._measured, self._is_measured = spare, measured

    def _spare_files(self) -> set[str]:
        spare = self._measured
        return spare.files(self._live) if spare is not None and self.reused_spare else set()

    def take_over_folder(self) -> Path:
        """Claim the folder the next output is staged in: the previous output when it can be
        updated in place, else a new, empty folder at the same place."""
        if self._root is not None:
            return self._root
        if not self._is_measured:
            self._measured, self._is_measured = measure_spare(self.output, self._live), True
        spare = self._measured
        if spare is not None and spare.strangers:
            spare = self._measured = replace(spare, strangers=self._left_by_killed(spare))
        if spare is not None and not spare.strangers and self.output.is_dir() and not self.clean:
            self.reused_spare = True
            if (self.spare / DIRTY).exists():  # a build was killed while it changed the tree
                _remove_temporaries(self.spare)
        else:  # (a tree holding files no build put there is never published: set aside)
            if os.path.lexists(self.spare):
                self._discard(self.spare)
            if os.path.lexists(self.spare):  # it held files of someone else's: set aside
                kept = self.spare.with_name(f"{self.spare.name}.kept-{os.getpid()}")
                os.rename(self.spare, kept)
                self.warnings.append(
                    f"{kept}: set aside because it holds files thoughtgen did not write"
                )
            os.mkdir(self.spare, new_folder_mode())
        self._root = self.spare
        marker = self._root / DIRTY
        if not marker.exists():  # when the tree began to change, by the filesystem's clock
            marker.touch()
            marker.write_text(str(marker.stat().st_mtime_ns))
        return self._root

    def _left_by_killed(self, spare: Spare) -> tuple[str, ...]:
        """Remove the files of the spare not in its manifest that a build killed while it
        changed the tree wrote (made since it began); the strangers left, not ours."""
        began = _staging_began(self.spare)
        if began is None:
            return spare.strangers
        left = []
        for rel in spare.strangers:
            path = self.spare / rel
            if _made_since(path, began):
                with contextlib.suppress(OSError):
                    path.unlink()
            elif os.path.lexists(path):  # (else gone already)
                left.append(rel)
        _prune_empty_dirs(self.spare, set(spare.strangers) - set(left))
        return tuple(left)

    def write(self, path: str, key: str | None, digest: str, data: bytes | Path) -> Entry:
        self.written.add(path)
        return write_one(self.take_over_folder(), path, key, digest, data, self.reused_spare)

    def complete(self, entries: dict[str, Entry], foreign: list[str], inputs: str) -> None:
        """Make the tree hold exactly ``entries`` plus the files that are not ours."""
        root = self.take_over_folder()
        if not self.reused_spare:  # a new, empty tree: every file kept is linked in anew
            _link_all(str(self.output), str(root), [p for p in entries if p not in self.written])
        else:
            spare, live = self._measured, self._live
            assert spare is not None
            for path, entry in entries.items():
                if path in self.written:
                    continue
                if live.get(path) == entry and spare.same(path):
                    continue  # the same file as the live one (a hard link), or identical to it
                _link(self.output / path, root / path, replace=True)
        stale = self._spare_files() - set(entries)
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                (root / path).unlink()
        _prune_empty_dirs(root, stale)
        self._mirror_foreign(root, foreign)
        marks = folder_marks(root, entries, foreign, root / DIRTY)
        write_manifest(root, entries, marks, inputs, tuple(foreign))
        (root / DIRTY).unlink()

    def _mirror_foreign(self, root: Path, foreign: list[str]) -> None:
        """Hard-link every file that is not ours from the live output into the tree."""
        if self.reused_spare:
            assert self._measured is not None
            had = self._measured.foreign
            if had is None:  # made by an older thoughtgen: find them
                had = tuple(_files_not_ours(root, self._spare_files()))
            gone = set(had) - set(foreign)
            for rel in gone:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    (root / rel).unlink()
            _prune_empty_dirs(root, gone)
        for rel in foreign:
            _link(self.output / rel, root / rel, replace=True)
        for name in ALWAYS_KEPT:
            _mirror(self.output / name, root / name)

    def abandon(self) -> None:
        """After a failure: free what this build wrote; the live output is untouched."""
        root = self._root
        if root is None:
            return
        if not self.reused_spare:
            shutil.rmtree(root, ignore_errors=True)
            return
        # Files written by this build are the only ones not shared with the live output.
        for path in (*self.written, *self._spare_files()):
            target = root / path
            with contextlib.suppress(OSError):
                if target.stat().st_nlink == 1:
                    target.unlink()
        _remove_temporaries(root)
        with contextlib.suppress(OSError):
            (root / DIRTY).unlink()

    # -- the swap ---------------------------------------------------------------------------
    def swap_in(self, foreign: list[str], live: Manifest) -> tuple[str, ...]:
        """Make the staged tree live in one step; the previous output becomes the spare.

        ``live`` is the manifest of the output being replaced, as its own manifest file
        says, with the folder marks taken when this build began. That file goes with it
        into the previous tree and is rewritten only when the files not ours have changed:
        the next build reads the files and those of it (its folder marks, made by the
        folders' mtimes, hold for that tree as they did before)."""
        root = self.take_over_folder()
        if not self.output.exists():
            os.rename(root, self.output)
            return tuple(self.warnings)
        exchange_folders(root, self.output, self.parked)
        # From here on the new site is live; what follows only tidies, and cannot fail it.
        try:
            self._reconcile(root, live, foreign)
            if live.foreign != tuple(foreign) or not (root / MANIFEST).is_file():
                write_manifest(root, live.files, {}, live.inputs, tuple(foreign))
        except OSError as exc:
            self.warnings.append(f"{root}: could not tidy the previous output ({exc.strerror})")
        return tuple(self.warnings)

    def _reconcile(self, old: Path, manifest: Manifest, foreign: list[str]) -> None:
        """Files not ours that changed in the live folder while this build ran: the newer
        copy (now in the previous tree) goes live. New files can only be in folders whose
        mtime moved since the build began, so only those are listed."""
        known = set(foreign)
        added, _marks = foreign_files(old, manifest)
        kept: list[str] = []
        for name in ALWAYS_KEPT:  # mirrored by linking, so any of their files may be newer
            path = old / name
            if path.is_dir() and not path.is_symlink():
                kept.extend(_all_files(path, f"{name}/"))
            elif os.path.lexists(path):
                kept.append(name)
        for rel in sorted({*known, *added, *kept}):
            if rel in known or rel.split("/", 1)[0] in ALWAYS_KEPT:
                if _newer_than_live(old / rel, self.output / rel):
                    _move(old / rel, self.output / rel)
            elif not os.path.lexists(self.output / rel):  # made during the build
                _move(old / rel, self.output / rel)

    def _discard(self, tree: Path, *, legacy: bool = False) -> None:
        """Remove a tree thoughtgen staged or replaced: its own files, its temporary files and
        its copies of files that are also in the live output. Anything else stays.

        A tree without a manifest was never finished, or lost it: of its files, those the
        unfinished build wrote are its own too (made since its staging marker says it began;
        all of a temporary tree of an earlier thoughtgen, ``legacy``). Anything else in it
        is nobody's known file and stays.
        """
        manifest = read_manifest(tree)
        ours = set(manifest.files) | set(manifest.foreign or ())
        finished = (tree / MANIFEST).exists()
        began = None if finished or legacy else _staging_began(tree)
        for rel in _all_files(tree):
            path = tree / rel
            if rel == MANIFEST:
                continue
            top = rel.split("/", 1)[0]
            if (
                rel in ours
                or is_temporary(PurePosixPath(rel).name)
                or os.path.lexists(self.output / rel)
                or top in ALWAYS_KEPT  # a mirror of the live one, made by linking
                or (legacy and not finished)
                or (began is not None and _made_since(path, began))
            ):
                with contextlib.suppress(OSError):
                    path.unlink()
        with contextlib.suppress(OSError):
            (tree / MANIFEST).unlink()
        for folder, _dirs, _files in sorted(os.walk(tree), key=lambda w: -len(w[0])):
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _staging_began(tree: Path) -> int | None:
    """When a build began to change ``tree``, by the filesystem's clock, as its staging
    marker says; None when there is no marker (the tree was finished)."""
    marker = tree / DIRTY
    try:
        text = marker.read_text()
        return int(text) if text.isdigit() else marker.stat().st_mtime_ns
    except OSError:
        return None


def _made_since(path: Path, began: int) -> bool:
    try:
        return path.lstat().st_mtime_ns >= began
    except OSError:
        return False


def _newer_than_live(old: Path, live: Path) -> bool:
    try:
        before = old.lstat()
    except OSError:
        return False
    try:
        now = live.lstat()
    except OSError:
        return True
    return (before.st_ino, before.st_dev) != (now.st_ino, now.st_dev) and (
        before.st_mtime_ns > now.st_mtime_ns
    )


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _all_files(root: Path, prefix: str = "") -> Iterable[str]:
    """Every non-folder entry below ``root`` (links not followed), as relative paths."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        rel = f"{prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            yield from _all_files(Path(entry.path), f"{rel}/")
        else:
            yield rel


def _files_not_ours(root: Path, ours: Iterable[str]) -> Iterable[str]:
    """Files below ``root`` thoughtgen did not write, temporaries and ``.git`` aside."""
    known = set(ours) | {MANIFEST}
    for rel in _all_files(root):
        if rel in known or is_temporary(PurePosixPath(rel).name):
            continue
        if rel.split("/", 1)[0] not in ALWAYS_KEPT:
            yield rel


def _remove_temporaries(root: Path) -> None:
    for rel in list(_all_files(root)):
        if is_temporary(PurePosixPath(rel).name):
            with contextlib.suppress(OSError):
                (root / rel).unlink()


def _mirror(source: Path, target: Path) -> None:
    """Make ``target`` a tree of hard links to ``source`` (a ``.git`` folder)."""
    if not source.is_dir() or source.is_symlink():
        if os.path.lexists(target) and not os.path.lexists(source):
            _remove_tree(target)
        elif os.path.lexists(source):
            _link(source, target, replace=True)
        return
    if os.path.lexists(target) and not target.is_dir():
        target.unlink()
    wanted = set(_all_files(source))
    for rel in wanted:
        _link(source / rel, target / rel, replace=True)
    for rel in set(_all_files(target)) - wanted:
        with contextlib.suppress(OSError):
            (target / rel).unlink()
    _prune_empty_dirs(target, set())


def _remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


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


def write_one(
    root: Path,
    path: str,
    key: str | None,
    digest: str,
    data: bytes | Path,
    shared: bool,
    folders: set[str] | None = None,
) -> Entry:
    """Write one file. In a tree that may share inodes with the live output (``shared``),
    the file goes in as a new inode under a temporary name, never written through.

    ``folders`` holds the folders of ``root`` this process has made already, so each is
    made once rather than once per file in it.
    """
    target = root / path
    folder = path.rpartition("/")[0]
    if folders is None or folder not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(folder)
    destination = target.with_name(f".{target.name}{TEMP_SUFFIX}") if shared else target
    if isinstance(data, Path):
        shutil.copyfile(data, destination)
        source_stat = data.stat()
        os.utime(destination, ns=(source_stat.st_atime_ns, source_stat.st_mtime_ns))
        stat = destination.stat()
        digest = f"file:{key}"
    else:
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            stat = os.fstat(fd)
        finally:
            os.close(fd)
    if shared:
        os.replace(destination, target)
    return Entry(key, digest, stat.st_size, stat.st_mtime_ns)


def _link_all(source: str, target: str, paths: list[str]) -> None:
    """Hard-link each of ``paths`` below ``source`` into the same place below the empty
    tree ``target`` (plain strings, each folder made once: a whole site's worth)."""
    made: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        if folder and folder not in made:
            os.makedirs(f"{target}/{folder}", exist_ok=True)
            made.add(folder)
        try:
            os.link(f"{source}/{path}", f"{target}/{path}", follow_symlinks=False)
        except OSError:  # where hard links are refused, or a file in the way
            _link(Path(source, path), Path(target, path))


def _link(source: Path, target: Path, replace: bool = False) -> None:
    """The same file in another tree: a hard link keeps its bytes and its mtime."""
    if replace:
        with contextlib.suppress(OSError):
            before, now = source.lstat(), target.lstat()
            if (before.st_ino, before.st_dev) == (now.st_ino, now.st_dev):
                return  # already the same file
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}{TEMP_SUFFIX}") if replace else target
    with contextlib.suppress(FileNotFoundError):
        if replace:
            os.unlink(temp)
    try:
        os.link(source, temp, follow_symlinks=False)
    except OSError:
        if source.is_symlink():
            os.symlink(os.readlink(source), temp)
        else:
            shutil.copy2(source, temp, follow_symlinks=False)  # where hard links are refused
    if replace:
        if os.path.isdir(target) and not os.path.islink(target):
            _remove_tree(target)
        os.replace(temp, target)
        if os.path.lexists(temp):  # both were links to one file: rename() did nothing
            os.unlink(temp)
