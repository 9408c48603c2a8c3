"""Pelican's slugs, dates, URLs and feed ids, computed exactly as Pelican 4 computes them.

Each function names the Pelican code it follows, so a difference can be checked against
the source: ``pelican.utils.slugify``, ``pelican.utils.get_date``, ``Content.url_format``
with ``str.format``, and feedgenerator's ``get_tag_uri``.
"""

from __future__ import annotations

import importlib
import posixpath
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlparse

from markupsafe import Markup

from thoughtgen.dates import DateError, check_year, parse_datetime

# What unidecode gives for letters that do not decompose into a base letter and accents.
_ASCII = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "œ": "oe",
    "Œ": "OE",
    "đ": "d",
    "Đ": "D",
    "ł": "l",
    "Ł": "L",
    "þ": "th",
    "Þ": "Th",
    "ð": "d",
    "Ð": "D",
    "ı": "i",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "--",
    "…": "...",
    "\u00a0": " ",
}
_DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%m/%d/%Y",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%a, %d %b %Y %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S%z",
)
_DATE_TOKENS = {"Y": "year", "m": "month", "d": "day", "H": "hour", "M": "minute", "S": "second"}
_PERMALINK_LITERAL = re.compile(r"[A-Za-z0-9._~/-]*")


def slugify(
    value: str, subs: Iterable[tuple[str, str]], preserve_case: bool, use_unicode: bool
) -> tuple[str, bool]:
    """Pelican's slug for ``value``, and whether it is certainly the one Pelican made.

    Pelican transliterates to ASCII with unidecode; where unidecode is installed (it is
    wherever Pelican is) it is used, else accents are folded and a few letters mapped, and
    a title with other letters gives ``False`` so the caller can say the URL may differ.
    """
    value = unicodedata.normalize("NFKC", Markup(value).striptags())
    exact = True
    if not use_unicode:
        value, exact = _ascii(value)
    for pattern, replacement in subs:
        value = re.sub(
            unicodedata.normalize("NFKC", pattern),
            unicodedata.normalize("NFKC", replacement),
            value,
            flags=re.IGNORECASE,
        )
    if not preserve_case:
        value = value.lower()
    return value.strip(), exact


def _ascii(value: str) -> tuple[str, bool]:
    try:
        unidecode = importlib.import_module("unidecode")
    except ImportError:
        unidecode = None
    if unidecode is not None:
        return str(unidecode.unidecode(value)), True
    folded = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", "".join(_ASCII.get(c, c) for c in value))
        if not unicodedata.combining(ch)
    )
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return ascii_only, ascii_only == folded


def pelican_date(value: object, tz: tzinfo) -> datetime:
    """An aware datetime for a ``Date:`` value, as Pelican's dateutil-based ``get_date``.

    A value without an offset is in ``tz``. Raises DateError for what cannot be read.
    """
    if isinstance(value, (date, datetime)):
        return parse_datetime(value, tz)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
        try:
            return parse_datetime(datetime(*value), tz)  # DEFAULT_DATE = (2012, 5, 1)
        except (TypeError, ValueError) as exc:
            raise DateError(f"date {value!r} does not exist ({exc})") from None
    text = re.sub(" +", " ", str(value).replace("_", " ")).strip()
    try:
        return parse_datetime(text, tz)
    except DateError as exc:
        first_error = exc
    for form in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, form)
        except ValueError:
            continue
        check_year(parsed, text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    raise first_error


def metadata_list(value: object) -> list[str]:
    """Pelican's ``ensure_metadata_list``: split on ``;`` if present, else on ``,``."""
    if isinstance(value, str):
        items: list[Any] = value.split(";") if ";" in value else value.split(",")
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif value is None:
        items = []
    else:
        items = [value]
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def expand(pattern: str, values: Mapping[str, object]) -> str | None:
    """``pattern.format(**values)`` as Pelican does it, or None when it cannot be done.

    Only plain names are looked up (no attribute or index access), a date's format spec
    goes to ``strftime``, and large widths are refused, so a hostile pattern can neither
    reach into objects nor build a huge string.
    """
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return None
    out: list[str] = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if not name.isidentifier() or name not in values or conversion not in (None, "s"):
            return None
        value = values[name]
        spec = spec or ""
        if "{" in spec:
            return None
        if isinstance(value, datetime):
            out.append(value.strftime(spec) if spec else str(value))
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            if re.search(r"\d{4,}", spec):
                return None
            try:
                out.append(format(value, spec))
            except ValueError:
                return None
        else:
            return None
    return "".join(out)


def to_permalink(pattern: str) -> str:
    """thoughtgen's permalink for a Pelican URL setting, or "" when its tokens cannot say it.

    ``{date:%Y}/{date:%m}/{slug}/`` → ``/:year/:month/:slug/``; ``{slug}.html`` →
    ``/:slug.html``. Categories, authors, languages and month names have no token.
    """
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return ""
    out: list[str] = []
    has_slug = False
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if conversion is not None:
            return ""
        if name == "slug" and not spec:
            out.append(":slug")
            has_slug = True
        elif name == "date" and spec:
            for piece in re.split(r"(%.)", spec):
                if piece.startswith("%"):
                    token = _DATE_TOKENS.get(piece[1:])
                    if token is None:
                        return ""
                    out.append(f":{token}")
                else:
                    out.append(piece)
        else:
            return ""
    permalink = "/" + "".join(out).lstrip("/")
    literal_text = re.sub(r":[a-z]+", "", permalink)
    if (
        not has_slug
        or not (permalink.endswith("/") or permalink.endswith(".html"))
        or not _PERMALINK_LITERAL.fullmatch(literal_text)
        or "//" in permalink
        or re.search(r"(^|/)\.\.?(/|$)", permalink)
    ):
        return ""
    return permalink


def slug_for(permalink: str, url: str, when: datetime | None, tz: tzinfo) -> str | None:
    """The slug that makes ``permalink`` give ``url`` for a post dated ``when``, if any.

    A translation's URL is ``{slug}-{lang}.html``: under ``/:slug.html`` it keeps its
    URL with the slug ``x-fr``.
    """
    if not permalink or not url:
        return None
    local = when.astimezone(tz) if when is not None else None
    regex: list[str] = []
    seen_slug = False
    for piece in re.split(r"(:[a-z]+)", permalink):
        name = piece[1:] if piece.startswith(":") else None
        if name in ("slug", "title"):
            regex.append("(?P=slug)" if seen_slug else "(?P<slug>[^/]+)")
            seen_slug = True
        elif name is not None and name in _DATE_TOKENS.values():
            if local is None:
                return None
            width = 4 if name == "year" else 2
            regex.append(f"{getattr(local, name):0{width}d}")
        elif name is not None:
            return None
        else:
            regex.append(re.escape(piece))
    match = re.fullmatch("".join(regex), url)
    return match.group("slug") if match else None


def item_link(siteurl: str, url: str, relative_urls: bool) -> str:
    """The link Pelican's feed writer gives an item (``Writer.urljoiner``)."""
    if relative_urls:
        return posixpath.join(siteurl, url)
    return urljoin(siteurl if siteurl.endswith("/") else siteurl + "/", url)


def tag_uri(link: str, when: datetime) -> str:
    """feedgenerator's ``get_tag_uri(link, date)``: Pelican's Atom ``<id>`` and RSS ``<guid>``."""
    bits = urlparse(link)
    fragment = f"/{bits.fragment}" if bits.fragment else ""
    return f"tag:{bits.hostname},{when.strftime('%Y-%m-%d')}:{bits.path}{fragment}"
