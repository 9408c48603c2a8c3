"""Keys for outputs: a page whose key is unchanged since the last build need not be rendered.

A key covers everything that can change a page: thoughtgen's version, the config, every
template and static file of the theme, the page's own context (every field of each post and
page in it, a body by the hash of its source), and the parts of ``site`` the theme's
templates actually read, found by walking their syntax trees. A theme that uses ``site`` in
a way the walk cannot follow makes every page depend on the whole site: slower, never wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, Protocol

import jinja2
from jinja2 import nodes

from thoughtgen import __version__
from thoughtgen.markup import markdown_settings
from thoughtgen.model import Body, Page, Post, Site, Tag, only_models
from thoughtgen.theme import Theme

# Every field, so a field added to Site is covered without anyone remembering to list it.
WHOLE_SITE = tuple(f.name for f in fields(Site))


def hash_parts(*parts: object) -> str:
    try:
        text = "\x1f".join(parts)  # type: ignore[arg-type]  # mostly all text: joined in C
    except TypeError:
        text = "\x1f".join(p if isinstance(p, str) else repr(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _hash_bytes(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part)
        h.update(b"\x1f")
    return h.hexdigest()


def site_attributes(env: jinja2.Environment, templates: Iterable[Path]) -> set[tuple[str, ...]]:
    """Every ``site.a.b`` chain the templates read; WHOLE_SITE when one cannot be followed."""
    chains: set[tuple[str, ...]] = set()
    for path in templates:
        try:
            tree = env.parse(path.read_text(encoding="utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
            return {(name,) for name in WHOLE_SITE}  # rendering will report it
        chains |= _chains(tree)
    return chains


def template_files(theme: Theme) -> list[Path]:
    """Every template file of the theme chain (a parent's too: a template may extend it),
    as the theme listed them: links out of the site are not among them."""
    folders = theme.template_dirs
    return [p for p in theme.files if any(p.is_relative_to(f) for f in folders)]


class Memo(Protocol):
    """Somewhere to keep a result between builds (the build cache)."""

    def recall(self, key: str) -> str | None: ...

    def remember(self, key: str, value: str) -> None: ...


def remembered_site_attributes(
    env: jinja2.Environment, theme: Theme, memo: Memo | None
) -> set[tuple[str, ...]]:
    """site_attributes, kept in ``memo`` by the templates' bytes: parsing them all costs."""
    templates = template_files(theme)
    if memo is None:
        return site_attributes(env, templates)
    parts = [f"{path}={theme.digests[path]}" for path in templates]  # read once, by the theme
    key = "site-attributes " + hash_parts(__version__, jinja2.__version__, *parts)
    chains = _chains_from_json(memo.recall(key))
    if chains is None:
        chains = site_attributes(env, templates)
        memo.remember(key, json.dumps(sorted(chains)))
    return chains


def _chains_from_json(text: str | None) -> set[tuple[str, ...]] | None:
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if not isinstance(data, list) or not all(
        isinstance(chain, list) and all(isinstance(a, str) for a in chain) for chain in data
    ):
        return None
    return {tuple(chain) for chain in data}


def _chains(tree: nodes.Node) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    followed: set[int] = set()
    getattrs = list(tree.find_all(nodes.Getattr))
    inner = {id(g.node) for g in getattrs}  # part of a longer chain: the longer one counts
    for getattr_node in getattrs:
        if id(getattr_node) in inner:
            continue
        chain: list[str] = []
        node: nodes.Node = getattr_node
        while isinstance(node, nodes.Getattr):
            chain.append(node.attr)
            node = node.node
        if isinstance(node, nodes.Name) and node.name == "site":
            found.add(tuple(reversed(chain)))
            followed.add(id(node))
    for name in tree.find_all(nodes.Name):
        if name.name == "site" and id(name) not in followed:
            return {(attr,) for attr in WHOLE_SITE}  # passed around whole: assume anything
    return found


_UNKNOWN = object()


class _Identities:
    """What tells a page's context apart without digesting it, or _UNKNOWN when that is
    not known.

    Posts and pages count by identity: they are frozen, and an unchanged one is the same
    object in the next assembly. Plain values count by value; containers and other frozen
    dataclasses (a tag, a pager, a series) by what they hold, worked out once per object (a
    tag with its thousand posts is in the context of each of its pages). Anything else is
    unknown.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, object]] = {}

    def forget(self) -> None:
        self._known.clear()

    def of(self, value: Any) -> object:
        kind = type(value)
        if kind in _SHOWN_WHOLE:
            return value
        if kind is Post or kind is Page:
            return id(value)
        if kind is tuple or kind is list:
            if all(type(v) is Post for v in value):  # a listing: the common case, kept quick
                return (kind, *map(id, value))
            shown = [self.of(v) for v in value]
            return _UNKNOWN if any(v is _UNKNOWN for v in shown) else (kind, *shown)
        if kind is dict:
            pairs = [(k, self.of(v)) for k, v in value.items() if type(k) is str]
            if len(pairs) != len(value) or any(v is _UNKNOWN for _k, v in pairs):
                return _UNKNOWN
            return (dict, *sorted(pairs, key=itemgetter(0)))
        if is_dataclass(kind) and kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            known = self._known.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            shape = _fields_of(kind)
            assert shape is not None
            found = self.of([shape[0], *shape[1](value)])
            self._known[id(value)] = (value, found)  # kept alive: its id is not given again
            return found
        if isinstance(value, Enum):
            return (kind, value.value)
        return _UNKNOWN


# Values whose repr shows all of them, the same way every time (a datetime's shows its zone).
_SHOWN_WHOLE = frozenset((str, int, float, bool, type(None), datetime, date))


def _fields_of(
    kind: type, left_out: frozenset[str] = frozenset()
) -> tuple[str, Callable[[Any], tuple[Any, ...]]] | None:
    """A dataclass's name with its fields' names (part of the digest), and a getter of them,
    but for those ``left_out`` (which the head names too).

    None for a type that is not a dataclass.
    """
    if not is_dataclass(kind):
        return None
    names = tuple(f.name for f in fields(kind) if f.name not in left_out)
    getter = attrgetter(*names) if len(names) > 1 else (lambda value: (getattr(value, names[0]),))
    head = f"{kind.__name__}({','.join(names)})"
    if left_out:
        head += f"-({','.join(sorted(left_out))})"
    return head, getter


def key_repr(pair: tuple[Any, Any]) -> str:
    """A sort key for a mapping's items that any keys have: their repr."""
    return repr(pair[0])


# The fields of a post or page that are its source file's own: ``parse_source`` makes them
# from the file's bytes and path and from settings that every key holds besides (the config,
# the Markdown settings, thoughtgen's version), and assembling the site copies them as they
# are. The body's digest, the digest of those very bytes, stands for them all. The other
# fields (the status, the tags as the site spells them, the URL, links, aliases, the file's
# time) are what assembly decides, and are digested one by one, as any new field is.
FROM_SOURCE: dict[type, frozenset[str]] = {
    Post: frozenset(
        (
            "slug", "title", "date", "updated", "summary", "toc_html", "word_count",
            "canonical_url", "image", "series", "extra", "slug_line", "summary_given",
            "guid", "series_part", "syndication",
        )
    ),
    Page: frozenset(
        ("slug", "title", "date", "updated", "summary", "toc_html", "draft", "extra", "slug_line")
    ),
}  # fmt: skip


class Digests:
    """Stable digests of model values, memoised for one build.

    A dataclass (Post, Page, Tag, the config...) is digested field by field, as
    ``dataclasses.fields`` lists them, so a field added to the model is part of every key
    at once; of a post or page, the fields its source file decides count by its body's
    digest (``FROM_SOURCE``). A Body counts by the digest of its source; mappings and
    sequences by their items.
    """

    def __init__(self) -> None:
        self._memo: dict[int, str] = {}
        self._keep: list[object] = []  # memoised values stay alive, so their ids stay unique
        self._shapes: dict[type, tuple[str, Callable[[Any], tuple[Any, ...]]] | None] = {}

    def of(self, value: Any) -> str:
        """A digest of ``value`` as a template could see it."""
        kind = type(value)
        if kind in _SHOWN_WHOLE:
            return repr(value)
        if kind is Body:
            return "body:" + value.digest  # the HTML follows from the source bytes
        memo = self._memo.get(id(value))
        if memo is not None:
            return memo
        shape = self._shape(kind)
        if shape is not None:
            head, getter = shape
            shown = [
                v if type(v) in _SHOWN_WHOLE else ("digest", self.of(v)) for v in getter(value)
            ]  # a digest in a tuple: never mistaken for a text field's value
            digest = hash_parts(head, repr(shown))
        elif isinstance(value, str | int | float):  # an enum (a post's status)
            return f"{kind.__name__}:{value}"
        elif isinstance(value, dict) or (hasattr(value, "items") and callable(value.items)):
            if not value:
                return "map:{}"
            digest = hash_parts(
                "map",
                *(f"{k!r}={self.of(v)}" for k, v in sorted(value.items(), key=key_repr)),
            )
        elif isinstance(value, list | tuple | set | frozenset):
            if isinstance(value, tuple) and value:
                rows = self._rows(value)
                if rows is not None:
                    return rows
            items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
            digest = hash_parts("seq", *(self.of(v) for v in items))
        elif isinstance(value, date):
            digest = repr(value)  # a subclass of datetime: its repr shows the zone too
        else:
            digest = hash_parts(kind.__name__, repr(value))
        # Shared by many pages, worth keeping: a post, a page, a tag, or a tuple of posts
        # (frozen, so its digest holds as long as it lives).
        if isinstance(value, Post | Page | Tag) or (kind is tuple and only_models(value)):
            self._memo[id(value)] = digest
            self._keep.append(value)
        return digest

    def _shape(self, kind: type) -> tuple[str, Callable[[Any], tuple[Any, ...]]] | None:
        if kind not in self._shapes:
            self._shapes[kind] = _fields_of(kind, FROM_SOURCE.get(kind, frozenset()))
        return self._shapes[kind]

    def _rows(self, items: Sequence[Any]) -> str | None:
        """Small dataclasses of plain fields (a post's tags) shown as rows in one repr."""
        kind = type(items[0])
        shape = self._shape(kind)
        if shape is None:
            return None
        head, getter = shape
        if not _SHOWN_WHOLE.issuperset(map(type, getter(items[0]))):
            return None  # posts, say: digested one by one
        rows = [getter(item) for item in items if type(item) is kind]
        if len(rows) != len(items) or not _SHOWN_WHOLE.issuperset(type(v) for r in rows for v in r):
            return None
        return f"{head}{rows!r}"


class Fingerprints(Digests):
    """The keys of one build's outputs."""

    def __init__(
        self, site: Site, theme: Theme, env: jinja2.Environment, memo: Memo | None = None
    ) -> None:
        super().__init__()
        self.site = site
        config = site.config
        self.global_key = _hash_bytes(
            repr(
                (
                    __version__,
                    markdown_settings(),  # new HTML from the same source bytes
                    config,
                    theme.dirs,
                    site.include_drafts,
                    site.include_future,
                )
            ).encode(),
            *(f"{path}={digest}".encode() for path, digest in theme.digests.items()),
        )
        self.chains = sorted(remembered_site_attributes(env, theme, memo), key=".".join)
        self.site_key = self._site_key()
        # Page keys by what their contexts hold, for the next assembly (``remember``).
        self.remembering = False
        self._page_keys: dict[tuple[str, str], tuple[tuple[str, object], str, object]] = {}
        self._identities = _Identities()

    def _site_key(self) -> str:
        return hash_parts(*((".".join(chain), self._chain_value(chain)) for chain in self.chains))

    def retarget(self, site: Site) -> None:
        """Keys for ``site`` from now on: another assembly of the same config and theme.

        Digests memoised by identity stay valid (the model is frozen), so unchanged posts
        are not digested again. Once most of what is remembered belongs to earlier
        assemblies, it is forgotten.
        """
        assert site.config == self.site.config
        self.site = site
        self.site_key = self._site_key()
        self._identities.forget()  # tags and pagers are made anew by each assembly
        if len(self._keep) > 4 * (len(site.all_posts) + len(site.pages) + len(site.tags)) + 64:
            self._memo.clear()
            self._keep.clear()

    def _chain_value(self, chain: tuple[str, ...]) -> str:
        value: Any = self.site
        for attr in chain:
            try:
                value = getattr(value, attr)
            except AttributeError:
                return "<missing>"
            if callable(value) and not isinstance(value, type):
                return self.of([self.site.all_posts, self.site.pages, self.site.now])
        return self.of(value)

    def page_key(self, template: str, url: str, context: dict[str, Any]) -> str:
        """The key of one page; the same as last time, without digesting anything, when the
        page's context is made of the very same posts and pages as then (``serve``)."""
        if not self.remembering:  # a build that plans once: nothing to compare with
            return self._page_key(template, url, context)
        kept = self._page_keys.get((template, url))
        if kept is not None and kept[2] is context and kept[0][0] == self.site_key:
            return kept[1]  # the very context of last time (the renderer keeps it)
        shape = (self.site_key, self._identities.of(context))
        known = shape[1] is not _UNKNOWN
        if kept is not None and known and kept[0] == shape:
            return kept[1]
        key = self._page_key(template, url, context)
        if known:
            # The context stays alive with its shape, so no id in it is given to another.
            self._page_keys[(template, url)] = (shape, key, context)
        return key

    def _page_key(self, template: str, url: str, context: dict[str, Any]) -> str:
        return hash_parts(
            self.global_key,
            self.site_key,
            template,
            url,
            *(f"{k}={self.of(v)}" for k, v in sorted(context.items())),
        )
