"""Deciding and making outputs: which files to keep, which to make, and writing them."""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from thoughtgen.errors import Problem, ThoughtgenError
from thoughtgen.incremental.manifest import (
    Entry,
    Manifest,
    marks_lost,
    read_manifest,
    write_manifest,
)
from thoughtgen.output.policy import check_collisions, check_output_dir
from thoughtgen.output.survey import Survey, look_at_output
from thoughtgen.output.tree import StagingTree, write_one
from thoughtgen.outputs import Planned
from thoughtgen.parallel import parallel_map

if TYPE_CHECKING:  # (imported by a build that makes pages; one that finds none does without)
    from thoughtgen.incremental.pageviews import PageViews, Rendered


@dataclass(frozen=True)
class WriteReport:
    written: int  # files whose bytes were written by this build
    kept: int  # files carried over unchanged from the previous build
    removed: int  # files of the previous build that this one no longer has
    kept_foreign: tuple[str, ...]
    warnings: tuple[str, ...] = ()


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
    manifest: Manifest | None = None,
    views: PageViews | None = None,
    survey: Survey | None = None,
) -> WriteReport:
    """Make ``output`` hold exactly ``planned``; readers see the old site or the new, never half.

    Outputs whose key matches the previous build are kept without being made; the rest are
    made (in ``jobs`` processes) and written only where their bytes changed. ``clean``
    remakes and rewrites everything. ``manifest`` is the output's manifest when the caller
    has read it already. ``views``: what pages read when they were last rendered; a page
    whose key changed but whose view did not keeps its file (``pageviews``). ``survey``: the
    output and its spare tree as they were found against ``manifest`` when the build began
    (``survey``), else they are looked at now.
    """
    check_output_dir(output, site_dir)
    check_collisions(planned)
    output = output.absolute()
    tree = StagingTree(output, clean)
    if tree.parked.exists():  # a swap was killed midway: what was surveyed may have moved
        survey = None
    if tree.recover() or manifest is None:  # (a recovered output has its own manifest)
        manifest = read_manifest(output) if output.is_dir() else Manifest({}, {})
    old = manifest.files
    if survey is None:
        live = look_at_output(output, manifest, clean)
        tree.stage_against(old)
    else:
        live = survey.live
        tree.stage_against(old, survey.spare, measured=True)
    foreign, marks = live.foreign, live.marks
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
    damaged = live.damaged
    usable = (
        {}
        if clean
        else {path: entry for path, entry in old.items() if entry.digest and path not in damaged}
    )
    entries: dict[str, Entry] = {}
    todo: list[Planned] = []
    for item in planned:
        entry = usable.get(item.path)
        if entry is not None and item.keyed and entry.key == item.key:
            entries[item.path] = entry
        elif entry is not None and views is not None and views.unchanged(item, entry.digest):
            entries[item.path] = replace(entry, key=item.key)  # the same bytes, made anew
        else:
            todo.append(item)
    if views is not None:
        views.expect(sum(1 for item in todo if item.page is not None))

    try:
        written = _produce(todo, usable, entries, tree, jobs, progress, views)
        removed = len(set(old) - set(entries))
        if not tree.started and not removed and set(entries) == set(old):
            if (
                entries != old
                or marks_lost(manifest.folders, marks)
                or inputs != manifest.inputs
                or manifest.foreign != tuple(foreign)
            ):
                write_manifest(output, entries, marks, inputs, tuple(foreign))
            _save(views, entries)
            return WriteReport(0, len(entries), 0, tuple(foreign))
        tree.complete(entries, foreign, inputs)
        warnings = tree.swap_in(foreign, replace(manifest, folders=marks))
        _save(views, entries)
    except OSError as exc:
        tree.abandon()
        raise write_failure(output, exc) from None
    except BaseException:
        tree.abandon()
        raise
    return WriteReport(written, len(entries) - written, removed, tuple(foreign), warnings)


def _save(views: PageViews | None, entries: dict[str, Entry]) -> None:
    if views is not None:
        views.save({path: entry.digest for path, entry in entries.items()})


def write_failure(output: Path, exc: OSError) -> ThoughtgenError:
    """One plain line for a failure to write: what happened, where, and what to do."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "free some disk space and build again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        advice = "make the output folder and the folder holding it writable, or use --output"
    else:
        advice = "fix that and build again"
    return ThoughtgenError.single(
        str(output),
        None,
        f"could not write the site: {exc.strerror or exc}{where}; the previous site is "
        f"still in place, unchanged; {advice}",
    )


def unchanged_output(
    output: Path, site_dir: Path, inputs: str, manifest: Manifest | None = None
) -> tuple[str, ...] | None:
    """The output's files when it was made from exactly these inputs and is intact, else None.

    Then there is nothing to plan, render or write; only files added by hand are looked
    for, and the manifest is rewritten only when those changed or a folder's mark no longer
    holds. ``manifest`` is the output's manifest when the caller has read it already.
    """
    check_output_dir(output, site_dir)
    if not output.is_dir():
        return None
    manifest = manifest or read_manifest(output)
    if not manifest.inputs or manifest.inputs != inputs:
        return None
    live = look_at_output(output.absolute(), manifest)
    if live.damaged:
        return None
    foreign, marks = live.foreign, live.marks
    if set(foreign) & set(manifest.files):
        return None
    if marks_lost(manifest.folders, marks) or manifest.foreign != tuple(foreign):
        write_manifest(output, manifest.files, marks, inputs, tuple(foreign))
    return tuple(manifest.files)


def _produce(
    todo: Sequence[Planned],
    usable: dict[str, Entry],
    entries: dict[str, Entry],
    tree: StagingTree,
    jobs: int,
    progress: Callable[[str, int, int], None] | None,
    views: PageViews | None = None,
) -> int:
    """Make every output in ``todo``; write those whose bytes changed; fill ``entries``.

    Cheap outputs (no key) are made first, here; the tree to write into is only started
    once something differs, so a build that changes nothing writes nothing. Pages are
    rendered and written by worker processes, straight into the tree, noting what each
    read where there are ``views`` to keep.
    """

    def unchanged(item: Planned, digest: str) -> Entry | None:
        old = usable.get(item.path)
        if old is not None and old.digest == digest:
            return Entry(item.key, digest, old.size, old.mtime_ns)
        return None

    written = 0
    for item in todo:
        if not item.keyed:
            out = item.produce()
            assert out.data is not None
            digest = _digest(out.data)
            same = unchanged(item, digest)
            if same is None:
                entries[item.path] = tree.write(item.path, item.key, digest, out.data)
                written += 1
            else:
                entries[item.path] = same
    keyed = [item for item in todo if item.keyed]
    if not keyed:
        return written
    root = tree.take_over_folder()
    shared = tree.reused_spare
    folders: set[str] = set()  # each worker process fills its own copy

    def make(index: int) -> tuple[int, Entry, bool, Rendered]:
        item = keyed[index]
        out, read = (item.produce(), None) if views is None else views.produce(item)
        if out.data is None:  # copied as is: its key already says it changed
            assert out.source is not None
            entry = write_one(root, item.path, item.key, "", out.source, shared, folders)
            return index, entry, True, read
        digest = _digest(out.data)
        same = unchanged(item, digest)
        if same is not None:
            return index, same, False, read
        entry = write_one(root, item.path, item.key, digest, out.data, shared, folders)
        return index, entry, True, read

    done = 0
    for _start, results in parallel_map(make, range(len(keyed)), jobs, chunk_size=32):
        for index, entry, wrote, read in results:
            entries[keyed[index].path] = entry
            if views is not None:
                views.note(keyed[index].path, read)
            if wrote:
                tree.written.add(keyed[index].path)
                written += 1
        done += len(results)
        if progress is not None:
            progress("Rendering", done, len(keyed))
    return written
