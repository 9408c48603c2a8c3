"""What verify reads from a live page: its title, canonical link, share image and the assets
its head links to."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

# <link rel=…> values naming a file the page needs to look right.
ASSET_RELS = frozenset(
    {"stylesheet", "icon", "apple-touch-icon", "mask-icon", "manifest", "preload", "modulepreload"}
)


@dataclass(frozen=True)
class Asset:
    href: str  # as written in the page
    rel: str  # "stylesheet", "icon", …, "script" or "og:image"


@dataclass(frozen=True)
class PageInfo:
    title: str | None  # None: the page has no <title>
    canonical: str | None
    og_image: str | None
    assets: tuple[Asset, ...]


def read_page(data: bytes) -> PageInfo:
    parser = _HeadParser()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    title = " ".join("".join(parser.title_parts).split()) if parser.seen_title else None
    return PageInfo(title, parser.canonical, parser.og_image, tuple(parser.assets))


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] = []
        self.seen_title = False
        self.in_title = False
        self.in_svg = 0
        self.canonical: str | None = None
        self.og_image: str | None = None
        self.assets: list[Asset] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "svg":
            self.in_svg += 1  # an inline SVG's <title> is not the page's
        elif tag == "title" and not self.seen_title and not self.in_svg:
            self.seen_title = self.in_title = True
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            href = values.get("href", "").strip()
            if not href:
                return
            if "canonical" in rels and self.canonical is None:
                self.canonical = href
            for rel in rels:
                if rel in ASSET_RELS:
                    self.assets.append(Asset(href, rel))
                    break
        elif tag == "script" and values.get("src", "").strip():
            self.assets.append(Asset(values["src"].strip(), "script"))
        elif tag == "meta" and values.get("property") == "og:image" and self.og_image is None:
            self.og_image = values.get("content", "").strip() or None

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.in_svg:
            self.in_svg -= 1
        elif tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
