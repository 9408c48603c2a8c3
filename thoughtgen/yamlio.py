"""YAML parsing that keeps line numbers and leaves dates as text.

Dates stay strings so that thoughtgen's own date parser can report an
impossible date with its file and line, instead of PyYAML raising a bare
``ValueError`` from deep inside its constructor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader (C-accelerated when available) without implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


class YamlSyntaxError(Exception):
    """Broken YAML, with the 1-based line (relative to the parsed text) where it broke."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus the 1-based line of each key (nested keys by dotted path)."""

    data: Any
    key_lines: dict[str, int]

    def line_of(self, dotted_key: str, default: int | None = None) -> int | None:
        return self.key_lines.get(dotted_key, default)


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raise :class:`YamlSyntaxError` with a line on failure."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        raise YamlSyntaxError(line, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlSyntaxError(
            line, f"invalid YAML: character U+{exc.character:04X} is not allowed here"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    if node is not None:
        _collect_key_lines(node, "", key_lines)
    return YamlDocument(data, key_lines)


def _collect_key_lines(node: yaml.Node, prefix: str, out: dict[str, int]) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        path = f"{prefix}{key_node.value}"
        out.setdefault(path, key_node.start_mark.line + 1)
        _collect_key_lines(value_node, path + ".", out)
