"""What a platform reader hands to the importer: the writer's archive, in neutral terms.

Readers fill these from their platform's files and never write anything; the importer
turns them into thoughtgen sources (see ``thoughtgen.importers.import_site``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Note:
    """Something the importer could not convert: ``path:line: what, and what to do``.

    ``path`` is the source file as the writer knows it (relative to the export's root),
    ``line`` the line in that file where it happens, when known.
    """

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportedFile:
    """A file to copy into the site: an image beside a post, or a static asset.

    In ``SourceSite.files`` the ``target`` is relative to the site
    (``content/static/assets/a.png``, so the file keeps its old URL ``/assets/a.png``); in
    ``ImportedDoc.files`` it is relative to the post's own folder (``a.png``, or
    ``images/a.png``) and the post's Markdown links to it by that relative path: the post
    is written as a page bundle, ``content/posts/<slug>/index.md`` with its files beside it.
    Exactly one of ``source`` and ``data`` is set.
    """

    target: str
    source: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.source is not None
        return self.source.read_bytes()


@dataclass
class ImportedDoc:
    """One post or page as the old platform had it, converted to Markdown.

    ``old_urls`` are every URL the platform served it at (site-relative paths such as
    ``/2013/05/06/slug.html`` or absolute URLs): the importer keeps each one working,
    at the same URL when the site's permalinks give it, else by a redirect (``aliases``).
    ``guid`` is the id the old platform's feed gave it, so feed readers see nothing new.
    """

    kind: Literal["post", "page"]
    source: str  # the file it came from, relative to the export's root, for messages
    slug: str  # the URL name (already a valid thoughtgen slug: lower-case, no slashes)
    title: str
    body: str  # Markdown (HTML inside it is fine)
    date: datetime | None = None  # aware
    updated: datetime | None = None
    draft: bool = False
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    old_urls: list[str] = field(default_factory=list)
    guid: str = ""
    canonical_url: str = ""
    image: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # other front-matter keys to keep
    files: list[ImportedFile] = field(default_factory=list)  # images beside it (page bundle)


@dataclass
class SourceSite:
    """Everything a reader found: site settings, documents, shared files and notes."""

    platform: str  # "jekyll", "hugo", …
    title: str = ""
    base_url: str = ""  # the old site's absolute URL, e.g. https://example.com/blog/
    description: str = ""
    author: str = ""
    language: str = ""
    timezone: str = ""  # IANA name
    # The old site's post URL pattern in thoughtgen's permalink syntax, when it has one
    # ("/:year/:month/:day/:slug.html"); used for a new site so URLs stay the same.
    post_permalink: str = ""
    page_permalink: str = ""
    docs: list[ImportedDoc] = field(default_factory=list)
    files: list[ImportedFile] = field(default_factory=list)  # shared images and assets
    notes: list[Note] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # e.g. {"private": 2, "trashed": 1}
    # The old site's feed addresses (paths from its base) → "rss" or "atom"; left empty, the
    # platform's usual ones are assumed (see platforms.USUAL_FEEDS).
    feeds: dict[str, str] = field(default_factory=dict)

    def note(self, path: str, line: int | None, message: str) -> None:
        self.notes.append(Note(path, line, message))
