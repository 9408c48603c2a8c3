"""Reading a Hugo site: its content/ folder, settings, page bundles and static files.

``detect`` knows a Hugo site by its configuration; ``read`` walks content/ the way Hugo
does (a folder with ``index.md`` is a leaf bundle whose other files belong to it; one with
``_index.md`` is a section list page; every top-level folder is a section), then
``hugopages`` makes posts and pages of what it found, ``hugobody`` converts their text, and
static/ is copied to content/static/ so every file keeps its URL.

What becomes of Hugo's features is said where it is done: URLs and settings in
``hugosite``, dates, kinds, taxonomies and what is skipped in ``hugopages``, shortcodes in
``shortcodes``, links and images in ``hugobody``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thoughtgen.importers.frontmatter import ForeignFrontMatter, read_front_matter
from thoughtgen.importers.hugobody import BodyConverter
from thoughtgen.importers.hugopages import HugoPage, PageReader
from thoughtgen.importers.hugosite import (
    CONFIG_NAMES,
    HugoConfig,
    check_depth,
    lower_keys,
    read_config,
)
from thoughtgen.importers.model import ImportedFile, SourceSite

NAME = "hugo"
DESCRIPTION = "a Hugo site: content/ with hugo.toml, config.toml or config/_default/"

MARKUPS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".rst": "reStructuredText",
    ".adoc": "AsciiDoc",
    ".asciidoc": "AsciiDoc",
    ".ad": "AsciiDoc",
    ".org": "Org",
    ".pdc": "Pandoc",
    ".pandoc": "Pandoc",
}
MAX_CONTENT_BYTES = 8 * 1024 * 1024
MAX_FILES = 100_000
MAX_DEPTH = 32


def detect(root: Path) -> bool:
    if not root.is_dir():
        return False
    if any((root / name).is_file() for name in CONFIG_NAMES[:4]):
        return True
    if (root / "config" / "_default").is_dir():
        return True
    for name in CONFIG_NAMES[4:]:
        path = root / name
        if path.is_file() and (root / "content").is_dir():
            try:
                head = path.read_bytes()[:65536].decode("utf-8", "replace").lower()
            except OSError:
                continue
            if "baseurl" in head:
                return True
    return False


def read(root: Path, now: datetime | None = None) -> SourceSite:
    """The Hugo site at ``root``. ``now`` decides which expiry and publish dates have passed."""
    now = now or datetime.now(UTC)
    site = SourceSite(NAME)
    config = read_config(root, site)
    _settings(config, site)
    content = _inside(root, config.text("contentdir") or "content")
    pages: list[HugoPage] = []
    if content is None or not content.is_dir():
        site.note(config.source or ".", None, "no content folder found; nothing to import")
    else:
        found = _Walker(root, content, config, site).walk()
        pages = [page for page in (_load(root, p, k, b, config, site) for p, k, b in found) if page]
        if not pages:
            site.note(_rel(root, content), None, "the content folder holds no posts or pages")
    PageReader(config, site, pages, now).run()
    _static_files(root, config, site)
    converter = BodyConverter(root, config, site, pages)
    for page in pages:
        if page.doc is not None:
            converter.convert(page)
            site.docs.append(page.doc)
    return site


def _settings(config: HugoConfig, site: SourceSite) -> None:
    site.base_url = config.base_url
    if config.text("baseurl") and not site.base_url:
        site.note(config.source, None, "baseURL is not an absolute http(s) URL; feed ids left out")
    site.title = config.text("title")
    author = config.get("params", "author")
    if author is None:
        author = config.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    site.author = author.strip() if isinstance(author, str) else ""
    description = config.get("params", "description")
    site.description = description.strip() if isinstance(description, str) else ""
    code = config.text("languagecode") or config.text("locale") or config.default_language
    match = re.fullmatch(r"([A-Za-z]{2,8})(?:[-_]([A-Za-z0-9]{1,8}))?", code)
    if match:
        region = match.group(2)
        region = region.upper() if region and len(region) == 2 else region
        site.language = match.group(1).lower() + (f"-{region}" if region else "")
    site.timezone = config.timezone_name


def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when that stays inside ``root`` (a setting cannot point elsewhere)."""
    try:
        path = (root / rel).resolve()
        path.relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    return path


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.resolve().relative_to(root.resolve()).as_posix()


class _Walker:
    """Finds content files and sorts them into pages, section pages and leaf bundles."""

    def __init__(self, root: Path, content: Path, config: HugoConfig, site: SourceSite) -> None:
        self.root, self.content, self.config, self.site = root, content, config, site
        self.count = 0
        patterns = config.get("ignorefiles")
        self.ignore: list[re.Pattern[str]] = []
        for pattern in patterns if isinstance(patterns, list) else []:
            try:
                self.ignore.append(re.compile(str(pattern)))
            except re.error:
                site.note(config.source, None, f"ignoreFiles pattern {pattern!r} is not valid")

    def walk(self) -> list[tuple[Path, str, list[tuple[str, Path]]]]:
        found: list[tuple[Path, str, list[tuple[str, Path]]]] = []
        self._folder(self.content, 0, found)
        return found

    def _entries(self, folder: Path) -> list[Path]:
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            self.site.note(_rel(self.root, folder), None, f"could not list this folder ({exc})")
            return []
        keep = []
        for entry in entries:
            name = entry.name
            if name.startswith((".", "#")) or name.endswith("~"):
                continue
            if entry.is_symlink():
                self.site.note(_rel(self.root, entry), None, "a symbolic link; not followed")
                continue
            if any(p.search(entry.as_posix()) for p in self.ignore):
                continue
            keep.append(entry)
        return keep

    def _folder(self, folder: Path, depth: int, found: list[Any]) -> None:
        if depth > MAX_DEPTH:
            self.site.note(_rel(self.root, folder), None, "folders nested too deep; not read")
            return
        entries = self._entries(folder)
        names = {e.name.lower(): e for e in entries if e.is_file()}
        leaf = next((names[f"index{s}"] for s in MARKUPS if f"index{s}" in names), None)
        branch = next((names[f"_index{s}"] for s in MARKUPS if f"_index{s}" in names), None)
        if leaf is not None and branch is None and depth > 0:
            found.append((leaf, "page", self._bundle(folder, leaf, 0)))
            return
        if branch is not None:
            found.append((branch, "home" if depth == 0 else "section", []))
        for entry in entries:
            self.count += 1
            if self.count > MAX_FILES:
                if self.count == MAX_FILES + 1:
                    self.site.note(_rel(self.root, folder), None, "more than 100000 files; stopped")
                return
            if entry.is_dir():
                self._folder(entry, depth + 1, found)
            elif entry.suffix.lower() in MARKUPS and entry is not branch:
                found.append((entry, "page", []))

    def _bundle(self, folder: Path, text: Path, depth: int) -> list[tuple[str, Path]]:
        files: list[tuple[str, Path]] = []
        for entry in self._entries(folder):
            if depth > MAX_DEPTH:
                break
            if entry.is_dir():
                inner = self._bundle(entry, text, depth + 1)
                files += [(f"{entry.name}/{name}", path) for name, path in inner]
            elif entry != text and entry.suffix.lower() not in MARKUPS:
                files.append((entry.name, entry))
            elif entry != text:
                self.site.note(
                    _rel(self.root, entry),
                    None,
                    "a content file inside a page bundle (Hugo did not publish it as a page); "
                    "not imported",
                )
        return files


def _load(
    root: Path,
    path: Path,
    kind: str,
    bundle: list[tuple[str, Path]],
    config: HugoConfig,
    site: SourceSite,
) -> HugoPage | None:
    rel = _rel(root, path)
    try:
        size = path.stat().st_size
        if size > MAX_CONTENT_BYTES:
            site.note(rel, None, "larger than 8 MiB; not imported: split it or trim it by hand")
            return None
        data = path.read_bytes()
    except OSError as exc:
        site.note(rel, None, f"could not read this file ({exc}); not imported")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        site.note(rel, line, "not UTF-8 text; odd characters replaced: check the text and fix it")
        text = data.decode("utf-8", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    try:
        fm = read_front_matter(text)
        params = lower_keys(check_depth(fm.data)) if isinstance(fm.data, dict) else {}
    except RecursionError:  # TOML or JSON nested hundreds deep
        fm = ForeignFrontMatter({}, text, 1, "", problem=(1, "it is nested too deeply"))
        params = {}
    if fm.problem is not None:
        line, message = fm.problem
        site.note(rel, line, f"front matter not read ({message}); imported without it: fix it")
    content = root / (config.text("contentdir") or "content")
    content_rel = path.resolve().relative_to(content.resolve()).as_posix()
    return HugoPage(
        path=path,
        rel=rel,
        content_rel=content_rel,
        kind=kind,
        markup=MARKUPS[path.suffix.lower()],
        fm=fm,
        params=params,
        bundle=bundle,
    )


def _static_files(root: Path, config: HugoConfig, site: SourceSite) -> None:
    """static/ is published at the site's root: it goes to content/static/, same paths."""
    folders = config.get("staticdir") or "static"
    for folder_name in folders if isinstance(folders, list) else [folders]:
        folder = _inside(root, str(folder_name))
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            hidden = [p for p in path.relative_to(folder).parts if p.startswith(".")]
            if path.is_symlink() or not path.is_file() or hidden not in ([], [".well-known"]):
                continue  # editor and system files; .well-known/ is meant to be served
            rel = path.relative_to(folder).as_posix()
            if rel in ("_redirects", "_headers"):
                site.note(
                    _rel(root, path),
                    None,
                    f"not copied: thoughtgen writes its own /{rel} (old URLs become aliases); "
                    "merge any hand-written rules into the new one after a build",
                )
                continue
            site.files.append(ImportedFile(f"content/static/{rel}", source=path))
