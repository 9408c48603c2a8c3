"""RSS 2.0 and Atom feeds, built with feedgen, and the list of every feed the site has."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Literal

from thoughtgen.links import absolute_against, rewrite_urls
from thoughtgen.model import Post, Site
from thoughtgen.outputs import OutputFile
from thoughtgen.sources import clean_text

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

    from thoughtgen.theme import Theme

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"
JSON_PATH = "feed.json"
# Theme files a JSON feed names as its icon and favicon, when the theme has them.
ICON_FILES = (("icon", "apple-touch-icon.png"), ("favicon", "favicon-32.png"))

FeedFormat = Literal["rss", "atom", "json"]


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
    format: FeedFormat = "rss"
    icons: tuple[tuple[str, str], ...] = ()  # (JSON Feed field, absolute URL), JSON only

    @property
    def atom(self) -> bool:
        return self.format == "atom"

    def render(self, site: Site) -> OutputFile:
        if self.format == "json":
            from thoughtgen.jsonfeed import json_feed

            data = json_feed(site, self)
        else:
            feed = _generator(site, self.title, self.html_url, self.path, self.posts, self.atom)
            data = feed.atom_str(pretty=True) if self.atom else feed.rss_str(pretty=True)
        return OutputFile(self.path, data, origin=self.origin)


def feed_specs(site: Site, theme: Theme | None = None) -> list[FeedSpec]:
    """``/feed.xml``, ``/atom.xml``, ``/feed.json`` and per tag ``feed.xml`` and ``feed.json``,
    each with its newest posts.

    ``theme`` tells which icons the JSON feeds can name; without it, the bundled theme's.
    """
    config = site.config
    limit = config.feed.limit

    def newest(posts: Sequence[Post]) -> tuple[Post, ...]:
        return tuple(islice((p for p in posts if p.date is not None), limit))

    icons = _icons(site, theme)
    posts = newest(site.posts)
    specs = [
        FeedSpec(RSS_PATH, "RSS feed", config.title, "", posts),
        FeedSpec(ATOM_PATH, "Atom feed", config.title, "", posts, "atom"),
        FeedSpec(JSON_PATH, "JSON feed", config.title, "", posts, "json", icons),
    ]
    # Old feed addresses (a moved site's /index.xml) keep serving its subscribers.
    copies: tuple[tuple[list[str], FeedFormat], ...] = (
        (config.feed.rss_copies, "rss"),
        (config.feed.atom_copies, "atom"),
    )
    for paths, format_ in copies:
        for copy in paths:
            origin = f"feed.{format_}_copies {copy}"
            specs.append(FeedSpec(copy.lstrip("/"), origin, config.title, "", posts, format_))
    for tag in site.tags:
        title = f"{config.title}: {tag.name}"
        tagged = newest(tag.posts)
        specs.append(
            FeedSpec(f"{tag.url}feed.xml", f"feed of tag {tag.name}", title, tag.url, tagged)
        )
        specs.append(
            FeedSpec(
                f"{tag.url}{JSON_PATH}",
                f"JSON feed of tag {tag.name}",
                title,
                tag.url,
                tagged,
                "json",
                icons,
            )
        )
    return specs


def _icons(site: Site, theme: Theme | None) -> tuple[tuple[str, str], ...]:
    from thoughtgen.theme import THEME_STATIC_PREFIX, bundled_theme_dir

    if theme is not None:
        present = {f.out_path.removeprefix(THEME_STATIC_PREFIX) for f in theme.static_files}
    else:  # every theme chain ends in the bundled one, so its static files are always served
        static = bundled_theme_dir() / "static"
        present = {name for _, name in ICON_FILES if (static / name).is_file()}
    return tuple(
        (field, site.config.site_url + THEME_STATIC_PREFIX + name)
        for field, name in ICON_FILES
        if name in present
    )


def item_author(site: Site, post: Post) -> str:
    """Who a feed names as an item's author: the post's, else the site's, else the site title."""
    return post.author or site.config.author.name or site.config.title


def feed_author(site: Site) -> str:
    """The author of a whole feed: the site's author, else the site title (RFC 4287 wants one)."""
    return site.config.author.name or site.config.title


def is_site_author(site: Site, post: Post) -> bool:
    """The post is by the site's own author, so the configured email and URL are theirs."""
    return not post.author or post.author == site.config.author.name


def entry_content(site: Site, post: Post) -> str:
    """A post's HTML as feeds carry it: every link absolute, characters XML forbids removed."""
    config = site.config
    permalink = config.site_url + post.url
    return xml_safe(rewrite_urls(post.content_html, absolute_against(permalink, config.base_path)))


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
    if not atom:
        fg.load_extension("dc", atom=False, rss=True)
    fg.id(config.site_url + self_path)
    fg.title(xml_safe(title))
    fg.subtitle(xml_safe(description(config.description or config.title)))
    # feedgen writes links in the order given. Atom readers take the first link as the
    # site, so alternate comes first; feedgen's RSS <link> takes the last link given,
    # which must be the site, so there self comes first.
    links = [("alternate", home), ("self", config.site_url + self_path)]
    for rel, href in links if atom else reversed(links):
        fg.link(href=href, rel=rel)
    fg.language(config.language)
    fg.generator("thoughtgen")
    if atom:
        # RFC 4287: a feed without an author needs one on every entry; the site always has one.
        author = {"name": xml_safe(feed_author(site))}
        if config.author.email:
            author["email"] = config.author.email
        if config.author.url:
            author["uri"] = config.author.url
        fg.author(author)
    recent = list(posts)
    # Never "now": the same posts must give the same bytes, or every build rewrites feeds.
    fg.updated(max((p.lastmod for p in recent if p.lastmod), default=EPOCH))
    for post in recent:
        _add_entry(fg, site, post, description, atom)
    return fg


def entry_id(site: Site, post: Post) -> str:
    """The id a post has in every feed: its pinned ``guid:``, else its absolute URL.

    Feed readers and RSS-to-email services know a post by this id; when it changes, they
    deliver the post again as new.
    """
    return post.guid or site.config.site_url + post.url


def _add_entry(
    fg: FeedGenerator, site: Site, post: Post, description: Callable[[str], str], atom: bool
) -> None:
    config = site.config
    permalink = config.site_url + post.url
    entry = fg.add_entry(order="append")
    # A pinned guid (an imported post's old feed id) keeps subscribers from seeing it anew.
    entry.id(entry_id(site, post))
    entry.guid(entry_id(site, post), permalink=post.guid in ("", permalink))
    entry.title(xml_safe(post.title))
    entry.link(href=permalink, rel="alternate")
    entry.published(post.date)
    entry.updated(post.lastmod)
    author = xml_safe(item_author(site, post))
    if atom:
        if post.author:  # the others are the feed's author's
            entry.author({"name": xml_safe(post.author)})
    else:
        entry.dc.dc_creator(author)
        if config.author.email and is_site_author(site, post):
            # RSS <author> is "email (Name)"; feedgen writes it only when there is an email.
            entry.author({"name": author, "email": config.author.email})
    for tag in post.tags:
        entry.category(term=xml_safe(tag.name), label=xml_safe(tag.name))
    entry.summary(xml_safe(description(post.summary)) or None)
    if config.feed.full_content:
        entry.content(entry_content(site, post), type="html")
