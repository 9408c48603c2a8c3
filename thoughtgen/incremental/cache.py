"""The build cache: parsed sources and their HTML, kept between builds in one SQLite file.

An entry is found by the source's path and the hash of its bytes; a file whose size, mtime,
ctime and inode are unchanged since an entry was written (and which was not changed in the
seconds around that write) is trusted without being read again, as git and make do. The
ctime matters: ``cp -p`` and ``touch -r`` put an old mtime back, but no one can set ctime.
Everything else that shapes a parsed item (thoughtgen's version, the Markdown settings,
the site timezone) is the cache's settings key: change any of it and the cache starts over.

Entries are plain JSON (see records.py), so a planted entry cannot run code. A damaged or
foreign cache is set aside with a one-line notice, never trusted; one held by another
process, or replaced by something that is not a file, is done without for this build.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from thoughtgen.errors import ThoughtgenError
from thoughtgen.incremental.records import decode_item
from thoughtgen.model import Body
from thoughtgen.parse import ParsedItem
from thoughtgen.sources import SourceRef

CACHE_DIR = Path(".thoughtgen") / "cache"
CACHE_FILE = "build.sqlite"
FORMAT = 2  # 2: entries are JSON, not pickles; files are known by their ctime too
RACY_NS = 2_000_000_000  # a file changed this close to the entry's writing is not trusted
BUSY_SECONDS = 2.0  # how long to wait for another process's hold on the cache

_TABLES = ("info", "items", "bodies", "memo")
_SCHEMA = """
create table if not exists info (key text primary key, value text not null);
create table if not exists items (
    rel text primary key, size integer, mtime_ns integer, ctime_ns integer, inode integer,
    digest text not null, written_ns integer, meta text not null);
create table if not exists bodies (digest text primary key, html text not null);
create table if not exists memo (key text primary key, value text not null);
"""

Row = tuple[int, int, int, int, str, int, str]  # size, mtime, ctime, inode, digest, written, meta


@dataclass(frozen=True)
class Fresh:
    """A freshly parsed item on its way into the cache."""

    ref: SourceRef
    item: ParsedItem  # its body without HTML
    record: str | None  # the item as JSON; None when it holds what JSON cannot
    html: str


def _create_tables(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):  # executescript would commit the open transaction
        if statement.strip():
            db.execute(statement)


def _busy(exc: sqlite3.Error) -> bool:
    """Whether another connection holds the lock (as opposed to a damaged file)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc)


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
        self._writable = True  # False once a write failed: the rest of the build goes without
        self._rows: dict[str, Row] = {}
        self._seen: set[str] = set()
        self._restat: list[tuple[int, int, int, int, int, str]] = []
        self._open(clean)

    # -- opening and validating ------------------------------------------------------------
    def _open(self, clean: bool) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notice(f"cache disabled: cannot create {self.directory} ({exc.strerror})")
            return
        if self.path.exists() and not self.path.is_file():
            self.notice(f"cache disabled: {self.path} is not a file; remove it to use the cache")
            return
        try:
            if clean:
                self._discard()
            self._db = self._connect()
            self._load()
            return
        except sqlite3.Error as exc:
            self._close_quietly()
            if _busy(exc):
                self._rows = {}
                self.notice(f"build cache in use by another process; building without it ({exc})")
                return
            self.notice(f"ignoring a damaged build cache ({exc}); rebuilding it")
        except OSError as exc:
            self._close_quietly()
            self.notice(f"cache disabled: cannot use {self.path} ({exc.strerror})")
            return
        self._rows = {}
        try:
            self._discard()
            self._db = self._connect()
            self._load()
        except (sqlite3.Error, OSError) as again:
            self.notice(f"cache disabled: {again}")
            self._close_quietly()
            self._rows = {}

    def _connect(self) -> sqlite3.Connection:
        # One build at a time uses it, but ``serve`` rebuilds in another thread than its first.
        db = sqlite3.connect(
            self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        db.execute("pragma journal_mode=wal")
        db.execute("pragma synchronous=normal")
        return db

    def _load(self) -> None:
        """Check the format and settings (starting over when they differ) and read the entries.

        Done holding the write lock, so a cache another process is busy with is found out
        now, in at most BUSY_SECONDS, rather than halfway through the build.
        """
        assert self._db is not None
        db = self._db
        wanted = {"format": str(FORMAT), "settings": self.settings_key}
        with db:
            db.execute("begin immediate")
            _create_tables(db)
            found = dict(db.execute("select key, value from info"))
            if found != wanted:
                if found:
                    self.notice(
                        "build cache made with other settings or another thoughtgen version; "
                        "rebuilding it"
                    )
                for table in _TABLES:  # an older format may have other columns
                    db.execute(f"drop table if exists {table}")
                _create_tables(db)
                db.executemany("insert into info values (?, ?)", wanted.items())
            # An entry whose HTML is gone (a table emptied by hand) counts as missing.
            self._rows = {
                row[0]: row[1:]
                for row in db.execute(
                    "select rel, size, mtime_ns, ctime_ns, inode, digest, written_ns, meta "
                    "from items where digest in (select digest from bodies)"
                )
            }

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

    def _write_failed(self, exc: sqlite3.Error) -> None:
        if self._writable:
            self.notice(f"cannot write the build cache ({exc}); this build goes without it")
        self._writable = False

    # -- items ------------------------------------------------------------------------------
    def by_stat(self, ref: SourceRef) -> ParsedItem | None:
        """The cached item when the file is unchanged on disk (not read), else None."""
        row = self._rows.get(ref.rel)
        if row is None:
            return None
        size, mtime_ns, ctime_ns, inode, _digest, written_ns, meta = row
        if (size, mtime_ns, ctime_ns, inode) != (ref.size, ref.mtime_ns, ref.ctime_ns, ref.inode):
            return None
        if max(ref.mtime_ns, ref.ctime_ns) >= written_ns - RACY_NS:
            return None  # changed too close to when the entry was written: read it
        return self._item(ref.rel, meta)

    def by_digest(self, ref: SourceRef, digest: str) -> ParsedItem | None:
        """The cached item when the file's bytes are unchanged; its new stat is kept."""
        row = self._rows.get(ref.rel)
        if row is None or row[4] != digest:
            return None
        item = self._item(ref.rel, row[6])
        if item is not None:
            # Taken now, after the bytes were read: a change after the stat but within the
            # racy window is still caught next time.
            self._restat.append(
                (ref.size, ref.mtime_ns, ref.ctime_ns, ref.inode, time.time_ns(), ref.rel)
            )
        return item

    def _item(self, rel: str, meta: str) -> ParsedItem | None:
        self._seen.add(rel)
        item = decode_item(meta)
        if item is None or item.rel != rel:  # a damaged row: parse the file again
            return None
        # Freshly decoded and not yet shared: attach the loader without a copy (replace()
        # costs more than the whole lookup on a large site).
        object.__setattr__(item, "body", Body(item.body.digest, loader=self))
        return item

    def knows(self, ref: SourceRef) -> bool:
        """Whether an entry exists for this path (its bytes may still have changed)."""
        return ref.rel in self._rows

    def store(self, fresh: list[Fresh]) -> list[ParsedItem]:
        """Keep freshly parsed items and their HTML; return the items.

        An item the cache cannot hold (or any item, once writing failed) keeps its HTML in
        memory instead.
        """
        now = time.time_ns()
        kept: set[str] = set()
        if self._db is not None and self._writable:
            try:
                with self._db:
                    self._db.execute("begin immediate")
                    for one in fresh:
                        ref, item = one.ref, one.item
                        if one.record is None:
                            self._db.execute("delete from items where rel=?", (ref.rel,))
                            continue
                        self._db.execute(
                            "insert or replace into bodies values (?, ?)", (item.digest, one.html)
                        )
                        self._db.execute(
                            "insert or replace into items values (?, ?, ?, ?, ?, ?, ?, ?)",
                            (
                                ref.rel,
                                ref.size,
                                ref.mtime_ns,
                                ref.ctime_ns,
                                ref.inode,
                                item.digest,
                                now,
                                one.record,
                            ),
                        )
                        kept.add(ref.rel)
            except sqlite3.Error as exc:
                self._write_failed(exc)
                kept = set()
        items = []
        for one in fresh:
            self._seen.add(one.ref.rel)
            digest = one.item.digest
            body = Body(digest, loader=self) if one.ref.rel in kept else Body(digest, one.html)
            object.__setattr__(one.item, "body", body)
            items.append(one.item)
        return items

    def finish(self) -> None:
        """Record new stats of unchanged files; drop entries for files that are gone."""
        if self._db is None or not self._writable:
            return
        gone = [rel for rel in self._rows if rel not in self._seen]
        if not gone and not self._restat:
            return
        try:
            with self._db:
                self._db.execute("begin immediate")
                self._db.executemany(
                    "update items set size=?, mtime_ns=?, ctime_ns=?, inode=?, written_ns=? "
                    "where rel=?",
                    self._restat,
                )
                self._db.executemany("delete from items where rel=?", [(r,) for r in gone])
                if gone:
                    self._db.execute(
                        "delete from bodies where digest not in (select digest from items)"
                    )
        except sqlite3.Error as exc:
            self._write_failed(exc)
        self._restat = []

    # -- results kept between builds (Memo) ------------------------------------------------
    def recall(self, key: str) -> str | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("select value from memo where key=?", (key,)).fetchone()
        except sqlite3.Error:
            return None  # worked out again, and kept again if the cache can be written
        return row[0] if row is not None and isinstance(row[0], str) else None

    def remember(self, key: str, value: str) -> None:
        """Keep ``value``, replacing what was kept under keys of the same kind."""
        if self._db is None or not self._writable:
            return
        kind = key.split(" ", 1)[0]
        try:
            with self._db:
                self._db.execute("begin immediate")
                self._db.execute("delete from memo where key like ? || ' %'", (kind,))
                self._db.execute("insert or replace into memo values (?, ?)", (key, value))
        except sqlite3.Error as exc:
            self._write_failed(exc)

    # -- bodies (BodyLoader) ----------------------------------------------------------------
    def load(self, digest: str) -> str:
        try:
            if self._pid != os.getpid():  # a forked worker: SQLite connections do not cross fork
                self._pid = os.getpid()
                self._db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            assert self._db is not None
            row = self._db.execute("select html from bodies where digest=?", (digest,)).fetchone()
        except sqlite3.Error as exc:
            row, reason = None, str(exc)
        else:
            reason = "another build changed it meanwhile"
        if row is None:
            raise ThoughtgenError.single(
                str(self.path),
                None,
                f"the build cache lost a page's HTML ({reason}); build again, or use --clean",
            )
        return str(row[0])

    def close(self) -> None:
        self._close_quietly()

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state.update(_db=None, _rows={}, _pid=-1)
        return state
