"""Jekyll's URLs and feed ids, worked out as Jekyll 4 works them out.

Posts follow ``Jekyll::URL`` with ``Drops::UrlDrop``'s placeholders, pages
``Page#template``; a post's feed id is what jekyll-feed (``<id>{{ post.id | absolute_url
}}</id>``) or the site's own feed template wrote. Nothing here runs Jekyll.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from thoughtgen.importers.liquid_sites import read_text, scalar_text, unique
from thoughtgen.importers.model import SourceSite

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


_TO_THOUGHTGEN = {
    ":year": ":year",
    ":month": ":month",
    ":day": ":day",
    ":hour": ":hour",
    ":minute": ":minute",
    ":second": ":second",
    ":title": ":slug",
    ":slug": ":slug",
    ":output_ext": ".html",
}


def feed_id_style(root: Path, data: dict[str, Any], site: SourceSite) -> str:
    """What the site's feed used as each post's id; its address goes into ``site.feeds``.

    jekyll-feed (the feed of nearly every Jekyll site; its ``feed.xml`` template writes
    ``<id>{{ post.id | absolute_url }}</id>``) is assumed, unless the site has a feed
    template of its own where jekyll-feed would write, or does not use jekyll-feed: then
    that template's ``<guid>``/``<id>`` (or, lacking one, its ``<link>``) is read.
    """
    feed = data.get("feed")
    feed_path = scalar_text(feed.get("path")).strip("/") if isinstance(feed, dict) else ""
    feed_path = feed_path or "feed.xml"
    plugins = [str(p) for key in ("plugins", "gems") for p in _as_list(data.get(key))]
    uses_jekyll_feed = "jekyll-feed" in plugins or scalar_text(data.get("theme")) == "minima"
    for name in ("feed.xml", "atom.xml", "rss.xml", "feed/index.xml", "index.xml"):
        path = root / name
        if not path.is_file() or (uses_jekyll_feed and name != feed_path):
            continue
        text = read_text(path, name, site) or ""
        loop = re.search(r"\{%-?\s*for\b", text)
        if not text.startswith("---") or loop is None:
            continue
        permalink = re.search(r"^permalink:\s*[\"']?(/[^\s\"']+)", text, re.M)
        kind = "rss" if "<rss" in text else "atom"
        site.feeds[permalink.group(1) if permalink else "/" + name] = kind
        entry = text[loop.start() :]
        found = re.search(r"<(guid|id)\b[^>]*>(.*?)</\1>", entry, re.S) or re.search(
            r"<(link)\b[^>]*>(.*?)</link>", entry, re.S
        )
        expression = found.group(2) if found else ""
        if "post.id" in expression:
            return "id"
        if "post.url" in expression:
            with_base = "baseurl" in expression or "absolute_url" in expression
            return "url" if with_base else "url-nobase"
        site.note(
            name,
            None,
            "the feed's post id could not be worked out; imported posts get the id "
            "jekyll-feed would give — check that subscribers see no duplicates",
        )
        return "id"
    site.feeds["/" + feed_path] = "atom"  # jekyll-feed's, where the site says it is
    return "id"


def thoughtgen_pattern(template: str) -> str:
    """Jekyll's post permalink in thoughtgen's syntax, or "" when it has no equivalent.

    Categories are left out (thoughtgen's patterns have none): posts that had categories
    in their URL are redirected from it.
    """
    pieces = []
    for piece in re.split(r"(:[a-z_]+)", template.replace(":categories", "")):
        if piece.startswith(":"):
            if piece not in _TO_THOUGHTGEN:
                return ""
            pieces.append(_TO_THOUGHTGEN[piece])
        else:
            pieces.append(piece)
    pattern = re.sub(r"/+", "/", "/" + "".join(pieces))
    ok = ":slug" in pattern and (pattern.endswith("/") or pattern.endswith(".html"))
    return pattern if ok else ""


def page_pattern(style: str) -> str:
    if style == "pretty" or (style not in STYLES and style.endswith("/")):
        return "/:slug/"
    if style in STYLES or style.endswith(":output_ext"):
        return "/:slug.html"
    return ""


def post_urls(
    template: str, slug: str, stem: str, rel: str, categories: list[str], local: datetime
) -> tuple[str | None, str | None]:
    """A post's URL as Jekyll wrote it (percent-encoded), and decoded; None when unknown.

    ``slug`` is the post's slug as Jekyll has it (front matter, else the file name),
    ``stem`` the file name less its extension, ``local`` the date in the site's timezone.
    """
    lowered = unique([c.lower() for c in categories])
    values = {
        "collection": "posts",
        "path": posixpath.splitext(rel)[0].replace("_posts", "", 1),
        "output_ext": ".html",
        "name": jekyll_slug(stem, pretty=False, cased=False),
        "title": jekyll_slug(slug, pretty=True, cased=True),
        "slug": jekyll_slug(slug, pretty=False, cased=False),
        "categories": "/".join(lowered),
        "slugified_categories": "/".join(
            jekyll_slug(c, pretty=False, cased=False) for c in lowered
        ),
        "year": f"{local:%Y}",
        "month": f"{local:%m}",
        "day": f"{local:%d}",
        "hour": f"{local:%H}",
        "minute": f"{local:%M}",
        "second": f"{local:%S}",
        "i_day": str(local.day),
        "i_month": str(local.month),
        "short_year": f"{local:%y}",
        "y_day": f"{local:%j}",
        "short_month": f"{local:%b}".upper(),  # Jekyll: strftime("%^b")
        "long_month": f"{local:%B}",
        "w_year": f"{local:%G}",
        "week": f"{local:%V}",
        "w_day": f"{local:%u}",
        "short_day": f"{local:%a}".upper(),
        "long_day": f"{local:%A}",
    }
    return _expand(template, values, encode=True), _expand(template, values, encode=False)


def _expand(template: str, values: dict[str, str], encode: bool) -> str | None:
    """Jekyll's URL#generate_url_from_drop and #sanitize_url: None for an unknown placeholder."""
    unknown = False

    def fill(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        for key in (name, name.rstrip("_")):
            if key in values:
                value = values[key]
                rest = name[len(key) :]
                return (quote(value, safe="/!$&'()*+,;=:@~") if encode else value) + rest
        unknown = True
        return ""

    url = re.sub(r":([a-z_]+)", fill, template)
    if unknown:
        return None
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/+", "/", url)


def jekyll_slug(text: str, pretty: bool, cased: bool) -> str:
    """Jekyll's Utils.slugify in its "default" and "pretty" modes."""
    keep = "._~!$&'()+,;=@" if pretty else ""
    chars = [ch if ch.isalnum() or ch in keep or _is_mark(ch) else "-" for ch in text]
    slug = re.sub(r"-+", "-", "".join(chars))
    slug = slug.removeprefix("-").removesuffix("-")
    return slug if cased else slug.lower()


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def feed_id(style: str, encoded_url: str | None, slug: str, url: str, baseurl: str) -> str:
    """The id the site's feed gave a post (``style`` from feed_id_style)."""
    if encoded_url is None:
        return ""
    if style == "id":
        # Jekyll's Document#id: the URL's folder joined with the post's slug.
        # Ruby's File.dirname ignores a trailing slash: "/a/b/" → "/a".
        folder = posixpath.dirname(encoded_url.rstrip("/")) or "/"
        path = posixpath.join(folder, quote(slug, safe="/!$&'()*+,;=:@~"))
        path = baseurl + path
    elif style == "url":
        path = baseurl + encoded_url
    else:
        path = encoded_url
    return _normalized(url + path) if url else path


def _normalized(url: str) -> str:
    """What Addressable's ``normalize`` does to the URLs jekyll-feed writes."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def post_template(style: str) -> str:
    """The post URL template a ``permalink`` setting stands for."""
    template = STYLES.get(style, style)
    return template if template.startswith("/") else "/" + template


def page_url(permalink: str, folder: str, stem: str, style: str) -> str:
    """A page's URL (Jekyll's Page#template and #url): its permalink, else its path."""
    if permalink:
        template = permalink
    elif stem == "index":
        template = "/:path/"
    else:
        suffix = page_pattern(style).removeprefix("/:slug")
        template = "/:path/:basename" + (":output_ext" if suffix == ".html" else suffix)
    url = template
    for key, value in (("path", folder), ("basename", stem), ("output_ext", ".html")):
        url = url.replace(":" + key, value)
    return re.sub(r"/+", "/", ("/" + url).replace("..", "/").replace("./", ""))


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if v is not None]
    return [] if value is None or value == "" else [value]
