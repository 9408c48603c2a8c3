"""The build cache: parsed sources and their HTML, kept between builds in one SQLite file.

An entry is found by the source's path and the hash of its bytes; a file whose size, mtime
and inode are unchanged since an entry was written (and which was not modified in the
seconds around that write) is trusted without being read again, as git and make do.
Everything else that shapes a parsed item (thoughtgen's version, the Markdown settings,
the site timezone) is the cache's settings key: change any of it and the cache starts over.
A damaged or foreign cache is set aside with a one-line notice, never trusted.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from thoughtgen.model import Body
from thoughtgen.parse import ParsedItem
from thoughtgen.sources import SourceRef

CACHE_DIR = Path(".thoughtgen") / "cache"
CACHE_FILE = "build.sqlite"
FORMAT = 1
RACY_NS = 2_000_000_000  # an mtime this close to the entry's writing is not trusted

_SCHEMA = """
create table if not exists info (key text primary key, value text not null);
create table if not exists items (
    rel text primary key, size integer, mtime_ns integer, inode integer,
    digest text not null, written_ns integer, meta blob not null);
create table if not exists bodies (digest text primary key, html text not null);
"""


class BuildCache:
    """Parsed items and bodies by source; also the BodyLoader for lazily read HTML."""

    def __init__(
        self,
        site_dir: Path,
        settings_key: str,
        notice: Callable[[str], None],
        *,
        clean: bool = False,
    ) -> None:
        self.directory = site_dir / CACHE_DIR
        self.path = self.directory / CACHE_FILE
        self.settings_key = settings_key
        self.notice = notice
        self._pid = os.getpid()
        self._db: sqlite3.Connection | None = None
        self._rows: dict[str, tuple[int, int, int, str, int, bytes]] = {}
        self._seen: set[str] = set()
        self._open(clean)

    # -- opening and validating ------------------------------------------------------------
    def _open(self, clean: bool) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notice(f"cache disabled: cannot create {self.directory} ({exc.strerror})")
            return
        if clean:
            self._discard()
        try:
            self._db = self._connect()
            self._validate()
            self._rows = {
                row[0]: row[1:]
                for row in self._db.execute(
                    "select rel, size, mtime_ns, inode, digest, written_ns, meta from items"
                )
            }
        except (sqlite3.DatabaseError, ValueError) as exc:
            self.notice(f"ignoring a damaged build cache ({exc}); rebuilding it")
            self._close_quietly()
            self._discard()
            try:
                self._db = self._connect()
                self._validate()
            except sqlite3.DatabaseError as again:
                self.notice(f"cache disabled: {again}")
                self._close_quietly()
            self._rows = {}

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("pragma journal_mode=wal")
        db.execute("pragma synchronous=normal")
        db.executescript(_SCHEMA)
        return db

    def _validate(self) -> None:
        assert self._db is not None
        wanted = {"format": str(FORMAT), "settings": self.settings_key}
        found = dict(self._db.execute("select key, value from info"))
        if found == wanted:
            return
        if found:
            self.notice(
                "build cache made with other settings or another thoughtgen version; rebuilding it"
            )
        with self._db:
            self._db.execute("begin")
            self._db.execute("delete from items")
            self._db.execute("delete from bodies")
            self._db.execute("delete from info")
            self._db.executemany("insert into info values (?, ?)", wanted.items())

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def _close_quietly(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    # -- items ------------------------------------------------------------------------------
    def by_stat(self, ref: SourceRef) -> ParsedItem | None:
        """The cached item when the file is unchanged on disk (not read), else None."""
        row = self._rows.get(ref.rel)
        if row is None:
            return None
        size, mtime_ns, inode, _digest, written_ns, meta = row
        if (size, mtime_ns, inode) != (ref.size, ref.mtime_ns, ref.inode):
            return None
        if ref.mtime_ns >= written_ns - RACY_NS:
            return None  # modified too close to when the entry was written: read it
        return self._item(ref.rel, meta)

    def by_digest(self, ref: SourceRef, digest: str) -> ParsedItem | None:
        """The cached item when the file's bytes are unchanged; refreshes the stat."""
        row = self._rows.get(ref.rel)
        if row is None or row[3] != digest:
            return None
        item = self._item(ref.rel, row[5])
        if item is not None and self._db is not None:
            self._db.execute(
                "update items set size=?, mtime_ns=?, inode=?, written_ns=? where rel=?",
                (ref.size, ref.mtime_ns, ref.inode, time.time_ns(), ref.rel),
            )
        return item

    def _item(self, rel: str, meta: bytes) -> ParsedItem | None:
        self._seen.add(rel)
        try:
            item = pickle.loads(meta)
        except Exception:  # a damaged row: parse the file again
            return None
        if not isinstance(item, ParsedItem):
            return None
        # Freshly unpickled and not yet shared: attach the loader without a copy (replace()
        # costs more than the whole lookup on a large site).
        object.__setattr__(item, "body", Body(item.body.digest, loader=self))
        return item

    def knows(self, ref: SourceRef) -> bool:
        """Whether an entry exists for this path (its bytes may still have changed)."""
        return ref.rel in self._rows

    def store(self, fresh: list[tuple[SourceRef, bytes, str]]) -> list[ParsedItem]:
        """Keep freshly parsed items (pickled without HTML, and the HTML); return the items."""
        now = time.time_ns()
        items = []
        assert self._db is not None
        with self._db:
            self._db.execute("begin")
            for ref, meta, html in fresh:
                item = pickle.loads(meta)
                self._db.execute(
                    "insert or replace into bodies values (?, ?)", (item.body.digest, html)
                )
                self._db.execute(
                    "insert or replace into items values (?, ?, ?, ?, ?, ?, ?)",
                    (ref.rel, ref.size, ref.mtime_ns, ref.inode, item.digest, now, meta),
                )
                self._seen.add(ref.rel)
                object.__setattr__(item, "body", Body(item.body.digest, loader=self))
                items.append(item)
        return items

    def forget_missing(self) -> None:
        """Drop entries for files that are gone, and bodies nothing refers to."""
        if self._db is None:
            return
        gone = [rel for rel in self._rows if rel not in self._seen]
        with self._db:
            self._db.execute("begin")
            self._db.executemany("delete from items where rel=?", [(r,) for r in gone])
            if gone:
                self._db.execute(
                    "delete from bodies where digest not in (select digest from items)"
                )

    # -- bodies (BodyLoader) ----------------------------------------------------------------
    def load(self, digest: str) -> str:
        if self._pid != os.getpid():  # a forked worker: SQLite connections do not cross fork
            self._pid = os.getpid()
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        assert self._db is not None
        row = self._db.execute("select html from bodies where digest=?", (digest,)).fetchone()
        if row is None:
            raise LookupError(f"the build cache lost the HTML of {digest}; run with --clean")
        return row[0]

    def close(self) -> None:
        self._close_quietly()

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state.update(_db=None, _rows={}, _pid=-1)
        return state
