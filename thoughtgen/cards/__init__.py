"""Share cards: the 1200×630 picture a post shows where its link is shared.

Each listed post without an ``image:`` of its own gets a card drawn at build time
(``cards/<post url>.png``); the site has one too, for the home, tag and other pages.
``share_image`` says which picture a page's head names.
"""

from __future__ import annotations

from dataclasses import dataclass

from thoughtgen.model import Page, Post, Site

WIDTH, HEIGHT = 1200, 630
SITE_CARD = "cards/site.png"


@dataclass(frozen=True)
class ShareImage:
    """The picture a page is shared with: an absolute URL and what is known of it."""

    url: str
    alt: str
    width: int | None = None  # None: a picture of the writer's, size unknown
    height: int | None = None
    type: str = ""  # "image/png", or "" when unknown


def card_path(post: Post) -> str:
    """Where a post's card is written below the output root: ``cards/posts/hello.png``."""
    stem = post.url.rstrip("/")
    if stem.endswith(".html"):
        stem = stem[: -len(".html")]
    return f"cards/{stem or 'index'}.png"


def _absolute(site: Site, ref: str) -> str:
    if ref.startswith(("http://", "https://")):
        return ref
    return site.config.site_url + ref.lstrip("/")


def share_image(site: Site, item: Post | Page | None = None) -> ShareImage | None:
    """The picture for ``item``'s page (None: a listing or other site page).

    A post's own ``image:`` wins, then its card, then the site's ``image:``, then the site card.
    """
    config = site.config
    if isinstance(item, Post) and item.image:
        return ShareImage(_absolute(site, item.image), item.title)
    if isinstance(item, Post) and config.share_cards:
        return ShareImage(_absolute(site, card_path(item)), item.title, WIDTH, HEIGHT, "image/png")
    if config.image:
        return ShareImage(_absolute(site, config.image), config.title)
    if config.share_cards:
        return ShareImage(_absolute(site, SITE_CARD), config.title, WIDTH, HEIGHT, "image/png")
    return None
