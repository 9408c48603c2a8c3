"""What the Jekyll and Eleventy readers share: reading files, slugs, links between posts.

Both generators publish a folder of sources; a post links to other posts by their old
URLs (or by ``{% post_url %}``) and shows files from the site's folders. Once every doc
has its slug, those links become links to the other post's Markdown source (the build
resolves them to its new URL), and every file a post shows is copied: beside the post
when it lay beside the source, else to ``content/static/`` at its old path.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from thoughtgen.frontmatter import KNOWN_KEYS, typo_of
from thoughtgen.importers.liquid import outside_code
from thoughtgen.importers.model import ImportedDoc, ImportedFile, SourceSite
from thoughtgen.slugs import slugify, unsafe_slug_reason

MAX_TEXT_BYTES = 8 * 1024 * 1024
_FILE_LIKE = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_PAGE_SUFFIXES = (".html", ".htm", ".php", ".xml")
_INLINE_TARGET = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^)\s]+)")
_REFERENCE_TARGET = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)")
_ATTRIBUTE_TARGET = re.compile(r"""(\s(?:src|href|poster)\s*=\s*["'])([^"'\n]*)""", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IMAGE_SHORTCODE = re.compile(r"""\{%-?\s*image\s+["']([^"'\n]+)["']""")


def read_text(path: Path, rel: str, site: SourceSite) -> str | None:
    """A source file's text with LF newlines, or None (with a note) when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            site.note(
                rel,
                None,
                f"is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; not imported — "
                "split it, or copy it into the site by hand",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        site.note(rel, None, f"could not be read ({exc.strerror or exc}); not imported")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        site.note(
            rel,
            data.count(b"\n", 0, exc.start) + 1,
            "is not UTF-8; bytes that are not were replaced with U+FFFD — check the text "
            "from here on and save the file as UTF-8",
        )
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def scalar_text(value: object) -> str:
    """A front-matter or config value as text; "" for nothing, a list or a mapping."""
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def unique(names: list[str]) -> list[str]:
    """``names`` without repeats (case aside) or empty ones, in their order."""
    seen: set[str] = set()
    result = []
    for name in names:
        if name and name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return result


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (symbolic links followed) stays inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def make_slug(*candidates: str, fallback: str) -> str:
    """The first candidate that gives a usable thoughtgen slug, else ``fallback``."""
    for candidate in candidates:
        slug = slugify(candidate)
        if len(slug.encode("utf-8")) > 200:
            slug = slug[:80].strip("-")
        if slug and unsafe_slug_reason(slug) is None:
            return slug
    return fallback


def extra_fields(data: dict[Any, Any], used: set[str]) -> dict[str, Any]:
    """Front-matter keys worth keeping in thoughtgen's front matter, beside its own fields.

    Keys the reader already turned into fields (``used``, lower-case) go, and so do keys
    thoughtgen would read as, or take for a misspelling of, one of its own (``status``,
    ``modified``): only an author or series written as text is kept.
    """
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str) or key.lower() in used:
            continue
        if key in ("author", "series"):
            if isinstance(value, dict):
                value = value.get("name")
            if isinstance(value, str) and value.strip():
                kept[key] = value.strip()
            continue
        if key in KNOWN_KEYS or typo_of(key) is not None:
            continue
        kept[key] = value
    return kept


def dedupe_slugs(docs: list[ImportedDoc], site: SourceSite) -> None:
    """Give every doc of a kind its own slug: later ones with a taken slug get ``-2``, ``-3``."""
    used = {(doc.kind, doc.slug) for doc in docs}
    seen: dict[tuple[str, str], ImportedDoc] = {}
    for doc in docs:
        key = (doc.kind, doc.slug)
        if key not in seen:
            seen[key] = doc
            continue
        number = 2
        while (doc.kind, f"{doc.slug}-{number}") in used:
            number += 1
        new = f"{doc.slug}-{number}"
        site.note(
            doc.source,
            None,
            f"slug '{doc.slug}' is also {seen[key].source}'s; imported as '{new}' "
            "(its old URLs still lead to it)",
        )
        doc.slug = new
        used.add((doc.kind, new))


def markdown_path(doc: ImportedDoc) -> str:
    """Where the importer writes ``doc``, relative to ``content/``: a post with files is a
    page bundle; a page never is (its files go to ``content/static/<slug>/``)."""
    if doc.kind == "page":
        return f"pages/{doc.slug}.md"
    return f"posts/{doc.slug}/index.md" if doc.files else f"posts/{doc.slug}.md"


def link_between(source: ImportedDoc, target: ImportedDoc) -> str:
    """A relative link from ``source``'s Markdown file to ``target``'s (the build resolves it)."""
    return posixpath.relpath(markdown_path(target), posixpath.dirname(markdown_path(source)))


def rewrite_targets(markdown: str, rewrite: Callable[[str], str]) -> str:
    """``markdown`` with every link and image target outside code passed through ``rewrite``.

    Targets are those of Markdown links and images, reference definitions and the
    ``src``/``href``/``poster`` attributes of inline HTML.
    """

    def inline(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith("<") and target.endswith(">"):
            return f"{match.group(1)}<{rewrite(target[1:-1])}>"
        return match.group(1) + rewrite(target)

    def change(text: str) -> str:
        text = _INLINE_TARGET.sub(inline, text)
        text = _REFERENCE_TARGET.sub(inline, text)
        return _ATTRIBUTE_TARGET.sub(lambda m: m.group(1) + rewrite(m.group(2)), text)

    return outside_code(markdown, change, indented_code=False)


def line_of(text: str, needle: str, first_line: int) -> int | None:
    """The file line where ``needle`` first appears in ``text`` (starting at ``first_line``)."""
    at = text.find(needle) if needle else -1
    return None if at == -1 else first_line + text.count("\n", 0, at)


def _split_url(url: str) -> tuple[str, str]:
    """``/a.png?v=2#top`` → (``/a.png``, ``?v=2#top``)."""
    cut = min((i for i in (url.find("?"), url.find("#")) if i != -1), default=len(url))
    return url[:cut], url[cut:]


@dataclass
class SiteLinks:
    """Links in imported posts, fixed against the old site they came from.

    A link to another imported post becomes a link to its Markdown file; a file the post
    shows (an image, a PDF) is copied: beside the post when it lay beside the source, else
    to ``content/static/`` at its old path, so its URL stays the same.
    """

    site: SourceSite
    root: Path
    # Where site-relative paths start on the old site: absolute ("https://ex.com/blog")
    # and as a path ("/blog"); links starting with one of them are links into the site.
    prefixes: list[str]
    locate: Callable[[str], Path | None]  # site path ("/img/a.png") → the file served there
    by_url: dict[str, ImportedDoc] = field(default_factory=dict)
    by_source: dict[str, ImportedDoc] = field(default_factory=dict)
    copied: set[str] = field(default_factory=set)

    def add(self, doc: ImportedDoc) -> None:
        self.by_source[doc.source] = doc
        for url in doc.old_urls:
            self.by_url.setdefault(url, doc)

    def site_path(self, url: str) -> str | None:
        """``url`` as a path on the old site, or None when it leads off the site."""
        for prefix in sorted(self.prefixes, key=len, reverse=True):
            if prefix and (url == prefix or url.startswith(prefix + "/")):
                return url[len(prefix) :] or "/"
        if _SCHEME.match(url) or url.startswith("//"):
            return None
        return url if url.startswith("/") else None

    def doc_at(self, path: str) -> ImportedDoc | None:
        path = unquote(path)
        for candidate in (path, path + "/", path.removesuffix("index.html"), path + ".html"):
            if candidate in self.by_url:
                return self.by_url[candidate]
        return None

    def copy_static(self, path: str) -> bool:
        """Copy the file the old site served at ``path`` to content/static; False if none."""
        path = unquote(path)
        source = self.locate(path)
        if source is None or not source.is_file() or not inside(self.root, source):
            return False
        target = "content/static/" + path.lstrip("/")
        if target not in self.copied and ".." not in path.split("/"):
            self.copied.add(target)
            self.site.files.append(ImportedFile(target=target, source=source))
        return True

    def bundle_files(self, doc: ImportedDoc, raw: str, source_dir: Path) -> None:
        """Files beside the source that ``raw`` shows by a relative link: copied beside the post."""
        found: dict[str, ImportedFile] = {}

        def collect(url: str) -> str:
            path, _rest = _split_url(url)
            if not path or path.startswith(("/", "#")) or _SCHEME.match(path) or "{" in path:
                return url
            local = posixpath.normpath(unquote(path))
            candidate = source_dir / local
            if (
                not local.startswith("../")
                and local not in (".", "..")
                and candidate.is_file()
                and inside(source_dir, candidate)
                and candidate.suffix.lower() not in (".md", ".markdown", ".html")
            ):
                found.setdefault(local, ImportedFile(target=local, source=candidate))
            return url

        rewrite_targets(raw, collect)
        for shortcode in _IMAGE_SHORTCODE.finditer(raw):  # Eleventy's {% image "./a.png", … %}
            collect(shortcode.group(1))
        doc.files.extend(found.values())

    def fix(self, doc: ImportedDoc, body: str, raw: str, body_line: int, source_dir: Path) -> str:
        """``body`` with links to posts and files rewritten; notes point into ``raw``'s file."""
        bundled = {file.target for file in doc.files}

        def rewrite(url: str) -> str:
            path, rest = _split_url(url)
            if not path or "{" in path or path.startswith("mailto:"):
                return url
            written = path
            if not path.startswith("/") and not _SCHEME.match(path) and not path.startswith("//"):
                local = posixpath.normpath(unquote(path))
                if local in bundled:
                    return url
                linked = self.source_doc(source_dir / local)
                if linked is not None:
                    return link_between(doc, linked) + rest
                if local.endswith((".md", ".markdown")):
                    return url  # a link to a Markdown source: the build resolves it
                base = doc.old_urls[0] if doc.old_urls else ""
                if not base:
                    return url
                path = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
            site_path = self.site_path(path)
            if site_path is None:
                return url
            target = self.doc_at(site_path)
            if target is not None:
                return link_between(doc, target) + rest
            if self.copy_static(site_path):
                return site_path + rest
            if _FILE_LIKE.search(site_path) and not site_path.lower().endswith(_PAGE_SUFFIXES):
                self.site.note(
                    doc.source,
                    line_of(raw, written, body_line)
                    or line_of(raw, written.rsplit("/", 1)[-1], body_line),
                    f"links to {site_path}, which is not in this export; the link is kept — "
                    "copy the file into content/static/ if you have it",
                )
            return url

        return rewrite_targets(body, rewrite)

    def source_doc(self, path: Path) -> ImportedDoc | None:
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None
        return self.by_source.get(rel)
