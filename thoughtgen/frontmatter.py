"""Splitting a source into YAML front matter and body, and checking the front matter."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thoughtgen.errors import shown
from thoughtgen.yamlio import MAX_BYTES, YamlSyntaxError, parse_yaml

KNOWN_KEYS = (
    "title",
    "date",
    "updated",
    "tags",
    "summary",
    "draft",
    "status",
    "slug",
    "author",
    "canonical_url",
    "image",
    "series",
    "aliases",
    "guid",
    "series_part",
    "syndication",
)
# Keys people often write for a known one; flagged even where difflib would not match them.
_ALIASES = {
    "tag": "tags",
    "category": "tags",
    "categories": "tags",
    "description": "summary",
    "modified": "updated",
    "lastmod": "updated",
    "published": "date",
    "alias": "aliases",
    "redirect_from": "aliases",
    "part": "series_part",
    "syndicated": "syndication",
}


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# A top-level ``key: value`` line as writers type it (the key a plain name).
_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(?P<value>.*))?$")


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    key_lines: dict[str, int]  # absolute 1-based line numbers in the file
    body: str
    body_line: int  # the file line the body starts on
    # Keys left empty because what followed the colon began with " #", a YAML comment:
    # key → the text after the '#'.
    commented: dict[str, str] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def split_front_matter(text: str) -> FrontMatter:
    """Parse ``---``-delimited YAML at the top of ``text``. Raises FrontMatterError."""
    if not text.startswith("---") or text[3:4] not in ("\n", " ", "\t", ""):
        raise FrontMatterError(1, "no front matter: the file must start with a '---' line")
    first_nl = text.find("\n")
    if first_nl == -1 or text[3:first_nl].strip():
        raise FrontMatterError(1, "no front matter: the file must start with a '---' line")
    pos = first_nl + 1
    end = -1
    while pos <= len(text):
        nl = text.find("\n", pos)
        line = text[pos:] if nl == -1 else text[pos:nl]
        if line.rstrip() in ("---", "..."):
            end = pos
            break
        if nl == -1:
            break
        pos = nl + 1
    if end == -1:
        raise FrontMatterError(1, "front matter is not closed: add a '---' line after it")
    yaml_text = text[first_nl + 1 : end]
    nl = text.find("\n", end)
    body = "" if nl == -1 else text[nl + 1 :]
    yaml_lines = yaml_text.count("\n")
    size = len(yaml_text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise FrontMatterError(
            1,
            f"front matter is larger than {MAX_BYTES // 1024} KiB ({size // 1024} KiB); "
            "keep long text in the body",
        )
    try:
        doc = parse_yaml(yaml_text, first_line=2)
    except YamlSyntaxError as exc:
        broke_at = min(exc.line or 2, yaml_lines + 1)
        raise FrontMatterError(*_plain_words(yaml_text, broke_at, exc)) from None
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be a mapping of key: value")
    for key in data:
        if not isinstance(key, str):
            written = "null" if key is None else str(key).lower() if isinstance(key, bool) else key
            raise FrontMatterError(
                doc.line_of(str(written), None) or _line_of_key(yaml_text, str(written)),
                f"key {shown(written)[1:-1] if isinstance(written, str) else written} "
                "is not a name; keys are words such as title or tags "
                "(put it in quotes if you mean it)",
            )
    key_lines = {k: line for k, line in doc.key_lines.items() if "." not in k}
    lines = yaml_text.split("\n")
    commented = {}
    for key, value in data.items():
        key_line = key_lines.get(key)
        if value is None and key_line is not None:
            after = lines[key_line - 2].partition(":")[2]
            if after.strip().startswith("#") and after[:1] in (" ", "\t"):
                commented[key] = after.strip()[1:].strip()
    return FrontMatter(data, key_lines, body, yaml_lines + 3, commented)


def _line_of_key(yaml_text: str, key: str) -> int:
    for number, line in enumerate(yaml_text.split("\n"), start=2):
        if line.startswith(key) and line[len(key) :].lstrip().startswith(":"):
            return number
    return 2


def _plain_words(yaml_text: str, line: int, exc: YamlSyntaxError) -> tuple[int, str]:
    """The YAML parser's complaint at ``line``, in the words of the usual mistake behind it.

    Parser messages ("mapping values are not allowed in this context") describe the
    grammar; writers mostly make one of three slips, recognisable from the raw lines.
    """
    message = exc.message
    if not message.startswith("invalid YAML"):
        return line, message  # our own limits and checks already speak plainly
    lines = yaml_text.split("\n")
    for number, text in enumerate(lines[: line - 1], start=2):
        if text.startswith("\t"):
            return number, f"line {number} starts with a tab: indent with spaces"
    here = lines[line - 2] if 0 <= line - 2 < len(lines) else ""
    match = _KEY_LINE.match(here)
    value = (match.group("value") or "") if match else ""
    if match and ": " in value and value[:1] not in ("'", '"', "[", "{", "|", ">"):
        key = match.group("key")
        return line, f"quote the {key}: it contains ': ' (write {key}: {_quoted(value.strip())})"
    for number, text in enumerate(lines[: line - 1], start=2):
        if _looks_like_body(text):
            return (
                number,
                f"front matter is not closed before line {number}: "
                "add a '---' line after the last key",
            )
    for kind, opening, closing in (("sequence", "list", "[]"), ("mapping", "mapping", "{}")):
        if f"while parsing a flow {kind}" in message and exc.context_line is not None:
            start = exc.context_line
            return (
                start,
                f"the {opening} opened with '{closing[0]}' on line {start} is not closed: "
                f"add '{closing[1]}' after its last item",
            )
    return line, message


def _looks_like_body(line: str) -> bool:
    """A top-level line that is no YAML a writer would mean: prose, a heading, HTML."""
    if not line.strip() or line[:1] in (" ", "\t", "#", "-", "[", "{", "?", ":", "'", '"'):
        return False
    return _KEY_LINE.match(line) is None and re.match(r"^[^:]+:(\s|$)", line) is None


def _quoted(value: str) -> str:
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def typo_of(key: str) -> str | None:
    """The known key that ``key`` is probably a misspelling of, if any."""
    if key in KNOWN_KEYS:
        return None
    if key.lower() in KNOWN_KEYS:
        return key.lower()
    if key in _ALIASES:
        return _ALIASES[key]
    match = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.8)
    return match[0] if match else None


LineFinder = Callable[[str, str], int | None]  # (source, front matter key) → line


def front_matter_lines(site_dir: Path) -> LineFinder:
    """A LineFinder reading the sources below ``site_dir`` (for error messages only)."""

    def line_of(source: str, key: str) -> int | None:
        from thoughtgen.sources import clean_text, decode_newlines

        try:
            data = (site_dir / source).read_bytes()
            fm = split_front_matter(clean_text(decode_newlines(data.decode("utf-8-sig"))))
        except (OSError, UnicodeDecodeError, FrontMatterError):
            return None
        return fm.key_lines.get(key)

    return line_of
