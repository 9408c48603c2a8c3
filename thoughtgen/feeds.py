"""RSS 2.0 and Atom feeds, built with feedgen."""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from thoughtgen.links import absolute_against, rewrite_urls
from thoughtgen.model import Post, Site
from thoughtgen.outputs import OutputFile
from thoughtgen.sources import clean_text

RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"


def xml_safe(text: str) -> str:
    """XML 1.0 forbids some characters even escaped; they are removed, never fatal."""
    return clean_text(text)


def render_feeds(site: Site) -> list[OutputFile]:
    """``/feed.xml``, ``/atom.xml`` and ``/tags/<slug>/feed.xml``."""
    config = site.config
    posts = [p for p in site.posts if p.date is not None]
    main = _generator(site, config.title, "", RSS_PATH, posts)
    outputs = [
        OutputFile(RSS_PATH, main.rss_str(pretty=True), origin="RSS feed"),
        OutputFile(
            ATOM_PATH,
            _generator(site, config.title, "", ATOM_PATH, posts).atom_str(pretty=True),
            origin="Atom feed",
        ),
    ]
    for tag in site.tags:
        path = f"{tag.url}feed.xml"
        feed = _generator(
            site,
            f"{config.title}: {tag.name}",
            tag.url,
            path,
            [p for p in tag.posts if p.date is not None],
        )
        outputs.append(
            OutputFile(path, feed.rss_str(pretty=True), origin=f"feed of tag {tag.name}")
        )
    return outputs


def _generator(
    site: Site, title: str, html_url: str, self_path: str, posts: Sequence[Post]
) -> FeedGenerator:
    config = site.config
    home = config.site_url + html_url
    fg = FeedGenerator()
    fg.id(config.site_url + self_path)
    fg.title(xml_safe(title))
    fg.subtitle(xml_safe(config.description or config.title))
    fg.link(href=home, rel="alternate")
    fg.link(href=config.site_url + self_path, rel="self")
    fg.language(config.language)
    fg.generator("thoughtgen")
    if config.author.name:
        author = {"name": xml_safe(config.author.name)}
        if config.author.email:
            author["email"] = config.author.email
        if config.author.url:
            author["uri"] = config.author.url
        fg.author(author)
    recent = list(posts[: config.feed.limit])
    if recent:
        fg.updated(max(p.lastmod for p in recent if p.lastmod))
    for post in recent:
        _add_entry(fg, site, post)
    return fg


def _add_entry(fg: FeedGenerator, site: Site, post: Post) -> None:
    config = site.config
    permalink = config.site_url + post.url
    entry = fg.add_entry(order="append")
    entry.id(permalink)
    entry.guid(permalink, permalink=True)
    entry.title(xml_safe(post.title))
    entry.link(href=permalink, rel="alternate")
    entry.published(post.date)
    entry.updated(post.lastmod)
    if post.author:
        entry.author({"name": xml_safe(post.author)})
    for tag in post.tags:
        entry.category(term=xml_safe(tag.name), label=xml_safe(tag.name))
    entry.summary(xml_safe(post.summary) or None)
    if config.feed.full_content:
        html = rewrite_urls(post.content_html, absolute_against(permalink, config.base_path))
        entry.content(xml_safe(html), type="html")
