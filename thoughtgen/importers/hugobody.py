"""A Hugo page's text made into thoughtgen Markdown: shortcodes, links and images.

Shortcodes go through ``shortcodes.convert_shortcodes`` with this site's lookups:
``param`` reads the page's front matter, then the site's ``params``; ``ref``/``relref``
(and plain links to ``.md`` files) find the target page as Hugo does (relative to the
page's folder, then to content/, then by unique name) and link to the Markdown file the
importer writes for it, relative to this one. HTML pages are converted to Markdown with
their shortcodes' output kept out of that conversion. Images are checked: a bundle's own
files stay beside the post; a path under static/ keeps working (a relative one is made
absolute, since the post's URL may change); one that only exists under assets/ (served by
a render hook through ``resources.Get``) is copied to content/static/; anything else is
noted.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from thoughtgen.foreign import find_foreign_tags
from thoughtgen.importers.hugosite import HugoConfig
from thoughtgen.importers.model import ImportedDoc, ImportedFile, SourceSite
from thoughtgen.importers.shortcodes import MISSING, convert_shortcodes
from thoughtgen.importers.writeout import source_path
from thoughtgen.mdcode import code_ranges

if TYPE_CHECKING:
    from thoughtgen.importers.hugopages import HugoPage

_MD_IMAGE = re.compile(r"!\[(?:[^\]\\\n]|\\.){0,1000}\]\([ \t]*(<[^>\n]{1,2000}>|[^)\s]{1,2000})")
_HTML_SRC = re.compile(r"""<img\b[^>]{0,2000}?\bsrc\s*=\s*["']([^"'\n]{1,2000})["']""", re.I)
_MD_LINK = re.compile(
    r"(?<!!)\]\([ \t]*(<[^>\n]{1,2000}\.(?:md|markdown)(?:#[^>\s]*)?>"
    r"|[^)\s]{1,2000}\.(?:md|markdown)(?:#[^)\s]*)?)(?=[ \t]*(?:\)|\"))",
    re.I,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PLACEHOLDER = re.compile(r"HUGOSHORTCODEPIECE(\d+)X")
_MARKUP_NAMES = {"reStructuredText", "AsciiDoc", "Org", "Pandoc"}


def written_path(doc: ImportedDoc) -> str:
    """Where the importer writes ``doc`` (the reader's slugs are already unique)."""
    return source_path(doc, doc.slug)


def _logical(content_rel: str) -> str:
    """``posts/Trip/index.md`` → ``posts/trip``: how Hugo names a page in lookups."""
    path = content_rel.lower()
    path = re.sub(r"\.[a-z]+$", "", path)
    path = re.sub(r"(^|/)_?index$", "", path)
    return re.sub(r"\s+", "-", path).strip("/")


class BodyConverter:
    def __init__(
        self, root: Path, config: HugoConfig, site: SourceSite, pages: Iterable[HugoPage]
    ) -> None:
        self.root, self.config, self.site = root, config, site
        self.index: dict[str, HugoPage] = {}
        self.by_name: dict[str, list[HugoPage]] = {}
        for page in pages:
            key = _logical(page.content_rel)
            self.index.setdefault(key, page)
            self.by_name.setdefault(key.rsplit("/", 1)[-1], []).append(page)
        folders = config.get("staticdir") or "static"
        self.static = [root / str(f) for f in (folders if isinstance(folders, list) else [folders])]
        self.assets = root / (config.text("assetdir") or "assets")
        self.copied: set[str] = {f.target for f in site.files}
        base_path = urlsplit(config.base_url).path.strip("/")
        self.base_path = base_path + "/" if base_path else ""

    def convert(self, page: HugoPage) -> None:
        doc = page.doc
        assert doc is not None
        stash: list[str] = []

        def protect(piece: str) -> str:
            stash.append(piece)
            return f"HUGOSHORTCODEPIECE{len(stash) - 1}X"

        html = page.markup == "html"
        result = convert_shortcodes(
            page.fm.body,
            page.fm.body_line,
            param=lambda name: self.param(page, name),
            ref=lambda target: self.ref(page, target),
            protect=protect if html else None,
        )
        for line, message in result.problems:
            self.site.note(page.rel, line, message)
        text = result.text
        if html:
            from thoughtgen.importers.html import html_to_markdown

            text = html_to_markdown(text) if text.strip() else ""
            for _ in range(len(stash) + 1):  # pieces can hold pieces (a figure in a details)
                if not _PLACEHOLDER.search(text):
                    break
                text = _PLACEHOLDER.sub(lambda m: stash[int(m.group(1))], text)
        elif page.markup in _MARKUP_NAMES:
            self.site.note(
                page.rel,
                None,
                f"written in {page.markup}, which thoughtgen does not convert; kept as written: "
                "convert it to Markdown (pandoc can) and check the page",
            )
        text = self._outside_code(page, _MD_LINK, self._md_link, text)
        text = self._outside_code(page, _MD_IMAGE, self._image, text)
        text = self._outside_code(page, _HTML_SRC, self._image, text)
        for tag in find_foreign_tags(page.fm.body, page.fm.body_line):
            if tag.kind != "shortcode":
                self.site.note(
                    page.rel,
                    tag.line,
                    f"{tag.text} is template syntax Hugo showed as text; left as written: "
                    "remove it if it was not meant to be seen",
                )
        text = text.lstrip("\n")
        doc.body = text if text.endswith("\n") or not text else text + "\n"

    def _outside_code(
        self,
        page: HugoPage,
        pattern: re.Pattern[str],
        rewrite: Callable[[HugoPage, re.Match[str]], str],
        text: str,
    ) -> str:
        """``text`` with ``rewrite`` applied to each match, except those shown as code."""
        code = code_ranges(text)

        def one(match: re.Match[str]) -> str:
            return match.group(0) if _within(code, match.start()) else rewrite(page, match)

        return pattern.sub(one, text)

    # Lookups ----------------------------------------------------------------------------

    def param(self, page: HugoPage, name: str) -> Any:
        """Hugo's ``.Param``: the page's front matter first, then the site's params."""
        keys = name.lower().split(".")
        for scope in (page.params, self.config.get("params")):
            value: Any = scope
            for key in keys:
                if not isinstance(value, dict) or key not in value:
                    value = MISSING
                    break
                value = value[key]
            if value is not MISSING:
                return value
        return MISSING

    def find(self, page: HugoPage, target: str) -> HugoPage | None:
        path = unquote(target.strip()).lower()
        path = re.sub(r"\.(md|markdown|html|htm|rst|adoc|org)$", "", path).rstrip("/")
        path = re.sub(r"(^|/)_?index$", "", path)
        path = re.sub(r"\s+", "-", path)
        candidates = []
        if path.startswith("/"):
            candidates.append(path.strip("/"))
        else:
            candidates += [posixpath.normpath(posixpath.join(page.own_dir, path)), path]
        for candidate in candidates:
            if candidate in self.index:
                return self.index[candidate]
        named = self.by_name.get(path.rsplit("/", 1)[-1], [])
        return named[0] if len(named) == 1 else None

    def ref(self, page: HugoPage, target: str) -> str | None:
        path, _, anchor = target.partition("#")
        anchor = f"#{anchor}" if anchor else ""
        if not path.strip():
            return anchor or None
        found = self.find(page, path)
        if found is None or found.doc is None or page.doc is None:
            return None
        source = written_path(page.doc)
        if found is page:
            return anchor or posixpath.basename(source)
        return posixpath.relpath(written_path(found.doc), posixpath.dirname(source)) + anchor

    def _md_link(self, page: HugoPage, match: re.Match[str]) -> str:
        target = match.group(1).strip("<>")
        if _SCHEME.match(target) or target.startswith("//"):
            return match.group(0)
        link = self.ref(page, target)
        return match.group(0) if link is None else f"]({link}"

    # Images -----------------------------------------------------------------------------

    def _image(self, page: HugoPage, match: re.Match[str]) -> str:
        written = match.group(1)
        src = written.strip("<>").strip()
        if not src or _SCHEME.match(src) or src.startswith(("//", "#")):
            return match.group(0)
        path = unquote(src.split("#", 1)[0].split("?", 1)[0])
        doc = page.doc
        assert doc is not None
        if not path.startswith("/") and doc.files:
            inside = posixpath.normpath(path)
            if any(f.target == inside for f in doc.files):
                return match.group(0)
        if path.startswith("/"):
            site_path = path.lstrip("/")
            if self.base_path and site_path.startswith(self.base_path):
                site_path = site_path[len(self.base_path) :]
        else:
            folder = page.link if page.link.endswith("/") else posixpath.dirname(page.link)
            site_path = posixpath.normpath(posixpath.join(folder, path)).lstrip("/")
        if site_path.startswith("../") or site_path in ("", ".", ".."):
            return self._missing(page, src, match)
        absolute = "/" + site_path
        if any(_is_file(folder / site_path, folder) for folder in self.static):
            pass
        elif _is_file(self.assets / site_path, self.assets):
            target = f"content/static/{site_path}"
            if target not in self.copied:
                self.copied.add(target)
                self.site.files.append(ImportedFile(target, source=self.assets / site_path))
        else:
            return self._missing(page, src, match)
        if path.startswith("/"):
            return match.group(0)
        start, end = match.span(1)
        offset = match.start()
        whole = match.group(0)
        replacement = f"<{absolute}>" if written.startswith("<") else absolute
        return whole[: start - offset] + replacement + whole[end - offset :]

    def _missing(self, page: HugoPage, src: str, match: re.Match[str]) -> str:
        at = page.fm.body.find(src)
        line = page.fm.body_line + page.fm.body.count("\n", 0, at) if at >= 0 else None
        self.site.note(
            page.rel,
            line,
            f"image {src} is not in the export; kept the link: add the file beside the "
            "post or under content/static/",
        )
        return match.group(0)


def _within(ranges: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_right(ranges, (offset, 1 << 62)) - 1
    return index >= 0 and ranges[index][0] <= offset < ranges[index][1]


def _is_file(path: Path, folder: Path) -> bool:
    """Whether ``path`` is a real file inside ``folder`` (no link or ``..`` leads out)."""
    try:
        resolved = path.resolve()
        resolved.relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
    return resolved.is_file() and not path.is_symlink()
