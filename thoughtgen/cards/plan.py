"""The card outputs of a build: one per listed post without its own image, and the site's."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import PIL

from thoughtgen.cards import SITE_CARD, card_path
from thoughtgen.cards.draw import (
    DRAW_VERSION,
    FOOTER_BLOCK,
    RAQM,
    SITE_BLOCK,
    TITLE_BLOCK,
    palette,
    render,
)
from thoughtgen.cards.fonts import BOLD, REGULAR, Face, advice, face_digest, font_book
from thoughtgen.config import CONFIG_FILE
from thoughtgen.dates import long_date
from thoughtgen.errors import Problem
from thoughtgen.frontmatter import front_matter_lines
from thoughtgen.incremental.fingerprints import Fingerprints
from thoughtgen.incremental.replaced import remade
from thoughtgen.model import Post, Site
from thoughtgen.outputs import OutputFile, Planned
from thoughtgen.yamlio import YamlSyntaxError, parse_yaml


def post_texts(site: Site, post: Post) -> tuple[str, str, str]:
    """What a post's card shows: the site's name, the title, and author · date."""
    shown = long_date(post.date) if post.date else ""  # as the theme writes dates
    byline = " · ".join(part for part in (post.author, shown) if part)
    return (site.config.title, post.title, byline)


def site_texts(site: Site) -> tuple[str, str, str]:
    """What the site's card shows: the author, the site's name, its description."""
    config = site.config
    return (config.author.name, config.title, config.description)


def card_posts(site: Site) -> tuple[Post, ...]:
    """The posts that get a card: listed, and without an ``image:`` of their own."""
    if not site.config.share_cards:
        return ()
    return tuple(post for post in site.posts if not post.image)


def wants_site_card(site: Site) -> bool:
    return site.config.share_cards and not site.config.image


def _constant_part() -> str:
    """Everything drawn the same on every card (version, colours, layout boxes, fonts), as
    one digest: it is part of every card's key."""
    whole = repr(
        (
            DRAW_VERSION,
            PIL.__version__,
            RAQM,
            palette(),
            SITE_BLOCK,
            TITLE_BLOCK,
            FOOTER_BLOCK,
            [(face.path, face.index, face_digest(face)) for face in (BOLD, REGULAR)],
        )
    )
    return hashlib.blake2b(whole.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@lru_cache(maxsize=1 << 16)  # serve asks again on every rebuild, mostly for unchanged posts
def card_key(texts: tuple[str, str, str], constant: str) -> str:
    """A digest of exactly what is drawn: the texts, the constant part, and the installed
    fonts that draw the characters the bundled ones lack (the font book is read once per
    process, so the answer for the same texts never changes within one)."""
    book = font_book()
    site, title, byline = texts
    faces: set[Face] = set(book.faces_of(site + title, True)) | set(book.faces_of(byline, False))
    extra = sorted((face.path, face.index, face_digest(face)) for face in faces)
    text = repr((constant, texts, extra))
    return (
        "card:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    )


def make_card(path: str, texts: tuple[str, str, str], origin: str) -> OutputFile:
    return OutputFile(path, render(*texts), origin=origin)


@dataclass
class KeptCards:
    """The cards planned last time (``serve``, whose config, and so the site's title, stays
    the same while they are kept), handed back for the very same posts."""

    by_post: dict[int, tuple[Post, Planned]] = field(default_factory=dict)
    posts: tuple[Post, ...] = ()  # the posts with a card, and
    planned: list[Planned] = field(default_factory=list)  # their cards, in the same order
    titled: tuple[Post, ...] = ()  # likewise for ``card_warnings``, and
    warned: list[Problem | None] = field(default_factory=list)  # the warning of each


def plan_cards(site: Site, prints: Fingerprints, kept: KeptCards | None = None) -> list[Planned]:
    """Every card the site needs, keyed by what is drawn on it (so unchanged cards are kept).

    ``prints`` is not needed: a card's key is made from its own texts and fonts, so a change
    elsewhere in the site (a theme template, another post) never remakes it. ``kept`` hands
    back the card planned last time for the very same post; when the posts with a card are
    the same number as then, only the places holding another post are looked at.
    """
    del prints
    constant = _constant_part()
    posts = card_posts(site)

    def card_of(post: Post) -> Planned:
        if kept is not None:
            last = kept.by_post.get(id(post))
            if last is not None and last[0] is post:
                return last[1]
        texts = post_texts(site, post)
        path = card_path(post)
        card = Planned(
            path,
            f"card of {post.source}",
            partial(card_key, texts, constant),
            partial(make_card, path, texts, post.source),
        )
        if kept is not None:
            kept.by_post[id(post)] = (post, card)  # the post is kept alive: its id is its own
        return card

    if kept is None:
        planned = [card_of(post) for post in posts]
    else:
        if len(kept.by_post) > 2 * len(site.posts) + 64:
            kept.by_post.clear()  # mostly posts of earlier assemblies
        planned = remade(kept.posts, kept.planned, posts, card_of)
        kept.posts, kept.planned = posts, list(planned)
    if wants_site_card(site):
        texts = site_texts(site)
        planned.append(
            Planned(
                SITE_CARD,
                "site card",
                partial(card_key, texts, constant),
                partial(make_card, SITE_CARD, texts, "site card"),
            )
        )
    return planned


def _config_line(site_dir: Path, key: str) -> int | None:
    """The line of a top-level option in the site's configuration (read only when warning)."""
    try:
        doc = parse_yaml((site_dir / CONFIG_FILE).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return None
    return doc.line_of(key)


def _message(chars: list[str]) -> str:
    shown = " ".join(chars[:8]) + (" …" if len(chars) > 8 else "")
    return (
        f"no installed font can draw {shown} on the share card (they show as boxes); "
        f"install {advice(chars)}, then build again"
    )


def card_warnings(site: Site, site_dir: Path, kept: KeptCards | None = None) -> list[Problem]:
    """A warning for each card title with characters no installed font can draw.

    Cheap: the bundled font's characters are skipped at once and each other character is
    looked up once per process. ``kept`` hands back what the last call found for the very
    same posts (``serve``).
    """
    book = font_book()
    line_of = front_matter_lines(site_dir)
    posts = card_posts(site)

    def warning(post: Post) -> Problem | None:
        missing = book.missing(post.title)
        if not missing:
            return None
        return Problem(post.source, line_of(post.source, "title"), _message(missing))

    if kept is None:
        found = [warning(post) for post in posts]
    else:
        found = remade(kept.titled, kept.warned, posts, warning)
        kept.titled, kept.warned = posts, list(found)
    problems = [problem for problem in found if problem is not None]
    if wants_site_card(site):
        missing = book.missing(site.config.title)
        if missing:
            problems.append(
                Problem(CONFIG_FILE, _config_line(site_dir, "title"), _message(missing))
            )
    return problems
