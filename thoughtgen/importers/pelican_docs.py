"""One Pelican post or page as an ImportedDoc: metadata, dates, slug, old URLs, feed id.

Metadata is combined as Pelican's ``Readers.read_file`` does: ``DEFAULT_METADATA`` and
the defaults, then ``EXTRA_PATH_METADATA``, then what ``FILENAME_METADATA`` /
``PATH_METADATA`` and the folder say, then the file's own headers. The old URL is
``ARTICLE_URL`` (or its draft, translation and page variants, or the file's own
``URL:`` / ``Save_as:``) formatted as Pelican's ``Content.url`` formats it; the feed id is
the tag URI Pelican's feeds gave the post. A file Pelican refused (no title, no date, an
unknown status, not UTF-8) becomes a draft with a note saying why.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime, tzinfo
from typing import Any

from markupsafe import Markup

from thoughtgen.dates import DateError
from thoughtgen.importers import pelican_urls as urls
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.importers.pelican_conf import (
    Settings,
    extra_path_metadata,
    path_metadata,
    path_regexes,
    substitutions,
    zone,
)
from thoughtgen.importers.pelican_read import Source
from thoughtgen.slugs import slugify, unsafe_slug_reason

STATUSES = ("published", "hidden", "draft")
# Front-matter keys thoughtgen fills itself, so a Pelican key of the same name is not
# copied into ``extra`` with another meaning.
_CONSUMED = {
    "title", "date", "modified", "tags", "category", "slug", "summary", "status", "save_as",
    "url", "template", "timezone", "translation", "lang", "author", "authors", "path",
    "reader", "draft", "updated", "aliases", "guid", "canonical_url", "image", "cover",
    "og_image", "featured_image", "thumbnail",
}  # fmt: skip
_IMAGE_KEYS = ("image", "cover", "og_image", "featured_image", "thumbnail")


class DocMaker:
    """Makes the docs of one site: its settings, time zone and slug rules, read once."""

    def __init__(self, settings: Settings, site: SourceSite, tz: tzinfo) -> None:
        self.settings = settings
        self.site = site
        self.tz = tz
        self.regexes = path_regexes(settings, site)
        self.subs = substitutions(settings, "SLUG_REGEX_SUBSTITUTIONS", site)
        self.wrapper_subs = {
            kind: substitutions(settings, f"{kind}_REGEX_SUBSTITUTIONS", site) or self.subs
            for kind in ("CATEGORY", "AUTHOR")
        }

    def make(self, src: Source, kind: str) -> ImportedDoc | None:
        """The doc for ``src`` (a post or page), or None when Pelican was told to skip it."""
        meta, origin = self._metadata(src)
        status = str(meta.get("status") or "published").strip().lower() or "published"
        if status == "skip":
            self.site.skipped["status: skip"] = self.site.skipped.get("status: skip", 0) + 1
            return None
        title = _text(meta.get("title"))
        tz = self._zone_of(meta, src)
        when = self._date(meta, "date", tz, src)
        if origin.get("date") == "fs" and when is not None:
            self.site.note(
                src.shown,
                None,
                "dated from the file's modification time (DEFAULT_DATE = 'fs'); check the date",
            )
        refused = self._refused(src, kind, meta, status, title, when)
        if refused and when is None:
            when = _date_in_name(posixpath.basename(src.rel), tz)
        stem = posixpath.splitext(posixpath.basename(src.rel))[0]
        slug, exact = self._pelican_slug(meta, title, stem)
        # Pelican's themes print titles as HTML; thoughtgen's are text.
        shown_title = str(Markup(title).striptags()) if "<" in title or "&" in title else title
        doc = ImportedDoc(
            kind="post" if kind == "post" else "page",
            source=src.shown,
            slug=_thoughtgen_slug(slug, title or stem),
            title=shown_title or _title_from_name(stem),
            body="",
            date=when,
            updated=self._date(meta, "modified", tz, src),
            draft=status == "draft" or bool(refused),
        )
        self._fill(doc, meta, origin)
        if refused:
            self.site.note(
                src.shown,
                src.lines.get("status") if "Status" in refused else None,
                f"Pelican skipped this file because {refused}; imported as a draft: fix "
                "that and remove draft: true to publish it",
            )
            return doc
        if status == "hidden" and kind == "post":
            self.site.note(
                src.shown,
                src.lines.get("status"),
                "Pelican kept this hidden post (Status: hidden) out of lists and feeds; "
                "thoughtgen lists it: make it a draft if it should stay unlisted",
            )
        if status == "draft":
            return doc  # at drafts/…: not a public URL, and never in a feed
        if not exact:
            guess = f"is guessed as {slug!r}" if slug else "is unknown"
            self.site.note(
                src.shown,
                src.lines.get("title"),
                "Pelican made this post's URL from its title with the unidecode library, "
                f"which is not installed here; the old URL {guess}: check it, and add it to "
                "aliases: if it differs",
            )
        if slug:
            self._address(doc, src, meta, slug, published=status == "published")
        return doc

    def _refused(
        self,
        src: Source,
        kind: str,
        meta: dict[str, Any],
        status: str,
        title: str,
        when: datetime | None,
    ) -> str:
        """Why Pelican would not publish the file ("" when it would)."""
        reasons = []
        if src.unreadable:
            reasons.append("it is not UTF-8")
        if status not in STATUSES:
            reasons.append(f"its Status is {status!r}, which Pelican does not know")
        if not title:
            reasons.append("it has no Title")
        if kind == "post" and when is None and status != "draft":
            unread = meta.get("date") not in (None, "")
            reasons.append("its Date cannot be read" if unread else "it has no Date")
        return " and ".join(reasons)

    def _fill(self, doc: ImportedDoc, meta: dict[str, Any], origin: dict[str, str]) -> None:
        """Tags (the category first), summary, image, authors, language and other keys."""
        tags = urls.metadata_list(meta.get("tags"))
        category = _text(meta.get("category"))
        if category and origin.get("category") != "default-category" and doc.kind == "post":
            tags.insert(0, category)
        doc.tags = _unique_tags(tags)
        doc.summary = " ".join(_text(meta.get("summary")).split())
        doc.image = next((_text(meta[k]) for k in _IMAGE_KEYS if _text(meta.get(k))), "")
        authors = _authors(meta)
        if authors:
            doc.extra["author"] = authors[0]
            if len(authors) > 1:
                doc.extra["authors"] = authors
        lang = _text(meta.get("lang"))
        if lang and lang != self.settings.text("DEFAULT_LANG"):
            doc.extra["lang"] = lang
        for key, value in meta.items():
            if key not in _CONSUMED and origin.get(key) == "file":
                doc.extra[key] = _plain(value)

    def _address(
        self, doc: ImportedDoc, src: Source, meta: dict[str, Any], slug: str, published: bool
    ) -> None:
        """The old URLs (``Content.url`` and ``save_as``), the slug keeping them, the feed id."""
        s = self.settings
        lang = _text(meta.get("lang")) or s.text("DEFAULT_LANG")
        in_default_lang = lang == s.text("DEFAULT_LANG")
        values: dict[str, object] = {
            k: v for k, v in meta.items() if isinstance(v, str | int) and not isinstance(v, bool)
        }
        path_value = meta.get("path")
        values.update(
            path=path_value if isinstance(path_value, str) else src.rel,
            slug=slug,
            lang=lang,
            author=self._wrapper_slug("AUTHOR", (_authors(meta) or [s.text("AUTHOR")])[0]),
            category=self._wrapper_slug("CATEGORY", _text(meta.get("category"))),
        )
        if doc.date is not None:
            values["date"] = doc.date
        prefix = ("ARTICLE" if doc.kind == "post" else "PAGE") + (
            "" if in_default_lang else "_LANG"
        )
        url = _override(meta, "url")
        if url is None:
            url = urls.expand(s.text(f"{prefix}_URL"), values)
        save_as = _override(meta, "save_as")
        if save_as is None:
            save_as = urls.expand(s.text(f"{prefix}_SAVE_AS"), values)
        if save_as == "":
            self.site.note(
                src.shown,
                src.lines.get("save_as"),
                "Pelican did not write this page (its save_as is empty); imported, but it "
                "had no URL before",
            )
            return
        old = _old_url(url, s.text("SITEURL")), _old_url(save_as, s.text("SITEURL"))
        doc.old_urls = [u for n, u in enumerate(old) if u and u not in old[:n]]
        if not doc.old_urls:
            self.site.note(
                src.shown,
                None,
                "the old URL could not be worked out from the URL settings; add it to "
                "aliases: by hand if the post had one",
            )
            return
        permalink = self.site.post_permalink if doc.kind == "post" else self.site.page_permalink
        wanted = urls.slug_for(permalink, doc.old_urls[0], doc.date, self.tz)
        if wanted and wanted == wanted.lower() and unsafe_slug_reason(wanted) is None:
            doc.slug = wanted
        if (
            doc.kind == "post"
            and published
            and url is not None
            and doc.date is not None
            and self.site.base_url
            and s.feeds_enabled()
        ):
            # Pelican's feed writer (pelican/writers.py, Writer._add_item_to_the_feed) gives
            # every item unique_id=get_tag_uri(link, item.date), and feedgenerator writes it
            # as the Atom <id> and the RSS <guid> alike, in every feed Pelican makes (all,
            # category, tag, author, translation): matched here against FEED_ALL_ATOM.
            link = urls.item_link(s.text("SITEURL"), url, bool(s.get("RELATIVE_URLS")))
            doc.guid = urls.tag_uri(link, doc.date)

    def _wrapper_slug(self, kind: str, name: str) -> str:
        """The slug of a category or author, as Pelican's ``URLWrapper.slug`` makes it."""
        return self._slug(name, self.wrapper_subs[kind])[0] if name else ""

    def _metadata(self, src: Source) -> tuple[dict[str, Any], dict[str, str]]:
        """The merged metadata, and where each key came from ("file", "folder", …)."""
        s = self.settings
        meta: dict[str, Any] = {}
        origin: dict[str, str] = {}

        def put(key: str, value: Any, where: str) -> None:
            meta[key] = value
            origin[key] = where

        defaults = s.get("DEFAULT_METADATA")
        if isinstance(defaults, dict):
            for key, value in defaults.items():
                put(str(key).lower(), value, "default")
        if s.get("DEFAULT_CATEGORY") and s.get("CATEGORY_SAVE_AS"):
            explicit = "DEFAULT_CATEGORY" in s.explicit
            put("category", s.get("DEFAULT_CATEGORY"), "file" if explicit else "default-category")
        default_date = s.get("DEFAULT_DATE")
        if default_date == "fs":
            stamp = datetime.fromtimestamp(src.file.stat().st_mtime)
            put("date", stamp, "fs")
            put("modified", stamp, "fs")
        elif default_date:
            put("date", default_date, "default")
        for key, value in path_metadata(src.rel, extra_path_metadata(s)).items():
            put(key, value, "extra")
        found: dict[str, tuple[Any, str]] = {}
        folder = posixpath.basename(posixpath.dirname(src.rel))
        checks = [
            (
                self.regexes.get("FILENAME_METADATA"),
                posixpath.splitext(posixpath.basename(src.rel))[0],
                "filename",
            ),
            (self.regexes.get("PATH_METADATA"), src.rel, "path"),
        ]
        if s.get("USE_FOLDER_AS_CATEGORY") and s.get("CATEGORY_SAVE_AS") and folder:
            checks.append((re.compile(r"(?P<category>.*)"), folder, "folder"))
        for regex, data, where in checks:
            match = regex.match(data) if regex is not None and data else None
            if match:
                for key, value in match.groupdict().items():
                    if value is not None and key.lower() not in found:
                        found[key.lower()] = (value, where)
        for key, (value, where) in found.items():
            put(key, value, where)
        for key, value in src.meta.items():
            put(key, value, "file")
        return meta, origin

    def _zone_of(self, meta: dict[str, Any], src: Source) -> tzinfo:
        name = _text(meta.get("timezone"))
        if not name:
            return self.tz
        found = zone(name)
        if found is None:
            self.site.note(
                src.shown,
                src.lines.get("timezone"),
                f"Timezone {name!r} is not a known time zone; the site's is used",
            )
            return self.tz
        return found

    def _date(self, meta: dict[str, Any], key: str, tz: tzinfo, src: Source) -> datetime | None:
        value = meta.get(key)
        if value is None or value == "":
            return None
        try:
            return urls.pelican_date(value, tz)
        except DateError as exc:
            self.site.note(
                src.shown,
                src.lines.get(key),
                f"{key.title()}: {exc}; left out",
            )
            return None

    def _slug(self, value: str, subs: list[tuple[str, str]]) -> tuple[str, bool]:
        s = self.settings
        return urls.slugify(
            value, subs, bool(s.get("SLUGIFY_PRESERVE_CASE")), bool(s.get("SLUGIFY_USE_UNICODE"))
        )

    def _pelican_slug(self, meta: dict[str, Any], title: str, stem: str) -> tuple[str, bool]:
        """Pelican's slug: the ``Slug:`` given, else slugified from the title (or name)."""
        given = _text(meta.get("slug"))
        if given:
            return given, True
        source = self.settings.text("SLUGIFY_SOURCE")
        value = stem if source == "basename" else title if source == "title" else ""
        return self._slug(value, self.subs) if value else ("", True)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value).strip()
    return str(value).strip()


def _plain(value: Any) -> Any:
    """A metadata value as front matter can hold it."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _override(meta: dict[str, Any], key: str) -> str | None:
    """A file's own ``URL:`` / ``Save_as:``, used by Pelican as written (not formatted)."""
    value = meta.get(key)
    return value.strip() if isinstance(value, str) else None


def _old_url(value: str | None, siteurl: str) -> str:
    """A Pelican URL or save_as path as a path from the site's root (``/x/`` for x/index.html)."""
    if value is None:
        return ""
    value = value.strip()
    if siteurl and value.startswith(siteurl + "/"):
        value = value[len(siteurl) :]
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith("//") or not value:
        return ""
    path = "/" + value.lstrip("/")
    if ".." in path.split("/"):
        return ""  # Pelican refuses to write outside its output folder
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path


def _thoughtgen_slug(pelican_slug: str, fallback: str) -> str:
    """Pelican's slug where thoughtgen can use it as it is, else the nearest one that works."""
    if pelican_slug == pelican_slug.lower() and unsafe_slug_reason(pelican_slug) is None:
        return pelican_slug
    for candidate in (slugify(pelican_slug), slugify(fallback)):
        candidate = candidate[:200].strip("-")
        if candidate and unsafe_slug_reason(candidate) is None:
            return candidate
    return "untitled"


def _title_from_name(stem: str) -> str:
    words = re.sub(r"^\d{4}-\d{1,2}-\d{1,2}[-_]?", "", stem).replace("-", " ").replace("_", " ")
    words = " ".join(words.split())
    return (words[:1].upper() + words[1:]) if words else "Untitled"


def _date_in_name(name: str, tz: tzinfo) -> datetime | None:
    """A date written at the start of a file name, even ``2021-9-1-x.md``."""
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", name)
    if not match:
        return None
    try:
        return urls.pelican_date("-".join(match.groups()), tz)
    except DateError:
        return None


def _unique_tags(tags: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for tag in tags:
        key = slugify(tag)
        if key and key not in seen:
            seen.add(key)
            result.append(tag)
    return result


def _authors(meta: dict[str, Any]) -> list[str]:
    """``Authors:`` (a list), else the one ``Author:``."""
    author = _text(meta.get("author"))
    return urls.metadata_list(meta.get("authors")) or ([author] if author else [])
