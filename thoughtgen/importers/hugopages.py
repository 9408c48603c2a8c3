"""Hugo pages as thoughtgen posts and pages: dates, URLs, slugs, tags, what is skipped.

A regular page in a section (``content/posts/``, ``content/blog/``, any folder) with a
date is a post; a page at the top of content/, or one without any date, is a page. Dates
follow Hugo's ``[frontmatter]`` settings (``date = [":filename", ":default"]`` …; keys in
any case), so a post keeps the date, and with it the URL, Hugo gave it; a ``publishDate``
still ahead makes it a scheduled post, an ``expiryDate`` already past a draft.

Each doc's old URLs are the one Hugo gave it and its ``aliases``; its ``guid`` is its
absolute permalink, because Hugo's built-in RSS template (``_default/rss.xml``) writes
``<guid>{{ .Permalink }}</guid>`` for every item. The thoughtgen slug is the name in that
old URL, made a valid slug and unique.

Taxonomies: ``tags``, ``categories`` and every other taxonomy the site configures are
folded into tags (their term pages were lists, which thoughtgen makes itself); a single
``series`` value becomes thoughtgen's ``series``. Section list pages (``_index.md``) are
not posts: one whose section holds no pages is imported as a page at the section's URL,
the others and the home page's are skipped, with a note when they had text of their own.
Headless bundles, pages Hugo did not render (``_build``/``build``), empty pages a theme
layout fills in, and translations (a thoughtgen site has one language: the default one is
imported) are skipped and counted.
"""

from __future__ import annotations

import email.utils
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, Literal

from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.importers.frontmatter import ForeignFrontMatter
from thoughtgen.importers.hugosite import HugoConfig, PageFacts
from thoughtgen.importers.model import ImportedDoc, ImportedFile, SourceSite
from thoughtgen.slugs import name_too_long, slugify, unsafe_slug_reason

# Front matter keys Hugo itself reads; everything else is the writer's own and is kept.
_HUGO_KEYS = {
    "title", "date", "publishdate", "pubdate", "published", "lastmod", "modified",
    "expirydate", "unpublishdate", "draft", "slug", "url", "aliases", "summary",
    "description", "tags", "categories", "headless", "_build", "build", "weight", "layout",
    "type", "menu", "menus", "outputs", "cascade", "resources", "sitemap", "markup",
    "translationkey", "linktitle", "iscjklanguage", "keywords", "images", "image",
    "featured_image", "featuredimage", "cover", "canonicalurl", "canonical_url",
    "canonical", "author", "authors", "series", "lang", "path", "kind",
}  # fmt: skip
# Keys thoughtgen reads itself: a writer's own key of that name is kept under hugo_<key>.
_THOUGHTGEN_KEYS = {"status", "updated", "guid", "tag", "category", "extra"}


@dataclass
class HugoPage:
    """One content file as Hugo saw it, on its way to becoming an ImportedDoc."""

    path: Path
    rel: str  # relative to the export's root, for notes
    content_rel: str  # relative to the content folder
    kind: str  # "page", "section" or "home"
    markup: str
    fm: ForeignFrontMatter
    params: dict[str, Any]  # front matter with lower-case keys
    bundle: list[tuple[str, Path]] = field(default_factory=list)
    file_dir: str = ""  # the folder Hugo's URLs start from ("posts" for posts/x/index.md)
    base_name: str = ""
    sections: list[str] = field(default_factory=list)
    link: str = ""
    doc: ImportedDoc | None = None

    @property
    def own_dir(self) -> str:
        """The folder relative links in this page start from (a bundle's own folder)."""
        return posixpath.dirname(self.content_rel)


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _terms(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [t for t in (_text(v) for v in value) if t]


def _plain(value: Any) -> Any:
    """Front matter values as YAML can write them back (TOML gives date objects)."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[-_ ]+(.*))?$")
_OTHER_DATES = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%Y/%m/%d %H:%M")


def parse_hugo_date(value: Any, tz: tzinfo) -> datetime:
    """A date as Hugo accepts it in front matter; raises DateError with the reason."""
    try:
        return parse_datetime(value, tz)
    except DateError:
        if not isinstance(value, str):
            raise
        text = value.strip()
        try:
            parsed = email.utils.parsedate_to_datetime(text)  # RFC 1123: "Mon, 02 Jan 2006 …"
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        except (TypeError, ValueError, IndexError):
            pass
        for layout in _OTHER_DATES:
            try:
                return datetime.strptime(text, layout).replace(tzinfo=tz)
            except ValueError:
                continue
        raise


class PageReader:
    """Turns the loaded pages into ImportedDocs, then converts their bodies."""

    def __init__(
        self, config: HugoConfig, site: SourceSite, pages: list[HugoPage], now: datetime
    ) -> None:
        self.config, self.site, self.pages, self.now = config, site, pages, now
        self.sections = self._sections()
        self.languages = config.languages | {config.default_language}
        self.no_base_noted = False
        self.unknown_tokens: set[str] = set()

    def run(self) -> None:
        """Give every page Hugo published its doc (``page.doc``); note what is skipped."""
        for page in self.pages:
            self._facts(page)
        for page in self.pages:
            self._doc(page)
        self._unique_slugs()
        self._patterns()

    # Where each page sits ---------------------------------------------------------------

    def _sections(self) -> dict[str, HugoPage | None]:
        """Section folders (content-relative) and their _index page, if any."""
        sections: dict[str, HugoPage | None] = {}
        for page in self.pages:
            if page.kind == "section":
                sections[posixpath.dirname(page.content_rel)] = page
        for page in self.pages:
            top, _, rest = page.content_rel.partition("/")
            leaf_at_top = "/" not in rest and rest.lower().startswith("index.")
            if rest and page.kind == "page" and not leaf_at_top:
                sections.setdefault(top, None)  # every top-level folder is a section
        return sections

    def _facts(self, page: HugoPage) -> None:
        name = posixpath.basename(page.content_rel)
        stem = name.rsplit(".", 1)[0]
        folder = posixpath.dirname(page.content_rel)
        if page.kind == "page" and stem.lower() == "index" and folder:
            page.file_dir, page.base_name = posixpath.dirname(folder), posixpath.basename(folder)
        else:
            page.file_dir, page.base_name = folder, stem
        head, dot, language = page.base_name.rpartition(".")
        if dot and language.lower() in self.languages:
            page.base_name = head
            if language.lower() != self.config.default_language:
                page.params["__translation__"] = language.lower()
        parts = page.file_dir.split("/") if page.file_dir else []
        sections: list[str] = []
        for index in range(len(parts)):
            if "/".join(parts[: index + 1]) in self.sections:
                sections = parts[: index + 1]
            else:
                break
        page.sections = sections

    def _facts_for(self, page: HugoPage, title: str, date_: datetime | None) -> PageFacts:
        slugs = []
        for index in range(len(page.sections)):
            index_page = self.sections.get("/".join(page.sections[: index + 1]))
            name = page.sections[index]
            if index_page is not None:
                name = _text(index_page.params.get("slug")) or (
                    _text(index_page.params.get("title")) or name
                )
            slugs.append(self.config.sanitize(name))
        return PageFacts(
            date=date_,
            title=title,
            slug=_text(page.params.get("slug")),
            base_name=page.base_name,
            section=page.sections[0] if page.sections else "",
            sections=page.sections,
            section_slugs=slugs,
            file_dir=page.file_dir,
        )

    # One page -------------------------------------------------------------------------

    def _skip(self, page: HugoPage, reason: str, message: str | None) -> None:
        self.site.skipped[reason] = self.site.skipped.get(reason, 0) + 1
        if message:
            self.site.note(page.rel, None, message)

    def _doc(self, page: HugoPage) -> None:
        params = page.params
        if "__translation__" in params:
            language = params.pop("__translation__")
            self._skip(
                page,
                "translations",
                f"a translation ({language}); not imported: a thoughtgen site has one language",
            )
            return
        if page.kind == "home":
            self._skip(page, "section pages", self._list_page_message(page, "home page"))
            return
        build: dict[str, Any] = next(
            (v for v in (params.get("_build"), params.get("build")) if isinstance(v, dict)), {}
        )
        render = build.get("render", True)
        if params.get("headless") is True or render in (False, "never", "link", "false"):
            self._skip(page, "not rendered", "Hugo did not publish this page (headless or "
                       "build.render); not imported")  # fmt: skip
            return
        layout = _text(params.get("layout") or params.get("type"))
        if layout and not page.sections and not page.fm.body.strip():
            self._skip(page, "layout pages", f"a page the theme's {layout!r} layout fills in, "
                       "with no text of its own; not imported: thoughtgen has its own")  # fmt: skip
            return
        if page.kind == "section":
            folder = posixpath.dirname(page.content_rel)
            if any(p.kind == "page" and p.content_rel.startswith(folder + "/") for p in self.pages):
                self._skip(page, "section pages", self._list_page_message(page, "section page"))
                return
        self._make_doc(page, build)

    def _list_page_message(self, page: HugoPage, what: str) -> str | None:
        if not page.fm.body.strip():
            return None
        return (
            f"the {what}'s own text was not imported (thoughtgen makes its own lists): "
            "copy it into a page if you want to keep it"
        )

    def _dates(self, page: HugoPage) -> dict[str, tuple[datetime, str] | None]:
        """Hugo's four dates, each with the key it came from."""
        found: dict[str, tuple[datetime, str] | None] = {}
        for which in ("date", "lastmod", "publishdate", "expirydate"):
            found[which] = None
            for key in self.config.date_sources(which):
                value = self._date_from(page, key)
                if value is not None:
                    found[which] = (value, key)
                    break
        return found

    def _date_from(self, page: HugoPage, key: str) -> datetime | None:
        tz = self.config.timezone
        if key == ":filename":
            match = _FILENAME_DATE.match(page.base_name)
            if match and all(
                len(g) == n for g, n in zip(match.groups()[:3], (4, 2, 2), strict=True)
            ):
                try:
                    found = parse_datetime("-".join(match.groups()[:3]), tz)
                except DateError:
                    return None
                if "slug" not in page.params and match.group(4):
                    page.params["slug"] = match.group(4)
                return found
            return None
        if key == ":filemodtime":
            try:
                return datetime.fromtimestamp(page.path.stat().st_mtime, tz)
            except (OSError, ValueError, OverflowError):
                return None
        if key.startswith(":"):
            return None  # :git: the history is not part of an export
        value = page.params.get(key)
        if value is None or value == "":
            return None
        try:
            return parse_hugo_date(value, tz)
        except DateError as exc:
            line = page.fm.line_of(key)
            self.site.note(page.rel, line, f"{key}: {exc}; this date was left out")
            page.params[key] = None
            return None

    def _make_doc(self, page: HugoPage, build: dict[str, Any]) -> None:
        params = page.params
        title = _text(params.get("title"))
        dates = self._dates(page)
        hugo_date = dates["date"][0] if dates["date"] else None
        facts = self._facts_for(page, title, hugo_date)
        draft = params.get("draft") is True or _text(params.get("draft")).lower() == "true"
        url = _text(params.get("url"))
        if page.kind == "section" and not url:
            url = "/" + posixpath.dirname(page.content_rel) + "/"
        ugly = self.config.ugly(facts.section)
        page.link, unknown = self.config.link(facts, url, ugly)
        for token in unknown:
            if token not in self.unknown_tokens:  # once: Hugo itself refused to build with it
                self.unknown_tokens.add(token)
                self.site.note(
                    self.config.source,
                    None,
                    f"permalink token {token} is not one Hugo knows; old URLs that use it are "
                    f"guesses (such as {page.link})",
                )
        date_ = hugo_date
        publish = dates["publishdate"][0] if dates["publishdate"] else None
        if publish is not None and publish > self.now and (date_ is None or publish > date_):
            date_ = publish  # not yet published by Hugo: a scheduled post here too
        if date_ is None and page.kind == "page":
            date_ = self._name_date(page)
        kind: Literal["post", "page"] = "page"
        if date_ is not None and page.sections and page.kind == "page":
            kind = "post"
        if build.get("list") in (False, "never", "false"):
            kind = "page"  # Hugo left it out of every list and feed
        if kind == "page" and page.sections and page.kind == "page" and date_ is None:
            self.site.note(
                page.rel, None, "no date, so it is imported as a page: add a date to make it a post"
            )
        if not title:
            title = self._title_from_name(page)
        if dates["expirydate"] is not None:
            expiry, key = dates["expirydate"]
            line = page.fm.line_of(key)
            if expiry <= self.now:
                draft = True
                self.site.note(page.rel, line, f"expired on {expiry:%Y-%m-%d} (Hugo stopped "
                               "publishing it), so it is imported as a draft")  # fmt: skip
            else:
                self.site.note(page.rel, line, f"expires on {expiry:%Y-%m-%d}, and thoughtgen "
                               "has no expiry: set draft: true on that day")  # fmt: skip
        updated = None
        if dates["lastmod"] and dates["lastmod"][1] in ("lastmod", "modified"):
            updated = dates["lastmod"][0] if dates["lastmod"][0] != date_ else None
        doc = ImportedDoc(
            kind=kind,
            source=page.rel,
            slug="",
            title=title,
            body="",
            date=date_,
            updated=updated,
            draft=draft,
            tags=self._tags(page),
            summary=_text(params.get("summary")) or _text(params.get("description")),
            # Hugo stops at front matter it cannot read: such a page never had a URL.
            old_urls=[] if page.fm.problem else [page.link, *self._aliases(page)],
            guid="" if page.fm.problem else self._guid(page),
            canonical_url=_text(
                params.get("canonicalurl") or params.get("canonical_url") or params.get("canonical")
            ),
            image=self._image(params),
            extra=self._extra(page),
            files=[ImportedFile(name, source=path) for name, path in page.bundle],
        )
        doc.slug = self._slug(page, facts, url, title)
        page.doc = doc

    def _name_date(self, page: HugoPage) -> datetime | None:
        """An undated page named like ``2021-9-1-notes.md``: the date in its name."""
        match = _FILENAME_DATE.match(page.base_name)
        if not match or not page.sections:
            return None
        try:
            found = parse_datetime("-".join(match.groups()[:3]), self.config.timezone)
        except DateError:
            return None
        self.site.note(page.rel, None, f"no date: took {found:%Y-%m-%d} from the file name")
        return found

    def _title_from_name(self, page: HugoPage) -> str:
        name = (
            page.base_name
            if page.kind == "page"
            else posixpath.basename(posixpath.dirname(page.content_rel))
        )
        title = re.sub(r"[-_]+", " ", name).strip() or "Untitled"
        title = title[0].upper() + title[1:]
        self.site.note(page.rel, None, f"no title; used {title!r} from the file name")
        return title

    def _tags(self, page: HugoPage) -> list[str]:
        tags: list[str] = []
        seen: set[str] = set()
        for taxonomy in self.config.taxonomies():
            if taxonomy == "series":
                continue
            for term in _terms(page.params.get(taxonomy)):
                if term.lower() not in seen:
                    seen.add(term.lower())
                    tags.append(term)
        series = _terms(page.params.get("series"))
        if len(series) > 1:
            tags += [s for s in series if s.lower() not in seen]
        return tags

    def _aliases(self, page: HugoPage) -> list[str]:
        aliases = page.params.get("aliases")
        found: list[str] = []
        for alias in _terms(aliases):
            if re.match(r"^https?://", alias):
                base = self.config.base_url
                if base and alias.startswith(base):
                    alias = "/" + alias[len(base) :]
                else:
                    found.append(alias)
                    continue
            if not alias.startswith("/"):
                alias = "/" + posixpath.join(page.file_dir, alias)
            clean = posixpath.normpath(alias)
            if clean.startswith("/..") or clean == "/":
                self.site.note(
                    page.rel,
                    page.fm.line_of("aliases"),
                    f"alias {alias!r} points outside the site; left out",
                )
                continue
            clean = self.config.language_prefix + clean
            found.append(clean if clean.endswith(".html") else clean + "/")
        return [a for i, a in enumerate(found) if a not in found[:i] and a != page.link]

    def _guid(self, page: HugoPage) -> str:
        guid = self.config.permalink(page.link)
        if not guid and not self.no_base_noted:
            self.no_base_noted = True
            self.site.note(
                self.config.source or ".",
                None,
                "no baseURL in the configuration: old feed ids cannot be kept; "
                "set base_url in thoughtgen.yaml to the old site's address",
            )
        return guid

    def _image(self, params: dict[str, Any]) -> str:
        images = params.get("images")
        if isinstance(images, list) and images:
            return _text(images[0])
        for key in ("image", "featured_image", "featuredimage", "feature_image"):
            if _text(params.get(key)):
                return _text(params.get(key))
        cover = params.get("cover")
        if isinstance(cover, dict):
            return _text(cover.get("image"))
        return _text(cover)

    def _extra(self, page: HugoPage) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        taxonomies = set(self.config.taxonomies())
        for key, value in page.fm.data.items() if isinstance(page.fm.data, dict) else ():
            lowered = str(key).lower()
            if lowered in _HUGO_KEYS or lowered in taxonomies or lowered.startswith("__"):
                continue
            name = f"hugo_{key}" if lowered in _THOUGHTGEN_KEYS else str(key)
            extra[name] = _plain(value)
        authors = _terms(page.params.get("author")) or _terms(page.params.get("authors"))
        if authors:
            extra["author"] = ", ".join(authors)
        series = _terms(page.params.get("series"))
        if len(series) == 1:
            extra["series"] = series[0]
        return extra

    def _slug(self, page: HugoPage, facts: PageFacts, url: str, title: str) -> str:
        """The thoughtgen slug: what names the page in its old URL, made a valid slug."""
        if url:
            name = url.rstrip("/").rsplit("/", 1)[-1]
            name = name.rsplit(".", 1)[0] if "." in name else name
        elif page.kind == "section":
            name = page.sections[-1] if page.sections else page.base_name
            name = posixpath.basename(posixpath.dirname(page.content_rel)) or name
        else:
            rule = self.config.permalink_for(
                self.config.sanitize(
                    "/" + "/".join(p for p in (page.file_dir, page.base_name) if p)
                )
            )
            token = _slug_token(rule[0]) if rule else ""
            if token == "title":
                name = facts.title or title
            elif token == "slug":
                name = facts.slug or facts.title or title
            elif token in ("filename", "contentbasename"):
                name = facts.base_name
            else:
                name = facts.slug or facts.base_name
        slug = _short(self.config.sanitize(name).lower())
        if unsafe_slug_reason(slug):
            slug = _short(slugify(slug))
        if unsafe_slug_reason(slug):
            slug = _short(slugify(title))
        return slug if not unsafe_slug_reason(slug) else "untitled"

    def _unique_slugs(self) -> None:
        taken: dict[tuple[str, str], HugoPage] = {}
        for page in self.pages:
            doc = page.doc
            if doc is None:
                continue
            slug, number = doc.slug, 1
            while (doc.kind, slug) in taken:
                number += 1
                slug = f"{doc.slug}-{number}"
            if number > 1:
                first = taken[(doc.kind, doc.slug)]
                self.site.note(
                    page.rel,
                    None,
                    f"slug {doc.slug!r} is also {first.rel}'s; this one is {slug!r} "
                    "(its old URL still redirects here)",
                )
                doc.slug = slug
            taken[(doc.kind, slug)] = page

    def _patterns(self) -> None:
        """The old URL patterns in thoughtgen's syntax, from the section most posts are in."""
        counts: dict[str, int] = {}
        for page in self.pages:
            if page.doc is not None and page.doc.kind == "post" and page.sections:
                counts[page.sections[0]] = counts.get(page.sections[0], 0) + 1
        ugly_pages = self.config.ugly("")
        page_end = ".html" if ugly_pages else "/"
        self.site.page_permalink = self.config.language_prefix + "/:slug" + page_end
        if not counts:
            return
        section = max(sorted(counts), key=lambda s: counts[s])
        nested = any(
            len(p.sections) > 1 for p in self.pages if p.sections[:1] == [section] and p.doc
        )
        rule = self.config.permalink_for(self.config.sanitize(f"/{section}/x"))
        ugly = self.config.ugly(section)
        pattern = _thoughtgen_pattern(self.config, section, rule[0] if rule else None, nested)
        if pattern:
            if not re.search(r"\.html$", pattern):
                pattern = pattern.rstrip("/") + (".html" if ugly else "/")
            self.site.post_permalink = self.config.language_prefix + pattern


def _short(slug: str) -> str:
    """``slug`` shortened as the importer shortens it (room for "-2"), so links match."""
    while name_too_long(slug + "-99"):
        slug = slug[:-1].rstrip("-")
    return slug


_SLUG_TOKENS = (
    "slugorcontentbasename",
    "slugorfilename",
    "contentbasename",
    "filename",
    "slug",
    "title",
)


def _slug_token(pattern: str) -> str:
    """Which of Hugo's name tokens a pattern uses ("" when none)."""
    found = [t for t in _SLUG_TOKENS if re.search(rf":{t}\b", pattern)]
    return found[0] if len(found) == 1 else ""


_TO_THOUGHTGEN = {
    "year": ":year",
    "month": ":month",
    "day": ":day",
    "2006": ":year",
    "01": ":month",
    "02": ":day",
    "15": ":hour",
    "04": ":minute",
    "05": ":second",
}


def _thoughtgen_pattern(config: HugoConfig, section: str, hugo: str | None, nested: bool) -> str:
    """A Hugo permalink pattern in thoughtgen's syntax, or "" when it has no equivalent."""
    if hugo is None:
        return "/" + config.sanitize(section) + "/:slug/"
    if len(re.findall(r":(?:" + "|".join(_SLUG_TOKENS) + r")\b", hugo)) > 1:
        return ""
    failed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal failed
        name, cut = match.group(1), match.group(2)
        if cut:
            failed = True
        elif name in _TO_THOUGHTGEN:
            return _TO_THOUGHTGEN[name]
        elif name in _SLUG_TOKENS:
            return ":slug"
        elif name == "section" or (name == "sections" and not nested):
            return config.sanitize(section)
        else:
            failed = True
        return ""

    converted = re.sub(r":(\w+)(\[[^\]]*\])?", replace, hugo.replace("\\:", ":"))
    if failed or ":slug" not in converted:
        return ""
    if not config.flag("disablepathtolower"):
        converted = "".join(
            p if p.startswith(":") else p.lower() for p in re.split(r"(:\w+)", converted)
        )
    return "/" + converted.lstrip("/")
