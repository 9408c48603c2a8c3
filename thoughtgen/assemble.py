"""Assembling parsed items into the frozen Site model.

Everything that depends on more than one file, or on "now", happens here: publishing
status, one spelling per tag, URL clashes, the tag index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from thoughtgen.addresses import Addresses
from thoughtgen.config import Config
from thoughtgen.dates import format_offset_datetime
from thoughtgen.errors import ProblemLog
from thoughtgen.markup import reading_minutes
from thoughtgen.model import Page, Post, Site, Status, Tag, TagRef
from thoughtgen.outputs import page_path
from thoughtgen.parse import ParsedItem
from thoughtgen.sources import StaticFile


def assemble(
    config: Config,
    items: Sequence[ParsedItem],
    static: Sequence[StaticFile],
    now: datetime,
    log: ProblemLog,
    *,
    include_drafts: bool = False,
    include_future: bool = False,
    mtimes: Mapping[str, float] | None = None,
    models: ModelMemo | None = None,
) -> Site:
    """The Site from parsed items; site-wide problems go to ``log`` (the caller raises).

    ``models`` (kept by the caller between assemblies of the same sources) hands back the
    very Post or Page made last time for an item whose inputs are all unchanged, so what
    is memoised by identity downstream (digests, related posts) stays valid.
    """
    mtimes = mtimes or {}
    addresses = Addresses(config, items, static, log)
    posts: list[Post] = []
    pages: list[Page] = []
    for item in items:
        for warning in item.warnings:
            log.warn(warning.path, warning.line, warning.message)
        url = addresses.urls[item.rel]
        mtime = mtimes.get(item.rel)
        status = _status(item, now) if item.kind == "post" else None
        inputs = (status, mtime, url)
        base = models.base(item, inputs) if models is not None else None
        if base is None:
            base = _post(item, config, status, mtime, url) if status else _page(item, url)
        made = addresses.complete(base)
        if models is not None:
            made = models.keep(item, inputs, base, made)
        if isinstance(made, Post):
            posts.append(made)
        else:
            pages.append(made)

    all_posts = tuple(sorted(_canonical_tag_names(posts), key=_newest_first))
    listed = tuple(p for p in all_posts if _is_listed(p, include_drafts, include_future))
    pages = [p for p in pages if include_drafts or not p.draft]
    _check_unique_urls(all_posts, pages, log)
    static = addresses.published_static((*listed, *pages))
    for post in all_posts:
        if post.status is Status.SCHEDULED and post.date is not None and not include_future:
            log.warn(
                post.source,
                None,
                f"scheduled for {format_offset_datetime(post.date)}, not published yet",
            )
    return Site(
        config=config,
        now=now,
        posts=listed,
        all_posts=all_posts,
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        tags=_collect_tags(listed),
        static=tuple(static),
        include_drafts=include_drafts,
        include_future=include_future,
    )


class ModelMemo:
    """The Post or Page last made of each source, handed back while its inputs are the same.

    A model depends on its parsed item (the very same object: a re-read file always makes a
    new one), its status, its file's mtime and its URL; its aliases and links are settled
    anew every time (they depend on other files) and the last model is kept when they come
    out equal. Identity matters downstream: digests and related posts are memoised by it.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[ParsedItem, tuple[object, ...], Post | Page, Post | Page]] = {}

    def base(self, item: ParsedItem, inputs: tuple[object, ...]) -> Post | Page | None:
        """The model before aliases and links were settled, if made of these very inputs."""
        last = self._last.get(item.rel)
        return last[2] if last and last[0] is item and last[1] == inputs else None

    def keep(
        self, item: ParsedItem, inputs: tuple[object, ...], base: Post | Page, made: Post | Page
    ) -> Post | Page:
        last = self._last.get(item.rel)
        if last is not None and last[2] is base and (last[3] is made or last[3] == made):
            return last[3]
        self._last[item.rel] = (item, inputs, base, made)
        return made


def _newest_first(post: Post) -> tuple[float, str]:
    stamp = post.date.timestamp() if post.date else float("inf")
    return (-stamp, post.source)


def _is_listed(post: Post, include_drafts: bool, include_future: bool) -> bool:
    if post.status in (Status.DRAFT, Status.IDEA):
        return include_drafts
    if post.status is Status.SCHEDULED:
        return include_future
    return True


def _status(item: ParsedItem, now: datetime) -> Status:
    if item.status_text == "idea":
        return Status.IDEA
    if item.unpublished:
        return Status.DRAFT
    if item.date is not None and item.date > now:
        return Status.SCHEDULED
    return Status.PUBLISHED


def _post(item: ParsedItem, config: Config, status: Status, mtime: float | None, url: str) -> Post:
    return Post(
        source=item.rel,
        slug=item.slug,
        title=item.title,
        date=item.date,
        updated=item.updated,
        status=status,
        tags=item.tags,
        summary=item.summary,
        body=item.body,
        toc_html=item.toc_html,
        word_count=item.word_count,
        reading_minutes=reading_minutes(item.word_count),
        author=item.author or config.author.name,
        canonical_url=item.canonical_url,
        image=item.image,
        series=item.series,
        series_part=item.series_part,
        syndication=item.syndication,
        extra=MappingProxyType(item.extra),
        slug_line=item.slug_line,
        file_modified=datetime.fromtimestamp(mtime, UTC) if mtime else None,
        summary_given=item.summary_given,
        url_path=url,
        guid=item.guid,
    )


def _page(item: ParsedItem, url: str) -> Page:
    return Page(
        source=item.rel,
        slug=item.slug,
        title=item.title,
        date=item.date,
        updated=item.updated,
        summary=item.summary,
        body=item.body,
        toc_html=item.toc_html,
        draft=item.unpublished,
        extra=MappingProxyType(item.extra),
        slug_line=item.slug_line,
        url_path=url,
    )


def _check_unique_urls(posts: tuple[Post, ...], pages: list[Page], log: ProblemLog) -> None:
    claimed: dict[str, str] = {}
    items: tuple[Post | Page, ...] = (*posts, *pages)
    for item in items:
        other = claimed.setdefault(page_path(item.url), item.source)
        if other != item.source:
            log.error(
                item.source,
                item.slug_line,
                f"/{item.url} is also the URL of {other}; give one of them another slug",
            )


def _canonical_tag_names(posts: list[Post]) -> list[Post]:
    """Spell each tag one way everywhere: the spelling used most often (ties: sorted first)."""
    spellings: dict[str, Counter[str]] = {}
    for post in posts:
        for ref in post.tags:
            spellings.setdefault(ref.slug, Counter())[ref.name] += 1
    names = {
        slug: min(counter, key=lambda n: (-counter[n], n)) for slug, counter in spellings.items()
    }
    return [
        replace(post, tags=tuple(TagRef(names[ref.slug], ref.slug) for ref in post.tags))
        if any(names[ref.slug] != ref.name for ref in post.tags)
        else post
        for post in posts
    ]


def _collect_tags(posts: tuple[Post, ...]) -> tuple[Tag, ...]:
    """Group listed posts (newest first) by tag."""
    by_slug: dict[str, list[Post]] = {}
    names: dict[str, str] = {}
    for post in posts:
        for ref in post.tags:
            by_slug.setdefault(ref.slug, []).append(post)
            names[ref.slug] = ref.name
    tags = [Tag(names[slug], slug, tuple(tagged)) for slug, tagged in by_slug.items()]
    return tuple(sorted(tags, key=lambda t: (t.name.lower(), t.slug)))
