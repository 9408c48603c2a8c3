"""Permalink patterns: where posts and pages are published, e.g. ``/:year/:month/:slug/``.

A pattern is a path from the site root that ends in ``/`` (the page is ``…/index.html``)
or in ``.html`` (the page is that file), made of literal text and tokens. The default
patterns give thoughtgen's usual URLs; others let an imported site keep its exact URLs.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

POST_DEFAULT = "/posts/:slug/"
PAGE_DEFAULT = "/:slug/"

# Token → what it stands for, for messages and docs.
TOKENS = {
    "year": "four-digit year",
    "month": "two-digit month",
    "day": "two-digit day",
    "hour": "two-digit hour",
    "minute": "two-digit minute",
    "second": "two-digit second",
    "slug": "the slug",
    "title": "the slug (as Jekyll and Hugo call it)",
    "section": "posts or pages",
}
_DATED = ("year", "month", "day", "hour", "minute", "second")
_TOKEN = re.compile(r":([a-z]+)")
_LITERAL = re.compile(r"[A-Za-z0-9._~/-]*")


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a permalink pattern, or None when it can."""
    if not pattern.startswith("/"):
        return f"must start with '/', e.g. {POST_DEFAULT}"
    if not (pattern.endswith("/") or pattern.endswith(".html")):
        return "must end with '/' or '.html'"
    names = _TOKEN.findall(pattern)
    unknown = [n for n in names if n not in TOKENS]
    if unknown:
        known = ", ".join(f":{t}" for t in TOKENS)
        return f"has an unknown token ':{unknown[0]}'; the tokens are {known}"
    if "slug" not in names and "title" not in names:
        return "must contain :slug (or :title), so each post gets its own URL"
    literal = _TOKEN.sub("", pattern)
    if not _LITERAL.fullmatch(literal) or "//" in pattern or "/../" in pattern + "/":
        return "may hold only letters, digits, '-', '_', '.', '~' and '/' besides its tokens"
    if "/./" in pattern or pattern.startswith("/."):
        return "must not contain a '.' segment"
    return None


def expand(pattern: str, slug: str, date: datetime | None, tz: tzinfo, section: str) -> str:
    """The URL (relative to the site root, no leading ``/``) ``pattern`` gives an item.

    Date tokens use the date in the site's timezone; an undated item (a draft) takes the
    date tokens from 1970 so it still gets a URL of the same shape.
    """
    local = date.astimezone(tz) if date is not None else datetime(1970, 1, 1)
    values = {
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
        "day": f"{local.day:02d}",
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "second": f"{local.second:02d}",
        "slug": slug,
        "title": slug,
        "section": section,
    }
    return _TOKEN.sub(lambda m: values[m.group(1)], pattern)[1:]


def uses_date(pattern: str) -> bool:
    return any(name in _DATED for name in _TOKEN.findall(pattern))
