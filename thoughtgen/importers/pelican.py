"""Reading a Pelican site: settings, posts, pages and static files, with their exact URLs.

The export is the site's folder: ``pelicanconf.py`` / ``publishconf.py`` (read as text,
see ``pelican_conf``) and the content folder (``PATH``, usually ``content/``). Posts are
Markdown with ``Key: value`` headers (or YAML front matter, as the yaml-metadata plugin
reads it), reStructuredText with docinfo fields (converted by ``pelican_rst``) or HTML with
``<meta>`` tags. Metadata is combined as Pelican's ``Readers.read_file`` does: defaults,
then ``EXTRA_PATH_METADATA``, then what ``FILENAME_METADATA`` / ``PATH_METADATA`` and the
folder say, then the file's own. Each post's old URL comes from ``ARTICLE_URL`` (or the
draft, translation, page and per-file ``URL``/``Save_as`` variants) formatted like
Pelican's ``Content.url``, and its feed id from the tag URI Pelican's feeds give it.
A file Pelican would have refused (no title, no date, an unknown status) is imported as a
draft with a note saying why, so nothing the writer wrote is lost.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup

from thoughtgen.dates import DateError
from thoughtgen.errors import ThoughtgenError
from thoughtgen.foreign import find_foreign_tags
from thoughtgen.importers import pelican_urls as urls
from thoughtgen.importers.model import ImportedDoc, ImportedFile, SourceSite
from thoughtgen.importers.pelican_conf import Settings, read_settings
from thoughtgen.importers.pelican_read import Source, read_source, sniff
from thoughtgen.slugs import slugify, unsafe_slug_reason

NAME = "pelican"
DESCRIPTION = "a Pelican site: pelicanconf.py and content/ (Markdown, reStructuredText, HTML)"

SOURCE_EXTENSIONS = (".md", ".markdown", ".mkd", ".mdown", ".rst", ".html", ".htm")
STATUSES = ("published", "hidden", "draft")
# Front-matter keys thoughtgen fills itself, so a Pelican key of the same name is not
# copied into ``extra`` with another meaning.
_CONSUMED = {
    "title", "date", "modified", "tags", "category", "slug", "summary", "status", "save_as",
    "url", "template", "timezone", "translation", "lang", "author", "authors", "path",
    "reader", "draft", "updated", "aliases", "guid", "canonical_url", "image", "cover",
    "og_image", "featured_image", "thumbnail",
}  # fmt: skip
# Files at the site's root that thoughtgen's build makes itself.
_GENERATED = {
    "robots.txt", "sitemap.xml", "feed.xml", "atom.xml", "404.html", "index.html",
    "calendar.ics", "_redirects",
}  # fmt: skip
_IMAGE_KEYS = ("image", "cover", "og_image", "featured_image", "thumbnail")


def detect(root: Path) -> bool:
    """A folder with ``pelicanconf.py``, or a ``content/`` folder of Pelican-style posts."""
    if not root.is_dir():
        return False
    if any((root / name).is_file() for name in ("pelicanconf.py", "publishconf.py")):
        return True
    content = root / "content"
    return content.is_dir() and sniff(content)


def read(root: Path) -> SourceSite:
    if not root.is_dir():
        raise ThoughtgenError.single(
            str(root), None, "a Pelican site is a folder (with pelicanconf.py and content/)"
        )
    site = SourceSite(platform=NAME)
    settings = read_settings(root, site)
    _site_settings(site, settings)
    content = _content_folder(root, settings, site)
    reader = _Reader(root, content, settings, site)
    reader.run()
    return site


def _site_settings(site: SourceSite, settings: Settings) -> None:
    site.title = settings.text("SITENAME")
    site.description = settings.text("SITESUBTITLE")
    site.author = settings.text("AUTHOR")
    site.language = settings.text("DEFAULT_LANG") if "DEFAULT_LANG" in settings.explicit else ""
    siteurl = settings.text("SITEURL")
    if re.match(r"https?://[^/\s]+", siteurl):
        site.base_url = siteurl + "/"
    elif not settings.files:
        site.note(
            ".",
            None,
            "there is no pelicanconf.py, so the old site's address (SITEURL) and its feed "
            "ids are unknown; set base_url in thoughtgen.yaml",
        )
    elif "SITEURL" not in settings.unknown:
        file, line = settings.where.get("SITEURL", (settings.files[-1], 0))
        site.note(
            file,
            line or None,
            "SITEURL is not set to the site's address (publishconf.py usually sets it), so "
            "the old feed ids cannot be worked out; set base_url in thoughtgen.yaml",
        )
    timezone = settings.text("TIMEZONE")
    if timezone and _zone(timezone) is not None:
        site.timezone = timezone
    elif timezone:
        file, line = settings.where.get("TIMEZONE", ("pelicanconf.py", 0))
        site.note(file, line or None, f"TIMEZONE {timezone!r} is not a known time zone; UTC used")
    site.post_permalink = urls.to_permalink(settings.text("ARTICLE_URL"))
    site.page_permalink = urls.to_permalink(settings.text("PAGE_URL"))


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _content_folder(root: Path, settings: Settings, site: SourceSite) -> Path:
    """The folder Pelican read (``PATH``), kept inside the export."""
    default = root / "content" if (root / "content").is_dir() else root
    if "PATH" not in settings.explicit:
        return default
    path = settings.text("PATH") or "."
    file, line = settings.where.get("PATH", ("pelicanconf.py", 0))
    candidate = Path(path)
    if candidate.is_absolute():
        site.note(
            file,
            line or None,
            f"PATH is an absolute path ({path}); read {default.relative_to(root).as_posix()}"
            " in the export instead",
        )
        return default
    folder = root / candidate
    try:
        folder.resolve().relative_to(root.resolve())
    except ValueError:
        site.note(file, line or None, f"PATH {path!r} is outside the export; not read")
        return default
    if not folder.is_dir():
        site.note(file, line or None, f"PATH {path!r} is not a folder in the export")
        return default
    return folder


@dataclass
class _Item:
    """One post or page while it is read: where it is, its metadata, then its doc."""

    source: Source
    kind: str  # "post" or "page"
    attached: dict[str, Path] = field(default_factory=dict)  # bundle name → file
    doc: ImportedDoc | None = None
    pelican_slug: str = ""

    @property
    def rel(self) -> str:
        return self.source.rel

    def new_path(self) -> str:
        """Where the importer writes it, relative to ``content/``."""
        assert self.doc is not None
        if self.kind == "page":
            return f"pages/{self.doc.slug}.md"
        return f"posts/{self.doc.slug}/index.md" if self.doc.files else f"posts/{self.doc.slug}.md"

    def file_link(self, name: str) -> str:
        """The link to one of its files: beside a post (a bundle), under /<slug>/ for a page."""
        assert self.doc is not None
        return name if self.kind == "post" else f"/{self.doc.slug}/{name}"


class _Reader:
    def __init__(self, root: Path, content: Path, settings: Settings, site: SourceSite) -> None:
        self.root = root
        self.content = content
        self.settings = settings
        self.site = site
        self.tz: tzinfo = _zone(site.timezone) if site.timezone else UTC  # type: ignore[assignment]
        self.items: list[_Item] = []
        self.by_rel: dict[str, _Item] = {}
        self.static: dict[str, Path] = {}  # content-relative path → file
        self.static_url: dict[str, str] = {}  # content-relative path → new URL
        self.regexes = _path_regexes(settings, site)
        self.subs = _substitutions(settings, "SLUG_REGEX_SUBSTITUTIONS", site)

    def shown(self, rel: str) -> str:
        return (self.content / rel).relative_to(self.root).as_posix()

    # ---- the steps ----------------------------------------------------------------------

    def run(self) -> None:
        self._find_files()
        for item in self.items:
            self._attachments(item)
        self._static_files()
        for item in list(self.items):
            doc = self._doc(item)
            if doc is None:
                self.items.remove(item)
                continue
            item.doc = doc
            self.by_rel[item.rel] = item
        self._unique()
        for item in self.items:
            self._body(item)
            assert item.doc is not None
            self.site.docs.append(item.doc)
        if not self.items:
            self.site.note(self.shown("") or ".", None, "no Pelican posts or pages were found here")

    def _find_files(self) -> None:
        s = self.settings
        unpublished: list[str] = []
        for folder, dirs, files in os.walk(self.content, followlinks=False):
            here = Path(folder)
            rel_folder = here.relative_to(self.content).as_posix()
            rel_folder = "" if rel_folder == "." else rel_folder + "/"
            for name in list(dirs):
                if (here / name).is_symlink():
                    self.site.note(
                        self.shown(rel_folder + name),
                        None,
                        "is a symbolic link; not followed: copy what it points to into the "
                        "export if you want it",
                    )
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d != "__pycache__"
                and not (here / d).is_symlink()
                and not (self.content == self.root and not rel_folder and d == "output")
            )
            for name in sorted(files):
                rel = rel_folder + name
                path = here / name
                if name.startswith("."):
                    continue
                if path.is_symlink():
                    self.site.note(
                        self.shown(rel),
                        None,
                        "is a symbolic link; not followed: copy the file into the export if "
                        "you want it",
                    )
                    continue
                if (
                    self.content == self.root
                    and not rel_folder
                    and name
                    in (
                        "pelicanconf.py",
                        "publishconf.py",
                    )
                ):
                    continue
                ext = posixpath.splitext(name)[1].lower()
                static = _under(rel, s.paths("STATIC_PATHS"), s.paths("STATIC_EXCLUDES"))
                if ext in SOURCE_EXTENSIONS and not (static and ext in (".html", ".htm")):
                    if _under(rel, s.paths("PAGE_PATHS"), s.paths("PAGE_EXCLUDES")):
                        self._add(rel, path, "page")
                        continue
                    if _under(rel, s.paths("ARTICLE_PATHS"), s.paths("ARTICLE_EXCLUDES")):
                        self._add(rel, path, "post")
                        continue
                if static:
                    self.static[rel] = path
                else:
                    unpublished.append(rel)
        if unpublished:
            examples = ", ".join(unpublished[:3]) + (" …" if len(unpublished) > 3 else "")
            self.site.note(
                self.shown("") or ".",
                None,
                f"{len(unpublished)} file(s) are neither posts nor under STATIC_PATHS, so "
                f"Pelican did not publish them and they were not imported ({examples})",
            )

    def _add(self, rel: str, path: Path, kind: str) -> None:
        source = read_source(rel, path, self.shown(rel), self.site)
        if source is not None:
            self.items.append(_Item(source, kind))

    def _attachments(self, item: _Item) -> None:
        """Static files a post links with ``{attach}``: they move into its bundle."""
        for value in re.findall(r"[{|]attach[}|]([^\s)\"'<>#?]+)", item.source.text):
            target = _target(value, item.rel)
            if target is None or target not in self.static:
                continue
            tail = posixpath.relpath(target, posixpath.dirname(item.rel) or ".")
            if tail.startswith("../"):
                tail = posixpath.basename(target)
            item.attached[tail] = self.static[target]

    def _static_files(self) -> None:
        attached = {p for item in self.items for p in item.attached.values()}
        epm = _extra_path_metadata(self.settings)
        save_pattern = self.settings.text("STATIC_SAVE_AS") or "{path}"
        for rel, path in sorted(self.static.items()):
            if path in attached:
                continue
            meta = _path_meta(rel, epm)
            save_as = meta.get("save_as")
            if not isinstance(save_as, str):
                value = meta.get("path", rel)
                save_as = urls.expand(
                    save_pattern, {"path": value if isinstance(value, str) else rel}
                )
            target = _safe_relative(save_as or "")
            if target is None:
                self.site.note(
                    self.shown(rel),
                    None,
                    f"its output path {save_as!r} leaves the site; not imported",
                )
                continue
            if target in _GENERATED:
                self.site.note(
                    self.shown(rel),
                    None,
                    f"thoughtgen writes its own /{target}, so this one was not imported; "
                    "compare the two if the old one said something the new one should",
                )
                continue
            self.static_url[rel] = "/" + target
            self.site.files.append(ImportedFile(f"content/static/{target}", source=path))

    # ---- one document ---------------------------------------------------------------

    def _doc(self, item: _Item) -> ImportedDoc | None:
        s = self.settings
        src = item.source
        meta, origin = self._metadata(item)
        where = src.shown
        line_of = src.lines.get
        status = str(meta.get("status") or "published").strip().lower() or "published"
        if status == "skip":
            self.site.skipped["status: skip"] = self.site.skipped.get("status: skip", 0) + 1
            return None
        title = _text(meta.get("title"))
        # Pelican's themes print titles as HTML; thoughtgen's are text.
        shown_title = str(Markup(title).striptags()) if "<" in title or "&" in title else title
        tz = self._zone_of(meta, item)
        when = self._date(meta, "date", tz, item)
        updated = self._date(meta, "modified", tz, item)
        if origin.get("date") == "fs" and when is not None:
            self.site.note(
                where,
                None,
                "dated from the file's modification time (DEFAULT_DATE = 'fs'); check the date",
            )
        reasons = []
        if src.unreadable:
            reasons.append("it is not UTF-8")
        if status not in STATUSES:
            reasons.append(f"its Status is {status!r}, which Pelican does not know")
        if not title:
            reasons.append("it has no Title")
        if item.kind == "post" and when is None and status != "draft":
            unread = meta.get("date") not in (None, "")
            reasons.append("its Date cannot be read" if unread else "it has no Date")
        refused = " and ".join(reasons)
        if refused and when is None:
            when = _date_in_name(posixpath.basename(item.rel), tz)
        lang = _text(meta.get("lang")) or s.text("DEFAULT_LANG")
        in_default_lang = lang == s.text("DEFAULT_LANG")
        stem = posixpath.splitext(posixpath.basename(item.rel))[0]
        slug, exact = self._pelican_slug(meta, title, stem)
        item.pelican_slug = slug
        category = _text(meta.get("category"))
        category_slug = ""
        if category:
            subs = _substitutions(s, "CATEGORY_REGEX_SUBSTITUTIONS", self.site) or self.subs
            category_slug = self._slug(category, subs)[0]
        authors = (
            urls.metadata_list(meta.get("authors")) or urls.metadata_list(meta.get("author"))[:1]
        )
        author = authors[0] if authors else s.text("AUTHOR")
        author_slug = (
            self._slug(
                author, _substitutions(s, "AUTHOR_REGEX_SUBSTITUTIONS", self.site) or self.subs
            )[0]
            if author
            else ""
        )

        doc = ImportedDoc(
            kind="post" if item.kind == "post" else "page",
            source=where,
            slug=_thoughtgen_slug(slug, title or stem),
            title=shown_title or _title_from_name(stem),
            body="",
            date=when,
            updated=updated,
            draft=status == "draft" or bool(refused),
        )
        tags = urls.metadata_list(meta.get("tags"))
        if category and origin.get("category") != "default-category" and item.kind == "post":
            tags.insert(0, category)
        doc.tags = _unique_tags(tags)
        doc.summary = " ".join(_text(meta.get("summary")).split())
        for key in _IMAGE_KEYS:
            if _text(meta.get(key)):
                doc.image = _text(meta.get(key))
                break
        if authors:
            doc.extra["author"] = authors[0]
            if len(authors) > 1:
                doc.extra["authors"] = authors
        if not in_default_lang:
            doc.extra["lang"] = lang
        for key, value in meta.items():
            if key not in _CONSUMED and origin.get(key) == "file":
                doc.extra[key] = _plain(value)

        if refused:
            self.site.note(
                where,
                line_of("status") if "Status" in refused else None,
                f"Pelican skipped this file because {refused}; imported as a draft: fix "
                "that and remove draft: true to publish it",
            )
            return doc
        if status == "hidden" and item.kind == "post":
            self.site.note(
                where,
                line_of("status"),
                "Pelican kept this hidden post (Status: hidden) out of lists and feeds; "
                "thoughtgen lists it: make it a draft if it should stay unlisted",
            )
        if status == "draft":
            return doc
        if not exact:
            guess = f"is guessed as {slug!r}" if slug else "is unknown"
            self.site.note(
                where,
                line_of("title"),
                "Pelican made this post's URL from its title with the unidecode library, "
                f"which is not installed here; the old URL {guess}: check it, and add it to "
                "aliases: if it differs",
            )
        if not slug:
            return doc  # no name to build the old URL from
        values: dict[str, object] = {
            k: v for k, v in meta.items() if isinstance(v, str | int) and not isinstance(v, bool)
        }
        path_value = meta.get("path") if isinstance(meta.get("path"), str) else item.rel
        values.update(
            path=path_value, slug=slug, lang=lang, author=author_slug, category=category_slug
        )
        if when is not None:
            values["date"] = when
        prefix = "ARTICLE" if item.kind == "post" else "PAGE"
        lang_part = "" if in_default_lang else "_LANG"
        url = _override(meta, "url")
        if url is None:
            url = urls.expand(s.text(f"{prefix}{lang_part}_URL"), values)
        save_as = _override(meta, "save_as")
        if save_as is None:
            save_as = urls.expand(s.text(f"{prefix}{lang_part}_SAVE_AS"), values)
        if save_as == "":
            self.site.note(
                where,
                line_of("save_as"),
                "Pelican did not write this page (its save_as is empty); imported, but it "
                "had no URL before",
            )
            return doc
        old = _old_url(url, s.text("SITEURL")), _old_url(save_as, s.text("SITEURL"))
        doc.old_urls = [u for n, u in enumerate(old) if u and u not in old[:n]]
        if not doc.old_urls:
            self.site.note(
                where,
                None,
                "the old URL could not be worked out from the URL settings; add it to "
                "aliases: by hand if the post had one",
            )
        permalink = self.site.post_permalink if item.kind == "post" else self.site.page_permalink
        if doc.old_urls:
            wanted = urls.slug_for(permalink, doc.old_urls[0], when, self.tz)
            if wanted and wanted == wanted.lower() and unsafe_slug_reason(wanted) is None:
                doc.slug = wanted
        if (
            item.kind == "post"
            and status == "published"
            and url is not None
            and when is not None
            and self.site.base_url
            and s.feeds_enabled()
        ):
            # Pelican's feed writer (pelican/writers.py, Writer._add_item_to_the_feed) gives
            # every item unique_id=get_tag_uri(link, item.date), and feedgenerator writes it
            # as the Atom <id> and the RSS <guid> alike, in every feed Pelican makes (all,
            # category, tag, author, translation): matched here against FEED_ALL_ATOM.
            link = urls.item_link(s.text("SITEURL"), url, bool(s.get("RELATIVE_URLS")))
            doc.guid = urls.tag_uri(link, when)
        return doc

    # ---- metadata -------------------------------------------------------------------

    def _metadata(self, item: _Item) -> tuple[dict[str, Any], dict[str, str]]:
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
            stamp = datetime.fromtimestamp(item.source.file.stat().st_mtime)
            put("date", stamp, "fs")
            put("modified", stamp, "fs")
        elif default_date:
            put("date", default_date, "default")
        for key, value in _path_meta(item.rel, _extra_path_metadata(s)).items():
            put(key, value, "extra")
        found: dict[str, tuple[Any, str]] = {}
        folder = posixpath.basename(posixpath.dirname(item.rel))
        checks = [
            (
                self.regexes.get("FILENAME_METADATA"),
                posixpath.splitext(posixpath.basename(item.rel))[0],
                "filename",
            ),
            (self.regexes.get("PATH_METADATA"), item.rel, "path"),
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
        for key, value in item.source.meta.items():
            put(key, value, "file")
        return meta, origin

    def _zone_of(self, meta: dict[str, Any], item: _Item) -> tzinfo:
        name = _text(meta.get("timezone"))
        if not name:
            return self.tz
        zone = _zone(name)
        if zone is None:
            self.site.note(
                item.source.shown,
                item.source.lines.get("timezone"),
                f"Timezone {name!r} is not a known time zone; the site's is used",
            )
            return self.tz
        return zone

    def _date(self, meta: dict[str, Any], key: str, tz: tzinfo, item: _Item) -> datetime | None:
        value = meta.get(key)
        if value is None or value == "":
            return None
        try:
            return urls.pelican_date(value, tz)
        except DateError as exc:
            self.site.note(
                item.source.shown,
                item.source.lines.get(key),
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

    def _unique(self) -> None:
        """No two docs of a kind share a slug, and no two claim one old URL."""
        taken: dict[tuple[str, str], str] = {}
        urls_taken: dict[str, str] = {}
        for item in sorted(self.items, key=lambda i: i.rel):
            doc = item.doc
            assert doc is not None
            for url in list(doc.old_urls):
                if url in urls_taken:
                    doc.old_urls.remove(url)
                    self.site.note(
                        doc.source,
                        None,
                        f"{urls_taken[url]} has the same old URL {url}; Pelican could not "
                        "publish both, so this one is not given it",
                    )
                else:
                    urls_taken[url] = doc.source
            base = doc.slug
            number = 1
            while (item.kind, doc.slug) in taken:
                number += 1
                doc.slug = f"{base}-{number}"
            if number > 1:
                self.site.note(
                    doc.source,
                    None,
                    f"the slug {base!r} is also {taken[(item.kind, base)]}'s; this one is "
                    f"{doc.slug!r}",
                )
            taken[(item.kind, doc.slug)] = doc.source
        for item in self.items:
            if item.doc is not None and item.attached:
                item.doc.files = [
                    ImportedFile(name, source=path) for name, path in sorted(item.attached.items())
                ]

    # ---- body ---------------------------------------------------------------------------

    def _body(self, item: _Item) -> None:
        from thoughtgen.importers import pelican_body as pb
        from thoughtgen.importers.html import html_to_markdown

        doc = item.doc
        assert doc is not None
        source = item.source
        for line, message in source.problems:
            self.site.note(source.shown, line, message)

        def note(line: int | None, message: str) -> None:
            self.site.note(source.shown, line, message)

        def resolve(what: str, value: str, line: int | None) -> str | None:
            return self._resolve(item, what, value, line)

        body = source.body
        if source.format == "markdown":
            body = pb.codehilite_fences(body)
        html = source.format == "html"
        body, summary = pb.summary_markers(body, html)
        if summary and not doc.summary:
            doc.summary = summary
        if source.format != "html":
            body = pb.flag_extensions(body, note)
        body = pb.rewrite_links(body, resolve, html)
        for tag in find_foreign_tags("\n".join(body.lines), 0):
            where = body.src[tag.line] if 0 <= tag.line < len(body.src) else None
            note(
                where,
                f"the template tag {tag.text} (from a Pelican plugin such as liquid_tags or "
                "jinja2content) is not converted; replace it with Markdown or HTML",
            )
        if source.format == "html":
            marker = "THOUGHTGENMOREMARKER"
            markup = "\n".join(
                f"<p>{marker}</p>" if line.strip() == pb.MORE else line for line in body.lines
            )
            doc.body = html_to_markdown(markup).replace(marker, pb.MORE) if markup.strip() else ""
        else:
            doc.body = body.text()
        image = re.match(r"[{|](\w+)[}|](.*)", doc.image)
        if image:
            doc.image = (
                self._resolve(item, image[1].lower(), image[2], source.lines.get("image"))
                or doc.image
            )

    def _resolve(self, item: _Item, what: str, value: str, line: int | None) -> str | None:
        """The new URL for a Pelican link marker in ``item`` (see pelican_body)."""
        path, rest = _split_url(value)
        shown = item.source.shown
        if what in ("filename", "static", "attach"):
            target = _target(path, item.rel)
            if target is None:
                self.site.note(
                    shown,
                    line,
                    f"the link {{{what}}}{value} points outside the content folder; "
                    "the marker was removed: fix the link",
                )
                return value
            if what == "attach":
                for name, file in item.attached.items():
                    if self.static.get(target) == file:
                        return item.file_link(name) + rest
            linked = self.by_rel.get(target)
            if linked is not None and linked.doc is not None and what == "filename":
                here = posixpath.dirname(item.new_path())
                return posixpath.relpath(linked.new_path(), here) + rest
            if target in self.static_url:
                return self.static_url[target] + rest
            self.site.note(
                shown,
                line,
                f"the link {{{what}}}{value} points to {target}, which is not a published post, "
                "page or static file in the export; the marker was removed: fix the link",
            )
            return value
        if what in ("tag", "category"):
            return f"/tags/{slugify(unquote(path))}/{rest}"
        if what == "index":
            return "/" + rest
        if what == "author":
            self.site.note(
                shown,
                line,
                f"thoughtgen has no author pages; the link {{author}}{value} now goes to the "
                "home page: change it if another page fits better",
            )
            return "/" + rest
        self.site.note(
            shown,
            line,
            f"the link marker {{{what}}} is not one Pelican knows ({{filename}}, {{static}}, "
            "{attach}, {tag}, {category}, {author}, {index}); left as written: fix the link",
        )
        return None


# ---- helpers ------------------------------------------------------------------------------


def _under(rel: str, paths: list[str], excludes: list[str]) -> bool:
    """Whether ``rel`` is in one of ``paths`` and in none of ``excludes`` (folders or files)."""

    def inside(path: str) -> bool:
        path = path.strip("/")
        return path in ("", ".") or rel == path or rel.startswith(path + "/")

    if any(inside(e) for e in excludes if e.strip("/") not in ("", ".")):
        return False
    return any(inside(p) for p in paths)


def _target(value: str, rel: str) -> str | None:
    """A link's path as a content-relative path (``/x`` from the content root), or None."""
    path = unquote(value)
    if path.startswith("/"):
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(rel), path)
    return _safe_relative(joined)


def _safe_relative(path: str) -> str | None:
    """``path`` normalised, or None when it is empty, absolute or climbs out with ``..``."""
    if not path or path.startswith("/") or "\\" in path:
        return None
    normal = posixpath.normpath(path)
    if normal in (".", "..") or normal.startswith("../"):
        return None
    return normal


def _split_url(value: str) -> tuple[str, str]:
    """``a.md#x`` → (``a.md``, ``#x``): the path and what follows it."""
    match = re.match(r"([^?#]*)(.*)", value, re.S)
    assert match is not None
    return match[1], match[2]


def _extra_path_metadata(settings: Settings) -> dict[str, dict[str, Any]]:
    value = settings.get("EXTRA_PATH_METADATA")
    if not isinstance(value, dict):
        return {}
    return {
        str(path): {str(k).lower(): v for k, v in meta.items()}
        for path, meta in value.items()
        if isinstance(meta, dict)
    }


def _path_meta(rel: str, epm: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``EXTRA_PATH_METADATA`` for ``rel``: its folders' entries, then its own."""
    meta: dict[str, Any] = {}
    for path, values in sorted(epm.items()):
        folder = path.rstrip("/") + "/"
        if rel == path or rel.startswith(folder):
            meta.update(values)
    return meta


def _path_regexes(settings: Settings, site: SourceSite) -> dict[str, re.Pattern[str]]:
    regexes = {}
    for key in ("FILENAME_METADATA", "PATH_METADATA"):
        pattern = settings.get(key)
        if not isinstance(pattern, str) or not pattern:
            continue
        try:
            regexes[key] = re.compile(pattern)
        except re.error as exc:
            file, line = settings.where.get(key, ("pelicanconf.py", 0))
            site.note(
                file, line or None, f"{key} is not a valid regular expression ({exc}); not used"
            )
    return regexes


def _substitutions(settings: Settings, key: str, site: SourceSite) -> list[tuple[str, str]]:
    value = settings.get(key)
    if value is None:
        return []
    pairs = []
    valid = isinstance(value, (list, tuple))
    for pair in value if valid else []:
        if not (
            isinstance(pair, (list, tuple))
            and len(pair) == 2
            and all(isinstance(p, str) for p in pair)
        ):
            valid = False
            break
        try:
            re.compile(pair[0])
        except re.error:
            valid = False
            break
        pairs.append((pair[0], pair[1]))
    if not valid:
        file, line = settings.where.get(key, ("pelicanconf.py", 0))
        site.note(
            file,
            line or None,
            f"{key} is not a list of (pattern, replacement) pairs; Pelican's default is used",
        )
        from thoughtgen.importers.pelican_conf import DEFAULTS

        return list(DEFAULTS["SLUG_REGEX_SUBSTITUTIONS"])
    return pairs


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
