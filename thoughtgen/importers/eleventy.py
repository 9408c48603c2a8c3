"""Reading an Eleventy (11ty) site: Markdown and HTML templates, their data, their URLs.

JavaScript is never run (see ``eleventy_config``: the config and data are read as text).
URLs follow Eleventy's rules (``TemplatePermalink``, ``TemplateFileSlug``): the input path
without its extension, ``index`` naming its folder, or the template's ``permalink`` where
its template values can be worked out; anything that cannot is reported, not guessed.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import ThoughtgenError, shown
from thoughtgen.importers.eleventy_config import (
    CONFIG_FILES,
    EleventyConfig,
    merge_data,
    read_config,
    read_global_data,
    relative,
    template_data_for,
)
from thoughtgen.importers.frontmatter import ForeignFrontMatter, read_front_matter
from thoughtgen.importers.html import html_to_markdown
from thoughtgen.importers.liquid import LiquidSettings, convert_liquid, finish_literal_text
from thoughtgen.importers.liquid_sites import (
    SiteLinks,
    dedupe_slugs,
    extra_fields,
    inside,
    make_slug,
    read_text,
    scalar_text,
    unique,
)
from thoughtgen.importers.model import ImportedDoc, SourceSite

NAME = "eleventy"
DESCRIPTION = "an Eleventy (11ty) site folder: eleventy.config.js, Markdown templates, _data/"

_TEMPLATES = (
    ".njk", ".liquid", ".11ty.js", ".11ty.cjs", ".11ty.mjs", ".hbs", ".webc", ".pug", ".ejs",
    ".mustache", ".haml", ".11ty.ts", ".11ty.tsx", ".11ty.jsx",
)  # fmt: skip
_SKIPPED_DIRS = {"node_modules", ".git", "_site", ".cache"}
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_SLUG_DATE = re.compile(r"\d{4}-\d{2}-\d{2}-(.*)")  # TemplateFileSlug, unanchored as there
_FILE_TIMES = ("last modified", "created", "git last modified", "git created")
_POST_TAGS = ("post", "posts")
_POST_FOLDERS = ("posts", "post", "blog", "articles", "_posts", "writing", "notes")
_IMAGE_FOLDERS = ("img", "images", "assets", "uploads", "media", "static")
_REPOSITORY_FILES = ("readme.md", "license.md", "changelog.md", "contributing.md")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_USED = {
    "title", "date", "tags", "permalink", "layout", "draft", "eleventyexcludefromcollections",
    "eleventycomputed", "templateengineoverride", "description", "summary", "excerpt",
    "pagination", "eleventynavigation", "image", "canonical_url", "updated",
}  # fmt: skip


def detect(root: Path) -> bool:
    if not root.is_dir():
        return False
    if any((root / name).is_file() for name in CONFIG_FILES):
        return True
    package = root / "package.json"
    try:
        return package.is_file() and "@11ty/eleventy" in package.read_text("utf-8", "replace")
    except OSError:
        return False


@dataclass
class _Entry:
    doc: ImportedDoc
    path: Path
    raw: str
    body_line: int
    html: bool
    engine: str
    values: dict[str, str]


def read(root: Path) -> SourceSite:
    if not root.is_dir():
        raise ThoughtgenError.single(
            str(root), None, "an Eleventy site is a folder with its config; this is not a folder"
        )
    site = SourceSite(platform=NAME)
    config = read_config(root, site)
    read_global_data(root, config, site)
    entries = _read_templates(root, config, site)
    if not entries:
        site.note(relative(root, config.input) or ".", None, "no Markdown or HTML templates found")
    dedupe_slugs([entry.doc for entry in entries], site)
    prefixes = [config.url.rstrip("/")] if config.url else []
    links = SiteLinks(site, root, prefixes, lambda path: _served_file(root, config, path))
    for entry in entries:
        links.add(entry.doc)
        links.bundle_files(entry.doc, entry.raw, entry.path.parent)
    for entry in entries:
        entry.doc.body = _convert(entry, config, links, site)
        if entry.doc.image.startswith("/"):
            links.copy_static(entry.doc.image)
    _copy_image_folders(root, config, links)
    site.docs = [entry.doc for entry in entries]
    site.feeds.update(config.feeds)
    site.post_permalink = _post_pattern(site.docs)
    site.page_permalink = "/:slug/"
    return site


# --- Templates -----------------------------------------------------------------------


def _read_templates(root: Path, config: EleventyConfig, site: SourceSite) -> list[_Entry]:
    entries = []
    for path in _walk(root, config):
        rel = path.relative_to(root).as_posix()
        name = path.name.lower()
        if name.endswith(_TEMPLATES) and _is_feed(path, rel, site):
            continue
        if name.endswith(_TEMPLATES):
            site.note(
                rel,
                None,
                "a template in another language, not imported: if it is a page you want, "
                "copy its text into a Markdown page",
            )
            continue
        if not name.endswith((".md", ".html")) or not inside(root, path):
            continue
        if config.input == root and name in _REPOSITORY_FILES and path.parent == root:
            site.note(rel, None, "a repository file, not a page of the site; not imported")
            continue
        entry = _read_template(root, path, rel, config, site)
        if entry is not None:
            entries.append(entry)
    return entries


def _is_feed(path: Path, rel: str, site: SourceSite) -> bool:
    """Whether the template writes a feed; its address then goes into ``site.feeds``."""
    text = read_text(path, rel, site) or ""
    permalink = re.search(r"^permalink:\s*[\"']?(/?[^\s\"'{}]+\.xml)[\"']?\s*$", text, re.M)
    if not text.startswith("---") or permalink is None or not re.search(r"<(rss|feed)\b", text):
        return False
    site.feeds["/" + permalink.group(1).lstrip("/")] = "rss" if "<rss" in text else "atom"
    return True


def _walk(root: Path, config: EleventyConfig) -> list[Path]:
    found = []
    skipped = {p.resolve() for p in config.skipped}
    for current, dirs, files in os.walk(config.input):
        here = Path(current)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIPPED_DIRS
            and (here / d).resolve() not in skipped
            and not _ignored((here / d).relative_to(root).as_posix(), config.ignored)
        )
        for name in sorted(files):
            rel = (here / name).relative_to(root).as_posix()
            if not name.startswith(".") and not _ignored(rel, config.ignored):
                found.append(here / name)
    return found


def _ignored(rel: str, patterns: list[str]) -> bool:
    return any(
        rel == p or rel.startswith(p + "/") or fnmatch(rel, p) or fnmatch(rel, p + "/*")
        for p in patterns
    )


def _read_template(
    root: Path, path: Path, rel: str, config: EleventyConfig, site: SourceSite
) -> _Entry | None:
    text = read_text(path, rel, site)
    if text is None:
        return None
    fm = _front_matter(text, rel, site)
    data = template_data_for(root, path, config, site)
    data = merge_data(data, fm.data)
    input_rel = path.relative_to(config.input).as_posix()
    folder = posixpath.dirname(input_rel)
    stem = path.name.rsplit(".", 1)[0]
    file_slug = _file_slug(stem, folder)
    if data.get("pagination") is not None:
        site.note(
            rel,
            fm.line_of("pagination"),
            "a paginated list, which thoughtgen makes itself; not imported",
        )
        return None
    if stem == "404":
        site.note(rel, None, "the 'not found' page is not imported: thoughtgen makes its own")
        return None
    if input_rel in ("index.md", "index.html"):
        site.note(rel, None, "the home page is not imported: thoughtgen makes its own")
        return None
    title = scalar_text(data.get("title"))
    heading = None if title else _HEADING.search(fm.body)
    if heading is not None:
        title = heading.group(1)
    title = title or file_slug.replace("-", " ").capitalize()
    tags = [str(t) for t in _list(data.get("tags"))]
    excluded = data.get("eleventyExcludeFromCollections") is True
    is_post = not excluded and (
        any(t.lower() in _POST_TAGS for t in tags)
        or any(part.lower() in _POST_FOLDERS for part in folder.split("/"))
        or _FILE_DATE.search(input_rel) is not None
    )
    date = _date(data, fm, rel, input_rel, site)
    permalink = data.get("permalink")
    draft = data.get("draft") is True or permalink is False
    if is_post and date is None and not draft:
        date = _file_time(path)
        written = scalar_text(data.get("date"))
        site.note(
            rel,
            fm.line_of("date"),
            (
                f"date: {written} is the file's own time"
                if written
                else "no date in the front matter or the file name: Eleventy used the file's time"
            )
            + ", which an export does not keep; used the file's modification time — check "
            "it and set date:",
        )
    values = {k: scalar_text(v) for k, v in data.items() if _scalar(v)}
    values.update(
        {
            "page.fileSlug": file_slug,
            "page.filePathStem": "/" + posixpath.join(folder, file_slug),
            "page.inputPath": "./" + relative(root, path),
        }
    )
    if date is not None:
        values["page.date"] = date.isoformat()
    url = None if draft else _url(permalink, folder, stem, values, config, rel, fm, site)
    name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] if url else ""
    doc = ImportedDoc(
        kind="post" if is_post else "page",
        source=rel,
        slug=make_slug(_strip_date(name), file_slug, title, fallback="post" if is_post else "page"),
        title=title,
        body="",
        date=date,
        draft=draft,
        tags=unique([t for t in tags if t.lower() not in _POST_TAGS]),
        summary=scalar_text(data.get("description") or data.get("summary") or data.get("excerpt")),
        image=scalar_text(data.get("image")),
        canonical_url=scalar_text(data.get("canonical_url")),
        extra=extra_fields(fm.data, _USED),
    )
    if url:
        doc.old_urls.append(url)
        values["page.url"] = url
        base = config.feed_base or config.url
        if is_post and base:
            # eleventy-plugin-rss's starter feed: <id>{{ post.url | absoluteUrl(base) }}</id>,
            # which is `new URL(url, base)`: the path percent-encoded as a URL's path is.
            doc.guid = urljoin(base, quote(url, safe="/!$%&'()*+,-.:;=@[]^_|~"))
    engine = _engine_for(data, path, config)
    raw = fm.body
    if heading is not None:
        raw = raw[: heading.start()] + raw[heading.end() :]
    return _Entry(doc, path, raw, fm.body_line, path.suffix.lower() == ".html", engine, values)


def _front_matter(text: str, rel: str, site: SourceSite) -> ForeignFrontMatter:
    if not text.startswith("---"):
        return ForeignFrontMatter({}, text, 1, "")
    fm = read_front_matter(text)
    if fm.format == "js":
        site.note(
            rel,
            1,
            "JavaScript front matter (---js) cannot be read without running it; imported "
            "without it (title and date from the file) — write its values as YAML",
        )
    elif fm.problem:
        site.note(
            rel,
            fm.problem[0],
            f"front matter not read ({fm.problem[1]}); imported with the title and date of "
            "its file name — fix it and import again, or fill them in by hand",
        )
    return fm


def _file_slug(stem: str, folder: str) -> str:
    """Eleventy's ``page.fileSlug``: the file name less a date; ``index`` takes its folder's."""
    slug = _strip_date(stem)
    if slug == "index":
        return _strip_date(posixpath.basename(folder)) if folder else ""
    return slug


def _strip_date(name: str) -> str:
    match = _SLUG_DATE.search(name)
    return match.group(1) if match else name


def _date(
    data: dict[str, Any], fm: ForeignFrontMatter, rel: str, input_rel: str, site: SourceSite
) -> datetime | None:
    value = data.get("date")
    from_name = _FILE_DATE.search(input_rel)
    fallback = None
    if from_name:
        try:
            fallback = datetime.fromisoformat(from_name.group(1)).replace(tzinfo=UTC)
        except ValueError:
            fallback = None
    if value is None or value == "":
        return fallback
    if isinstance(value, str) and value.strip().lower() in _FILE_TIMES:
        if fallback is not None:  # without one, the note on the missing date says it all
            site.note(
                rel,
                fm.line_of("date"),
                f"date: {value} is the file's own time, which an export does not keep; "
                "used the date in the file name",
            )
        return fallback
    try:
        return parse_datetime(value, UTC)  # Eleventy reads dates without an offset as UTC
    except DateError as exc:
        site.note(rel, fm.line_of("date"), f"{exc}; used the date in the file name, if any")
        return fallback


def _file_time(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
    except (OSError, ValueError, OverflowError):
        return datetime(1970, 1, 1, tzinfo=UTC)


def _url(
    permalink: object,
    folder: str,
    stem: str,
    values: dict[str, str],
    config: EleventyConfig,
    rel: str,
    fm: ForeignFrontMatter,
    site: SourceSite,
) -> str | None:
    """The URL Eleventy gave the template: its permalink, else its path (TemplatePermalink)."""
    if isinstance(permalink, dict):
        permalink = permalink.get("build")
    if permalink is None or permalink is True:
        parts = [folder] if folder else []
        if stem != "index" and posixpath.basename(folder) != stem:
            parts.append(stem)
        return "/" + "/".join(parts) + "/" if parts else "/"
    if not isinstance(permalink, str) or not permalink.strip():
        return None
    engine = config.markdown_engine or "liquid"
    settings = LiquidSettings(
        engine="Nunjucks" if engine == "njk" else "Liquid",
        values={**config.values, **values},
        filters={"slugify": _eleventy_slug, "slug": _eleventy_slug},
    )
    rendered = convert_liquid(permalink, 1, settings)
    if rendered.problems:
        site.note(
            rel,
            fm.line_of("permalink"),
            f"permalink {shown(permalink)} uses values thoughtgen cannot work out; the old "
            "URL is unknown — add it to the post's aliases by hand",
        )
        return None
    path = rendered.text.strip()
    path = "/" + path.lstrip("/")
    if path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    return re.sub(r"/+", "/", path)


def _eleventy_slug(value: str, argument: str) -> str | None:
    """Eleventy's ``slugify`` filter (@sindresorhus/slugify) for Latin text."""
    if argument:
        return None
    text = value.replace("&", " and ")
    text = re.sub(r"([a-z\d]+)([A-Z]{2,})", r"\1 \2", text)
    text = re.sub(r"([a-z\d])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-rt-z\d]+)", r"\1 \2", text)
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z\d]+", "-", folded).strip("-")


def _engine_for(data: dict[str, Any], path: Path, config: EleventyConfig) -> str:
    override = data.get("templateEngineOverride")
    if isinstance(override, str):
        engines = [e.strip().lower() for e in override.split(",")]
        return next((e for e in engines if e in ("njk", "liquid")), "")
    return config.html_engine if path.suffix.lower() == ".html" else config.markdown_engine


def _post_pattern(docs: list[ImportedDoc]) -> str:
    """``/blog/:slug/`` when every published post was in that folder and most kept their slug.

    Posts whose last URL segment is not their slug (a date in it, an accent) are
    redirected from their old URL; "" leaves thoughtgen's default pattern.
    """
    prefixes = set()
    same = 0
    published = [doc for doc in docs if doc.kind == "post" and doc.old_urls]
    for doc in published:
        url = doc.old_urls[0]
        if not url.endswith("/") or url.count("/") < 2:
            return ""
        prefix, _, name = url[:-1].rpartition("/")
        prefixes.add(prefix + "/")
        same += name == doc.slug
    if len(prefixes) != 1 or same * 2 < len(published):
        return ""
    prefix = prefixes.pop()
    return prefix + ":slug/" if re.fullmatch(r"/(?:[a-z0-9_-]+/)*", prefix) else ""


def _convert(entry: _Entry, config: EleventyConfig, links: SiteLinks, site: SourceSite) -> str:
    doc = entry.doc
    text = entry.raw
    if entry.engine:
        addresses: dict[str, str] = {
            name: config.url for name in ("metadata.url", "site.url") if name in config.values
        }
        values = {k: v for k, v in {**config.values, **entry.values}.items() if k not in addresses}
        settings = LiquidSettings(
            engine="Nunjucks" if entry.engine == "njk" else "Liquid",
            values=values,
            addresses=addresses,
            comments=entry.engine == "njk",
            image_shortcode=True,
            filters={"slugify": _eleventy_slug, "slug": _eleventy_slug},
        )
        converted = convert_liquid(text, entry.body_line, settings)
        for line, message in converted.problems:
            site.note(doc.source, line, message)
        text = converted.text
    if entry.html:
        text = html_to_markdown(text)
    text = links.fix(doc, text, entry.raw, entry.body_line, entry.path.parent)
    return finish_literal_text(text).strip("\n") + "\n"


# --- Files ---------------------------------------------------------------------------


def _served_file(root: Path, config: EleventyConfig, path: str) -> Path | None:
    """The file Eleventy published at site path ``path``: a passthrough copy or an input file."""
    rel = path.strip("/")
    if not rel or ".." in rel.split("/"):
        return None
    candidates = []
    for source, served in config.passthrough:
        served = served.strip("/")
        if rel == served or rel.startswith(served + "/") or not served:
            rest = rel[len(served) :].strip("/")
            candidates.append(root / source / rest if rest else root / source)
    candidates += [config.input / rel, root / rel]
    for candidate in candidates:
        if candidate.is_file() and inside(root, candidate):
            return candidate
    return None


def _copy_image_folders(root: Path, config: EleventyConfig, links: SiteLinks) -> None:
    """Passthrough-copied image folders, to content/static/ at the paths they were served at."""
    for source, served in config.passthrough:
        folder = root / source
        if posixpath.basename(source).lower() not in _IMAGE_FOLDERS or not folder.is_dir():
            continue
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                inner = (Path(current) / name).relative_to(folder).as_posix()
                links.copy_static(posixpath.join(served, inner))


# --- Small helpers -------------------------------------------------------------------


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if v is not None and not isinstance(v, dict | list)]
    return [] if value is None or value == "" else [value]
