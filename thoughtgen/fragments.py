"""``{% cache post %}…{% endcache %}``: a part of a template made once per post.

The archive lists every post by date and title; at ten thousand posts, rendering those
lines is most of a rebuild after one title changes. A ``cache`` block names the values its
output follows from (its keys); the environment keeps what the block made for each of
them, so a later page, or the next rebuild of ``serve``, hands back the same text for a
post it has seen. A post is known by identity: models are frozen, and an unchanged post is
the very same object in the next assembly, while an edited one is a new object. A tuple
of posts and pages (a month of the archive) is known by identity too, as it is frozen; a
list of them by each post in it, in order.

What a block may read is checked when the template is compiled: the keys that are plain
names (``{% cache post %}``; a key like ``post.title`` vouches for nothing else of the
post), names it sets itself, and what stays the same for the environment's whole life
(``config``, ``url``, ``abs_url``, ``asset`` and Jinja's pure helpers). Anything else
(``site``, ``loop``, the page's own variables) is a template error naming the block's line,
so a cached part can never show something stale; so is an ``include`` or ``import``
inside the block, since what the other template reads cannot be checked. A key of another
kind than a post, a page, a plain value or a list of posts and pages is not cached: the
block is rendered every time.

The environment lives as long as one config and one theme (``serve`` makes another when
either changes), so those are never part of a key.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from thoughtgen.incremental.views import (
    NOTES_OWN_READS,
    Reads,
    current_reads,
    frozen,
    merge_reads,
    reading,
)
from thoughtgen.model import MODELS, only_models

# Names a block may read besides its keys: the same for every page of an environment.
STEADY = frozenset({"config", "url", "abs_url", "asset", "generator", "range", "dict"})
_PLAIN = (str, int, float, bool, type(None))
# Statements that bring in another template, which may read anything (``site``, the page).
_OTHER_TEMPLATE = (nodes.Include, nodes.Import, nodes.FromImport)
_LIMIT = 200_000  # entries kept before starting over (each edit of serve adds a few)


class FragmentCache(Extension):
    """The ``cache`` tag."""

    tags = {"cache"}  # noqa: RUF012 (Jinja's own class attribute)

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.made: dict[tuple[object, ...], tuple[str, Reads, list[Any]]]
        self.made = {}
        self._blocks = 0

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        if parser.stream.current.test("block_end"):
            parser.fail("the cache block needs a key: {% cache post %}", lineno)
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        if any(_brings_in_a_template(node) for node in body):
            parser.fail(
                "a cache block cannot include or import another template (what that one "
                "reads cannot be checked): include it outside the block",
                lineno,
            )
        # Only a key that is a name vouches for it: ``post.title`` as a key says nothing of
        # the rest of the post.
        named = {key.name for key in keys if isinstance(key, nodes.Name)}
        unsteady = sorted(_read_names(body) - named - STEADY)
        if unsteady:
            name = unsteady[0]
            parser.fail(
                f"the cache block reads {', '.join(unsteady)}, but it may read only its keys "
                f"and what is the same on every page ({', '.join(sorted(STEADY))}): add "
                f"{name} to its keys ({{% cache {name} %}}, with the others) or read it "
                "outside the block",
                lineno,
            )
        self._blocks += 1
        block = nodes.Const(f"{parser.name}:{lineno}:{self._blocks}")
        call = self.call_method("_cached", [block, nodes.List(keys)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _cached(self, block: str, keys: list[Any], caller: Any) -> str:
        key = _key(block, keys)
        if key is None:
            return caller()
        outer = current_reads()
        found = self.made.get(key)
        if found is None:
            if not all(only_models(value) for value in keys if type(value) is tuple):
                return caller()  # a tuple holding more than posts and pages: never cached
            with reading() as reads:
                text = caller()
            if len(self.made) >= _LIMIT:
                self.made.clear()
            found = self.made[key] = (text, frozen(reads), _kept(keys))  # ids stay theirs
        if outer is not None:
            merge_reads(outer, found[1])
        return found[0]


NOTES_OWN_READS.add(FragmentCache._cached)  # not every key read whole: what the block read


def _key(block: str, keys: list[Any]) -> tuple[object, ...] | None:
    parts: list[object] = [block]
    for value in keys:
        kind = type(value)
        if kind in MODELS:
            parts.append((kind, id(value)))
        elif kind in _PLAIN:
            parts.append((kind, value))
        elif kind is tuple:  # (what it holds is looked at only when nothing was made yet)
            parts.append((tuple, id(value)))  # kept alive with what it made: frozen, and its own
        elif kind is list and only_models(value):
            parts.append((list, *map(id, value)))
        else:
            return None
    return tuple(parts)


def _kept(keys: list[Any]) -> list[Any]:
    """The keys as kept beside what they made: a list as a tuple of what it held then, so
    a list changed later cannot let the ids of its old posts go to other objects."""
    return [tuple(value) if type(value) is list else value for value in keys]


def _brings_in_a_template(node: nodes.Node) -> bool:
    if isinstance(node, _OTHER_TEMPLATE):
        return True
    return any(isinstance(inner, _OTHER_TEMPLATE) for inner in node.find_all(nodes.Stmt))


def _read_names(body: list[nodes.Node]) -> set[str]:
    """Names the block reads that it does not set itself."""
    loaded: set[str] = set()
    stored: set[str] = set()
    for node in body:
        for name in node.find_all(nodes.Name):
            (loaded if name.ctx == "load" else stored).add(name.name)
    return loaded - stored
