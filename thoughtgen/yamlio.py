"""YAML parsing that keeps line numbers, leaves dates as text and cannot be made to blow up.

Dates stay strings so that thoughtgen's own date parser can report an
impossible date with its file and line, instead of PyYAML raising a bare
``ValueError`` from deep inside its constructor.

Every document is read with limits: its size, how deeply it nests and how many values
its aliases expand to. An alias (``*name``) repeats a whole anchored value, so a few lines
of nested aliases can stand for billions of values; without a cap, whatever walks the data
later (templates, digests, error messages) runs out of time or memory. The composer is
PyYAML's pure-Python one on top of the C parser: the C composer recurses on the C stack
and crashes the interpreter on deeply nested input instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from thoughtgen.errors import shown

MAX_BYTES = 256 * 1024
MAX_DEPTH = 50
MAX_VALUES = 100_000  # values in the document once every alias is expanded

_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_CORE + name for name in ("str", "seq", "map", "null", "merge")}
# Scalars whose text PyYAML converts; a bad text (``!!int abc``) is checked up front.
_CONVERTED_TAGS = {_CORE + name for name in ("int", "float", "bool")}
# Implicit types we do not want: dates stay text (see above), and a lone "=" is text too.
_DROPPED_RESOLVERS = {_CORE + "timestamp", _CORE + "value"}

_Parser: Any
try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # PyYAML built without libyaml: the pure-Python reader, scanner and parser

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


class YamlSyntaxError(Exception):
    """Broken YAML, with the line where it broke (counted from the ``first_line`` given)."""

    def __init__(self, line: int | None, message: str, context_line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.context_line = context_line  # where the broken construct began, if known


class _Loader(Composer, _Parser, SafeConstructor, Resolver):
    """Safe loading with limits, duplicate-key checks and only plain YAML types."""

    def __init__(self, text: str, first_line: int) -> None:
        _Parser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.first_line = first_line
        self.depth = 0
        self.values = 0
        # Per finished node: (values it stands for, levels below it). A node that an alias
        # names before it is finished contains itself.
        self.sizes: dict[int, tuple[int, int]] = {}

    def fail(self, mark: Any, message: str) -> YamlSyntaxError:
        return YamlSyntaxError(mark.line + self.first_line if mark else None, message)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            size = self.sizes.get(id(node))
            if size is None:
                raise self.fail(
                    event.start_mark,
                    f"'*{(event.anchor or '')[:40]}' is used inside its own anchor, so the value "
                    "contains itself; write the value out instead",
                )
            self._count(size[0], size[1], event, alias=True)
            return node
        self.depth += 1
        self._count(1, 0, event, alias=False)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        children: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        sizes = [self.sizes.get(id(child), (1, 0)) for child in children]
        total = min(MAX_VALUES + 1, 1 + sum(s[0] for s in sizes))
        self.sizes[id(node)] = (total, 1 + max((s[1] for s in sizes), default=-1))
        return node

    def _count(self, values: int, below: int, event: Any, alias: bool) -> None:
        if self.depth + below > MAX_DEPTH:
            raise self.fail(
                event.start_mark,
                f"values are nested more than {MAX_DEPTH} levels deep; flatten them",
            )
        self.values += values
        if self.values > MAX_VALUES:
            cause = (
                f"aliases such as '*{event.anchor[:40]}' expand to"
                if alias
                else "the document holds"
            )
            raise self.fail(
                event.start_mark,
                f"too big: {cause} more than {MAX_VALUES:,} values; "
                "write the values out or keep them in a separate file",
            )

    def compose_scalar_node(self, anchor: Any) -> Any:
        event = self.peek_event()
        explicit = event.tag not in (None, "!")
        node = super().compose_scalar_node(anchor)
        self._check_tag(node)
        if node.tag in _CONVERTED_TAGS:
            try:
                self.construct_object(node)
            except (ValueError, KeyError, TypeError, yaml.YAMLError):
                if explicit:
                    message = f"{shown(node.value)} is not a valid {_short_tag(node.tag)}"
                else:
                    message = f"cannot read {shown(node.value)} as a number"
                raise self.fail(
                    node.start_mark, f"{message}; put it in quotes to keep it as text"
                ) from None
        return node

    def compose_sequence_node(self, anchor: Any) -> Any:
        node = super().compose_sequence_node(anchor)
        self._check_tag(node)
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        node = super().compose_mapping_node(anchor)
        self._check_tag(node)
        first: dict[tuple[str, str], int] = {}
        for key, _value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _CORE + "merge":
                continue
            line = key.start_mark.line + self.first_line
            seen = first.get((key.tag, key.value))
            if seen is not None:
                where = f"lines {seen} and {line}" if seen != line else f"line {line}"
                raise self.fail(
                    key.start_mark, f"{shown(key.value)} appears twice ({where}): keep one"
                )
            first[(key.tag, key.value)] = line
        return node

    def _check_tag(self, node: Any) -> None:
        if node.tag in _PLAIN_TAGS or node.tag in _CONVERTED_TAGS:
            return
        raise self.fail(
            node.start_mark,
            f"the tag '{shown(_short_tag(node.tag), 40)[1:-1]}' is not supported; "
            "remove it and write plain text, a number, a list or a mapping",
        )


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_RESOLVERS]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus the line of each key (nested keys by dotted path)."""

    data: Any
    key_lines: dict[str, int]

    def line_of(self, dotted_key: str, default: int | None = None) -> int | None:
        return self.key_lines.get(dotted_key, default)


def parse_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; raise :class:`YamlSyntaxError` with a line on failure.

    Lines, in errors and in ``key_lines``, count from ``first_line`` for the text's first
    line, so a caller parsing part of a file gets the file's own line numbers.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlSyntaxError(
            None, f"larger than {MAX_BYTES // 1024} KiB ({size // 1024} KiB); make it shorter"
        )
    loader = _Loader(text, first_line)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        start = exc.context_mark.line + first_line if exc.context_mark else None
        raise YamlSyntaxError(line, f"invalid YAML: {problem}", start) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise YamlSyntaxError(
            line, f"invalid YAML: character U+{exc.character:04X} is not allowed here"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"invalid YAML: {shown(str(exc), 200)[1:-1]}") from None
    except RecursionError:  # the limits above make this unreachable; kept as a last guard
        raise YamlSyntaxError(None, "values are nested too deeply; flatten them") from None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    if node is not None:
        _collect_key_lines(node, "", key_lines, first_line)
    return YamlDocument(data, key_lines)


def _collect_key_lines(node: yaml.Node, prefix: str, out: dict[str, int], first_line: int) -> None:
    # Bounded by MAX_VALUES and MAX_DEPTH, which count values reached through aliases too.
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        path = f"{prefix}{key_node.value}"
        out.setdefault(path, key_node.start_mark.line + first_line)
        _collect_key_lines(value_node, path + ".", out, first_line)
