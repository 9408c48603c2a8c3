"""Reading the front matter other generators write: YAML ``---``, TOML ``+++``, JSON ``{``.

Unlike thoughtgen's own reader, this one never insists: a file without front matter is
all body, and a block it cannot read is reported as a note while the body is kept.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from thoughtgen.yamlio import YamlSyntaxError, parse_yaml


@dataclass
class ForeignFrontMatter:
    """Front matter as another generator wrote it, with keys as written (any case)."""

    data: dict[str, Any]
    body: str
    body_line: int  # the file line the body starts on (1-based)
    format: str  # "yaml", "toml", "json", "js" or "" when the file has none
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key → file line
    problem: tuple[int, str] | None = None  # (line, message) when the block did not read

    def get(self, *names: str, default: Any = None) -> Any:
        """The value of the first of ``names`` present, matching keys in any case."""
        lowered = {str(k).lower(): v for k, v in self.data.items()}
        for name in names:
            if name.lower() in lowered:
                return lowered[name.lower()]
        return default

    def line_of(self, *names: str) -> int | None:
        lowered = {k.lower(): v for k, v in self.key_lines.items()}
        for name in names:
            if name.lower() in lowered:
                return lowered[name.lower()]
        return None


_FENCES = {"---": "yaml", "+++": "toml"}


def read_front_matter(text: str) -> ForeignFrontMatter:
    """Split ``text`` (newlines already LF) into front matter and body."""
    first, _, _rest = text.partition("\n")
    fence = first.strip()
    if fence.startswith("---") and fence[3:].strip() in ("js", "javascript", "json", "yaml", ""):
        kind = fence[3:].strip() or "yaml"
        kind = "js" if kind == "javascript" else kind
        return _fenced(text, "---", kind)
    if fence == "+++":
        return _fenced(text, "+++", "toml")
    if first.startswith("{"):
        return _json_object(text)
    return ForeignFrontMatter({}, text, 1, "")


def _fenced(text: str, fence: str, kind: str) -> ForeignFrontMatter:
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == fence or (fence == "---" and lines[index].rstrip() == "..."):
            head = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return _parsed(head, body, index + 2, kind)
    return ForeignFrontMatter(
        {}, text, 1, kind, problem=(1, f"the front matter opened with '{fence}' is not closed")
    )


def _parsed(head: str, body: str, body_line: int, kind: str) -> ForeignFrontMatter:
    if kind == "js":
        return ForeignFrontMatter(
            {},
            body,
            body_line,
            "js",
            problem=(1, "JavaScript front matter cannot be read without running it"),
        )
    try:
        if kind == "toml":
            data = tomllib.loads(head)
            return ForeignFrontMatter(data, body, body_line, kind, _toml_key_lines(head))
        if kind == "json":
            data = json.loads(head)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return ForeignFrontMatter(data, body, body_line, kind, _plain_key_lines(head, 2))
        doc = parse_yaml(head, first_line=2)
    except YamlSyntaxError as exc:
        return ForeignFrontMatter({}, body, body_line, kind, problem=(exc.line or 1, exc.message))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        return ForeignFrontMatter({}, body, body_line, kind, problem=(1, f"invalid {kind}: {exc}"))
    data = doc.data if isinstance(doc.data, dict) else {}
    lines = {k: v for k, v in doc.key_lines.items() if "." not in k}
    return ForeignFrontMatter(data, body, body_line, kind, lines)


def _json_object(text: str) -> ForeignFrontMatter:
    """Hugo's JSON front matter: an object at the top, the body after its closing brace."""
    decoder = json.JSONDecoder()
    try:
        data, end = decoder.raw_decode(text)
    except ValueError as exc:
        return ForeignFrontMatter({}, text, 1, "json", problem=(1, f"invalid JSON: {exc}"))
    if not isinstance(data, dict):
        return ForeignFrontMatter({}, text, 1, "")
    head = text[:end]
    rest = text[end:]
    newline = rest.find("\n")
    body = "" if newline == -1 else rest[newline + 1 :]
    body_line = head.count("\n") + 2
    return ForeignFrontMatter(data, body, body_line, "json", _plain_key_lines(head, 1))


_TOML_KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_.-]+)["']?\s*=""")
_JSON_KEY = re.compile(r'^\s*"([^"]+)"\s*:')


def _toml_key_lines(head: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(head.split("\n"), start=2):
        if line.lstrip().startswith("["):
            break  # a table: keys below belong to it
        match = _TOML_KEY.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _plain_key_lines(head: str, first: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(head.split("\n"), start=first):
        match = _JSON_KEY.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines
