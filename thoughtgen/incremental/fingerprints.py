"""Keys for outputs: a page whose key is unchanged since the last build need not be rendered.

A key covers everything that can change a page: thoughtgen's version, the config, every
template and static file of the theme, the page's own context (posts by the hash of their
source, status and tags), and the parts of ``site`` the theme's templates actually read,
found by walking their syntax trees. A theme that uses ``site`` in a way the walk cannot
follow makes every page depend on the whole site: slower, never wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from thoughtgen import __version__
from thoughtgen.markup import markdown_settings
from thoughtgen.model import Page, Post, Site, Tag
from thoughtgen.render import Pager
from thoughtgen.theme import Theme

WHOLE_SITE = ("posts", "all_posts", "pages", "tags", "now", "include_drafts", "include_future")


def _hash(*parts: object) -> str:
    text = "\x1f".join(p if isinstance(p, str) else repr(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _hash_bytes(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part)
        h.update(b"\x1f")
    return h.hexdigest()


def site_attributes(env: jinja2.Environment, template_dirs: Iterable[Path]) -> set[tuple[str, ...]]:
    """Every ``site.a.b`` chain the templates read; WHOLE_SITE when one cannot be followed."""
    chains: set[tuple[str, ...]] = set()
    for directory in template_dirs:
        for path in sorted(directory.rglob("*")):
            if not path.is_file():
                continue
            try:
                tree = env.parse(path.read_text(encoding="utf-8"))
            except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
                return {(name,) for name in WHOLE_SITE}  # rendering will report it
            chains |= _chains(tree)
    return chains


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


class Fingerprints:
    """Stable digests of model objects, memoised for one build."""

    def __init__(self, site: Site, theme: Theme, env: jinja2.Environment) -> None:
        self.site = site
        self._memo: dict[int, str] = {}
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
        chains = site_attributes(env, theme.template_dirs)
        self.site_key = _hash(
            *sorted((".".join(chain), self._chain_value(chain)) for chain in chains)
        )

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

    def of(self, value: Any) -> str:
        """A digest of ``value`` as a template could see it."""
        if value is None or isinstance(value, str | int | float | bool):
            return repr(value)
        memo = self._memo.get(id(value))
        if memo is not None:
            return memo
        if isinstance(value, Post):
            digest = _hash(
                "post",
                value.body.digest,
                value.status,
                value.tags,
                value.author,
                value.file_modified,
                self.of(value.extra),
            )
        elif isinstance(value, Page):
            digest = _hash("page", value.body.digest, value.draft, self.of(value.extra))
        elif isinstance(value, Pager):
            digest = _hash(
                "pager",
                value.number,
                value.total,
                value.url,
                value.prev_url,
                value.next_url,
                *(self.of(item) for item in value.items),
            )
        elif isinstance(value, Tag):
            digest = _hash("tag", value.name, value.slug, *(self.of(p) for p in value.posts))
        elif isinstance(value, datetime | date):
            digest = value.isoformat()
        elif isinstance(value, dict) or (hasattr(value, "items") and callable(value.items)):
            digest = _hash(
                "map",
                *(f"{k}={self.of(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))),
            )
        elif isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
            digest = _hash("seq", *(self.of(v) for v in items))
        elif is_dataclass(value):
            digest = _hash(
                type(value).__name__,
                *(f"{f.name}={self.of(getattr(value, f.name))}" for f in fields(value)),
            )
        else:
            digest = _hash(type(value).__name__, repr(value))
        if isinstance(value, Post | Page | Tag):  # they live as long as the build: ids are stable
            self._memo[id(value)] = digest
        return digest

    def page_key(self, template: str, url: str, context: dict[str, Any]) -> str:
        return _hash(
            self.global_key,
            self.site_key,
            template,
            url,
            *(f"{k}={self.of(v)}" for k, v in sorted(context.items())),
        )
