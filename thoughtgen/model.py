"""The site model: frozen once assembled, read by every renderer.

URLs here are paths relative to the site root without a leading slash
(``posts/hello/``); the renderers add the base path or the full base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any, Protocol

from thoughtgen.config import Config
from thoughtgen.sources import StaticFile


class BodyLoader(Protocol):
    def load(self, digest: str) -> str: ...


@dataclass(frozen=True, eq=False)
class Body:
    """A post's or page's HTML: held in memory, or read on demand from the build cache.

    Large sites keep only metadata in memory; each page's HTML is read when it is rendered.
    """

    digest: str
    text: str | None = field(default=None, repr=False)  # shown by its digest: the same
    loader: BodyLoader | None = field(default=None, repr=False)  # in every build

    @property
    def html(self) -> str:
        if self.text is not None:
            return self.text
        assert self.loader is not None
        return self.loader.load(self.digest)


def with_links(html: str, links: tuple[tuple[str, str], ...]) -> str:
    """``html`` with links to sources and bundle files pointing at their published URLs."""
    if not links:
        return html
    from thoughtgen.links import replacing, rewrite_urls

    return rewrite_urls(html, replacing(dict(links)))


@dataclass(frozen=True)
class Alias:
    """An old address of a post or page, redirected to it.

    ``path`` is where the redirect page is written below the output root
    (``2013/05/old.html``, ``old/slug/index.html``), "" when only hosts that read
    ``_redirects`` can serve it; ``request`` the path as browsers ask for it, from the
    site root (``/2013/05/old.html``).
    """

    request: str
    path: str


class Status(StrEnum):
    PUBLISHED = "published"
    SCHEDULED = "scheduled"  # dated in the future
    DRAFT = "draft"
    IDEA = "idea"


@dataclass(frozen=True)
class TagRef:
    """A tag as a post carries it: display name and slug."""

    name: str
    slug: str

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


# Told of each post turned into text whole (a template printing it, or a list of posts):
# ``serve`` notes which pages show everything about a post (thoughtgen.incremental.views).
SHOWN_WHOLE: list[Callable[[Post], None]] = []


@dataclass(frozen=True)
class Post:
    source: str  # path relative to the site, e.g. content/posts/hello.md
    slug: str
    title: str
    date: datetime | None
    updated: datetime | None
    status: Status
    tags: tuple[TagRef, ...]
    summary: str  # plain text
    body: Body
    toc_html: str
    word_count: int
    reading_minutes: int
    author: str
    canonical_url: str
    image: str
    series: str
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    slug_line: int = 1  # the line that decides the URL, for messages
    file_modified: datetime | None = None  # when the source was last saved (backlog age)
    summary_given: bool = False  # the front matter has its own summary
    url_path: str = ""  # from the permalink pattern; default posts/<slug>/
    aliases: tuple[Alias, ...] = ()
    guid: str = ""  # the feed id, when pinned (an imported post keeps its old one)
    links: tuple[tuple[str, str], ...] = ()  # (href as written, root-relative URL) to rewrite
    series_part: int | None = None  # its place in ``series``, when the writer gave one
    syndication: tuple[str, ...] = ()  # absolute URLs where it was also published

    @property
    def url(self) -> str:
        return self.url_path or f"posts/{self.slug}/"

    @property
    def content_html(self) -> str:
        return with_links(self.body.html, self.links)

    @property
    def lastmod(self) -> datetime | None:
        return self.updated or self.date

    def __repr__(self) -> str:  # the dataclass's, told to SHOWN_WHOLE (str() comes here too)
        for told in SHOWN_WHOLE:
            told(self)
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))
        return f"{type(self).__qualname__}({shown})"


@dataclass(frozen=True)
class Page:
    source: str
    slug: str
    title: str
    date: datetime | None
    updated: datetime | None
    summary: str
    body: Body
    toc_html: str
    draft: bool = False
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    slug_line: int = 1
    url_path: str = ""  # from the permalink pattern; default <slug>/
    aliases: tuple[Alias, ...] = ()
    links: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        return self.url_path or f"{self.slug}/"

    @property
    def content_html(self) -> str:
        return with_links(self.body.html, self.links)

    @property
    def lastmod(self) -> datetime | None:
        return self.updated or self.date


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    posts: tuple[Post, ...]  # the listed posts carrying it, newest first

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Site:
    config: Config
    now: datetime
    posts: tuple[Post, ...]  # the posts this build lists and renders, newest first
    all_posts: tuple[Post, ...]  # every post whatever its status, for the calendar
    pages: tuple[Page, ...]
    tags: tuple[Tag, ...]  # sorted by name
    static: tuple[StaticFile, ...]
    include_drafts: bool = False
    include_future: bool = False

    def with_status(self, status: Status) -> tuple[Post, ...]:
        return tuple(p for p in self.all_posts if p.status is status)

    def neighbours(self, post: Post) -> tuple[Post | None, Post | None]:
        """(older, newer) of ``post`` among the listed posts."""
        index = self._index.get(post.source)
        if index is None:
            return None, None
        older = self.posts[index + 1] if index + 1 < len(self.posts) else None
        newer = self.posts[index - 1] if index > 0 else None
        return older, newer

    @cached_property
    def _index(self) -> Mapping[str, int]:
        return MappingProxyType({p.source: i for i, p in enumerate(self.posts)})


# Frozen: an unchanged post or page is the very same object in the next assembly, so what
# is worked out from one can be kept by its identity.
MODELS = frozenset((Post, Page))


def only_models(values: Iterable[object]) -> bool:
    """Whether every one of ``values`` is a post or a page."""
    return all(type(one) in MODELS for one in values)
