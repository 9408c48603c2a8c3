"""The site configuration: a typed schema read from ``thoughtgen.yaml``.

Every option is a field of a frozen dataclass with its default and a one-line
``doc``. The loader checks types, reports unknown keys with the nearest known
key, and collects every problem before raising.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from thoughtgen.calendar.periods import parse_slot
from thoughtgen.errors import ProblemLog, ThoughtgenError, shown
from thoughtgen.sources import clean_text
from thoughtgen.yamlio import YamlDocument, YamlSyntaxError, parse_yaml

CONFIG_FILE = "thoughtgen.yaml"

Check = Callable[[Any], str | None]


def option(default: Any, doc: str, check: Check | None = None, *, display: bool = False) -> Any:
    """A config field: its default, its one-line documentation and an optional check.

    ``display`` text is shown to readers, so control characters are dropped from it; in any
    other text (URLs, codes, paths) they are an error, as no meaning survives removing them.
    """
    meta = {"doc": doc, "check": check, "display": display}
    if isinstance(default, type):  # list, or a nested section's dataclass
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def _positive(value: int) -> str | None:
    return None if value >= 1 else "must be 1 or more"


def _slots(value: list[str]) -> str | None:
    for slot in value:
        try:
            parse_slot(slot)
        except ValueError:
            return (
                f"cannot read slot {shown(slot)}; write a weekday and a time, such as 'tue 09:00'"
            )
    return None


# Characters that end or split a URL wherever it lands: an HTML attribute, robots.txt, XML.
_URL_BREAKERS = re.compile(r"[\s\"'<>\\`{}|^]")
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_THEME_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def is_theme_name(value: str) -> bool:
    """A theme is the name of a folder in themes/, never a path out of it."""
    return _THEME_NAME.fullmatch(value) is not None


_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def web_url_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute http(s) URL, or None (also for "")."""
    if not value:
        return None
    if _URL_BREAKERS.search(value):
        return f"must not contain spaces, quotes, <, > or backslashes; got {shown(value)}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http(s) URL such as https://example.com/about/, got {shown(value)}"
    return None


def _not_negative(value: int) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _image(value: str) -> str | None:
    if not value or (value.startswith("/") and not _URL_BREAKERS.search(value)):
        return None
    if value.startswith(("http://", "https://")):
        return web_url_problem(value)
    return (
        f"must be a path from the site root such as /images/card.png, or a URL; got {shown(value)}"
    )


def _email(value: str) -> str | None:
    if not value or re.fullmatch(r"[^\s\"'<>\\(),;:@]+@[^\s\"'<>\\(),;:@]+", value):
        return None
    return f"must be an email address such as ann@example.com, got {shown(value)}"


def _theme_name(value: str) -> str | None:
    if is_theme_name(value):
        return None
    return (
        "must be the name of a folder in themes/ (lowercase letters, digits, '.', '_' and '-'), "
        f"got {shown(value)}"
    )


def _language(value: str) -> str | None:
    if _LANGUAGE.fullmatch(value):
        return None
    return f"must be a language code such as en or en-GB, got {shown(value)}"


@dataclass(frozen=True)
class AuthorConfig:
    """Who writes the site; used in feeds, meta tags and JSON-LD."""

    name: str = option("", "The author's name, shown on posts and in feeds.", display=True)
    email: str = option("", "Contact address for feeds (optional).", _email)
    url: str = option("", "The author's home page (optional).", web_url_problem)


def _feed_copies(value: list[str]) -> str | None:
    for path in value:
        if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", path) or "/../" in path + "/":
            return (
                f"must be file paths such as /index.xml; got {shown(path)} "
                "(an address ending in '/' can only be redirected: add it to "
                "content/static/_redirects)"
            )
    return None


@dataclass(frozen=True)
class FeedConfig:
    """RSS and Atom feed settings."""

    limit: int = option(20, "How many of the newest posts each feed carries.", _positive)
    full_content: bool = option(True, "Put whole posts in feeds; false gives summaries only.")
    rss_copies: list[str] = option(
        list,
        "Old feed addresses that serve a copy of /feed.xml, e.g. ['/index.xml'].",
        _feed_copies,
    )
    atom_copies: list[str] = option(
        list, "Old feed addresses that serve a copy of /atom.xml.", _feed_copies
    )


def _permalink(value: str) -> str | None:
    from thoughtgen.permalinks import pattern_problem

    problem = pattern_problem(value)
    return f"{problem}; got {shown(value)}" if problem else None


@dataclass(frozen=True)
class PermalinkConfig:
    """Where posts and pages are published: patterns of :year :month :day :slug and more."""

    posts: str = option(
        "/posts/:slug/", "Post URLs, e.g. /:year/:month/:day/:slug/ or /:slug.html.", _permalink
    )
    pages: str = option("/:slug/", "Page URLs, e.g. /:slug/ or /:slug.html.", _permalink)


Cadence = Literal["daily", "weekly", "biweekly", "monthly"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class CalendarConfig:
    """The content calendar: how often you promise to publish."""

    cadence: Cadence = option(
        "weekly", "How often you aim to publish: daily, weekly, biweekly or monthly."
    )
    target: int = option(1, "Posts per period that count as keeping the promise.", _positive)
    week_start: Weekday = option("monday", "The day a week begins on (monday … sunday).")
    slots: list[str] = option(list, "Preferred publishing times, e.g. ['tue 09:00'].", _slots)
    page: bool = option(False, "Build the public /calendar/ page.")
    ics: bool = option(False, "Publish /calendar.ics with what is due and scheduled.")


@dataclass(frozen=True)
class Config:
    """Everything in ``thoughtgen.yaml``."""

    title: str = option("", "The site's name (required).", display=True)
    base_url: str = option("", "Absolute URL the site is served from (required).")
    description: str = option(
        "", "One sentence about the site, for feeds and meta tags.", display=True
    )
    language: str = option("en", "Language code of the content, e.g. en or en-GB.", _language)
    timezone: str = option("UTC", "IANA timezone for dates without an offset.")
    author: AuthorConfig = option(AuthorConfig, "The author.")
    posts_per_page: int = option(10, "Posts on each page of the home and tag listings.", _positive)
    theme: str = option(
        "default", "Theme name: themes/<name>/ in the site, else the bundled one.", _theme_name
    )
    output_dir: str = option("public", "Folder the site is built into, relative to the site.")
    feed: FeedConfig = option(FeedConfig, "Feed settings.")
    permalinks: PermalinkConfig = option(PermalinkConfig, "URL patterns of posts and pages.")
    calendar: CalendarConfig = option(CalendarConfig, "Content calendar settings.")
    image: str = option(
        "", "Share image for every page without its own, e.g. /images/card.png (1200×630).", _image
    )
    logo: str = option("", "The site's logo for search engines, e.g. /images/logo.png.", _image)
    share_cards: bool = option(True, "Draw a 1200×630 share card for each post without an image.")
    related_posts: int = option(
        3, "How many related posts to show under each post; 0 shows none.", _not_negative
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property  # read for every link of every page
    def base_path(self) -> str:
        """The path part of ``base_url``, always ending in ``/`` (``/`` or ``/blog/``)."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @cached_property
    def site_url(self) -> str:
        """``base_url`` with exactly one trailing slash."""
        return self.base_url.rstrip("/") + "/"


REQUIRED = ("title", "base_url")


def load_config(site_dir: Path, base_url: str | None = None) -> Config:
    """Read ``thoughtgen.yaml`` in ``site_dir``; ``base_url`` overrides the file's."""
    path = site_dir / CONFIG_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ThoughtgenError.single(
            CONFIG_FILE, None, f"no {CONFIG_FILE} in {site_dir} (is this a thoughtgen site?)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ThoughtgenError.single(CONFIG_FILE, None, f"not UTF-8 text ({exc.reason})") from None
    return parse_config(text.replace("\r\n", "\n"), base_url)


def parse_config(text: str, base_url: str | None = None) -> Config:
    try:
        doc = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ThoughtgenError.single(CONFIG_FILE, exc.line, exc.message) from None
    data = {} if doc.data is None else doc.data
    log = ProblemLog()
    if not isinstance(data, dict):
        log.error(CONFIG_FILE, 1, "expected a mapping of option: value")
        log.raise_if_errors()
    if base_url is not None:
        data = {**data, "base_url": base_url}
    config = _build(Config, data, doc, "", log)
    for key in REQUIRED:
        if not data.get(key):
            log.error(CONFIG_FILE, doc.line_of(key, 1), f"'{key}' is required")
    _check_site_fields(config, data, doc, log)
    log.raise_if_errors()
    return config


def _check_site_fields(config: Config, data: dict, doc: YamlDocument, log: ProblemLog) -> None:
    if config.base_url:
        parts = urlsplit(config.base_url)
        if _URL_BREAKERS.search(config.base_url) or _CONTROL.search(config.base_url):
            # Each of these would end an href, start a new robots.txt line or break XML.
            log.error(
                CONFIG_FILE,
                doc.line_of("base_url", 1),
                "base_url must not contain spaces, quotes, <, >, backslashes or control "
                f"characters; got {shown(config.base_url)}",
            )
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            log.error(
                CONFIG_FILE,
                doc.line_of("base_url", 1),
                f"base_url must be an absolute http(s) URL such as https://example.com/, "
                f"got {shown(config.base_url)}",
            )
    if "timezone" in data:
        try:
            ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            log.error(
                CONFIG_FILE,
                doc.line_of("timezone"),
                f"unknown timezone {shown(config.timezone)}; "
                "use an IANA name such as Europe/Berlin",
            )


def _build(cls: type, data: dict, doc: YamlDocument, prefix: str, log: ProblemLog) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        line = doc.line_of(dotted, doc.line_of(prefix.rstrip("."), 1))
        if key not in fields:
            hint = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.6)
            suggestion = f"; did you mean '{prefix}{hint[0]}'?" if hint else ""
            log.error(CONFIG_FILE, line, f"unknown option '{dotted}'{suggestion}")
            continue
        converted = _convert(hints[key], value, dotted, line, doc, log)
        if converted is _INVALID:
            continue
        if fields[key].metadata.get("display") and isinstance(converted, str):
            converted = clean_text(converted)
        elif dotted != "base_url" and _has_control(converted):
            log.error(CONFIG_FILE, line, f"'{dotted}' contains a control character; remove it")
            continue
        check = fields[key].metadata.get("check")
        message = check(converted) if check else None
        if message:
            log.error(CONFIG_FILE, line, f"'{dotted}' {message}")
            continue
        values[key] = converted
    return cls(**values)


_INVALID = object()


def _has_control(value: Any) -> bool:
    texts = value if isinstance(value, list) else [value]
    return any(isinstance(t, str) and _CONTROL.search(t) for t in texts)


def _convert(
    hint: Any, value: Any, dotted: str, line: int | None, doc: YamlDocument, log: ProblemLog
) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if value is None:
            return hint()
        if not isinstance(value, dict):
            log.error(CONFIG_FILE, line, f"'{dotted}' must be a mapping of options")
            return _INVALID
        return _build(hint, value, doc, dotted + ".", log)
    origin = typing.get_origin(hint)
    if origin is Literal:
        allowed = typing.get_args(hint)
        text = str(value).lower() if isinstance(value, str) else value
        if text in allowed:
            return text
        choices = ", ".join(allowed)
        log.error(CONFIG_FILE, line, f"'{dotted}' must be one of {choices}; got {shown(value)}")
        return _INVALID
    if origin is list:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            log.error(CONFIG_FILE, line, f"'{dotted}' must be a list of text values")
            return _INVALID
        return items
    if hint is bool:
        if isinstance(value, bool):
            return value
        log.error(CONFIG_FILE, line, f"'{dotted}' must be true or false, got {shown(value)}")
        return _INVALID
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        log.error(CONFIG_FILE, line, f"'{dotted}' must be a whole number, got {shown(value)}")
        return _INVALID
    if hint is str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        log.error(CONFIG_FILE, line, f"'{dotted}' must be text, got {shown(value)}")
        return _INVALID
    raise TypeError(f"unsupported config type {hint!r}")  # a bug in the schema, not user input


def describe_options(cls: type = Config, prefix: str = "") -> list[tuple[str, Any, str]]:
    """``(dotted name, default, doc)`` for every option, for docs and ``init``."""
    rows: list[tuple[str, Any, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hints[f.name]):
            rows.append((name, None, f.metadata["doc"]))
            rows.extend(describe_options(hints[f.name], name + "."))
        else:
            default = (
                f.default_factory()  # type: ignore[operator]  # no default: a factory is set
                if f.default is dataclasses.MISSING
                else f.default
            )
            rows.append((name, default, f.metadata["doc"]))
    return rows
