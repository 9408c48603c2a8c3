"""The stamp of a build's inputs: every file it reads, told apart by its stat, not its bytes.

A build keeps the stamp of what it was made from in the output's manifest, and in the
build cache a record of what else the build found out: the warnings it gave, and the span
of time in which the clock changes nothing (no scheduled post comes due, the calendar's
"today" and the year a theme shows stay the same). A later build that finds the same stamp
within that span, and the output as that build left it, has nothing to do: it reads no
post, assembles nothing and plans nothing.

A file is told apart by its size, mtime, ctime, inode and device. One changed so recently
that it might change again within the same clock tick unseen is told apart by a digest of
its bytes instead (the bytes the build read, when it read them).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from thoughtgen import __version__
from thoughtgen.cards.fonts import font_folders
from thoughtgen.config import Config
from thoughtgen.errors import Problem
from thoughtgen.incremental.cache import RACY_NS
from thoughtgen.markup import markdown_settings
from thoughtgen.model import Site
from thoughtgen.parse import digest_of
from thoughtgen.sources import SourceRef, StaticFile
from thoughtgen.theme import Theme

RECORD = "stamp"  # the kind of the record's key in the build cache's memo

# How long a value read from ``site.now`` stays the same: the next moment it can change.
_CLOCK_FIELDS: dict[str, Callable[[date], date]] = {
    "year": lambda day: date(day.year + 1, 1, 1),
    "month": lambda day: date(day.year + day.month // 12, day.month % 12 + 1, 1),
    **{
        name: lambda day: day + timedelta(days=1)
        for name in ("day", "date", "weekday", "isoweekday", "isocalendar", "toordinal")
    },
}


def _racy(mtime_ns: int, ctime_ns: int, since_ns: int) -> bool:
    return max(mtime_ns, ctime_ns) >= since_ns - RACY_NS


def racy(ref: SourceRef, since_ns: int) -> bool:
    """Whether ``ref`` changed so close to ``since_ns`` that it may change again unseen."""
    return _racy(ref.mtime_ns, ref.ctime_ns, since_ns)


def path_identity(path: str | Path, since_ns: int) -> str:
    """What tells a file's bytes apart from one build to the next, mostly without reading them.

    Size, mtime, ctime, inode and device: a rename, ``cp -p`` or ``touch`` changes at least
    one (ctime cannot be set back). A file changed within RACY_NS of ``since_ns`` (when the
    build began looking at its files) might change again within the same clock tick unseen,
    so its bytes are hashed.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return "missing"
    if _racy(stat.st_mtime_ns, stat.st_ctime_ns, since_ns):
        try:
            return "sha:" + digest_of(Path(path).read_bytes())
        except OSError:
            return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}:{stat.st_dev}"


def ref_identity(ref: SourceRef, since_ns: int, digest: Callable[[SourceRef], str]) -> str:
    """``path_identity`` of a post or page from its scan; ``digest`` gives the digest of the
    bytes that were read of it."""
    if racy(ref, since_ns):
        return "sha:" + digest(ref)
    return f"{ref.size}:{ref.mtime_ns}:{ref.ctime_ns}:{ref.inode}"


def read_digest(ref: SourceRef) -> str:
    """The digest of a file's bytes as they are now (for the check, before anything is read)."""
    return digest_of(ref.read_bytes())


def _folder_marks(folder: Path, since_ns: int) -> Iterator[str]:
    """The mtime of ``folder`` and every folder below it: a font added or removed moves one."""
    try:
        stat = os.stat(folder)
    except OSError:
        return
    if _racy(stat.st_mtime_ns, stat.st_ctime_ns, since_ns):
        yield f"{folder}=unsettled:{since_ns}"  # cannot match the next build's
    else:
        yield f"{folder}={stat.st_mtime_ns}:{stat.st_ino}"
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _folder_marks(Path(entry.path), since_ns)


def fixed_part(
    config: Config,
    theme: Theme,
    static: Iterable[StaticFile],
    include: tuple[bool, bool],
    since_ns: int,
) -> str:
    """The stamp of everything but the posts and pages: thoughtgen and its settings, the
    config, the options (``include``: drafts, future posts), the theme's files, the static
    files and, when share cards are drawn, the installed fonts' folders."""
    parts = [
        repr((__version__, markdown_settings(), config, theme.dirs, include)),
        *(f"{path}={path_identity(path, since_ns)}" for path in theme.files),
        *(
            f"{f.out_path}|{f.bundle}|{f.source}={path_identity(f.source, since_ns)}"
            for f in static
        ),
    ]
    if config.share_cards:
        for folder in font_folders():
            parts.extend(_folder_marks(folder, since_ns))
    return _hash(parts)


def stamp(
    fixed: str,
    refs: Iterable[SourceRef],
    since_ns: int,
    digest: Callable[[SourceRef], str] = read_digest,
) -> str:
    """The stamp of a build: ``fixed_part`` and every post and page (see ``ref_identity``)."""
    return _hash([fixed, *(f"{r.rel}|{r.kind}={ref_identity(r, since_ns, digest)}" for r in refs)])


def _hash(parts: Iterable[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


# -- what the build found out, kept beside the stamp -------------------------------------------


@dataclass(frozen=True)
class Record:
    """What a build with a given stamp found out, so a build of the same needs not."""

    since_ns: int  # the build's clock: an earlier one may see other posts published
    until_ns: int | None  # when the clock next changes what is built (None: never)
    assembled: tuple[Problem, ...]  # warnings of reading and assembling the site
    cards: tuple[Problem, ...]  # warnings about share cards

    def holds_at(self, now: datetime) -> bool:
        moment = _ns(now)
        return self.since_ns <= moment and (self.until_ns is None or moment < self.until_ns)

    def encode(self) -> str:
        return json.dumps(
            {
                "since": self.since_ns,
                "until": self.until_ns,
                "assembled": [[p.path, p.line, p.message] for p in self.assembled],
                "cards": [[p.path, p.line, p.message] for p in self.cards],
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, text: str | None) -> Record | None:
        if text is None:
            return None
        try:
            data = json.loads(text)
            since, until = int(data["since"]), data["until"]
            return cls(
                since,
                None if until is None else int(until),
                tuple(Problem(str(p), line, str(m)) for p, line, m in data["assembled"]),
                tuple(Problem(str(p), line, str(m)) for p, line, m in data["cards"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def record_key(digest: str) -> str:
    return f"{RECORD} {digest}"


def clock_span(site: Site, chains: Iterable[tuple[str, ...]]) -> tuple[int, int | None] | None:
    """From when until when the clock changes nothing this site's build shows: until the
    next scheduled post comes due, the calendar's next day, and the next change of whatever
    the theme reads of ``site.now`` (``chains``: the attribute chains of ``site`` the theme
    reads). None when the theme reads the clock more finely than by the day, or calls a
    method of the site (which may read it)."""
    now = site.now
    tz = site.config.tz
    today = now.astimezone(tz).date()
    ends = [p.date for p in site.all_posts if p.date is not None and p.date > now]
    calendar = site.config.calendar
    if calendar.page or calendar.ics:
        ends.append(_midnight(today + timedelta(days=1), tz))
    for chain in chains:
        if chain[0] != "now":
            if callable(getattr(site, chain[0], None)):
                return None
            continue
        field = _CLOCK_FIELDS.get(chain[1]) if len(chain) > 1 else None
        if field is None:
            return None
        ends.append(_midnight(field(today), tz))
    return _ns(now), (min(_ns(end) for end in ends) if ends else None)


def _midnight(day: date, tz: object) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)  # type: ignore[arg-type]


def _ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) * 1000
