"""Parsing one source file into a ParsedItem: front matter checked, Markdown rendered.

A ParsedItem depends only on the file's bytes, the site timezone and the Markdown settings,
so it can be computed in a worker process and kept in the build cache.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from thoughtgen.config import web_url_problem
from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import Problem, shown
from thoughtgen.foreign import find_foreign_tags
from thoughtgen.frontmatter import (
    KNOWN_KEYS,
    FrontMatter,
    FrontMatterError,
    split_front_matter,
    typo_of,
)
from thoughtgen.links import find_urls
from thoughtgen.markup import MarkdownRenderer, collapse_space
from thoughtgen.model import Body, TagRef
from thoughtgen.scaffold import PLACEHOLDER_WARNING, placeholder_line
from thoughtgen.slugs import MAX_NAME_BYTES, name_too_long, slugify, unsafe_slug_reason
from thoughtgen.sources import BUNDLE_TEXTS, POST_SUFFIXES, clean_text, decode_newlines

STATUSES = ("idea", "draft", "published")
SUMMARY_LIMIT = 300


_RENDERER: list[MarkdownRenderer] = []  # one per process, made on first use


def shared_renderer() -> MarkdownRenderer:
    if not _RENDERER:
        _RENDERER.append(MarkdownRenderer())
    return _RENDERER[0]


def lean_item(item: ParsedItem, keep_html: bool = False) -> tuple[ParsedItem, str]:
    """The item without its HTML (which travels and is stored on its own), and the HTML.

    With ``keep_html`` the item keeps the HTML too (builds without a cache).
    """
    html = item.body.html
    if not keep_html:
        object.__setattr__(item, "body", Body(item.body.digest))  # ours alone: no copy needed
    return item, html


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class SourceLink:
    """A link in a post to another source file or to a file of its own bundle.

    ``href`` is the link as written; ``target`` the site-relative path it names
    (``content/posts/other.md``, ``content/posts/trip/photo.jpg``).
    """

    href: str
    target: str
    line: int


@dataclass(frozen=True)
class ParsedItem:
    """Everything a post or page says about itself, independent of other files and of "now"."""

    rel: str
    kind: str  # "post" or "page"
    digest: str  # of the source bytes
    slug: str
    title: str
    date: datetime | None
    updated: datetime | None
    unpublished: bool  # draft: true, or status draft/idea
    status_text: str  # "", "idea", "draft" or "published"
    tags: tuple[TagRef, ...]
    summary: str
    summary_given: bool
    author: str
    canonical_url: str
    image: str
    series: str
    extra: dict[str, Any]
    slug_line: int
    toc_html: str
    word_count: int
    body: Body
    warnings: tuple[Problem, ...] = field(default=())
    aliases: tuple[str, ...] = ()  # old paths or URLs that redirect here, as written
    aliases_line: int = 1
    guid: str = ""
    links: tuple[SourceLink, ...] = ()
    bundle: str = ""  # the folder of a page bundle (content/posts/trip), else ""
    series_part: int | None = None  # the post's place in its series, when given
    syndication: tuple[str, ...] = ()  # URLs where the post was also published


def parse_source(
    rel: str, kind: str, data: bytes, tz: tzinfo, renderer: MarkdownRenderer
) -> ParsedItem | list[Problem]:
    """The parsed item, or every problem found in the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return [Problem(rel, line, f"not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8")]
    text = clean_text(decode_newlines(text))
    try:
        fm = split_front_matter(text)
    except FrontMatterError as exc:
        return [Problem(rel, exc.line, exc.message)]
    hints = _key_hints(rel, fm)
    fields = _FieldReader(rel, fm, tz, hints)
    for key, comment in fm.commented.items():
        words = comment.replace("#", " ").split()
        fix = f"[{', '.join(words)}]" if key == "tags" else f'"#{comment}"'
        message = f"'#' starts a YAML comment: write {key}: {fix}"
        if key in _MEANT_KEYS:
            fields.errors.append(Problem(rel, fm.line_of(key), message))
        else:
            hints[key] = _Hint(key, Problem(rel, fm.line_of(key), message + " (or remove the key)"))
    title = fields.text("title", required=True)
    bundle = bundle_folder(rel)
    named_date, name = name_parts(rel, bundle)
    slug = fields.text("slug") or slugify(name)
    reason = unsafe_slug_reason(slug)
    if reason:
        fields.errors.append(Problem(rel, fm.line_of("slug"), reason))
    draft = fields.boolean("draft")
    status_text = fields.choice("status", STATUSES)
    is_post = kind == "post"
    unpublished = draft or status_text in ("draft", "idea")
    date = fields.date("date", required=is_post and not unpublished and named_date is None)
    if date is None and is_post and named_date is not None and "date" not in fm.data:
        date = fields.named_date(named_date, bundle or rel)
    updated = fields.date("updated")
    tags = fields.tags() if is_post else ()
    summary = fields.text("summary")
    strings = {k: fields.text(k) for k in ("author", "canonical_url", "image", "series", "guid")}
    aliases = fields.aliases()
    series_part = fields.whole_number("series_part")
    syndication = fields.urls("syndication")
    extra = {k: v for k, v in fm.data.items() if k not in KNOWN_KEYS}
    warnings = [hints[key].problem for key in hints if key not in fields.hints_used]
    if fields.errors:
        # The hints go with the errors: a misspelt key is often why a required one is missing.
        return fields.errors + warnings
    if is_post and not unpublished and (stub := placeholder_line(fm.body, fm.body_line)):
        warnings.append(Problem(rel, stub, PLACEHOLDER_WARNING))
    for tag in find_foreign_tags(fm.body, fm.body_line):
        warnings.append(Problem(rel, tag.line, _foreign_message(tag.text, tag.generator)))
    rendered = renderer.render(fm.body)
    links = _source_links(rel, bundle, rendered.html, fm.body, fm.body_line)
    digest = digest_of(data)
    return ParsedItem(
        rel=rel,
        kind=kind,
        digest=digest,
        slug=slug,
        title=title,
        date=date,
        updated=updated,
        unpublished=unpublished,
        status_text=status_text,
        tags=tags,
        summary=collapse_space(summary) or _shorten(rendered.excerpt_text),
        summary_given=bool(summary),
        author=strings["author"],
        canonical_url=strings["canonical_url"],
        image=strings["image"],
        series=strings["series"],
        extra=extra,
        slug_line=fm.line_of("slug"),
        toc_html=rendered.toc_html,
        word_count=rendered.word_count,
        body=Body(digest, rendered.html),
        warnings=tuple(warnings),
        aliases=aliases,
        aliases_line=fm.line_of("aliases"),
        guid=strings["guid"],
        links=links,
        bundle=bundle,
        series_part=series_part,
        syndication=syndication,
    )


# 2013-05-06-slug (Jekyll's post names; single-digit months and days too).
_NAMED_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:-(.*))?$")


def bundle_folder(rel: str) -> str:
    """The folder of a page bundle whose text is ``rel`` (…/trip/index.md), else ""."""
    path = PurePosixPath(rel)
    if path.name in BUNDLE_TEXTS and path.parts[:2] == ("content", "posts") and len(path.parts) > 3:
        return str(path.parent)
    return ""


def name_parts(rel: str, folder: str) -> tuple[str | None, str]:
    """The date written in a source's name (or its bundle ``folder``'s), if any, and the rest."""
    stem = PurePosixPath(folder).name if folder else PurePosixPath(rel).stem
    match = _NAMED_DATE.match(stem)
    if match is None:
        return None, stem
    year, month, day, rest = match.groups()
    return f"{year}-{month}-{day}", rest or stem


def _foreign_message(text: str, generator: str) -> str:
    return (
        f"{text} is {generator} template syntax, which thoughtgen publishes as plain text; "
        "replace it with Markdown (or put it in a code block if you mean to show it)"
    )


_LINE_LOOKUPS = 300
_SOURCE_SUFFIX = re.compile(r"\.m(?:d|arkdown)\b", re.I)
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#|^/")


def _source_links(
    rel: str, bundle: str, html_text: str, body: str, body_line: int
) -> tuple[SourceLink, ...]:
    """Relative links to other sources (``other.md``) and, in a bundle, to its own files."""
    if not bundle and not _SOURCE_SUFFIX.search(html_text):
        return ()  # most posts: nothing to look for
    found: dict[str, SourceLink] = {}
    folder = PurePosixPath(rel).parent
    for href in find_urls(html_text):
        if href in found or _URL_SCHEME.match(href):
            continue
        path = href.split("#", 1)[0].split("?", 1)[0]
        if not path:
            continue
        is_source = path.lower().endswith(POST_SUFFIXES)
        if not is_source and not bundle:
            continue
        target = posixpath.normpath(posixpath.join(str(folder), unquote(path)))
        if target.startswith("../") or target == "..":
            continue
        # The line is looked up for a few hundred links; a file with more (hostile, or
        # generated) names its first line, so the search never grows quadratic.
        index = body.find(href) if len(found) < _LINE_LOOKUPS else -1
        line = body_line + body.count("\n", 0, index) if index >= 0 else body_line
        found[href] = SourceLink(href, target, line)
    return tuple(found.values())


_ALIAS_BREAKERS = re.compile(r"[\s\"'<>\\`{}|^\x00-\x1f\x7f]")


_DECODED_BREAKERS = re.compile(r"[\\\x00-\x1f\x7f]")


def alias_problem(text: str) -> str | None:
    """Why ``text`` cannot be an alias (an old path or URL of this site), or None.

    Aliases are URLs, so a space or a quote is written percent-encoded (``/web%20dev/``).
    """
    if not text:
        return "is empty"
    if _ALIAS_BREAKERS.search(text):
        return (
            "must not contain spaces, quotes, <, > or backslashes (write them "
            "percent-encoded, such as %20) or control characters"
        )
    if "?" in text or "#" in text:
        return "has a query or fragment; a static site can redirect only a path"
    path = text
    if "://" in text:
        if not text.startswith(("http://", "https://")):
            return "must be a path such as /2013/05/old/ or an http(s) URL of this site"
        path = "/" + text.split("://", 1)[1].partition("/")[2]
    path = unquote(path)
    if _DECODED_BREAKERS.search(path):
        return "has an encoded backslash or control character"
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") for s in segments):
        return "must not contain '.' or '..' segments"
    if not segments:
        return "is the site's home page; an alias must be an old path of this post"
    return None


# Keys whose value a writer clearly meant: a comment eating it is an error, not a warning.
_MEANT_KEYS = ("tags", "title", "summary", "date")


@dataclass(frozen=True)
class _Hint:
    """An unknown key that looks like the known key it probably means."""

    written: str
    problem: Problem
    why: str = "a misspelling?"


def _key_hints(rel: str, fm: FrontMatter) -> dict[str, _Hint]:
    """Look-alike keys, by the known key each probably means."""
    hints: dict[str, _Hint] = {}
    for key in fm.data:
        if key in KNOWN_KEYS or (known := typo_of(key)) is None:
            continue
        if key.lower() == known:
            why = "keys are lower-case"
            message = f"{why}: did you mean '{known}' instead of '{key}'?"
            hint = _Hint(key, Problem(rel, fm.line_of(key), message), why)
        else:
            message = f"unknown key '{key}'; did you mean '{known}'?"
            hint = _Hint(key, Problem(rel, fm.line_of(key), message))
        hints.setdefault(known, hint)
    return hints


def _shorten(text: str) -> str:
    if len(text) <= SUMMARY_LIMIT:
        return text
    cut = text[:SUMMARY_LIMIT].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


class _FieldReader:
    """Typed access to front-matter keys, collecting a ``path:line`` problem for each bad one."""

    def __init__(self, rel: str, fm: FrontMatter, tz: tzinfo, hints: dict[str, _Hint]) -> None:
        self.rel, self.fm, self.tz, self.hints = rel, fm, tz, hints
        self.errors: list[Problem] = []
        self.hints_used: set[str] = set()

    def _error(self, key: str, message: str) -> None:
        self.errors.append(Problem(self.rel, self.fm.line_of(key), message))

    def _raw(self, key: str) -> Any:
        return self.fm.data.get(key)

    def _missing(self, key: str, message: str) -> None:
        """``message`` for an absent key, naming the look-alike key the writer used instead."""
        hint = self.hints.get(key)
        if key not in self.fm.data and hint is not None:
            self.hints_used.add(key)
            message += f" ('{hint.written}' on line {hint.problem.line}: {hint.why})"
        self._error(key, message)

    def text(self, key: str, required: bool = False) -> str:
        value = self._raw(key)
        if value is None or value == "":
            if required and key not in self.fm.commented:
                if key in self.fm.data:
                    self._error(key, f"'{key}' is empty; write a {key} after the colon")
                else:
                    self._missing(key, f"missing '{key}'")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._error(key, f"'{key}' must be text, got {type(value).__name__}")
            return ""
        text = clean_text(str(value)).strip()
        if required and not text:
            self._error(key, f"'{key}' is empty; write a {key} after the colon")
        return text

    def boolean(self, key: str) -> bool:
        value = self._raw(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self._error(key, f"'{key}' must be true or false, got {shown(value)}")
            return False
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value and value.lower() not in allowed:
            self._error(key, f"'{key}' must be one of {', '.join(allowed)}; got {shown(value)}")
            return ""
        return value.lower()

    def date(self, key: str, required: bool = False) -> datetime | None:
        value = self._raw(key)
        if value is None or value == "":
            if required and key not in self.fm.commented:
                self._missing(
                    key,
                    f"missing '{key}' (e.g. {key}: 2024-03-05 09:00), "
                    "or mark the post 'draft: true'",
                )
            return None
        try:
            return parse_datetime(value, self.tz)
        except DateError as exc:
            self._error(key, f"'{key}': {exc}")
            return None

    def named_date(self, text: str, name: str) -> datetime | None:
        """The date written in the file's name (2013-05-06-slug.md)."""
        try:
            return parse_datetime(text, self.tz)
        except DateError as exc:
            self.errors.append(
                Problem(self.rel, 1, f"the date in the name {shown(name)}: {exc}; add a 'date:'")
            )
            return None

    def aliases(self) -> tuple[str, ...]:
        """Old paths (/2013/05/old.html) or URLs that redirect here."""
        value = self._raw("aliases")
        if value is None or value == "":
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            self._error("aliases", "'aliases' must be a list of old paths such as /2013/05/old/")
            return ()
        kept: list[str] = []
        for item in items:
            text = item.strip()
            reason = alias_problem(text)
            if reason:
                self._error("aliases", f"alias {shown(text)} {reason}")
            elif text not in kept:
                kept.append(text)
        return tuple(kept)

    def whole_number(self, key: str) -> int | None:
        """A whole number of 1 or more, such as a part number."""
        value = self._raw(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self._error(key, f"'{key}' must be a whole number of 1 or more, got {shown(value)}")
            return None
        return value

    def urls(self, key: str) -> tuple[str, ...]:
        """A list of absolute http(s) URLs (one URL alone is a list of one)."""
        value = self._raw(key)
        if value is None or value == "":
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            self._error(key, f"'{key}' must be a list of URLs such as https://example.com/post")
            return ()
        kept: list[str] = []
        for item in items:
            text = item.strip()
            reason = web_url_problem(text)
            if reason:
                self._error(key, f"{shown(text)} in '{key}' {reason}")
            elif text not in kept:
                kept.append(text)
        return tuple(kept)

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
                self._error(
                    "tags", f"tag {shown(name)} has no letters or digits to make a URL from"
                )
                continue
            if name_too_long(slug):
                self._error(
                    "tags",
                    f"tag {shown(name)} is longer than {MAX_NAME_BYTES} bytes as a URL name; "
                    "use a shorter tag",
                )
                continue
            refs.setdefault(slug, TagRef(name, slug))
        return tuple(refs.values())
