"""Reading a WordPress export (WXR) safely: expat with every DTD refused, lines kept.

WXR is RSS 2.0 with WordPress's namespaces (``wp:`` and ``excerpt:`` at
``http://wordpress.org/export/1.0/``, ``1.1/`` or ``1.2/``, plus ``content:`` and ``dc:``).
Exports are large (tens of MB) and come from anywhere, so:

- No DOCTYPE and no ENTITY declaration is accepted (that is how "billion laughs" and
  external-entity attacks start, and WordPress never writes one); expat's handlers refuse
  them as defusedxml does, before anything is expanded.
- Bytes that are not text in the declared encoding, and control characters XML forbids
  (old exports carry both), are replaced or removed with a note at their line instead of
  failing the whole export; anything else malformed is a ``ThoughtgenError`` with its line.
- Each element remembers the line where its text starts, so what a post's body leaves
  unconverted can be reported at its line in the export.
- Comments (``wp:comment``) are counted, not kept.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from thoughtgen.errors import ThoughtgenError

# Far past the largest real exports (WordPress.com splits its own at about 15 MB).
MAX_BYTES = 1024 * 1024 * 1024
_CHUNK = 1024 * 1024

_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
# Characters XML 1.0 does not allow (C0 controls but tab, newline and return; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Node:
    """An element: ``tag`` is ``prefix:name`` for WordPress's namespaces (``wp:post_name``)."""

    tag: str
    attrs: dict[str, str]
    line: int  # where the element starts
    text_line: int = 0  # where its text starts (0: no text)
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def child(self, tag: str) -> Node | None:
        for node in self.children:
            if node.tag == tag:
                return node
        return None

    def get(self, tag: str) -> str:
        """The text of the first child ``tag``, stripped; "" when there is none."""
        node = self.child(tag)
        return node.text.strip() if node is not None else ""

    def all(self, tag: str) -> list[Node]:
        return [node for node in self.children if node.tag == tag]


@dataclass
class Export:
    """One WXR file: the channel's own elements, its items, and what was repaired."""

    channel: Node
    items: list[Node]
    comments: int = 0
    repairs: list[tuple[int, str]] = field(default_factory=list)  # (line, what)


def looks_like_wxr(path: Path) -> bool:
    """Whether ``path`` starts like a WordPress export."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    return b"<rss" in head and b"wordpress.org/export/" in head


def parse(path: Path, shown_as: str) -> Export:
    """Parse the WXR file at ``path`` (named ``shown_as`` in messages)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ThoughtgenError.single(
                shown_as,
                None,
                f"the export is {size // (1024 * 1024)} MB, more than thoughtgen reads "
                f"({MAX_BYTES // (1024 * 1024)} MB); export it in parts (Tools → Export, "
                "by date range) and import each",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ThoughtgenError.single(shown_as, None, f"cannot read the export: {exc}") from None
    text, repairs = _decode(data, shown_as)
    return _Builder(shown_as, repairs).run(text)


def _decode(data: bytes, shown_as: str) -> tuple[str, list[tuple[int, str]]]:
    """The export as text, with what had to be replaced or removed, by line."""
    repairs: list[tuple[int, str]] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _XML_DECLARATION.match(data[:200])
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if encoding in ("iso-8859-1", "latin-1", "latin1"):
            encoding = "cp1252"  # what such exports hold in practice, and a superset
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ThoughtgenError.single(
            shown_as, 1, f"the export declares encoding {encoding!r}, which thoughtgen cannot read"
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        for line, _ in _lines_of(text, "\ufffd"):
            repairs.append((line, f"bytes that are not {encoding} text were replaced by '\ufffd'"))
    if text.startswith("\ufeff"):
        text = text[1:]
    if _NOT_XML.search(text):
        for line, char in _lines_of(text, _NOT_XML):
            repairs.append((line, f"removed the control character U+{ord(char):04X}"))
        text = _NOT_XML.sub("", text)
    return text, repairs


def _lines_of(text: str, what: str | re.Pattern[str]) -> list[tuple[int, str]]:
    """(line, character) of the first match on each line, at most 20 lines."""
    pattern = what if isinstance(what, re.Pattern) else re.compile(re.escape(what))
    found: list[tuple[int, str]] = []
    line, position = 1, 0
    for match in pattern.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if not found or found[-1][0] != line:
            found.append((line, match.group(0)))
            if len(found) == 20:
                break
    return found


class _Refused(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


class _Builder:
    """Builds the channel and its items from expat's events, dropping comments' bodies."""

    def __init__(self, shown_as: str, repairs: list[tuple[int, str]]) -> None:
        self.shown_as = shown_as
        self.repairs = repairs
        self.parser = expat.ParserCreate("utf-8", " ")
        self.stack: list[Node] = []
        self.channel = Node("channel", {}, 0)
        self.items: list[Node] = []
        self.comments = 0
        self.skipping = 0  # depth inside a wp:comment

    def run(self, text: str) -> Export:
        parser = self.parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        parser.StartDoctypeDeclHandler = self.refuse_doctype
        parser.EntityDeclHandler = self.refuse_entity
        parser.ExternalEntityRefHandler = self.refuse_external
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            for start in range(0, len(text), _CHUNK):
                parser.Parse(text[start : start + _CHUNK].encode("utf-8"), False)
            parser.Parse(b"", True)
        except _Refused as refused:
            raise ThoughtgenError.single(
                self.shown_as,
                parser.CurrentLineNumber,
                f"the export has {refused.what}; WordPress never writes one and thoughtgen "
                "does not expand them (they can make a small file huge or read other files)",
            ) from None
        except expat.ExpatError as exc:
            raise ThoughtgenError.single(
                self.shown_as,
                exc.lineno,
                f"the export is not well-formed XML ({expat.errors.messages[exc.code]}, "
                f"column {exc.offset + 1}); a text editor shows what is wrong on that line",
            ) from None
        if self.channel.line == 0:
            raise ThoughtgenError.single(
                self.shown_as, None, "the file has no RSS <channel>; it is not a WordPress export"
            )
        return Export(self.channel, self.items, self.comments, self.repairs)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _short(name)
        if self.skipping:
            self.skipping += 1
            return
        if tag == "wp:comment" and self.stack and self.stack[-1].tag == "item":
            self.comments += 1
            self.skipping = 1
            return
        node = Node(tag, {_short(k): v for k, v in attrs.items()}, self.parser.CurrentLineNumber)
        if tag == "channel" and self.channel.line == 0:
            self.channel = node
        elif tag == "item" and self.stack and self.stack[-1] is self.channel:
            self.items.append(node)
        elif self.stack:
            self.stack[-1].children.append(node)
        self.stack.append(node)

    def end(self, name: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        if self.stack:
            self.stack.pop()

    def chars(self, data: str) -> None:
        if self.skipping or not self.stack:
            return
        node = self.stack[-1]
        if node.tag in ("channel", "item", "rss"):
            return  # whitespace between elements
        if not node.parts:
            node.text_line = self.parser.CurrentLineNumber
        node.parts.append(data)

    def refuse_doctype(self, *args: object) -> None:
        raise _Refused("a DOCTYPE declaration")

    def refuse_entity(self, *args: object) -> None:
        raise _Refused("an ENTITY declaration")

    def refuse_external(self, *args: object) -> int:
        raise _Refused("a reference to an external entity")


def _short(name: str) -> str:
    """``http://wordpress.org/export/1.2/ post_name`` → ``wp:post_name``."""
    uri, _, local = name.rpartition(" ")
    if not uri:
        return local
    if uri.startswith("http://wordpress.org/export/"):
        return ("excerpt:" if uri.rstrip("/").endswith("/excerpt") else "wp:") + local
    prefix = _NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else f"{{{uri}}}{local}"
