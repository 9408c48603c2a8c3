"""A look at the output folder and its spare tree, as a build needs it before writing.

Before writing, a build must know which files of the live output are still as their
manifest says (one changed by hand is made again), which files there thoughtgen did not
write (they are kept), and which files of the spare tree (``tree``: the previous output,
updated in place into the next) still hold the live output's bytes. That is a stat of
every file of both trees and a listing of the folders that changed: a good part of an edit
build, and none of it depends on the posts. So where a build may use another process
(``parallel.beside``), a forked one takes this look while the build reads and assembles
the site, and sends it back as JSON.

The look is taken when the build begins. What changes in the live output after that is
a change made during the build, as any change after the look always was: files added are
found by the folder marks taken then, when the new output is swapped in
(``StagingTree.swap_in``); files changed by hand, by the next build.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from thoughtgen.incremental.manifest import Entry, Manifest, foreign_files, read_manifest
from thoughtgen.output.atomic import TEMP_SUFFIX
from thoughtgen.parallel import Beside, beside


def intact(root: str, path: str, entry: Entry) -> bool:
    """True when ``path`` below ``root`` has the size and mtime the manifest remembers
    (plain strings: a build checks every file of the site this way)."""
    try:
        stat = os.stat(f"{root}/{path}")
    except OSError:
        return False
    return stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns


def spare_path(output: Path) -> Path:
    """Where the next output is staged, beside ``output`` (``tree``)."""
    return output.with_name(f".{output.name}.previous")


def parked_path(output: Path) -> Path:
    """Where a swap parks a tree for a moment; present only when a build was killed there."""
    return output.with_name(f".{output.name}.parked{TEMP_SUFFIX}")


@dataclass(frozen=True)
class Spare:
    """The spare tree measured against the live output's manifest."""

    differs: frozenset[str]  # live files the spare lacks or holds other bytes of
    missing: frozenset[str]  # live files the spare's manifest lacks (some of ``differs``)
    only: tuple[str, ...]  # files of the spare's manifest that the live one lacks
    foreign: tuple[str, ...] | None  # files not ours its manifest lists (None: unknown)
    strangers: tuple[str, ...] = ()  # files in it that no build put there: not to publish

    def same(self, path: str) -> bool:
        """Whether the spare holds ``path`` exactly as the live manifest remembers it."""
        return path not in self.differs

    def files(self, live: Iterable[str]) -> set[str]:
        """Every file of the spare's manifest, given the live manifest's files."""
        return {p for p in live if p not in self.missing} | set(self.only)


@dataclass(frozen=True)
class Live:
    """The live output measured against its own manifest."""

    damaged: frozenset[str]  # files of the manifest not as it remembers them (or gone)
    foreign: list[str]  # files in the output that thoughtgen did not write
    marks: dict[str, int]  # folder marks (``manifest.foreign_files``)


def look_at_output(output: Path, manifest: Manifest, clean: bool = False) -> Live:
    """``output`` (absolute) against ``manifest``, its own; a ``clean`` build, which keeps
    none of its files, needs only those not ours."""
    base = str(output)
    files = () if clean else manifest.files.items()
    damaged = frozenset(p for p, e in files if not intact(base, p, e))
    foreign, marks = foreign_files(output, manifest)
    return Live(damaged, foreign, marks)


def measure_spare(output: Path, files: dict[str, Entry]) -> Spare | None:
    """The spare tree beside ``output`` against ``files``, the live manifest's; None when
    there is no spare tree, or none whose manifest lists a file."""
    folder = spare_path(output)
    kept = read_manifest(folder) if folder.is_dir() else Manifest({}, {})
    if not kept.files:
        return None
    root, theirs = str(folder), kept.files
    differs = frozenset(p for p, e in files.items() if theirs.get(p) != e or not intact(root, p, e))
    missing = frozenset(p for p in files if p not in theirs)
    only = tuple(p for p in theirs if p not in files)
    strangers: tuple[str, ...] = ()
    if kept.foreign is not None:  # (else made by an older thoughtgen, which did not say)
        mirrored = set(kept.foreign)
        strangers = tuple(p for p in foreign_files(folder, kept)[0] if p not in mirrored)
    return Spare(differs, missing, only, kept.foreign, strangers)


@dataclass(frozen=True)
class Survey:
    """The live output and its spare tree, as a build found them when it began."""

    live: Live
    spare: Spare | None

    def encode(self) -> bytes:
        live, spare = self.live, self.spare
        return json.dumps(
            {
                "damaged": sorted(live.damaged),
                "foreign": live.foreign,
                "marks": live.marks,
                "spare": None
                if spare is None
                else {
                    "differs": sorted(spare.differs),
                    "missing": sorted(spare.missing),
                    "only": list(spare.only),
                    "foreign": None if spare.foreign is None else list(spare.foreign),
                    "strangers": list(spare.strangers),
                },
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Survey:
        raw = json.loads(data)
        spare = raw["spare"]
        return cls(
            Live(frozenset(raw["damaged"]), list(raw["foreign"]), dict(raw["marks"])),
            None
            if spare is None
            else Spare(
                frozenset(spare["differs"]),
                frozenset(spare["missing"]),
                tuple(spare["only"]),
                None if spare["foreign"] is None else tuple(spare["foreign"]),
                tuple(spare["strangers"]),
            ),
        )


def survey(output: Path, manifest: Manifest) -> Survey:
    """The whole look: ``output`` (absolute) and its spare tree against ``manifest``."""
    return Survey(look_at_output(output, manifest), measure_spare(output, manifest.files))


class Surveying:
    """A survey taken in a forked process while the build goes on, where one may be forked;
    ``result`` waits for it, ``close`` ends it however the build went."""

    def __init__(self, output: Path, manifest: Manifest | None, jobs: int) -> None:
        output = output.absolute()
        self._job: Beside | None = None
        if manifest is not None and manifest.files and not parked_path(output).exists():
            self._job = beside(lambda: survey(output, manifest).encode(), jobs)

    def result(self) -> Survey | None:
        """The survey, or None when none was taken or it failed (the build looks itself)."""
        job, self._job = self._job, None
        data = job.result() if job is not None else None
        try:
            return Survey.decode(data) if data is not None else None
        except (ValueError, KeyError, TypeError):
            return None

    def close(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def __enter__(self) -> Surveying:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
