"""Rewriting link targets inside rendered HTML fragments."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urljoin

_ATTR_RE = re.compile(
    r"""(?P<lead>\s(?:href|src|poster)\s*=\s*)(?P<q>["'])(?P<url>.*?)(?P=q)""", re.I
)
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def rewrite_urls(fragment: str, rewrite: Callable[[str], str]) -> str:
    """Apply ``rewrite`` to every href, src and poster attribute value in ``fragment``."""
    if "href" not in fragment and "src" not in fragment and "poster" not in fragment:
        return fragment

    def replace(match: re.Match[str]) -> str:
        # The attribute holds escaped text: rewrite the URL it stands for, then escape the
        # result again, so no part of the new URL can end the attribute or open a tag.
        url = match.group("url")
        new = rewrite(html.unescape(url))
        if new == html.unescape(url):
            return match.group(0)
        return f"{match.group('lead')}{match.group('q')}{html.escape(new)}{match.group('q')}"

    return _ATTR_RE.sub(replace, fragment)


def find_urls(fragment: str) -> list[str]:
    """Every href, src and poster value in ``fragment``, unescaped, in order."""
    if "href" not in fragment and "src" not in fragment and "poster" not in fragment:
        return []
    return [html.unescape(m.group("url")) for m in _ATTR_RE.finditer(fragment)]


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
