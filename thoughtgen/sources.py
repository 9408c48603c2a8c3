"""Finding a site's source files: the I/O edge of the pipeline."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from thoughtgen.errors import ProblemLog, ThoughtgenError

POST_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class SourceRef:
    """A post or page file as found on disk, before it is read."""

    rel: str  # path relative to the site, for messages and cache keys
    kind: str  # "post" or "page"
    path: str
    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int  # changes with any write, even one that puts the old mtime back

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9

    def read_bytes(self) -> bytes:
        try:
            with open(self.path, "rb") as handle:
                return handle.read()
        except OSError as exc:  # removed or locked since the scan
            raise ThoughtgenError.single(self.rel, None, f"cannot read: {exc.strerror}") from None


@dataclass(frozen=True)
class StaticFile:
    """A file copied as is: where it comes from and its path below the output root.

    A file of a page bundle (beside ``content/posts/<name>/index.md``) names its bundle
    folder in ``bundle`` and its path inside it in ``out_path`` until the Site is
    assembled; it is then published below its post's URL.
    """

    source: Path
    out_path: str
    bundle: str = ""


def scan_sources(
    site_dir: Path, log: ProblemLog | None = None
) -> tuple[list[SourceRef], list[StaticFile]]:
    """Every post and page file (with its stat), and every static file, in a stable order.

    Problems go to ``log``; without one, errors are raised and warnings dropped.
    """
    own_log = log is None
    log = log or ProblemLog()
    walker = Walker(site_dir, log, "not published")
    refs: list[SourceRef] = []
    bundled: list[FoundFile] = []
    for kind, folder, recursive in (("post", "posts", True), ("page", "pages", False)):
        for found in walker.files(f"content/{folder}", recursive):
            if not found.name.lower().endswith(POST_SUFFIXES):
                if kind == "post":
                    bundled.append(found)
            else:
                refs.append(
                    SourceRef(
                        rel=found.rel,
                        kind=kind,
                        path=found.path,
                        size=found.stat.st_size,
                        mtime_ns=found.stat.st_mtime_ns,
                        inode=found.stat.st_ino,
                        ctime_ns=found.stat.st_ctime_ns,
                    )
                )
    static = [
        StaticFile(Path(found.path), found.rel.removeprefix("content/static/"))
        for found in walker.files("content/static", True)
    ]
    static += _bundle_files(refs, bundled)
    if own_log:
        log.raise_if_errors()
    return refs, static


def _bundle_files(refs: list[SourceRef], found: list[FoundFile]) -> list[StaticFile]:
    """Files beside a bundle's ``index.md`` (or in folders below it), with their bundle."""
    bundles = {
        ref.rel.rpartition("/")[0]
        for ref in refs
        if ref.rel.rpartition("/")[2] in BUNDLE_TEXTS and ref.rel.count("/") > 2
    }
    files = []
    for one in found:
        folder = one.rel.rpartition("/")[0]
        while folder.count("/") > 1 and folder not in bundles:
            folder = folder.rpartition("/")[0]
        if folder in bundles:
            files.append(StaticFile(Path(one.path), one.rel[len(folder) + 1 :], folder))
    return files


BUNDLE_TEXTS = ("index.md", "index.markdown")


def printable_name(name: str) -> str:
    """A file name as text that can always be printed: undecodable bytes become ``\\xe9``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class FoundFile:
    rel: str  # POSIX path relative to the site
    path: str
    stat: os.stat_result

    @property
    def name(self) -> str:
        return self.rel.rpartition("/")[2]


class Walker:
    """Lists files below the site's folders without ever leaving the site.

    A link whose target lies outside the site is not followed (a link to /etc/passwd in
    static/ would publish it), nor is one to a folder that contains it (it would loop
    forever). Pipes, sockets and devices are skipped: opening a pipe blocks. Each of these
    is a warning; a name that is not UTF-8 cannot become a URL or a message, so it is an
    error.
    """

    def __init__(self, site_dir: Path, log: ProblemLog, skipped: str) -> None:
        self.site_dir = site_dir
        self.root = Path(os.path.realpath(site_dir))
        self.log = log
        self.skipped = skipped  # what a skipped file misses: "not published", "not used"

    def files(self, rel: str, recursive: bool, folder: Path | None = None) -> list[FoundFile]:
        """Regular files below the site folder ``rel`` (found at ``folder`` if given), sorted.

        [] if the folder is missing.
        """
        path = str(folder) if folder is not None else os.path.join(self.site_dir, rel)
        if not os.path.lexists(path):
            return []
        kind = self._kind(rel, path, None)
        return self._walk(rel, path, kind[1], recursive) if kind and kind[0] == "dir" else []

    def _walk(self, rel: str, path: str, real: str, recursive: bool) -> list[FoundFile]:
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self.log.error(printable_name(rel), None, f"cannot read this folder: {exc.strerror}")
            return []
        found: list[FoundFile] = []
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if _UNDECODED.search(entry.name):
                self.log.error(
                    printable_name(child), None, "the file name is not valid UTF-8; rename it"
                )
                continue
            kind = self._kind(child, entry.path, real)
            if kind is None:
                continue
            if kind[0] == "dir":
                if recursive:
                    found += self._walk(child, entry.path, kind[1], True)
            else:
                found.append(FoundFile(child, entry.path, kind[2]))
        return found

    def _kind(
        self, rel: str, path: str, parent_real: str | None
    ) -> tuple[str, str, os.stat_result] | None:
        """("dir" or "file", real path, stat) of a walkable entry; None (and why) if not."""
        try:
            is_link = os.path.islink(path)
            stat = os.stat(path)
        except OSError as exc:
            self._cannot_read(rel, exc)
            return None
        real = os.path.realpath(path) if is_link or parent_real is None else ""
        if not real:
            real = os.path.join(parent_real or "", os.path.basename(path))
        is_dir = S_ISDIR(stat.st_mode)
        if (is_link or parent_real is None) and not Path(real).is_relative_to(self.root):
            what = "folder" if is_dir else "file"
            self.log.warn(rel, None, f"a link to a {what} outside the site; {self.skipped}")
            return None
        if is_dir:
            if is_link and parent_real is not None and Path(parent_real).is_relative_to(real):
                self.log.warn(rel, None, "a link to a folder that contains it; skipped")
                return None
            return ("dir", real, stat)
        if not S_ISREG(stat.st_mode):
            self.log.warn(
                rel, None, f"not a regular file (a pipe, socket or device); {self.skipped}"
            )
            return None
        if not os.access(path, os.R_OK):
            self._cannot_read(rel, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
            return None
        return ("file", real, stat)

    def _cannot_read(self, rel: str, exc: OSError) -> None:
        if rel.lower().endswith(POST_SUFFIXES) and not rel.startswith("content/static/"):
            self.log.error(rel, None, f"cannot read: {exc.strerror}")
        else:
            self.log.warn(rel, None, f"cannot read: {exc.strerror}; skipped")


_UNDECODED = re.compile("[\udc80-\udcff]")  # how os.fsdecode keeps bytes that are not UTF-8


# C0 controls (tab and newline aside), lone surrogates and non-characters: invalid in HTML and
# XML alike, so they are dropped from sources rather than breaking pages and feeds.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def decode_newlines(text: str) -> str:
    """CRLF and lone CR become LF so line numbers and parsing agree everywhere."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
