"""Finding a site's source files: the I/O edge of the pipeline."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9

    def read_bytes(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


@dataclass(frozen=True)
class StaticFile:
    """A file copied as is: where it comes from and its path below the output root."""

    source: Path
    out_path: str


def scan_sources(site_dir: Path) -> tuple[list[SourceRef], list[StaticFile]]:
    """Every post and page file (with its stat), and every static file, in a stable order."""
    content = site_dir / "content"
    refs: list[SourceRef] = []
    for kind, folder, recursive in (("post", "posts", True), ("page", "pages", False)):
        base = content / folder
        for rel, entry in _walk(base, recursive):
            if entry.name.lower().endswith(POST_SUFFIXES):
                stat = entry.stat()
                refs.append(
                    SourceRef(
                        f"content/{folder}/{rel}",
                        kind,
                        entry.path,
                        stat.st_size,
                        stat.st_mtime_ns,
                        stat.st_ino,
                    )
                )
    static = [StaticFile(Path(entry.path), rel) for rel, entry in _walk(content / "static", True)]
    return refs, static


def _walk(base: Path, recursive: bool, prefix: str = "") -> list[tuple[str, os.DirEntry[str]]]:
    """(relative POSIX path, entry) of the files below ``base``, sorted; [] if it is missing."""
    try:
        entries = sorted(os.scandir(base), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found: list[tuple[str, os.DirEntry[str]]] = []
    for entry in entries:
        if entry.is_dir():
            if recursive:
                found += _walk(Path(entry.path), True, f"{prefix}{entry.name}/")
        elif entry.is_file():
            found.append((f"{prefix}{entry.name}", entry))
    return found


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
