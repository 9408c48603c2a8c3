"""Reading a Pelican site: settings, posts, pages and static files, with their exact URLs.

The export is the site's folder: ``pelicanconf.py`` / ``publishconf.py`` (read as text,
``pelican_conf``) and the content folder (``PATH``, usually ``content/``) with posts in
Markdown, reStructuredText or HTML (``pelican_read``). Files are sorted as Pelican sorts
them (``PAGE_PATHS``, ``ARTICLE_PATHS``, ``STATIC_PATHS`` and their excludes); each post
or page becomes a doc with Pelican's slug, old URL and feed id (``pelican_docs``), then
its body is converted (``pelican_body``) and its ``{filename}``-style links resolved
against the other docs and the static files.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from urllib.parse import unquote

from thoughtgen.errors import ThoughtgenError
from thoughtgen.foreign import find_foreign_tags
from thoughtgen.importers import pelican_body as pb
from thoughtgen.importers import pelican_urls as urls
from thoughtgen.importers.html import html_to_markdown
from thoughtgen.importers.model import ImportedDoc, ImportedFile, SourceSite
from thoughtgen.importers.pelican_conf import (
    CONF_FILES,
    Settings,
    extra_path_metadata,
    path_metadata,
    read_settings,
    zone,
)
from thoughtgen.importers.pelican_docs import DocMaker
from thoughtgen.importers.pelican_read import Source, read_source, sniff
from thoughtgen.slugs import slugify

NAME = "pelican"
DESCRIPTION = "a Pelican site: pelicanconf.py and content/ (Markdown, reStructuredText, HTML)"

SOURCE_EXTENSIONS = (".md", ".markdown", ".mkd", ".mdown", ".rst", ".html", ".htm")


# Files at the site's root that thoughtgen's build makes itself.
_GENERATED = {
    "robots.txt", "sitemap.xml", "feed.xml", "atom.xml", "404.html", "index.html",
    "calendar.ics", "_redirects",
}  # fmt: skip


def detect(root: Path) -> bool:
    """A folder with ``pelicanconf.py``, or a ``content/`` folder of Pelican-style posts."""
    if not root.is_dir():
        return False
    if any((root / name).is_file() for name in CONF_FILES):
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
    if timezone and zone(timezone) is not None:
        site.timezone = timezone
    elif timezone:
        file, line = settings.where.get("TIMEZONE", ("pelicanconf.py", 0))
        site.note(file, line or None, f"TIMEZONE {timezone!r} is not a known time zone; UTC used")
    # The site-wide feeds keep their addresses; per-category, tag, author and language
    # feeds ({slug}, {lang}) have no single address to keep.
    for key, kind in (
        ("FEED_ALL_ATOM", "atom"),
        ("FEED_ATOM", "atom"),
        ("FEED_ALL_RSS", "rss"),
        ("FEED_RSS", "rss"),
    ):
        path = settings.text(key)
        if path and "{" not in path and _safe_relative(path.lstrip("/")) is not None:
            site.feeds.setdefault("/" + path.lstrip("/"), kind)
    site.post_permalink = urls.to_permalink(settings.text("ARTICLE_URL"))
    site.page_permalink = urls.to_permalink(settings.text("PAGE_URL"))


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
        self.tz: tzinfo = zone(site.timezone) or UTC if site.timezone else UTC
        self.items: list[_Item] = []
        self.by_rel: dict[str, _Item] = {}
        self.static: dict[str, Path] = {}  # content-relative path → file
        self.static_url: dict[str, str] = {}  # content-relative path → new URL
        self.maker = DocMaker(settings, site, self.tz)

    def shown(self, rel: str) -> str:
        return (self.content / rel).relative_to(self.root).as_posix()

    # ---- the steps ----------------------------------------------------------------------

    def run(self) -> None:
        self._find_files()
        for item in self.items:
            self._attachments(item)
        self._static_files()
        for item in list(self.items):
            doc = self.maker.make(item.source, item.kind)
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
                if self.content == self.root and rel in CONF_FILES:
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
            unpublished.sort()
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
        epm = extra_path_metadata(self.settings)
        save_pattern = self.settings.text("STATIC_SAVE_AS") or "{path}"
        for rel, path in sorted(self.static.items()):
            if path in attached:
                continue
            meta = path_metadata(rel, epm)
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
            body = pb.liquid_tags(pb.codehilite_fences(body))
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
            markup = "\n".join(body.lines)  # html_to_markdown keeps <!--more-->
            doc.body = html_to_markdown(markup) if markup.strip() else ""
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
