"""``/sitemap.xml`` and ``/robots.txt``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import SplitResult, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

from thoughtgen.config import Config
from thoughtgen.model import Page, Post, Site
from thoughtgen.outputs import OutputFile

# What the sitemap shows of a post or page: its URL, lastmod and canonical URL ("" for a
# page, which has none).
Shown = tuple[str, datetime | None, str]


def shown_of(item: Post | Page) -> Shown:
    """Everything ``render_sitemap`` reads of a post or page: ``serve`` keeps the last
    sitemap while this is the same for each of them."""
    return (item.url, item.lastmod, item.canonical_url if isinstance(item, Post) else "")


def render_sitemap(site: Site, html_paths: Iterable[str]) -> list[OutputFile]:
    """One ``<url>`` per HTML page written, with lastmod for posts.

    Left out: the 404 page, and posts whose ``canonical_url`` names another address (the
    copy here is not the one search engines should index).
    """
    config = site.config
    items: tuple[Post | Page, ...] = (*site.posts, *site.pages)
    shown = [shown_of(item) for item in items]
    lastmods = {url: lastmod for url, lastmod, _canonical in shown if lastmod}
    elsewhere = {
        url
        for url, _lastmod, canonical in shown
        if canonical and not is_own_url(canonical, config, url)
    }
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path in sorted(html_paths):
        if path == "404.html":
            continue
        url = path.removesuffix("index.html")
        if url in elsewhere:
            continue
        lines.append(f"  <url><loc>{escape(config.site_url + url)}</loc>")
        if (lastmod := lastmods.get(url)) is not None:
            lines.append(f"    <lastmod>{lastmod.isoformat(timespec='seconds')}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.site_url}sitemap.xml\n"
    return [
        OutputFile("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8"), origin="sitemap"),
        OutputFile("robots.txt", robots.encode("utf-8"), origin="robots.txt"),
    ]


def is_own_url(canonical: str, config: Config, url: str) -> bool:
    """Whether ``canonical`` is the page at ``url`` itself (scheme, case of the host, a
    trailing slash and percent-encoding aside), not a copy somewhere else."""
    own = config.site_url + url
    theirs = urlsplit(urljoin(own, canonical))
    ours = urlsplit(own)
    if (theirs.hostname or "") != (ours.hostname or "") or _port(theirs) != _port(ours):
        return False
    return unquote(theirs.path).rstrip("/") == unquote(ours.path).rstrip("/")


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:  # not a number: no page of this site has it
        return -1


def robots_problem(config: Config) -> str | None:
    """Why the robots.txt a build writes will not be read, or None when it will."""
    if config.base_path == "/":
        return None
    parts = urlsplit(config.site_url)
    root = f"{parts.scheme}://{parts.netloc}/robots.txt"
    return (
        f"base_url has a sub-path ({config.base_path}): crawlers read robots.txt only at the "
        f"host's root ({root}), so the one built here is ignored; put its Sitemap line "
        f"({config.site_url}sitemap.xml) in {root} instead"
    )
