"""Turning what a reader found into thoughtgen files: front matter, bundles, redirects.

Pure planning: ``plan_files`` returns every file to write as (site-relative path, bytes)
with the notes it produced; the front door compares them with what is on disk and writes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from thoughtgen.config import Config
from thoughtgen.frontmatter import KNOWN_KEYS, typo_of
from thoughtgen.importers.model import ImportedDoc, Note, SourceSite
from thoughtgen.markup import collapse_space
from thoughtgen.parse import alias_problem, parse_source, shared_renderer
from thoughtgen.permalinks import expand
from thoughtgen.slugs import name_too_long, slugify, unsafe_slug_reason
from thoughtgen.sources import clean_text


@dataclass
class PlannedFile:
    path: str  # relative to the site
    data: bytes
    kind: str  # "post", "page", "draft", "image" or "file"
    origin: str  # the export file it comes from, for messages


@dataclass
class ImportPlan:
    files: list[PlannedFile] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    redirects: int = 0  # old URLs kept by a redirect
    same_urls: int = 0  # old URLs the new site serves as they were


def plan_files(
    found: SourceSite, config: Config, existing: dict[str, tuple[str, str]]
) -> ImportPlan:
    """Every file the import writes, for a site with ``config`` whose sources are ``existing``.

    ``existing`` maps "posts/<slug>" and "pages/<slug>" to the site's file with that name and
    its text; a doc that would take one gets another slug (and a note), unless that file is
    this very post from an earlier run of the import (then it is compared, not renamed).
    """
    plan = ImportPlan()
    used: set[str] = set()
    slugs = []
    for doc in found.docs:
        slug = _free_slug(doc, used, existing, plan)
        used.add(f"{doc.kind}s/{slug}")
        slugs.append(slug)
    # A doc renamed because the site has a file of its name: links to it from the other
    # imported docs (written to its old file name) must follow, or they would lead to the
    # site's own file.
    final = {source_path(doc, slug) for doc, slug in zip(found.docs, slugs, strict=True)}
    renamed = {
        source_path(doc, doc.slug): source_path(doc, slug)
        for doc, slug in zip(found.docs, slugs, strict=True)
        if doc.slug and source_path(doc, doc.slug) not in final
    }
    for doc, slug in zip(found.docs, slugs, strict=True):
        if renamed:
            doc = replace(doc, body=_follow_renames(doc.body, source_path(doc, slug), renamed))
        _plan_doc(doc, slug, found, config, plan)
    for one in found.files:
        target = _safe_relative(one.target)
        if target is None or not target.startswith("content/static/"):
            plan.notes.append(Note(one.target, None, "a file with an unsafe target path; skipped"))
            continue
        if target.removeprefix("content/static/") in RESERVED_OUTPUTS:
            plan.notes.append(
                Note(
                    one.target,
                    None,
                    f"not copied: thoughtgen makes its own /{target.rsplit('/', 1)[-1]}",
                )
            )
            continue
        plan.files.append(PlannedFile(target, one.read(), _file_kind(target), one.target))
    return plan


# Files every build makes itself: a copy from the old site would clash with them.
RESERVED_OUTPUTS = {"robots.txt", "sitemap.xml", "feed.xml", "atom.xml", "404.html", "index.html"}
_LINK_TARGET = re.compile(r"""(\]\(|(?:href|src)=["'])([^)\s"'#]+\.(?:md|markdown))(?=[)#\s"'])""")


def _follow_renames(body: str, own: str, renamed: dict[str, str]) -> str:
    """``body`` with relative links to renamed source files pointing at their new names."""
    folder = posixpath.dirname(own)

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        if "://" in target or target.startswith("/"):
            return match.group(0)
        resolved = posixpath.normpath(posixpath.join(folder, target))
        if resolved not in renamed:
            return match.group(0)
        return match.group(1) + posixpath.relpath(renamed[resolved], folder)

    return _LINK_TARGET.sub(swap, body)


def _free_slug(
    doc: ImportedDoc, used: set[str], existing: dict[str, tuple[str, str]], plan: ImportPlan
) -> str:
    slug = doc.slug if not unsafe_slug_reason(doc.slug) else slugify(doc.slug)
    slug = slug or slugify(doc.title) or "untitled"
    while name_too_long(slug + "-99"):  # room for a number when two share it
        slug = slug[:-1].rstrip("-")

    def free(name: str) -> bool:
        key = f"{doc.kind}s/{name}"
        if key in used:
            return False
        if key not in existing:
            return True
        # The site has a file by this name: the same post (an earlier run of this import,
        # perhaps edited since) is compared, not renamed; another post keeps the name.
        rel, text = existing[key]
        mark = doc.guid or doc.title
        return rel == source_path(doc, name) and bool(mark) and mark in text

    if free(slug):
        return slug
    number = 2
    while not free(f"{slug}-{number}"):
        number += 1
    plan.notes.append(
        Note(
            doc.source,
            None,
            f"another {doc.kind} has the slug {slug!r} already; this one became "
            f"{slug}-{number} (its old URLs redirect to it)",
        )
    )
    return f"{slug}-{number}"


def source_path(doc: ImportedDoc, slug: str) -> str:
    """Where ``doc`` is written: a page bundle when it brings files, else one Markdown file."""
    if doc.kind == "post":
        return f"content/posts/{slug}/index.md" if doc.files else f"content/posts/{slug}.md"
    return f"content/pages/{slug}.md"


def _plan_doc(
    doc: ImportedDoc, slug: str, found: SourceSite, config: Config, plan: ImportPlan
) -> None:
    if doc.kind == "post" and doc.date is None and not doc.draft:
        doc = replace(doc, draft=True)
        plan.notes.append(
            Note(
                doc.source, None, "no date anywhere: imported as a draft; add a date to publish it"
            )
        )
    pattern = config.permalinks.posts if doc.kind == "post" else config.permalinks.pages
    new_url = expand(pattern, slug, doc.date, config.tz, f"{doc.kind}s")
    aliases: list[str] = []
    for old in doc.old_urls:
        path = _old_path(old, found.base_url)
        if path is None:
            continue
        path = _BREAKERS.sub(lambda m: quote(m.group(0)), path)  # URLs carry them encoded
        if path.lstrip("/") in (new_url, new_url.rstrip("/")):
            plan.same_urls += 1
            continue
        problem = alias_problem(path)
        if problem:
            plan.notes.append(
                Note(doc.source, None, f"old URL {old} cannot be redirected: it {problem}")
            )
            continue
        if path not in aliases:
            aliases.append(path)
    plan.redirects += len(aliases)
    folder = "content/posts" if doc.kind == "post" else "content/pages"
    bundle = bool(doc.files) and doc.kind == "post"
    rel = source_path(doc, slug)
    text = document_text(doc, slug, aliases, found.platform)
    _check_round_trip(rel, doc, text, config.tz, plan)
    kind = "draft" if doc.draft else doc.kind
    plan.files.append(PlannedFile(rel, text.encode("utf-8"), kind, doc.source))
    # A page's files go to content/static/, in the folder its page's relative links lead to.
    page_folder = new_url if new_url.endswith("/") else posixpath.dirname(new_url)
    files_folder = f"{folder}/{slug}" if bundle else f"content/static/{page_folder}".rstrip("/")
    for one in doc.files:
        inside = _safe_relative(one.target)
        if inside is None:
            plan.notes.append(Note(doc.source, None, f"file {one.target!r} skipped: unsafe name"))
            continue
        target = f"{files_folder}/{inside}"
        plan.files.append(PlannedFile(target, one.read(), _file_kind(target), doc.source))


_BREAKERS = re.compile(r"[\s\"'<>`{}|^]")


def _old_path(old: str, base_url: str) -> str | None:
    """An old URL as a path from the old site's base, or None when it is elsewhere."""
    if "://" not in old:
        return old if old.startswith("/") else "/" + old
    parts = urlsplit(old)
    base = urlsplit(base_url) if base_url else None
    if base is None or parts.hostname != base.hostname:
        return None
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    path = parts.path or "/"
    if not path.startswith(base_path):
        return None
    return "/" + path[len(base_path) :]


def document_text(doc: ImportedDoc, slug: str, aliases: list[str], platform: str = "") -> str:
    """The Markdown file for ``doc``: thoughtgen front matter, then the body."""
    title = collapse_space(clean_text(doc.title))
    data: dict[str, Any] = {"title": title or slug.replace("-", " ").capitalize()}
    data["slug"] = slug  # the URL stays if the file is renamed
    if doc.date is not None:
        data["date"] = doc.date
    if doc.updated is not None and doc.updated != doc.date:
        data["updated"] = doc.updated
    if doc.draft:
        data["draft"] = True
    tags = [collapse_space(clean_text(t)) for t in doc.tags]
    tags = [t for t in tags if slugify(t) and not name_too_long(slugify(t))]
    if tags:
        data["tags"] = list(dict.fromkeys(tags))
    if summary := collapse_space(clean_text(doc.summary)):
        data["summary"] = summary
    if aliases:
        data["aliases"] = aliases
    for key in ("guid", "canonical_url", "image"):
        if value := getattr(doc, key):
            data[key] = value
    for key, value in doc.extra.items():
        if key not in KNOWN_KEYS and typo_of(key) is not None:
            key = f"{platform}_{key}"  # kept, without a "did you mean" warning on every build
        data.setdefault(key, value)
    head = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)
    body = doc.body.strip("\n")
    return f"---\n{head}---\n{body}\n" if body else f"---\n{head}---\n"


def _check_round_trip(rel: str, doc: ImportedDoc, text: str, tz: tzinfo, plan: ImportPlan) -> None:
    """Every file written must build: a problem here is named now, not at the next build."""
    result = parse_source(rel, doc.kind, text.encode("utf-8"), tz, shared_renderer())
    if isinstance(result, list):
        for problem in result:
            plan.notes.append(
                Note(doc.source, None, f"written as {rel}, which will not build: {problem.message}")
            )


def _safe_relative(path: str) -> str | None:
    path = path.replace("\\", "/")
    if path.startswith("/") or "\x00" in path:
        return None
    normal = posixpath.normpath(path)
    if normal.startswith("..") or normal in (".", ""):
        return None
    return normal


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp", ".ico")


def _file_kind(path: str) -> str:
    return "image" if path.lower().endswith(_IMAGE_SUFFIXES) else "file"
