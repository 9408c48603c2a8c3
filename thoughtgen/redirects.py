"""Redirects from old addresses: a page at each old path, and ``_redirects`` for hosts that read it.

The page works on every static host (a meta refresh, a canonical link and a plain link;
no JavaScript, and ``noindex`` so search engines keep only the new address). Netlify and
Cloudflare Pages read ``/_redirects`` and answer with a real 301 instead.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import quote

from thoughtgen.config import Config
from thoughtgen.model import Alias, Page, Post
from thoughtgen.outputs import OutputFile

REDIRECTS_PATH = "_redirects"


def redirect_page(alias: Alias, item: Post | Page, config: Config) -> OutputFile:
    """The page written at ``alias.path`` that sends readers on to ``item``."""
    target = html.escape(config.site_url + item.url)
    title = html.escape(item.title)
    text = (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(config.language)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href="{target}">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This page has moved to <a href="{target}">{title}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    )
    return OutputFile(alias.path, text.encode("utf-8"), origin=f"alias of {item.source}")


def _encoded(path: str) -> str:
    """A path as it travels in an HTTP request line: non-ASCII letters percent-encoded."""
    return quote(path, safe="/%:@!$&'()*+,;=-._~")


def redirects_file(items: Sequence[Post | Page], config: Config, own: bytes = b"") -> OutputFile:
    """``_redirects``: the site's own rules first (the first match wins), then every alias."""
    lines = []
    for item in items:
        target = _encoded(config.base_path + item.url)
        lines += [f"{_encoded(alias.request)} {target} 301!" for alias in item.aliases]
    generated = "\n".join(lines) + "\n" if lines else ""
    if own and not own.endswith(b"\n"):
        own += b"\n"
    return OutputFile(REDIRECTS_PATH, own + generated.encode("utf-8"), origin="redirects")
