"""Pelican's three readers: metadata and body of a Markdown, reStructuredText or HTML file.

Each follows its Pelican reader: ``MarkdownReader`` (Python-Markdown's meta extension,
or YAML front matter as the yaml-metadata plugin reads it), ``RstReader`` (the docinfo
field list and the document title) and ``HTMLReader`` (``<title>``, ``<meta name=…>`` in
the head, the inside of ``<body>``). Keys come back lower-cased, with their file lines.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from thoughtgen.importers.frontmatter import read_front_matter
from thoughtgen.importers.model import SourceSite
from thoughtgen.importers.pelican_body import Body
from thoughtgen.importers.pelican_rst import read_rst
from thoughtgen.importers.pelican_urls import metadata_list

MAX_SOURCE_BYTES = 4 * 1024 * 1024
MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")

# Python-Markdown's meta extension (markdown/extensions/meta.py), line for line.
_META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN = re.compile(r"^-{3}(\s.*)?")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# Keys Pelican takes once (pelican/readers.py DUPLICATES_DEFINITIONS_ALLOWED).
_ONCE = {
    "tags", "date", "modified", "status", "category", "author", "save_as", "url", "authors",
    "slug",
}  # fmt: skip


@dataclass
class Source:
    """A post or page file as its Pelican reader saw it."""

    rel: str  # relative to the content folder (Pelican's source path)
    shown: str  # relative to the export, for notes
    file: Path
    format: str  # "markdown", "rst" or "html"
    text: str
    unreadable: bool = False  # not UTF-8: Pelican could not read it
    meta: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key → file line
    body: Body = field(default_factory=lambda: Body([], []))  # Markdown, or HTML for "html"
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def read_source(rel: str, path: Path, shown: str, site: SourceSite) -> Source | None:
    """The file read with its Pelican reader, or None (with a note) when it cannot be."""
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        site.note(
            shown, None, f"is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MiB; not imported"
        )
        return None
    data = path.read_bytes()
    unreadable = False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Pelican reads UTF-8 only, so it never published this file; the import keeps it,
        # read as Windows-1252, the usual encoding of such old files.
        unreadable = True
        text = data.decode("cp1252", errors="replace")
        site.note(
            shown,
            data[: exc.start].count(b"\n") + 1,
            "is not UTF-8 (the first such byte is on this line), so Pelican could not read "
            "it; it was read as Windows-1252: check its accented letters",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    ext = os.path.splitext(rel)[1].lower()
    if ext in MARKDOWN:
        source = Source(rel, shown, path, "markdown", text, unreadable=unreadable)
        _markdown(source, site)
    elif ext == ".rst":
        source = Source(rel, shown, path, "rst", text, unreadable=unreadable)
        _rst(source)
    else:
        source = Source(rel, shown, path, "html", text, unreadable=unreadable)
        _html(source)
    return source


def sniff(content: Path, limit: int = 300) -> bool:
    """Whether ``content`` holds a post with a Pelican header (``Title:`` / ``:date:``)."""
    seen = 0
    for folder, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            ext = os.path.splitext(name)[1].lower()
            if ext not in (*MARKDOWN, ".rst"):
                continue
            seen += 1
            if seen > limit:
                return False
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    head = handle.read(2048).decode("utf-8", "replace")
            except OSError:
                continue
            if ext == ".rst" and re.search(r"^:(date|tags|category):", head, re.M | re.I):
                return True
            if re.match(r"\ufeff?[ ]{0,3}(title|date)\s*:", head, re.I):
                return True
    return False


def _markdown(source: Source, site: SourceSite) -> None:
    text = source.text
    first = text.split("\n", 1)[0]
    if first.rstrip() == "---":
        front = read_front_matter(text)
        if front.format == "yaml" and front.problem is None and front.data:
            _yaml(source, front.data, front.key_lines)
            source.body = Body.of(front.body, front.body_line)
            return
        raw, body_start, closed = _meta_header(text)
        if front.problem is not None and not closed:
            line, message = front.problem
            site.note(source.shown, line, f"the front matter could not be read: {message}")
    else:
        raw, body_start, closed = _meta_header(text)
    for key, values in raw.items():
        source.lines[key] = values[0][1]
        texts = [value for value, _ in values]
        if key == "summary":
            source.meta[key] = "\n".join(texts)
        elif key in _ONCE:
            source.meta[key] = texts[0]
            if len(texts) > 1:
                site.note(
                    source.shown,
                    values[1][1],
                    f"Pelican used only the first line of {key.title()}: and so does the "
                    "import; put the rest on that line if it belongs there",
                )
        elif key == "title":
            source.meta[key] = " ".join(texts)
        else:
            source.meta[key] = texts[0] if len(texts) == 1 else texts
    lines = text.split("\n")
    source.body = Body.of("\n".join(lines[body_start:]), body_start + 1)


def _meta_header(text: str) -> tuple[dict[str, list[tuple[str, int]]], int, bool]:
    """Python-Markdown meta: (key → [(value, line)], index of the body's first line, closed)."""
    lines = text.split("\n")
    meta: dict[str, list[tuple[str, int]]] = {}
    key = None
    i = 0
    closed = False
    if lines and _BEGIN.match(lines[0]):
        i = 1
    while i < len(lines):
        line = lines[i].expandtabs(4)
        if not line.strip() or _END.match(line):
            closed = bool(_END.match(line))
            i += 1
            break
        match = _META.match(line)
        if match:
            key = match["key"].lower().strip()
            meta.setdefault(key, []).append((match["value"].strip(), i + 1))
        else:
            more = _META_MORE.match(line)
            if more and key:
                meta[key].append((more["value"].strip(), i + 1))
            else:
                break
        i += 1
    return meta, i, closed


def _yaml(source: Source, data: dict[Any, Any], key_lines: dict[str, int]) -> None:
    """As the yaml-metadata plugin reads its YAML header (``_parse_yaml_metadata``)."""
    lines = {str(k).lower(): v for k, v in key_lines.items()}
    for raw_key, value in data.items():
        if value is None:
            continue
        key = str(raw_key).lower()
        if isinstance(value, list):
            value = [v for v in value if v is not None]
            if key == "summary":
                value = "\n".join(str(v) for v in value)
            elif key == "author" and len(value) > 1:
                key = "authors"
            elif key in _ONCE - {"tags", "authors"}:
                value = value[0] if value else ""
        source.meta[key] = value
        if key in lines or raw_key in key_lines:
            source.lines[key] = lines.get(key, key_lines.get(str(raw_key), 0))


def _rst(source: Source) -> None:
    doc = read_rst(source.text)
    for name, (value, line) in doc.fields.items():
        source.meta[name] = metadata_list(value) if name == "authors" else value
        source.lines[name] = line
    if "title" not in source.meta and doc.title:
        source.meta["title"] = doc.title
        if doc.title_line:
            source.lines["title"] = doc.title_line
    source.body = Body(doc.lines, doc.src)
    source.problems = [(line, message) for line, message in doc.problems]


class _HeadAndBody(HTMLParser):
    """Pelican's ``HTMLReader._HTMLParser``: title and meta in the head, then the body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, Any] = {}
        self.lines: dict[str, int] = {}
        self.in_head = self.in_title = False
        self.title: list[str] = []
        self.body_start: tuple[int, int] | None = None
        self.body_end: tuple[int, int] | None = None
        self.title_line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head" and self.body_start is None:
            self.in_head = True
        elif tag == "title" and self.in_head:
            self.in_title = True
            self.title_line = self.getpos()[0]
        elif tag == "meta" and self.in_head:
            self._meta(dict(attrs))
        elif tag == "body" and self.body_start is None:
            self.in_head = False
            line, column = self.getpos()
            text = self.get_starttag_text() or ""
            self.body_start = (line, column + len(text))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        elif tag == "title":
            self.in_title = False
        elif tag == "body" and self.body_start is not None and self.body_end is None:
            self.body_end = self.getpos()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = attrs.get("name")
        if not name:
            return
        name = name.lower()
        content = attrs.get("content") or attrs.get("contents") or ""
        if name == "keywords":
            name = "tags"
        if name in self.meta:
            old = self.meta[name]
            self.meta[name] = [*old, content] if isinstance(old, list) else [old, content]
        else:
            self.meta[name] = content
            self.lines[name] = self.getpos()[0]


def _html(source: Source) -> None:
    parser = _HeadAndBody()
    try:
        parser.feed(source.text)
        parser.close()
    except (AssertionError, ValueError):
        pass  # keep what was read before the parser gave up
    source.meta = dict(parser.meta)
    source.lines = dict(parser.lines)
    if parser.title:
        source.meta["title"] = "".join(parser.title).strip()
        source.lines["title"] = parser.title_line
    starts = [0]
    for line in source.text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: tuple[int, int]) -> int:
        line, column = position
        return min(starts[min(line, len(starts)) - 1] + column, len(source.text))

    if parser.body_start is None:
        # No <body>: Pelican publishes nothing of it; a fragment is kept whole instead.
        has_head = "<head" in source.text.lower()
        body = "" if has_head else source.text
        source.body = Body.of(body, 1)
        return
    start = offset(parser.body_start)
    end = offset(parser.body_end) if parser.body_end else len(source.text)
    source.body = Body.of(source.text[start:end], parser.body_start[0])
