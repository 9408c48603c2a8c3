"""WordPress: the WXR file that Tools → Export writes (or a folder of them, as WordPress.com
splits a large site's export).

What each item becomes:

- ``wp:post_type`` post and page are imported; attachments give featured images and
  galleries their URLs; reusable blocks (``wp_block``) are pasted where posts use them;
  menus, templates, revisions and custom types are counted in ``skipped`` with a note.
- ``wp:status`` publish is published (a password-protected one becomes a draft, so its
  text is not made public); ``future`` keeps its date and is scheduled (thoughtgen
  publishes it then); draft and pending are drafts; private, trash and auto-draft are
  counted in ``skipped``.
- Slug: ``wp:post_name`` (percent-encoded Unicode decoded), else the title slugified
  (drafts have none); dates: ``wp:post_date`` is the blog's local time and
  ``wp:post_date_gmt`` the same moment in UTC, so their difference is the blog's UTC offset
  on that day and each date keeps it. Drafts have no GMT date (``0000-00-00 00:00:00``):
  their local date takes the offset of the nearest dated post, else UTC. WXR does not name
  the blog's timezone; an IANA zone whose rules give every post's offset is named for the
  new site (with a note), since WordPress put the local date in its URLs.
- Categories (``domain="category"``, less "Uncategorized") and tags (``post_tag``) are
  tags; ``excerpt:encoded`` is the summary; ``_thumbnail_id`` names the featured image.
- ``<link>``, the permalink, is the old URL (as a path under the channel's ``<link>``);
  the shortlinks ``/?p=ID`` and ``/?page_id=ID`` are not old URLs: a static host serves
  files by path and cannot answer a query string, and WordPress itself only redirected
  them. ``<guid>`` is the feed id: WordPress's RSS feed writes ``the_guid()`` as
  ``<guid isPermaLink="false">`` and its Atom feed as ``<id>``, and WXR writes the same
  value (the ``guid`` column), so subscribers see nothing new.
- Bodies: see ``wordpress_body``. WXR holds no files, so images keep their remote URLs,
  with one note per post saying how many.
"""

from __future__ import annotations

import html
import re
import zoneinfo
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit

from thoughtgen.dates import DateError, check_year
from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import wordpress_body
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.importers.wordpress_body import Attachment
from thoughtgen.importers.wordpress_xml import Export, Node, looks_like_wxr, parse
from thoughtgen.markup import collapse_space, strip_tags
from thoughtgen.slugs import slugify, unsafe_slug_reason

NAME = "wordpress"
DESCRIPTION = "a WordPress export (the .xml file from Tools → Export, WXR 1.0–1.2)"

_DRAFT_STATUSES = ("draft", "pending")
_SKIPPED_STATUSES = ("private", "trash", "auto-draft", "inherit")
# Types WordPress keeps for the site's design and workings, not for readers.
_INTERNAL_TYPES = frozenset(
    [
        "revision",
        "nav_menu_item",
        "custom_css",
        "customize_changeset",
        "oembed_cache",
        "user_request",
        "wp_template",
        "wp_template_part",
        "wp_global_styles",
        "wp_navigation",
        "wp_font_family",
        "wp_font_face",
    ]
)
_ZERO_DATE = "0000-00-00 00:00:00"
_DEFAULT_TAGLINE = "Just another WordPress site"
_MAX_SLUG = 120
# Zones named first when several have the same rules (the most-used of each rule set).
_PREFERRED_ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Dubai",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Johannesburg",
    "Africa/Lagos",
]


def detect(root: Path) -> bool:
    """A WXR file, or a folder holding WXR files."""
    return bool(_export_files(root))


def read(root: Path) -> SourceSite:
    """Every post and page of the export at ``root`` (a WXR file or a folder of them)."""
    files = _export_files(root)
    if not files:
        raise ThoughtgenError.single(
            root.name,
            None,
            "no WordPress export here: expected the .xml file that Tools → Export writes",
        )
    site = SourceSite(platform=NAME)
    exports = []
    for path in files:
        shown = path.name if path == root else path.relative_to(root).as_posix()
        export = parse(path, shown)
        exports.append((shown, export))
        for line, what in export.repairs:
            site.note(shown, line, f"{what}; check the text there")
    _Reader(site, exports).run()
    return site


def _export_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root] if looks_like_wxr(root) else []
    if not root.is_dir():
        return []
    for folder in (root, *sorted(p for p in root.iterdir() if p.is_dir())[:5]):
        found = sorted(p for p in folder.glob("*.xml") if p.is_file() and looks_like_wxr(p))
        if found:
            return found
    return []


class _Reader:
    def __init__(self, site: SourceSite, exports: list[tuple[str, Export]]) -> None:
        self.site = site
        self.exports = exports
        self.attachments: dict[int, Attachment] = {}
        self.reusable: dict[int, str] = {}
        self.offsets: list[tuple[datetime, timedelta]] = []  # (local time, UTC offset)
        self.zone: tzinfo | None = None
        self.authors: dict[str, str] = {}  # login → display name
        self.written_by: Counter[str] = Counter()
        self.shortlinks = 0

    def run(self) -> None:
        shown, first = self.exports[0]
        self._channel(first.channel)
        items = [(name, item) for name, export in self.exports for item in export.items]
        for _, item in items:
            self._collect(item)
        self._timezone(shown)
        skipped_types: dict[str, tuple[str, int, int]] = {}  # type → (file, line, count)
        for name, item in items:
            kind = item.get("wp:post_type") or "post"
            if kind in ("post", "page"):
                self._item(name, item, kind)
            elif kind not in ("attachment", "wp_block"):
                where = skipped_types.get(kind, (name, item.line, 0))
                skipped_types[kind] = (where[0], where[1], where[2] + 1)
        self._skipped_notes(skipped_types)
        comments = sum(export.comments for _, export in self.exports)
        if comments:
            self.site.note(
                shown,
                None,
                f"{_plural(comments, 'comment')} not imported: thoughtgen sites have no "
                "comments (a comments service can be added to the theme)",
            )
        if self.shortlinks:
            self.site.note(
                shown,
                None,
                f"{_plural(self.shortlinks, 'published item')} lived at query-string URLs "
                "(?p=ID, plain permalinks); a static host cannot serve those, so they have "
                "new URLs and no redirects",
            )
        if not items:
            self.site.note(shown, None, "the export holds no posts or pages")
        if self.written_by:
            login = self.written_by.most_common(1)[0][0]
            self.site.author = self.authors.get(login, login)
        self._permalinks()

    # -- the channel and what items share ------------------------------------------------

    def _channel(self, channel: Node) -> None:
        site = self.site
        site.title = _text(channel.get("title"))
        description = _text(channel.get("description"))
        site.description = "" if description == _DEFAULT_TAGLINE else description
        site.language = channel.get("language")
        base = channel.get("wp:base_blog_url") or channel.get("link")
        if re.match(r"https?://", base):
            site.base_url = base.rstrip("/") + "/"
        for author in channel.all("wp:author"):
            login = author.get("wp:author_login")
            display = author.get("wp:author_display_name") or login
            if login:
                self.authors[login] = _text(display)

    def _collect(self, item: Node) -> None:
        kind = item.get("wp:post_type")
        post_id = _int(item.get("wp:post_id"))
        if kind == "attachment" and post_id is not None:
            url = item.get("wp:attachment_url") or item.get("guid")
            if url:
                self.attachments[post_id] = Attachment(
                    url,
                    _text(item.get("title")),
                    _text(_meta(item, "_wp_attachment_image_alt")),
                    _int(item.get("wp:post_parent")) or 0,
                    _int(item.get("wp:menu_order")) or 0,
                )
        elif kind == "wp_block" and post_id is not None:
            self.reusable[post_id] = item.get("content:encoded")
        if kind in ("post", "page", "", None):
            local = _wp_date(item.get("wp:post_date"))
            gmt = _wp_date(item.get("wp:post_date_gmt"))
            offset = _offset(local, gmt)
            if local is not None and offset is not None:
                self.offsets.append((local, offset))

    def _timezone(self, shown: str) -> None:
        """Name the blog's zone when one zone explains every post's UTC offset."""
        if not self.offsets:
            return
        distinct = {offset for _, offset in self.offsets}
        if distinct == {timedelta(0)}:
            self.site.timezone = "UTC"
            self.zone = UTC
            return
        name = _guess_zone(self.offsets)
        shown_offsets = ", ".join(sorted(_format_offset(o) for o in distinct))
        if name is None:
            self.site.note(
                shown,
                None,
                f"WXR does not name the blog's timezone and no single zone gives its posts' "
                f"UTC offsets ({shown_offsets}); dates keep their offsets; set `timezone` in "
                "thoughtgen.yaml",
            )
            return
        self.site.timezone = name
        self.zone = zoneinfo.ZoneInfo(name)
        self.site.note(
            shown,
            None,
            f"WXR does not name the blog's timezone; {name} gives every post's UTC offset "
            f"({shown_offsets}), as does any zone with the same rules; change `timezone` in "
            "thoughtgen.yaml if yours is another",
        )

    # -- one post or page -------------------------------------------------------------------

    def _item(self, shown: str, item: Node, kind: str) -> None:
        site = self.site
        status = item.get("wp:status") or "publish"
        if status in _SKIPPED_STATUSES:
            site.skipped[status] = site.skipped.get(status, 0) + 1
            return
        if status not in ("publish", "future", *_DRAFT_STATUSES):
            site.skipped[status] = site.skipped.get(status, 0) + 1
            site.note(shown, item.line, f"status {status!r} is not one WordPress shows; skipped")
            return
        post_id = _int(item.get("wp:post_id")) or 0
        title = _text(item.get("title"))
        doc = ImportedDoc(
            kind="post" if kind == "post" else "page",
            source=shown,
            slug=self._slug(item, title, kind, post_id),
            title=title,
            body="",
            draft=status in _DRAFT_STATUSES,
        )
        doc.date = self._date(item.get("wp:post_date"), item.get("wp:post_date_gmt"))
        if doc.date is None and status in ("publish", "future"):
            doc.date = _rss_date(item.get("pubDate"))
        if status in ("publish", "future"):
            updated = self._date(item.get("wp:post_modified"), item.get("wp:post_modified_gmt"))
            if updated is not None and doc.date is not None and updated > doc.date:
                doc.updated = updated
        doc.guid = item.get("guid")
        doc.tags, terms = _terms(item)
        doc.extra.update(terms)
        doc.summary = _text(item.get("excerpt:encoded"))
        if item.get("wp:post_password"):
            doc.draft = True
            site.note(
                shown,
                item.line,
                f"'{title or doc.slug}' was password-protected; imported as a draft so its "
                "text is not published (thoughtgen has no passwords)",
            )
        elif status == "publish":
            doc.old_urls = self._old_urls(item.get("link"))
            login = item.get("dc:creator")
            if login:
                self.written_by[login] += 1
        self._featured(shown, item, doc)
        self._body(shown, item, doc, post_id)
        site.docs.append(doc)

    def _slug(self, item: Node, title: str, kind: str, post_id: int) -> str:
        name = unquote(item.get("wp:post_name"))
        if name and unsafe_slug_reason(name) is None and name == name.lower():
            return name
        for candidate in (slugify(name), slugify(title)):
            candidate = _shorten(candidate)
            if candidate and unsafe_slug_reason(candidate) is None:
                return candidate
        return f"{kind}-{post_id}"

    def _date(self, local_text: str, gmt_text: str) -> datetime | None:
        local, gmt = _wp_date(local_text), _wp_date(gmt_text)
        offset = _offset(local, gmt)
        if local is not None and offset is not None:
            return local.replace(tzinfo=timezone(offset))
        if gmt is not None:
            moment = gmt.replace(tzinfo=UTC)
            return moment.astimezone(self.zone) if self.zone else moment
        if local is None:
            return None
        if self.zone is not None:
            return local.replace(tzinfo=self.zone)
        if self.offsets:
            nearest = min(self.offsets, key=lambda pair: abs(pair[0] - local))
            return local.replace(tzinfo=timezone(nearest[1]))
        return local.replace(tzinfo=UTC)

    def _old_urls(self, link: str) -> list[str]:
        if not link:
            return []
        parts = urlsplit(link)
        if parts.query:
            self.shortlinks += 1
            return []
        base = urlsplit(self.site.base_url)
        base_path = base.path if base.path.endswith("/") else base.path + "/"
        path = parts.path or "/"
        if parts.netloc != base.netloc or not path.startswith(base_path):
            return [link]  # served elsewhere: the importer decides what it can keep
        return ["/" + unquote(path[len(base_path) :])]

    def _featured(self, shown: str, item: Node, doc: ImportedDoc) -> None:
        for meta in item.all("wp:postmeta"):
            if meta.get("wp:meta_key") != "_thumbnail_id":
                continue
            attachment_id = _int(meta.get("wp:meta_value"))
            found = self.attachments.get(attachment_id) if attachment_id is not None else None
            if found is not None:
                doc.image = found.url
            else:
                self.site.note(
                    shown,
                    meta.line,
                    f"the featured image (attachment {meta.get('wp:meta_value')}) is not in "
                    "the export; set `image:` by hand",
                )

    def _body(self, shown: str, item: Node, doc: ImportedDoc, post_id: int) -> None:
        content = item.child("content:encoded")
        raw = content.text if content is not None else ""
        line = content.text_line or content.line if content is not None else item.line
        body = wordpress_body.convert(
            raw, line, post_id, self.attachments, self.reusable, _meta(item, "footnotes")
        )
        doc.body = body.markdown
        for at, what in body.flagged:
            self.site.note(shown, at, what)
        images = list(body.remote_images)
        if doc.image and doc.image not in images:
            images.append(doc.image)
        if images:
            hosts = sorted({urlsplit(url).netloc for url in images})
            self.site.note(
                shown,
                item.line,
                f"'{doc.title or doc.slug}' keeps {_plural(len(images), 'remote image')} "
                f"(WXR exports hold no files): they load from {', '.join(hosts)} while that "
                "site is up; download them into content/static/ if you want copies",
            )

    # -- site-wide results ---------------------------------------------------------------

    def _skipped_notes(self, types: dict[str, tuple[str, int, int]]) -> None:
        internal = 0
        first: tuple[str, int] | None = None
        for kind, (shown, line, count) in sorted(types.items()):
            self.site.skipped[kind] = count
            if kind in _INTERNAL_TYPES or kind.startswith("wp_"):
                internal += count
                first = first or (shown, line)
                continue
            self.site.note(
                shown,
                line,
                f"{_plural(count, 'item')} of type '{kind}' not imported: thoughtgen imports "
                "posts and pages; copy what matters into pages by hand",
            )
        if first is not None:
            self.site.note(
                first[0],
                first[1],
                f"{_plural(internal, 'item')} of the site's design and workings (menus, "
                "templates, revisions) not imported: the theme does that work",
            )
        if self.attachments:
            self.site.skipped["attachment"] = len(self.attachments)

    def _permalinks(self) -> None:
        """The WordPress permalink structure, in thoughtgen's tokens, that gave most posts'
        URLs (WordPress fills its date tokens from the local post date)."""
        for kind, attribute in (("post", "post_permalink"), ("page", "page_permalink")):
            patterns: Counter[str] = Counter()
            for doc in self.site.docs:
                if doc.kind == kind and doc.old_urls and doc.old_urls[0].startswith("/"):
                    pattern = _pattern_of(doc.old_urls[0], doc.slug, doc.date)
                    if pattern:
                        patterns[pattern] += 1
            if patterns:
                pattern, count = patterns.most_common(1)[0]
                if count * 2 >= sum(patterns.values()):
                    setattr(self.site, attribute, pattern)


# -- values -------------------------------------------------------------------------------


def _text(value: str) -> str:
    """Text as WordPress stored it, entities decoded (titles often hold ``&amp;``)."""
    return collapse_space(html.unescape(strip_tags(value)))


def _meta(item: Node, key: str) -> str:
    for meta in item.all("wp:postmeta"):
        if meta.get("wp:meta_key") == key:
            return meta.get("wp:meta_value")
    return ""


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _wp_date(text: str) -> datetime | None:
    text = text.strip()
    if not text or text == _ZERO_DATE:
        return None
    try:
        value = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
        check_year(value, text)
    except (ValueError, DateError):
        return None
    return value


def _rss_date(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        value = parsedate_to_datetime(text)
        check_year(value, text)
    except (TypeError, ValueError, DateError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _offset(local: datetime | None, gmt: datetime | None) -> timedelta | None:
    """The UTC offset that takes ``gmt`` to ``local``, when it is one a clock can have."""
    if local is None or gmt is None:
        return None
    offset = local - gmt
    minutes = round(offset.total_seconds() / 60)
    if abs(minutes) > 14 * 60 or minutes % 15:
        return None
    return timedelta(minutes=minutes)


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _guess_zone(offsets: list[tuple[datetime, timedelta]]) -> str | None:
    samples = sorted(set(offsets))
    samples = samples[:: max(1, len(samples) // 400)]
    moments = [((local - offset).replace(tzinfo=UTC), offset) for local, offset in samples]

    def fits(name: str) -> bool:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return False
        return all(moment.astimezone(zone).utcoffset() == offset for moment, offset in moments)

    for name in _PREFERRED_ZONES:
        if fits(name):
            return name
    names = sorted(
        n
        for n in zoneinfo.available_timezones()
        if "/" in n and n.split("/")[0] in _REGIONS and not n.startswith("Etc/")
    )
    return next((name for name in names if fits(name)), None)


_REGIONS = frozenset(
    [
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    ]
)


def _terms(item: Node) -> tuple[list[str], dict[str, object]]:
    """Tags (categories, less "Uncategorized", then tags) and other taxonomies' terms."""
    tags: list[str] = []
    seen: set[str] = set()
    other: dict[str, list[str]] = {}
    for category in item.all("category"):
        domain = category.attrs.get("domain", "category")
        name = _text(category.text)
        nicename = category.attrs.get("nicename", "")
        if not name:
            continue
        if domain in ("category", "post_tag"):
            if domain == "category" and (nicename or slugify(name)) == "uncategorized":
                continue
            if name.lower() not in seen:
                seen.add(name.lower())
                tags.append(name)
        elif domain == "post_format":
            other.setdefault("format", []).append(nicename.removeprefix("post-format-"))
        else:
            other.setdefault(f"wordpress_{domain}", []).append(name)
    extra: dict[str, object] = {
        key: values[0] if key == "format" else values for key, values in other.items()
    }
    return tags, extra


def _pattern_of(path: str, slug: str, date: datetime | None) -> str:
    """``/2024/03/05/slug/`` with its date → ``/:year/:month/:day/:slug/``; "" when the
    path has parts thoughtgen's tokens cannot say."""
    segments = path.strip("/").split("/")
    tokens = []
    for segment in segments:
        if segment == slug:
            tokens.append(":slug")
        elif segment == f"{slug}.html":
            tokens.append(":slug.html")
        elif date is not None and segment == f"{date.year:04d}":
            tokens.append(":year")
        elif date is not None and segment == f"{date.month:02d}":
            tokens.append(":month")
        elif date is not None and segment == f"{date.day:02d}":
            tokens.append(":day")
        elif re.fullmatch(r"[a-z][a-z0-9_-]*", segment) and segment != slug:
            tokens.append(segment)
        else:
            return ""
    if ":slug" not in tokens and ":slug.html" not in tokens:
        return ""
    pattern = "/" + "/".join(tokens)
    return pattern if pattern.endswith(".html") else pattern + "/"


def _shorten(slug: str) -> str:
    if len(slug) <= _MAX_SLUG:
        return slug
    return slug[:_MAX_SLUG].rsplit("-", 1)[0] or slug[:_MAX_SLUG]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
