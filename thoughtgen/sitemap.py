"""``/sitemap.xml`` and ``/robots.txt``."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from thoughtgen.model import Page, Post, Site
from thoughtgen.outputs import OutputFile


def render_sitemap(site: Site, html_paths: Iterable[str]) -> list[OutputFile]:
    """One ``<url>`` per HTML page written (the 404 page excepted), with lastmod for posts."""
    config = site.config
    items: tuple[Post | Page, ...] = (*site.posts, *site.pages)
    lastmods = {p.url: p.lastmod for p in items if p.lastmod}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path in sorted(html_paths):
        if path == "404.html":
            continue
        url = path.removesuffix("index.html")
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
