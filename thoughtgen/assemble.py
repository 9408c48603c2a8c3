"""Assembling parsed items into the frozen Site model.

Everything that depends on more than one file, or on "now", happens here: publishing
status, one spelling per tag, URL clashes, the tag index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from thoughtgen.addresses import Addresses
from thoughtgen.config import Config
from thoughtgen.dates import format_offset_datetime
from thoughtgen.errors import Problem, ProblemLog
from thoughtgen.markup import reading_minutes
from thoughtgen.model import Page, Post, Site, Status, Tag, TagRef
from thoughtgen.outputs import page_path
from thoughtgen.parse import ParsedItem
from thoughtgen.sources import StaticFile


@dataclass(frozen=True)
class _Options:
    config: Config
    include_drafts: bool
    include_future: bool
    models: ModelMemo | None


@dataclass
class Assembly:
    """An assembled Site with what it was worked out from, so that edits which move nothing
    can be assembled again quickly (``reassemble``)."""

    site: Site
    options: _Options
    items: dict[str, ParsedItem]  # in the order given
    addresses: Addresses
    problems: dict[str, ProblemLog]  # what each item's own model gave, by source
    scheduled: list[Problem]  # the warnings of posts scheduled for later, in order
    # Where each post and page is in the site's lists, found once (an edit keeps the order).
    places: dict[str, list[tuple[str, int]]] | None = None


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
) -> Assembly:
    """The Site from parsed items, with what ``reassemble`` needs; site-wide problems go to
    ``log`` (the caller raises).

    ``models`` (kept by the caller between assemblies of the same sources) hands back the
    very Post or Page made last time for an item whose inputs are all unchanged, so what
    is memoised by identity downstream (digests, related posts) stays valid.
    """
    options = _Options(config, include_drafts, include_future, models)
    mtimes = mtimes or {}
    addresses = Addresses(config, items, static)
    posts: list[Post] = []
    pages: list[Page] = []
    problems: dict[str, ProblemLog] = {}
    for item in items:
        own = problems[item.rel] = ProblemLog()
        made = _model(options, addresses, item, now, mtimes.get(item.rel), own)
        _tell(own, log)
        if isinstance(made, Post):
            posts.append(made)
        else:
            pages.append(made)
    all_posts = tuple(sorted(_canonical_tag_names(posts), key=_newest_first))
    listed = tuple(p for p in all_posts if _is_listed(p, include_drafts, include_future))
    pages = [p for p in pages if include_drafts or not p.draft]
    _check_unique_urls(all_posts, pages, log)
    static = addresses.published_static((*listed, *pages))
    scheduled = _scheduled(all_posts, include_future)
    log.warnings.extend(scheduled)
    site = Site(
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
    by_rel = {item.rel: item for item in items}
    return Assembly(site, options, by_rel, addresses, problems, scheduled)


def _model(
    options: _Options,
    addresses: Addresses,
    item: ParsedItem,
    now: datetime,
    mtime: float | None,
    log: ProblemLog,
) -> Post | Page:
    """An item's model with its aliases and links settled; its problems go to ``log``."""
    for warning in item.warnings:
        log.warn(warning.path, warning.line, warning.message)
    url = addresses.urls[item.rel]
    status = _status(item, now) if item.kind == "post" else None
    inputs = (status, mtime, url)
    models = options.models
    base = models.base(item, inputs) if models is not None else None
    if base is None:
        base = _post(item, options.config, status, mtime, url) if status else _page(item, url)
    made = addresses.complete(item, base, log)
    if models is not None:
        made = models.keep(item, inputs, base, made)
    return made


def _tell(own: ProblemLog, log: ProblemLog) -> None:
    log.errors.extend(own.errors)
    log.warnings.extend(own.warnings)


def _scheduled(posts: Sequence[Post], include_future: bool) -> list[Problem]:
    """A warning for each post scheduled for later, unless the build shows them."""
    if include_future:
        return []
    return [
        Problem(
            post.source,
            None,
            f"scheduled for {format_offset_datetime(post.date)}, not published yet",
        )
        for post in posts
        if post.status is Status.SCHEDULED and post.date is not None
    ]


def _places(site: Site) -> dict[str, list[tuple[str, int]]]:
    """Where each post and page is in the site's lists, by source."""
    places: dict[str, list[tuple[str, int]]] = {}
    for name in _SWAPPED_LISTS:
        for n, one in enumerate(getattr(site, name)):
            places.setdefault(one.source, []).append((name, n))
    return places


_SWAPPED_LISTS = ("posts", "all_posts", "pages")


def _frame(item: ParsedItem) -> tuple[object, ...]:
    """What of an item reaches beyond its own model: its address, its place in the order,
    whether it is listed, its tags, its aliases and its bundle."""
    return (
        item.kind,
        item.slug,
        item.date,
        item.unpublished,
        item.status_text,
        item.tags,
        item.aliases,
        item.bundle,
    )


def reassemble(
    last: Assembly,
    edited: Sequence[ParsedItem],
    now: datetime,
    log: ProblemLog,
    mtimes: Mapping[str, float],
) -> Assembly | None:
    """The assembly of ``last``'s items with ``edited`` in place of their namesakes, made by
    replacing just their models; None when an edit reaches beyond its own model (an
    address, a date, a tag, an alias, a status...) or "now" moved a post's status: then
    only a whole ``assemble`` will do. What it gives equals what ``assemble`` would.
    ``mtimes`` need only name the edited files.
    """
    site = last.site
    items = dict(last.items)
    for item in edited:
        old = items.get(item.rel)
        if old is None or _frame(old) != _frame(item):
            return None
        items[item.rel] = item
    if now != site.now:
        # Later, only a scheduled post can change; earlier (a clock set back), any dated one.
        moved = (Status.SCHEDULED,) if now > site.now else (Status.SCHEDULED, Status.PUBLISHED)
        if any(
            post.status in moved and post.status is not _status(last.items[post.source], now)
            for post in site.all_posts
        ):
            return None
    options = last.options
    addresses = last.addresses
    problems = dict(last.problems)
    swapped: dict[str, Post | Page] = {}
    for item in edited:
        own = problems[item.rel] = ProblemLog()
        swapped[item.rel] = _model(options, addresses, item, now, mtimes.get(item.rel), own)
        if own.errors:
            return None  # (cannot happen with the same aliases; assemble will say)
    places = last.places if last.places is not None else _places(site)
    lists: dict[str, list[Any]] = {}
    old_posts: dict[str, Post] = {}
    new_posts: dict[str, Post] = {}
    for rel, made in list(swapped.items()):
        spots = places.get(rel, ())
        for name, n in spots:
            if name == "all_posts" and isinstance(made, Post):
                was = old_posts[rel] = site.all_posts[n]
                if made.tags != was.tags:
                    made = swapped[rel] = replace(made, tags=was.tags)  # the site's spelling
                new_posts[rel] = made
        for name, n in spots:
            if name not in lists:
                lists[name] = list(getattr(site, name))
            lists[name][n] = made
    for rel in items:
        own = problems[rel]
        if own.errors or own.warnings:
            _tell(own, log)
    # A post is listed under the tags it carries, and an edit here keeps them (its frame).
    reached = {ref.slug for was in old_posts.values() for ref in was.tags}
    tags = tuple(
        Tag(tag.name, tag.slug, tuple(new_posts.get(one.source, one) for one in tag.posts))
        if tag.slug in reached
        else tag
        for tag in site.tags
    )
    # The same posts keep their dates and statuses: the same ones are scheduled.
    log.warnings.extend(last.scheduled)

    def swap(name: str) -> tuple[Any, ...]:
        values = lists.get(name)
        return getattr(site, name) if values is None else tuple(values)

    new_site = replace(
        site,
        now=now,
        posts=swap("posts"),
        all_posts=swap("all_posts"),
        pages=swap("pages"),
        tags=tags,
    )
    return Assembly(new_site, options, items, addresses, problems, last.scheduled, places)


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
