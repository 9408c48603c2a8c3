"""What a page read of the posts in it, so ``serve`` can tell when a post's change cannot
change the page.

An output's key digests every field of every post in its context: the archive, which lists
ten thousand posts by title and date, has a new key whenever one of them gets a new word.
While ``serve`` renders a page it notes each attribute the templates read of each post
(every ``post.title``, ``map(attribute=...)``, ``sort(attribute=...)`` goes through the
environment's ``getattr``/``getitem``); a post handed whole to a function, or printed whole,
counts as read whole. The page's *view* is then its context with each post shown by its
source path, plus the values of what was read. Rendering is deterministic: a page whose view
is unchanged would read the same values in the same order and give the same bytes, so
``serve`` keeps the file it has.

Only plain containers, pagers and tags are looked through; any other object in a context is
digested whole, as the output key does, since its own code may read posts unseen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from types import MethodType
from typing import Any

import jinja2
from jinja2.runtime import Context, Macro

from thoughtgen.incremental.fingerprints import Digests
from thoughtgen.model import SHOWN_WHOLE, Post, Tag

# What a render read of one post: attribute names, or None for everything. A frozen set
# is shared (a cache block's reads, handed to every page that shows the block).
Reads = dict[str, set[str] | frozenset[str] | None]

_local = threading.local()


def _reads() -> Reads | None:
    return getattr(_local, "reads", None)


def current_reads() -> Reads | None:
    """What the innermost ``reading()`` notes into; None outside of one."""
    return _reads()


def merge_reads(into: Reads, more: Reads) -> None:
    """Note in ``into`` everything ``more`` (made by ``frozen``: its sets are shared, never
    changed) says was read."""
    for source, attributes in more.items():
        seen = into.get(source, _NOTHING)
        if seen is _NOTHING:
            into[source] = attributes
        elif seen is None:
            continue
        elif attributes is None:
            into[source] = None
        elif type(seen) is set:
            seen |= attributes
        else:
            into[source] = seen | attributes


def frozen(reads: Reads) -> Reads:
    """``reads`` with sets that are never changed, to be merged into others (``merge_reads``)."""
    return {
        source: None if attributes is None else frozenset(attributes)
        for source, attributes in reads.items()
    }


@contextmanager
def reading() -> Iterator[Reads]:
    """Note, for the renders done inside, what they read of each post (by source path)."""
    reads: Reads = {}
    outer = _reads()
    _local.reads = reads
    try:
        yield reads
    finally:
        _local.reads = outer


def _read(reads: Reads, post: Post, attribute: object) -> None:
    source = post.source
    seen = reads.get(source, _NOTHING)
    if seen is None:
        return  # read whole already
    if not isinstance(attribute, str):
        reads[source] = None  # post[0] and the like: not an attribute, count it all
    elif seen is _NOTHING:
        reads[source] = {attribute}
    elif type(seen) is set:
        seen.add(attribute)
    elif attribute not in seen:
        reads[source] = {*seen, attribute}  # (a shared set is never changed)


# Nothing noted yet (by identity; a post once noted has a name in its set, or None).
_NOTHING: frozenset[str] = frozenset()


def _read_whole(reads: Reads, value: object) -> None:
    """Every post in ``value`` counts as read whole (handed to code that may read anything)."""
    kind = type(value)
    if kind is Post:
        reads[value.source] = None  # type: ignore[attr-defined]
    elif kind is tuple or kind is list or kind is set or kind is frozenset:
        for item in value:  # type: ignore[attr-defined]
            _read_whole(reads, item)
    elif kind is dict:
        for item in value.values():  # type: ignore[attr-defined]
            _read_whole(reads, item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            _read_whole(reads, getattr(value, name, None))


class ReadingContext(Context):
    """A template context whose calls count the posts they are given as read whole."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        reads = _reads()
        # A macro's reads are seen, and a cache block notes its own.
        if reads is not None and not isinstance(__obj, Macro) and not _notes_own(__obj):
            for value in args:
                if type(value) not in _PLAIN:
                    _read_whole(reads, value)
            for value in kwargs.values():
                if type(value) not in _PLAIN:
                    _read_whole(reads, value)
        return super().call(__obj, *args, **kwargs)


_PLAIN = frozenset((str, int, float, bool, type(None)))  # nothing of a post in them

# Functions that note what they read themselves (``thoughtgen.fragments``' cache block).
NOTES_OWN_READS: set[object] = set()


def _notes_own(obj: object) -> bool:
    return type(obj) is MethodType and obj.__func__ in NOTES_OWN_READS


class ReadingEnvironment(jinja2.Environment):
    """A Jinja environment that notes what templates read of posts, inside ``reading()``."""

    context_class = ReadingContext

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Post:
            _note(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) is Post:
            _note(obj, argument)
        return super().getitem(obj, argument)


def _note(post: Post, name: object) -> None:
    """``post.name`` was read; a name that is not a string (None: printed whole) counts
    as reading it all."""
    reads = _reads()
    if reads is not None:
        _read(reads, post, name)


SHOWN_WHOLE.append(partial(_note, name=None))


# The context entries that are the page's own item: read in Python by the renderer.
OWN = ("post", "page")


@dataclass
class View:
    """What one render of a page read, with the context it rendered, to compare with later."""

    template: str
    url: str
    context: Mapping[str, Any]
    reads: Reads
    posts: Mapping[str, Post]  # the posts read, of the assembly rendered, by source
    frame: tuple[str, ...]  # the rest of that render's inputs: the config, theme, site


@dataclass
class Viewer:
    """Compares views."""

    digests: Digests
    looked_through: frozenset[type] = frozenset({Tag})  # frozen dataclasses of plain fields

    def same(self, before: View, now: View) -> bool:
        """Whether a render of ``now`` would read just what the render of ``before`` read.

        ``now`` must have been made with ``before``'s reads.
        """
        if (before.frame, before.template, before.url) != (now.frame, now.template, now.url):
            return False
        if not self._same_context(before.context, now.context):
            return False
        for source, attributes in before.reads.items():
            old, new = before.posts.get(source), now.posts.get(source)
            if old is None or new is None:
                return False
            if old is new:
                continue  # frozen: the very same values
            if attributes is None:
                if self.digests.of(old) != self.digests.of(new):
                    return False
                continue
            for name in attributes:
                # By repr, not ==: equal datetimes in two zones print differently.
                if repr(getattr(old, name, _MISSING)) != repr(getattr(new, name, _MISSING)):
                    return False
        return True

    def _same_context(self, before: Mapping[str, Any], now: Mapping[str, Any]) -> bool:
        """Whether two contexts are alike with each post in them known by its source only;
        the page's own post or page (which the renderer reads in Python) in full."""
        if before.keys() != now.keys():
            return False
        for name, value in before.items():
            other = now[name]
            if name in OWN:
                if value is not other and self.digests.of(value) != self.digests.of(other):
                    return False
            elif not self._alike(value, other):
                return False
        return True

    def _alike(self, one: Any, other: Any) -> bool:
        """Whether ``one`` and ``other`` are alike with each post known by its source."""
        if one is other:
            return True  # (a list of one plan is never changed afterwards)
        kind = type(one)
        if kind is not type(other):
            return False
        if kind is Post:
            return one.source == other.source
        if kind is str or kind is int or kind is bool:
            return one == other
        if kind is tuple or kind is list:
            if len(one) != len(other):
                return False
            for a, b in zip(one, other, strict=True):
                if a is b or (type(a) is Post and type(b) is Post and a.source == b.source):
                    continue  # a listing: the common case, kept quick
                if not self._alike(a, b):
                    return False
            return True
        if kind is dict:
            return one.keys() == other.keys() and all(
                self._alike(value, other[key]) for key, value in one.items()
            )
        if kind in self.looked_through:
            return all(
                self._alike(getattr(one, name), getattr(other, name)) for name in _names(kind)
            )
        return self.digests.of(one) == self.digests.of(other)


_MISSING = "<missing>"


def _names(kind: type) -> tuple[str, ...]:
    return tuple(kind.__dataclass_fields__)  # type: ignore[attr-defined]
