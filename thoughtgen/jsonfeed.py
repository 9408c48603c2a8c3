"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the same items as the Atom feed, in JSON.

Ids, URLs, titles, summaries and content are the Atom feed's, made by the same functions, so
a reader that switches format sees nothing new. The bytes depend only on the site: keys in a
fixed order, no clock.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from thoughtgen.cards import share_image
from thoughtgen.feeds import (
    entry_content,
    entry_id,
    feed_author,
    is_site_author,
    item_author,
    xml_safe,
)
from thoughtgen.model import Post, Site

if TYPE_CHECKING:
    from thoughtgen.feeds import FeedSpec

VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE = "application/feed+json"

# Sequences escaped although JSON allows them raw, so the feed stays safe to paste into a
# <script> element or a JavaScript string: "</" (ends a script), "<!--", U+2028 and U+2029
# (end a line in older JavaScript). Outside strings JSON has none of them.
_ESCAPES = (
    ("</", "<\\/"),
    ("<!--", "\\u003c!--"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def json_feed(site: Site, spec: FeedSpec) -> bytes:
    """The feed of ``spec`` as UTF-8 JSON bytes."""
    return dumps(feed_document(site, spec))


def dumps(document: dict[str, Any]) -> bytes:
    """Stable JSON: the keys in the order built, two-space indents, a final newline."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return (text + "\n").encode("utf-8")


def feed_document(site: Site, spec: FeedSpec) -> dict[str, Any]:
    """The top-level JSON Feed object, fields in the order the specification lists them."""
    config = site.config
    document: dict[str, Any] = {
        "version": VERSION,
        "title": xml_safe(spec.title),
        "home_page_url": config.site_url + spec.html_url,
        "feed_url": config.site_url + spec.path,
        "description": xml_safe(config.description or config.title),
    }
    for field, url in spec.icons:
        document[field] = url
    document["authors"] = [_site_author(site)]
    document["language"] = config.language
    document["items"] = [_item(site, post) for post in spec.posts]
    return document


def _site_author(site: Site) -> dict[str, str]:
    author = site.config.author
    person = {"name": xml_safe(feed_author(site))}
    if author.url:
        person["url"] = author.url
    elif author.email:
        person["url"] = f"mailto:{author.email}"
    return person


def _item(site: Site, post: Post) -> dict[str, Any]:
    config = site.config
    permalink = config.site_url + post.url
    item: dict[str, Any] = {"id": entry_id(site, post), "url": permalink}
    external = _external_url(permalink, post.canonical_url)
    if external:
        item["external_url"] = external
    item["title"] = xml_safe(post.title)
    summary = xml_safe(post.summary)
    if config.feed.full_content:
        item["content_html"] = entry_content(site, post)
    else:
        item["content_text"] = summary  # one of the two contents is required
    if summary:
        item["summary"] = summary
    image = share_image(site, post)
    if image is not None:
        item["image"] = image.url
    if post.date is not None:
        item["date_published"] = _rfc3339(post.date)
    if post.lastmod is not None:
        item["date_modified"] = _rfc3339(post.lastmod)
    item["authors"] = [_post_author(site, post)]
    if post.tags:
        item["tags"] = [xml_safe(tag.name) for tag in post.tags]
    if config.language:
        item["language"] = config.language
    return item


def _post_author(site: Site, post: Post) -> dict[str, str]:
    if is_site_author(site, post):
        return _site_author(site)
    return {"name": xml_safe(item_author(site, post))}


def _external_url(permalink: str, canonical: str) -> str:
    """The post's canonical address when it is a web address other than its own page."""
    if not canonical:
        return ""
    url = urljoin(permalink, canonical.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or url == permalink:
        return ""
    return url


def _rfc3339(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
