"""Splitting a source into YAML front matter and body, and checking the front matter."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from thoughtgen.yamlio import YamlSyntaxError, parse_yaml

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
}


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    key_lines: dict[str, int]  # absolute 1-based line numbers in the file
    body: str
    body_line: int  # the file line the body starts on

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
    try:
        doc = parse_yaml(yaml_text)
    except YamlSyntaxError as exc:
        line = min((exc.line or 1) + 1, yaml_lines + 1)
        raise FrontMatterError(line, exc.message) from None
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be a mapping of key: value")
    key_lines = {k: line + 1 for k, line in doc.key_lines.items() if "." not in k}
    return FrontMatter(data, key_lines, body, yaml_lines + 3)


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
