"""Rewriting link targets inside rendered HTML fragments."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urljoin

# A value may run over lines (a long srcset often does) but not past the tag's end: a
# stray quote in prose must not swallow the markup after it.
_ATTR_RE = re.compile(
    r"""(?P<lead>\s(?P<name>href|src|srcset|poster)\s*=\s*)(?P<q>["'])(?P<url>[^<]*?)(?P=q)""",
    re.I,
)
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# The HTML standard's ASCII whitespace, which alone separates srcset's URLs from descriptors.
_SPACE = " \t\n\f\r"
_SPACE_RE = re.compile(r"[ \t\n\f\r]")


def _may_hold_urls(fragment: str) -> bool:
    return "href" in fragment or "src" in fragment or "poster" in fragment


def srcset_spans(value: str) -> list[tuple[int, int]]:
    """Where each image candidate's URL sits in a ``srcset`` value, as (start, end) offsets.

    Follows the HTML standard's "parse a srcset attribute" as far as splitting goes: a URL
    runs to the next whitespace, and a comma ends it only at its end (``a,b.jpg`` is one
    URL, ``a.jpg,`` is ``a.jpg``); descriptors run to the next comma outside parentheses.
    Every candidate is kept, whether or not its descriptors would be valid.
    """
    spans: list[tuple[int, int]] = []
    end = len(value)
    pos = 0
    while True:
        while pos < end and (value[pos] in _SPACE or value[pos] == ","):
            pos += 1
        if pos >= end:
            return spans
        start = pos
        while pos < end and value[pos] not in _SPACE:
            pos += 1
        stop = pos
        if value[stop - 1] == ",":
            while value[stop - 1] == ",":  # the commas end the candidate; no descriptors
                stop -= 1
            spans.append((start, stop))
            continue
        spans.append((start, stop))
        pos = _skip_descriptors(value, pos)


def _skip_descriptors(value: str, pos: int) -> int:
    """The position after the descriptors that start at ``pos`` (and their ending comma)."""
    in_parens = False
    while pos < len(value):
        char = value[pos]
        if in_parens:
            in_parens = char != ")"
        elif char == "(":
            in_parens = True
        elif char == ",":
            return pos + 1
        pos += 1
    return pos


def srcset_urls(value: str) -> list[str]:
    """The URL of every image candidate in a ``srcset`` value, in order."""
    return [value[start:stop] for start, stop in srcset_spans(value)]


def rewrite_srcset(value: str, rewrite: Callable[[str], str]) -> str:
    """``value`` with ``rewrite`` applied to each candidate's URL; all else kept byte for byte."""
    parts: list[str] = []
    last = 0
    for start, stop in srcset_spans(value):
        parts += [value[last:start], _srcset_safe(rewrite(value[start:stop]))]
        last = stop
    parts.append(value[last:])
    return "".join(parts)


def _srcset_safe(url: str) -> str:
    """A URL that stays one candidate: whitespace, and commas at its end, percent-encoded."""
    url = _SPACE_RE.sub(lambda m: f"%{ord(m.group(0)):02X}", url)
    stripped = url.rstrip(",")
    return stripped + "%2C" * (len(url) - len(stripped))


def rewrite_urls(fragment: str, rewrite: Callable[[str], str]) -> str:
    """Apply ``rewrite`` to every href, src, srcset and poster URL in ``fragment``."""
    if not _may_hold_urls(fragment):
        return fragment

    def replace(match: re.Match[str]) -> str:
        # The attribute holds escaped text: rewrite the URL it stands for, then escape the
        # result again, so no part of the new URL can end the attribute or open a tag.
        value = html.unescape(match.group("url"))
        if match.group("name").lower() == "srcset":
            new = rewrite_srcset(value, rewrite)
        else:
            new = rewrite(value)
        if new == value:
            return match.group(0)
        return f"{match.group('lead')}{match.group('q')}{html.escape(new)}{match.group('q')}"

    return _ATTR_RE.sub(replace, fragment)


def find_urls(fragment: str) -> list[str]:
    """Every href, src, srcset and poster URL in ``fragment``, unescaped, in order."""
    if not _may_hold_urls(fragment):
        return []
    found: list[str] = []
    for match in _ATTR_RE.finditer(fragment):
        value = html.unescape(match.group("url"))
        if match.group("name").lower() == "srcset":
            found += srcset_urls(value)
        else:
            found.append(value)
    return found


def replacing(table: dict[str, str]) -> Callable[[str], str]:
    """A rewrite that swaps the URLs in ``table`` (keeping a ``#fragment``) and leaves the rest."""

    def rewrite(url: str) -> str:
        if url in table:
            return table[url]
        path, hash_, fragment = url.partition("#")
        if hash_ and path in table:
            return f"{table[path]}#{fragment}"
        return url

    return rewrite


def under_base_path(base_path: str) -> Callable[[str], str]:
    """Root-relative links (``/posts/x/``) gain the site's base path (``/blog/posts/x/``)."""

    def rewrite(url: str) -> str:
        if base_path == "/" or not url.startswith("/") or url.startswith("//"):
            return url
        if url.startswith(base_path) or url + "/" == base_path:
            return url
        return base_path + url[1:]

    return rewrite


def absolute_against(page_url: str, base_path: str) -> Callable[[str], str]:
    """Every relative link becomes absolute, as feed readers need (they have no page URL)."""
    to_base = under_base_path(base_path)

    def rewrite(url: str) -> str:
        if _SCHEME_RE.match(url) or url.startswith("//"):
            return url
        return urljoin(page_url, to_base(url))

    return rewrite
