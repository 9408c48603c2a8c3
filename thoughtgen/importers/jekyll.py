"""Reading a Jekyll site: posts, drafts and pages with the URLs and feed ids Jekyll gave them.

URLs and feed ids are worked out as Jekyll 4 works them out (``jekyll_urls``), so every
old URL is known without running Jekyll. The site is only read: ``_config.yml`` is YAML,
no plugin or Ruby code runs; Liquid in posts is converted by ``liquid``.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import ThoughtgenError, shown
from thoughtgen.importers.frontmatter import ForeignFrontMatter, read_front_matter
from thoughtgen.importers.html import html_to_markdown
from thoughtgen.importers.jekyll_urls import (
    feed_id,
    feed_id_style,
    page_pattern,
    page_url,
    post_template,
    post_urls,
    thoughtgen_pattern,
)
from thoughtgen.importers.liquid import LiquidSettings, convert_liquid, finish_literal_text
from thoughtgen.importers.liquid_sites import (
    SiteLinks,
    dedupe_slugs,
    extra_fields,
    inside,
    link_between,
    make_slug,
    read_text,
    scalar_text,
    unique,
)
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.yamlio import YamlSyntaxError, parse_yaml

NAME = "jekyll"
DESCRIPTION = "a Jekyll site folder: _config.yml, _posts/, _drafts/, pages and assets"

# Jekyll's Document::DATE_FILENAME_MATCHER, on the path relative to the posts folder.
_DATE_NAME = re.compile(r"^(?:.+/)*(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)(\.[^.]+)$")
_ASSET_FOLDERS = ("assets", "images", "img", "uploads")
_NOT_COPIED = (".scss", ".sass", ".coffee")  # Jekyll compiles these; the output is theme code
_SKIPPED_DIRS = {"_site", "node_modules", "vendor", ".git", ".bundle", ".jekyll-cache"}
_LISTING = re.compile(r"\{%-?\s*for\s+\w+\s+in\s+(?:site\.(?:posts|categories|tags)|paginator)")
_MORE_MARK = "tgmore5e1c0b7a"  # stands for <!--more--> through the HTML conversion
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
# Front-matter keys this reader turns into thoughtgen fields, or that mean nothing there.
_USED = {
    "title", "date", "slug", "categories", "category", "tags", "tag", "excerpt",
    "excerpt_separator", "description", "published", "permalink", "redirect_from",
    "last_modified_at", "image", "canonical_url", "layout", "render_with_liquid", "draft",
}  # fmt: skip


def detect(root: Path) -> bool:
    if not root.is_dir():
        return False
    if (root / "_config.yml").is_file() or (root / "_config.yaml").is_file():
        return True
    eleventy = (".eleventy.js", "eleventy.config.js", "eleventy.config.mjs", ".eleventy.cjs")
    return (root / "_posts").is_dir() and not any((root / name).exists() for name in eleventy)


@dataclass
class _Config:
    data: dict[str, Any]
    url: str  # "https://example.com", no trailing slash; "" when unset
    baseurl: str  # "/blog" or ""
    tz: tzinfo
    post_template: str
    style: str  # the permalink setting, for pages' suffix
    markdown_exts: tuple[str, ...]
    exclude: list[str]
    feed_id: str  # "id" (jekyll-feed), "url" or "url-nobase": what the feed's post ids are


@dataclass
class _Entry:
    doc: ImportedDoc
    path: Path
    raw: str  # the body as written
    body_line: int
    html: bool
    liquid: bool
    separator: str
    post_name: str = ""  # what {% post_url %} calls it: "2010-07-21-name", "sub/2010-07-21-name"
    values: dict[str, str] = field(default_factory=dict)


def read(root: Path) -> SourceSite:
    if not root.is_dir():
        raise ThoughtgenError.single(
            str(root), None, "a Jekyll site is a folder with _config.yml; this is not a folder"
        )
    site = SourceSite(platform=NAME)
    config = _read_config(root, site)
    entries = _read_posts(root, config, site) + _read_pages(root, config, site)
    if not entries:
        site.note(
            "_posts/", None, "no posts or pages found (looked in _posts/, _drafts/ and pages)"
        )
    dedupe_slugs([entry.doc for entry in entries], site)
    prefixes = [config.url + config.baseurl, config.baseurl] if config.url else [config.baseurl]
    links = SiteLinks(site, root, prefixes, lambda path: _served_file(root, config, path))
    for entry in entries:
        links.add(entry.doc)
        links.bundle_files(entry.doc, entry.raw, entry.path.parent)
    posts = {entry.post_name: entry.doc for entry in entries if entry.post_name}
    for entry in entries:
        entry.doc.body = _convert(entry, posts, config, links, site)
        if entry.doc.image.startswith("/"):
            links.copy_static(entry.doc.image)
    _copy_assets(root, config, links)
    site.docs = [entry.doc for entry in entries]
    return site


# --- _config.yml -------------------------------------------------------------------------


def _read_config(root: Path, site: SourceSite) -> _Config:
    name = "_config.yml" if (root / "_config.yml").is_file() else "_config.yaml"
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    text = read_text(root / name, name, site) if (root / name).is_file() else None
    if text is not None:
        try:
            doc = parse_yaml(text)
        except YamlSyntaxError as exc:
            site.note(name, exc.line, f"{exc.message}; the site settings were not read")
        else:
            if isinstance(doc.data, dict):
                data, lines = doc.data, doc.key_lines
            elif doc.data is not None:
                site.note(name, 1, "is not a mapping of settings; the site settings were not read")
    url = scalar_text(data.get("url")).rstrip("/")
    if url and urlsplit(url).scheme not in ("http", "https"):
        site.note(name, lines.get("url"), f"url {shown(url)} is not an http(s) address; ignored")
        url = ""
    if not url:
        site.note(
            name,
            lines.get("url"),
            "has no url, so the old site's address is unknown: set base_url in thoughtgen.yaml "
            "(feed ids stay site-relative, as Jekyll's feed wrote them)",
        )
    baseurl = "/" + scalar_text(data.get("baseurl")).strip("/")
    baseurl = "" if baseurl == "/" else baseurl
    tz: tzinfo = UTC
    tz_name = scalar_text(data.get("timezone"))
    if tz_name:
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            site.note(name, lines.get("timezone"), f"unknown timezone {shown(tz_name)}; used UTC")
            tz_name = ""
    style = scalar_text(data.get("permalink")) or "date"
    collections = data.get("collections")
    posts_config = collections.get("posts") if isinstance(collections, dict) else None
    if isinstance(posts_config, dict) and scalar_text(posts_config.get("permalink")):
        style = scalar_text(posts_config.get("permalink"))
    exts = scalar_text(data.get("markdown_ext")) or "markdown,mkdown,mkdn,mkd,md"
    exclude = data.get("exclude")
    config = _Config(
        data=data,
        url=url,
        baseurl=baseurl,
        tz=tz,
        post_template=post_template(style),
        style=style,
        markdown_exts=tuple("." + e.strip().lower() for e in exts.split(",") if e.strip()),
        exclude=[str(e) for e in exclude] if isinstance(exclude, list) else [],
        feed_id=feed_id_style(root, data, site),
    )
    author = data.get("author")
    site.title = scalar_text(data.get("title")) or scalar_text(data.get("name"))
    site.description = scalar_text(data.get("description"))
    site.author = scalar_text(author.get("name") if isinstance(author, dict) else author)
    site.language = (scalar_text(data.get("lang")) or scalar_text(data.get("locale"))).replace(
        "_", "-"
    )
    site.timezone = tz_name
    site.base_url = url + baseurl + "/" if url else ""
    site.post_permalink = thoughtgen_pattern(config.post_template)
    site.page_permalink = page_pattern(style)
    return config


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if v is not None]
    return [] if value is None or value == "" else [value]


# --- Posts and drafts ----------------------------------------------------------------


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in a stable order; hidden and symlinked folders are skipped."""
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(current) / name


def _read_posts(root: Path, config: _Config, site: SourceSite) -> list[_Entry]:
    collections = scalar_text(config.data.get("collections_dir")).strip("/")
    base = root / collections if collections else root
    entries: list[_Entry] = []
    folders: list[tuple[Path, list[str], bool]] = []
    if inside(root, base) and base.is_dir():
        for current, dirs, _files in os.walk(base):
            here = Path(current)
            rel_parts = list(here.relative_to(base).parts)
            if "_posts" in dirs:
                folders.append((here / "_posts", rel_parts, False))
            if "_drafts" in dirs and not rel_parts:
                folders.append((here / "_drafts", [], True))
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(("_", "."))
                and d not in _SKIPPED_DIRS
                and not _excluded(posixpath.join(*rel_parts, d), config.exclude)
            )
    for folder, categories, drafts in sorted(folders, key=lambda f: (f[2], str(f[0]))):
        for path in _walk(folder):
            rel = path.relative_to(root).as_posix()
            within = path.relative_to(folder).as_posix()
            suffix = path.suffix.lower()
            if suffix == ".textile":
                site.note(
                    rel, None, "Textile is not converted; not imported — convert it to Markdown"
                )
            if suffix not in (*config.markdown_exts, ".html") or not inside(root, path):
                continue
            entry = _read_post(path, rel, within, categories, drafts, config, site)
            if entry is not None:
                entries.append(entry)
    return entries


def _read_post(
    path: Path,
    rel: str,
    within: str,
    categories: list[str],
    in_drafts: bool,
    config: _Config,
    site: SourceSite,
) -> _Entry | None:
    text = read_text(path, rel, site)
    if text is None:
        return None
    fm = _front_matter(text, rel, site)
    data = {**_defaults(config, rel, "drafts" if in_drafts else "posts"), **fm.data}
    named = _DATE_NAME.match(within)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    name_slug = (named.group(4) if named else stem).rstrip(".")
    data_slug = scalar_text(data.get("slug")) or name_slug
    title = scalar_text(data.get("title")) or " ".join(w.capitalize() for w in name_slug.split("-"))
    date = _date(data, fm, rel, config, site)
    if date is None and named:
        date = _name_date(named, rel, config, site)
    draft = in_drafts or data.get("published") is False
    if not named and not in_drafts:
        draft = True
        site.note(
            rel,
            None,
            "Jekyll publishes a post only when its file name starts with its date "
            "(YYYY-MM-DD-); imported as a draft — give it a date and set draft: false",
        )
    categories = unique(
        categories + _words(data.get("categories")) + [str(c) for c in _list(data.get("category"))]
    )
    tags = _words(data.get("tag")) if "tag" in data else _words(data.get("tags"))
    doc = ImportedDoc(
        kind="post",
        source=rel,
        slug=make_slug(data_slug, title, fallback="post"),
        title=title,
        body="",
        date=date,
        draft=draft,
        tags=unique(categories + tags),
    )
    _fill_common(doc, data, fm, rel, config, site)
    if not draft and date is not None:
        template = scalar_text(data.get("permalink")) or config.post_template
        local = date.astimezone(config.tz)
        encoded, plain = post_urls(template, data_slug, stem, rel, categories, local)
        if plain is None:
            site.note(
                rel,
                fm.line_of("permalink"),
                f"permalink {shown(data.get('permalink') or config.post_template)} uses a "
                "placeholder Jekyll does not have; the old URL is unknown — add it to aliases",
            )
        else:
            doc.old_urls.insert(0, plain)
            doc.guid = feed_id(config.feed_id, encoded, data_slug, config.url, config.baseurl)
    post_name = posixpath.splitext(within)[0]
    return _entry(doc, path, fm, data, rel, config, post_name)


def _date(
    data: dict[str, Any], fm: ForeignFrontMatter, rel: str, config: _Config, site: SourceSite
) -> datetime | None:
    value = data.get("date")
    if value is None or value == "":
        return None
    try:
        return parse_datetime(value, config.tz)
    except DateError as exc:
        site.note(rel, fm.line_of("date"), f"{exc}; used the date in the file name, if any")
        return None


def _name_date(
    named: re.Match[str], rel: str, config: _Config, site: SourceSite
) -> datetime | None:
    year, month, day = (int(named.group(i)) for i in (1, 2, 3))
    try:
        value = datetime(year, month, day, tzinfo=config.tz)
        if year < 1000:
            raise ValueError("the year needs four digits")
    except ValueError as exc:
        site.note(rel, None, f"the date in the file name does not exist ({exc}); set date:")
        return None
    return value


def _words(value: object) -> list[str]:
    """Jekyll's categories and tags: a list, or one string of words separated by spaces."""
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in _list(value) if not isinstance(v, dict | list)]


# --- Pages ---------------------------------------------------------------------------


def _read_pages(root: Path, config: _Config, site: SourceSite) -> list[_Entry]:
    entries = []
    for path in _walk(root):
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        if any(p.startswith("_") for p in parts) or _excluded(rel, config.exclude):
            continue
        if path.suffix.lower() not in (*config.markdown_exts, ".html", ".htm"):
            continue
        if parts[0] in _ASSET_FOLDERS or not inside(root, path):
            continue
        if not _has_front_matter(path):
            continue  # Jekyll copies it as it is
        entry = _read_page(path, rel, config, site)
        if entry is not None:
            entries.append(entry)
    return entries


def _read_page(path: Path, rel: str, config: _Config, site: SourceSite) -> _Entry | None:
    text = read_text(path, rel, site)
    if text is None:
        return None
    stem = path.stem
    if rel in ("index.html", "index.md", "index.markdown", "index.htm"):
        site.note(rel, None, "the home page is not imported: thoughtgen makes its own")
        return None
    if stem == "404":
        site.note(rel, None, "the 'not found' page is not imported: thoughtgen makes its own")
        return None
    if _LISTING.search(text):
        site.note(rel, None, "a list of posts, which thoughtgen makes itself; not imported")
        return None
    fm = _front_matter(text, rel, site)
    data = {**_defaults(config, rel, "pages"), **fm.data}
    if data.get("redirect_to"):
        site.note(
            rel,
            fm.line_of("redirect_to"),
            f"only redirects to {shown(scalar_text(data.get('redirect_to')))}; not imported — add "
            "its URL to the aliases of the page it leads to, if that page is imported",
        )
        return None
    folder = posixpath.dirname(rel)
    url = page_url(scalar_text(data.get("permalink")), folder, stem, config.style)
    title = scalar_text(data.get("title"))
    heading = None if title else _HEADING.search(fm.body)
    if heading is not None:  # the title Jekyll's titles-from-headings took (GitHub Pages)
        title = heading.group(1)
    title = title or (posixpath.basename(folder) if stem == "index" else stem).replace("-", " ")
    name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    doc = ImportedDoc(
        kind="page",
        source=rel,
        slug=make_slug(name, stem, title, fallback="page"),
        title=title,
        body="",
        date=_date(data, fm, rel, config, site),
        draft=data.get("published") is False,
    )
    _fill_common(doc, data, fm, rel, config, site)
    if not doc.draft:
        doc.old_urls.insert(0, url)
    entry = _entry(doc, path, fm, data, rel, config, "")
    if heading is not None:  # thoughtgen shows the title above the text: keep it once
        start, end = heading.span()  # the line stays, empty, so later lines keep their numbers
        entry.raw = entry.raw[:start] + entry.raw[end:]
    return entry


# --- Shared by posts and pages -------------------------------------------------------


def _front_matter(text: str, rel: str, site: SourceSite) -> ForeignFrontMatter:
    if not text.startswith("---"):
        return ForeignFrontMatter({}, text, 1, "")
    fm = read_front_matter(text)
    if fm.format != "yaml":
        fm = ForeignFrontMatter({}, text, 1, "")
    elif fm.problem:
        site.note(
            rel,
            fm.problem[0],
            f"front matter not read ({fm.problem[1]}); imported with the title, date and "
            "slug of its file name — fix it and import again, or fill them in by hand",
        )
    return fm


def _defaults(config: _Config, rel: str, kind: str) -> dict[str, Any]:
    """Jekyll's front-matter defaults whose scope covers ``rel``, in their order."""
    values: dict[str, Any] = {}
    for entry in _list(config.data.get("defaults")):
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            continue
        scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
        assert isinstance(scope, dict)
        scope_path = scalar_text(scope.get("path")).strip("/")
        scope_type = scalar_text(scope.get("type"))
        if scope_type and scope_type != kind and not (scope_type == "posts" and kind == "drafts"):
            continue
        if scope_path and not (
            rel == scope_path or rel.startswith(scope_path + "/") or fnmatch(rel, scope_path)
        ):
            continue
        values.update(entry["values"])
    return values


def _excluded(rel: str, patterns: list[str]) -> bool:
    return any(
        rel == p.strip("/") or rel.startswith(p.strip("/") + "/") or fnmatch(rel, p)
        for p in patterns
    )


def _fill_common(
    doc: ImportedDoc,
    data: dict[str, Any],
    fm: ForeignFrontMatter,
    rel: str,
    config: _Config,
    site: SourceSite,
) -> None:
    summary = data.get("excerpt") or data.get("description")
    doc.summary = scalar_text(summary)
    updated = data.get("last_modified_at")
    if updated:
        try:
            doc.updated = parse_datetime(updated, config.tz)
        except DateError as exc:
            site.note(rel, fm.line_of("last_modified_at"), f"{exc}; ignored")
    image = data.get("image")
    doc.image = scalar_text(image.get("path") if isinstance(image, dict) else image)
    doc.canonical_url = scalar_text(data.get("canonical_url"))
    if not doc.draft:
        for old in _list(data.get("redirect_from")):
            path = _site_path(str(old), config)
            if path and path not in doc.old_urls:
                doc.old_urls.append(path)
    doc.extra = extra_fields(fm.data, _USED)


def _site_path(url: str, config: _Config) -> str:
    """An old address (``/old/``, ``old.html`` or on the site's own host) as a site path."""
    url = url.strip()
    if config.url and url.startswith(config.url + config.baseurl):
        url = url[len(config.url + config.baseurl) :]
    if "://" in url or url.startswith("//") or not url:
        return ""
    return url if url.startswith("/") else "/" + url


def _entry(
    doc: ImportedDoc,
    path: Path,
    fm: ForeignFrontMatter,
    data: dict[str, Any],
    rel: str,
    config: _Config,
    post_name: str,
) -> _Entry:
    values = {
        f"page.{key}": scalar_text(value)
        for key, value in data.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    values["page.title"] = doc.title
    if doc.date is not None:
        values["page.date"] = doc.date.astimezone(config.tz).isoformat()
    if doc.old_urls:
        values["page.url"] = doc.old_urls[0]
    separator = str(data.get("excerpt_separator") or config.data.get("excerpt_separator") or "")
    return _Entry(
        doc=doc,
        path=path,
        raw=fm.body,
        body_line=fm.body_line,
        html=path.suffix.lower() in (".html", ".htm"),
        liquid=data.get("render_with_liquid") is not False,
        separator="" if separator == "\n\n" else separator,
        post_name=post_name,
        values=values,
    )


def _site_values(config: _Config) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in config.data.items():
        if isinstance(value, dict):
            for inner, deeper in value.items():
                if isinstance(deeper, str | int | float) and not isinstance(deeper, bool):
                    values[f"site.{key}.{inner}"] = str(deeper)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            values[f"site.{key}"] = str(value)
    for address in ("site.url", "site.baseurl"):
        values.pop(address, None)
    return values


def _convert(
    entry: _Entry,
    posts: dict[str, ImportedDoc],
    config: _Config,
    links: SiteLinks,
    site: SourceSite,
) -> str:
    doc = entry.doc
    text = entry.raw
    # The excerpt separator becomes <!--more-->, which an HTML post keeps through the
    # conversion to Markdown only as this mark (posts from WordPress have it unconfigured).
    marker = entry.separator if entry.separator in text else ""
    if entry.html and not marker and "<!--more-->" in text:
        marker = "<!--more-->"
    if marker:
        text = text.replace(marker, _MORE_MARK, 1)
    if entry.liquid:

        def resolve(tag: str, argument: str) -> str | None:
            if tag == "post_url":
                # By name, as Jekyll 4 matches it: "2010-07-21-name" or "sub/2010-07-21-name".
                name = argument.strip("/")
                target = posts.get(name) or next(
                    (d for n, d in posts.items() if posixpath.basename(n) == name), None
                )
                return link_between(doc, target) if target else None
            path = posixpath.normpath(argument.lstrip("/"))
            if path in links.by_source:
                return link_between(doc, links.by_source[path])
            return "/" + path if links.copy_static("/" + path) else None

        settings = LiquidSettings(
            engine="Liquid",
            values={**_site_values(config), **entry.values},
            addresses={"site.baseurl": "/", "site.url": config.url},
            link=resolve,
        )
        converted = convert_liquid(text, entry.body_line, settings)
        for line, message in converted.problems:
            site.note(doc.source, line, message)
        text = converted.text
    if entry.html:
        text = html_to_markdown(text)
    text = text.replace(_MORE_MARK, "<!--more-->", 1)
    text = links.fix(doc, text, entry.raw, entry.body_line, entry.path.parent)
    return finish_literal_text(text).strip("\n") + "\n"


# --- Files ---------------------------------------------------------------------------


def _served_file(root: Path, config: _Config, path: str) -> Path | None:
    """The source file Jekyll copied to ``path``; folders starting with ``_`` are not copied."""
    rel = path.strip("/")
    parts = rel.split("/")
    if not rel or any(p.startswith(("_", ".")) or p == ".." for p in parts):
        return None
    if _excluded(rel, config.exclude):
        return None
    candidate = root / rel
    return candidate if candidate.is_file() else None


def _copy_assets(root: Path, config: _Config, links: SiteLinks) -> None:
    """The site's image and asset folders, to content/static/ at the same paths."""
    for folder in _ASSET_FOLDERS:
        if not (root / folder).is_dir() or not inside(root, root / folder):
            continue
        for path in _walk(root / folder):
            rel = path.relative_to(root).as_posix()
            if path.suffix.lower() in _NOT_COPIED or _excluded(rel, config.exclude):
                continue
            if not _has_front_matter(path):  # else Jekyll ran it through Liquid: theme code
                links.copy_static("/" + rel)


def _has_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as head:
            return head.read(3) == b"---"
    except OSError:
        return False
