"""``_headers`` for Netlify and Cloudflare Pages: how long browsers and caches keep each file.

Both hosts apply every rule whose path matches a request and join the values of a header
set by two rules, so no two rules here match one address: two Cache-Control values would
contradict each other. An address no rule names (a page at ``/:slug/``) gets the host's own
default, ``public, max-age=0, must-revalidate``, which is what pages get here too.
"""

from __future__ import annotations

from thoughtgen.cards import SITE_CARD
from thoughtgen.config import Config
from thoughtgen.deploy.hosts.base import HostFile
from thoughtgen.theme import THEME_STATIC_PREFIX

HEADERS_PATH = "content/static/_headers"

IMMUTABLE = "public, max-age=31536000, immutable"  # a year; the address changes with the bytes
CARDS = "public, max-age=86400"  # a day: a card is redrawn in place when its title changes
FRESH = "public, max-age=0, must-revalidate"  # ask every time; a 304 costs next to nothing

CARDS_PREFIX = SITE_CARD.split("/", 1)[0] + "/"
# Folders thoughtgen writes listings and tag feeds into, and single pages it always writes.
LISTING_FOLDERS = ("page/", "tags/", "series/")
SINGLE_PAGES = ("/", "/archive/", "/404.html")


def headers_file(config: Config) -> HostFile:
    return HostFile("site", HEADERS_PATH, headers_text(config))


def headers_text(config: Config) -> str:
    """The same file for both hosts, so moving from one to the other changes nothing here."""
    theme = "/" + THEME_STATIC_PREFIX
    blocks = [
        [
            "# Cache rules for Netlify and Cloudflare Pages, written by `thoughtgen deploy setup`.",
            "# No two rules match one address (the host would join their values); addresses no",
            f"# rule names get the host's default, {FRESH}.",
            "",
            "# Theme files: pages link them with ?v=<hash of their bytes>, so the bytes at one",
            "# address never change.",
            f"{theme}*",
            f"  Cache-Control: {IMMUTABLE}",
        ],
        [
            "# Share cards: redrawn at the same address when a title changes.",
            f"/{CARDS_PREFIX}*",
            f"  Cache-Control: {CARDS}",
        ],
        ["# Feeds, sitemap and calendar: readers and crawlers must see a new post at once."],
    ]
    pages = _page_rules(config)
    folders = tuple(rule[:-1] for rule in pages if rule.endswith("*"))
    for path in _fresh_files(config):
        if not path.startswith(folders):  # a feed copy inside a listing folder has its rule
            blocks[-1] += [path, f"  Cache-Control: {FRESH}"]
    blocks.append(["# Pages."])
    for path in pages:
        blocks[-1] += [path, f"  Cache-Control: {FRESH}"]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _fresh_files(config: Config) -> list[str]:
    paths = ["/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/robots.txt"]
    if config.calendar.ics:
        paths.append("/calendar.ics")
    paths += [*config.feed.rss_copies, *config.feed.atom_copies]
    return list(dict.fromkeys(paths))


def _page_rules(config: Config) -> list[str]:
    rules = list(SINGLE_PAGES)
    if config.calendar.page:
        rules.append("/calendar/")
    taken = {THEME_STATIC_PREFIX, CARDS_PREFIX}
    folders = [folder for folder in LISTING_FOLDERS if folder not in taken]
    posts = _static_prefix(config.permalinks.posts)
    if posts and posts not in taken and posts not in folders:
        folders.insert(0, posts)
    return rules + [f"/{folder}*" for folder in folders]


def _static_prefix(pattern: str) -> str | None:
    """``posts/`` of ``/posts/:slug/``: the fixed folder every post is under, if there is one."""
    fixed = pattern.split(":", 1)[0]
    folder = fixed[1 : fixed.rfind("/") + 1]
    return folder if folder and folder.count("/") == 1 else None
