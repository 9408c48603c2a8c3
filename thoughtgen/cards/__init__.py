"""Share cards: the 1200×630 picture a post shows where its link is shared.

Each listed post without an ``image:`` of its own gets a card drawn at build time
(``cards/<post url>.png``); the site has one too, for the home, tag and other pages.
``share_image`` says which picture a page's head names.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from thoughtgen.addresses import resource_folder
from thoughtgen.links import absolute_against
from thoughtgen.model import Page, Post, Site
from thoughtgen.parse import bundle_folder

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


# The picture types a share image can have; anything else is left for the client to sniff.
_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}


def _post_image(site: Site, post: Post) -> ShareImage:
    """A post's own ``image:`` as an absolute URL.

    Written as a URL it is kept; a path from the site root (``/images/x.png``) lands under
    the base path like a link in the text; a relative one (``cover.jpg``) names a file of
    the post's bundle, published beside its page, or else is read against the page's URL.
    """
    config = site.config
    folder = resource_folder(post.url) if bundle_folder(post.source) else post.url
    url = absolute_against(config.site_url + folder, config.base_path)(post.image)
    if url.startswith("//"):  # scheme-relative: clients that fetch previews want a scheme
        url = urlsplit(config.site_url).scheme + ":" + url
    suffix = posixpath.splitext(urlsplit(url).path)[1].lower()
    return ShareImage(url, post.title, type=_IMAGE_TYPES.get(suffix, ""))


def share_image(site: Site, item: Post | Page | None = None) -> ShareImage | None:
    """The picture for ``item``'s page (None: a listing or other site page).

    A post's own ``image:`` wins, then its card, then the site's ``image:``, then the site card.
    """
    config = site.config
    if isinstance(item, Post) and item.image:
        return _post_image(site, item)
    if isinstance(item, Post) and config.share_cards:
        return ShareImage(_absolute(site, card_path(item)), item.title, WIDTH, HEIGHT, "image/png")
    if config.image:
        return ShareImage(_absolute(site, config.image), config.title)
    if config.share_cards:
        return ShareImage(_absolute(site, SITE_CARD), config.title, WIDTH, HEIGHT, "image/png")
    return None
