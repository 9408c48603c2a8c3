"""Assembling parsed sources into the frozen Site model.

This is where front matter is checked against what thoughtgen understands:
every problem in every file is logged, so the user sees them all at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from thoughtgen.config import Config
from thoughtgen.dates import DateError, format_offset_datetime, parse_datetime
from thoughtgen.errors import ProblemLog
from thoughtgen.frontmatter import (
    KNOWN_KEYS,
    FrontMatter,
    FrontMatterError,
    split_front_matter,
    typo_of,
)
from thoughtgen.markup import MarkdownRenderer, collapse_space, reading_minutes
from thoughtgen.model import Page, Post, Site, Status, Tag, TagRef
from thoughtgen.slugs import slugify, unsafe_slug_reason
from thoughtgen.sources import SourceFile, Sources, clean_text

STATUSES = ("idea", "draft", "published")
SUMMARY_LIMIT = 300


def assemble(
    config: Config,
    sources: Sources,
    now: datetime,
    log: ProblemLog,
    *,
    include_drafts: bool = False,
    include_future: bool = False,
    renderer: MarkdownRenderer | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Site:
    """Build the Site from sources; problems go to ``log`` (the caller raises)."""
    renderer = renderer or MarkdownRenderer()
    posts: list[Post] = []
    pages: list[Page] = []
    for done, source in enumerate(sources.texts, 1):
        if progress is not None:
            progress("Reading", done, len(sources.texts))
        item = _read_item(source, config, now, renderer, log)
        if isinstance(item, Post):
            posts.append(item)
        elif isinstance(item, Page):
            pages.append(item)

    all_posts = tuple(sorted(_canonical_tag_names(posts), key=_newest_first))
    listed = tuple(p for p in all_posts if _is_listed(p, include_drafts, include_future))
    pages = [p for p in pages if include_drafts or not p.draft]
    _check_unique_urls(all_posts, pages, log)
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
        static=sources.static,
        include_drafts=include_drafts,
        include_future=include_future,
    )


def _newest_first(post: Post) -> tuple[float, str]:
    stamp = post.date.timestamp() if post.date else float("inf")
    return (-stamp, post.source)


def _is_listed(post: Post, include_drafts: bool, include_future: bool) -> bool:
    if post.status in (Status.DRAFT, Status.IDEA):
        return include_drafts
    if post.status is Status.SCHEDULED:
        return include_future
    return True


def _read_item(
    source: SourceFile, config: Config, now: datetime, renderer: MarkdownRenderer, log: ProblemLog
) -> Post | Page | None:
    try:
        fm = split_front_matter(source.text)
    except FrontMatterError as exc:
        log.error(source.rel, exc.line, exc.message)
        return None
    before = len(log.errors)
    fields = _FieldReader(source.rel, fm, config, log)
    title = fields.text("title", required=True)
    slug = fields.text("slug") or slugify(PurePosixPath(source.rel).stem)
    reason = unsafe_slug_reason(slug)
    if reason:
        log.error(source.rel, fm.line_of("slug"), reason)
    draft = fields.boolean("draft")
    status_text = fields.choice("status", STATUSES)
    is_post = source.kind == "post"
    unpublished = draft or status_text in ("draft", "idea")
    date = fields.date("date", required=is_post and not unpublished)
    updated = fields.date("updated")
    tags = fields.tags() if is_post else ()
    summary = fields.text("summary")
    summary_given = bool(summary)
    strings = {k: fields.text(k) for k in ("author", "canonical_url", "image", "series")}
    extra = {k: v for k, v in fm.data.items() if k not in KNOWN_KEYS}
    for key in extra:
        if (known := typo_of(key)) is not None:
            log.warn(source.rel, fm.line_of(key), f"unknown key '{key}'; did you mean '{known}'?")
    if len(log.errors) > before:
        return None

    rendered = renderer.render(fm.body)
    summary = collapse_space(summary) or _shorten(rendered.excerpt_text)
    if not is_post:
        return Page(
            source=source.rel,
            slug=slug,
            title=title,
            date=date,
            updated=updated,
            summary=summary,
            content_html=rendered.html,
            toc_html=rendered.toc_html,
            draft=unpublished,
            extra=MappingProxyType(extra),
            slug_line=fm.line_of("slug"),
        )
    if status_text == "idea":
        status = Status.IDEA
    elif unpublished:
        status = Status.DRAFT
    elif date is not None and date > now:
        status = Status.SCHEDULED
    else:
        status = Status.PUBLISHED
    return Post(
        source=source.rel,
        slug=slug,
        title=title,
        date=date,
        updated=updated,
        status=status,
        tags=tags,
        summary=summary,
        content_html=rendered.html,
        toc_html=rendered.toc_html,
        word_count=rendered.word_count,
        reading_minutes=reading_minutes(rendered.word_count),
        author=strings["author"] or config.author.name,
        canonical_url=strings["canonical_url"],
        image=strings["image"],
        series=strings["series"],
        extra=MappingProxyType(extra),
        slug_line=fm.line_of("slug"),
        file_modified=datetime.fromtimestamp(source.mtime, UTC) if source.mtime else None,
        summary_given=summary_given,
    )


def _shorten(text: str) -> str:
    if len(text) <= SUMMARY_LIMIT:
        return text
    cut = text[:SUMMARY_LIMIT].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


class _FieldReader:
    """Typed access to front-matter keys, logging a ``path:line`` problem for each bad one."""

    def __init__(self, rel: str, fm: FrontMatter, config: Config, log: ProblemLog) -> None:
        self.rel, self.fm, self.config, self.log = rel, fm, config, log

    def _error(self, key: str, message: str) -> None:
        self.log.error(self.rel, self.fm.line_of(key), message)

    def _raw(self, key: str) -> Any:
        return self.fm.data.get(key)

    def text(self, key: str, required: bool = False) -> str:
        value = self._raw(key)
        if value is None or value == "":
            if required:
                self._error(
                    key, f"missing '{key}'" if key not in self.fm.data else f"'{key}' is empty"
                )
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._error(key, f"'{key}' must be text, got {type(value).__name__}")
            return ""
        return clean_text(str(value)).strip()

    def boolean(self, key: str) -> bool:
        value = self._raw(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self._error(key, f"'{key}' must be true or false, got {value!r}")
            return False
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value and value.lower() not in allowed:
            self._error(key, f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
            return ""
        return value.lower()

    def date(self, key: str, required: bool = False) -> datetime | None:
        value = self._raw(key)
        if value is None or value == "":
            if required:
                self._error(
                    key,
                    f"missing '{key}' (e.g. {key}: 2024-03-05 09:00), "
                    "or mark the post 'draft: true'",
                )
            return None
        try:
            return parse_datetime(value, self.config.tz)
        except DateError as exc:
            self._error(key, f"'{key}': {exc}")
            return None

    def tags(self) -> tuple[TagRef, ...]:
        value = self._raw("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            names = [clean_text(part).strip() for part in value.split(",")]
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            names = [clean_text(str(v)).strip() for v in value]
        else:
            self._error("tags", "'tags' must be a list of names or one comma-separated string")
            return ()
        refs: dict[str, TagRef] = {}
        for name in names:
            if not name:
                continue
            slug = slugify(name)
            if not slug:
                self._error("tags", f"tag {name!r} has no letters or digits to make a URL from")
                continue
            refs.setdefault(slug, TagRef(name, slug))
        return tuple(refs.values())


def _check_unique_urls(posts: tuple[Post, ...], pages: list[Page], log: ProblemLog) -> None:
    claimed: dict[str, str] = {}
    for item in (*posts, *pages):
        other = claimed.setdefault(item.url, item.source)
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
