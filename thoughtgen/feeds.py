"""RSS 2.0 and Atom feeds, built with feedgen."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from thoughtgen.links import absolute_against, rewrite_urls
from thoughtgen.model import Post, Site
from thoughtgen.outputs import OutputFile
from thoughtgen.sources import clean_text

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"


def xml_safe(text: str) -> str:
    """XML 1.0 forbids some characters even escaped; they are removed, never fatal."""
    return clean_text(text)


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: where, what it is called, and the posts it carries (newest first)."""

    path: str
    origin: str
    title: str
    html_url: str
    posts: tuple[Post, ...]
    atom: bool = False

    def render(self, site: Site) -> OutputFile:
        feed = _generator(site, self.title, self.html_url, self.path, self.posts, self.atom)
        data = feed.atom_str(pretty=True) if self.atom else feed.rss_str(pretty=True)
        return OutputFile(self.path, data, origin=self.origin)


def feed_specs(site: Site) -> list[FeedSpec]:
    """``/feed.xml``, ``/atom.xml`` and ``/tags/<slug>/feed.xml``, each with its newest posts."""
    config = site.config
    limit = config.feed.limit

    def newest(posts: Sequence[Post]) -> tuple[Post, ...]:
        return tuple(p for p in posts if p.date is not None)[:limit]

    posts = newest(site.posts)
    specs = [
        FeedSpec(RSS_PATH, "RSS feed", config.title, "", posts),
        FeedSpec(ATOM_PATH, "Atom feed", config.title, "", posts, atom=True),
    ]
    # Old feed addresses (a moved site's /index.xml) keep serving its subscribers.
    for copies, atom in ((config.feed.rss_copies, False), (config.feed.atom_copies, True)):
        for copy in copies:
            origin = f"feed.{'atom' if atom else 'rss'}_copies {copy}"
            specs.append(FeedSpec(copy.lstrip("/"), origin, config.title, "", posts, atom=atom))
    specs += [
        FeedSpec(
            f"{tag.url}feed.xml",
            f"feed of tag {tag.name}",
            f"{config.title}: {tag.name}",
            tag.url,
            newest(tag.posts),
        )
        for tag in site.tags
    ]
    return specs


def _plain_text(text: str) -> str:
    return text


def _text_as_html(text: str) -> str:
    return html.escape(text, quote=False)


def _generator(
    site: Site, title: str, html_url: str, self_path: str, posts: Sequence[Post], atom: bool
) -> FeedGenerator:
    from feedgen.feed import FeedGenerator  # lxml is heavy: load it only to write a feed

    # An RSS <description> is HTML by convention (Atom says type="text"): plain text is
    # escaped as HTML first, so "<script>" in a summary reads as those very characters.
    description = _plain_text if atom else _text_as_html
    config = site.config
    home = config.site_url + html_url
    fg = FeedGenerator()
    fg.id(config.site_url + self_path)
    fg.title(xml_safe(title))
    fg.subtitle(xml_safe(description(config.description or config.title)))
    # Self first: feedgen's RSS <link> takes the last link given, which must be the site.
    fg.link(href=config.site_url + self_path, rel="self")
    fg.link(href=home, rel="alternate")
    fg.language(config.language)
    fg.generator("thoughtgen")
    if config.author.name:
        author = {"name": xml_safe(config.author.name)}
        if config.author.email:
            author["email"] = config.author.email
        if config.author.url:
            author["uri"] = config.author.url
        fg.author(author)
    recent = list(posts)
    # Never "now": the same posts must give the same bytes, or every build rewrites feeds.
    fg.updated(max((p.lastmod for p in recent if p.lastmod), default=EPOCH))
    for post in recent:
        _add_entry(fg, site, post, description)
    return fg


def _add_entry(
    fg: FeedGenerator, site: Site, post: Post, description: Callable[[str], str]
) -> None:
    config = site.config
    permalink = config.site_url + post.url
    entry = fg.add_entry(order="append")
    # A pinned guid (an imported post's old feed id) keeps subscribers from seeing it anew.
    entry.id(post.guid or permalink)
    entry.guid(post.guid or permalink, permalink=post.guid in ("", permalink))
    entry.title(xml_safe(post.title))
    entry.link(href=permalink, rel="alternate")
    entry.published(post.date)
    entry.updated(post.lastmod)
    if post.author:
        entry.author({"name": xml_safe(post.author)})
    for tag in post.tags:
        entry.category(term=xml_safe(tag.name), label=xml_safe(tag.name))
    entry.summary(xml_safe(description(post.summary)) or None)
    if config.feed.full_content:
        html = rewrite_urls(post.content_html, absolute_against(permalink, config.base_path))
        entry.content(xml_safe(html), type="html")
