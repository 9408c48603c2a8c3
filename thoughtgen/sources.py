"""Finding and reading a site's source files: the I/O edge of the pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from thoughtgen.errors import ProblemLog

POST_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class SourceFile:
    """A text source: its path relative to the site (for messages) and its decoded text."""

    rel: str
    kind: str  # "post" or "page"
    text: str
    mtime: float = 0.0  # when the file was last saved (seconds since the epoch)


@dataclass(frozen=True)
class StaticFile:
    """A file copied as is: where it comes from and its path below the output root."""

    source: Path
    out_path: str


@dataclass(frozen=True)
class Sources:
    texts: tuple[SourceFile, ...]
    static: tuple[StaticFile, ...]


def read_sources(site_dir: Path, log: ProblemLog) -> Sources:
    """Read every post and page, and list static files. Undecodable files go to ``log``."""
    content = site_dir / "content"
    texts: list[SourceFile] = []
    for kind, folder, pattern in (("post", "posts", "**/*"), ("page", "pages", "*")):
        base = content / folder
        if not base.is_dir():
            continue
        for path in sorted(base.glob(pattern)):
            if path.suffix.lower() in POST_SUFFIXES and path.is_file():
                source = _read_text(path, path.relative_to(site_dir).as_posix(), kind, log)
                if source is not None:
                    texts.append(source)
    static_dir = content / "static"
    static = (
        tuple(
            StaticFile(path, path.relative_to(static_dir).as_posix())
            for path in sorted(static_dir.rglob("*"))
            if path.is_file()
        )
        if static_dir.is_dir()
        else ()
    )
    return Sources(tuple(texts), static)


def _read_text(path: Path, rel: str, kind: str, log: ProblemLog) -> SourceFile | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        log.error(rel, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8")
        return None
    return SourceFile(rel, kind, clean_text(decode_newlines(text)), path.stat().st_mtime)


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
