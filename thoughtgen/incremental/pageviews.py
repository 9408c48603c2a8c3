"""What each page read when it was last rendered, kept in the build cache from one build to
the next, so a page whose key changed but whose view did not keeps its file unrendered.

A post's new sentence gives a new key to every page listing it: each of its tags' pages,
the archive, the home page. Those pages read the post's title, date and URL, not its body,
so their bytes come out the same. ``serve`` keeps views in memory (``session``); a build
keeps them here. A view is digested, not compared: the page's template and URL, the build's
frame (config, theme and the parts of ``site`` the templates read), its context with each
post known by its source and the page's own post or page in full, and the value of every
attribute the render read of each post, by repr. Rendering is deterministic, so a view with
the same digest gives the same bytes: the record says which (the file's digest), and only a
file with those very bytes is kept by it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from operator import attrgetter
from typing import Any

from thoughtgen.incremental.fingerprints import Digests, Memo, hash_parts
from thoughtgen.incremental.views import OWN, Reads, reading
from thoughtgen.model import Post, Site
from thoughtgen.outputs import OutputFile, Planned

MEMO_KEY = "page-views"
VERSION = 1
NOTED_AT_MOST = 2000  # pages rendered with their reads noted; more is a rebuild of the site
KEPT_AT_MOST = 4000  # views kept between builds (the newest first)

PageShape = tuple[str, str, Mapping[str, Any]]  # (template, url, context)
Record = tuple[str, str, Reads]  # (the file's digest, the view's digest, the reads)
Rendered = tuple[str, Reads] | None  # (the view's digest, the reads) of a render


class PageViews:
    """The views of the last builds' pages, and of the pages this build renders."""

    def __init__(
        self,
        memo: Memo,
        digests: Digests,
        frame: tuple[str, ...],
        site: Site,
        looked_through: frozenset[type],
    ) -> None:
        self.memo = memo
        self.digests = digests
        self.frame = frame
        self.site = site
        self.looked_through = looked_through
        self.before = _decode(memo.recall(MEMO_KEY))
        self.kept: dict[str, Record] = {}  # views that held this build, by path
        self.rendered: dict[str, tuple[str, Reads]] = {}
        self.noting = True
        self._posts: dict[str, Post] | None = None
        self._shapes: dict[int, tuple[object, object]] = {}
        self._getters: dict[frozenset[str], tuple[tuple[str, ...], Any]] = {}

    def expect(self, pages: int) -> None:
        """``pages`` are to be rendered: their reads are noted unless that is the whole site
        (a new theme or config), which the next edit will not find unchanged anyway."""
        self.noting = pages <= NOTED_AT_MOST

    # -- looking --------------------------------------------------------------------------
    def unchanged(self, item: Planned, digest: str) -> bool:
        """Whether ``item`` would read just what the file of ``digest`` was made from."""
        record = self.before.get(item.path)
        if record is None or item.page is None or record[0] != digest:
            return False
        if self.digest(item.page, record[2]) != record[1]:
            return False
        self.kept[item.path] = record
        return True

    def produce(self, item: Planned) -> tuple[OutputFile, Rendered]:
        """Make ``item``; for a page, note what it read (while ``noting``)."""
        if item.page is None or not self.noting:
            return item.produce(), None
        with reading() as reads:
            out = item.produce()
        view = self.digest(item.page, reads)
        return out, None if view is None else (view, reads)

    def digest(self, page: PageShape, reads: Reads) -> str | None:
        """The view's digest; None when a post it read is not in the site."""
        template, url, context = page
        parts: list[str] = [*self.frame, template, url]
        for name in sorted(context):
            value = context[name]
            shown = self.digests.of(value) if name in OWN else repr(self._shape(value))
            parts.append(f"{name}={shown}")
        posts = self._by_source()
        for source in sorted(reads):
            post = posts.get(source)
            if post is None:
                return None
            names = reads[source]
            if names is None:
                parts.append(f"{source}:{self.digests.of(post)}")
                continue
            ordered, getter = self._getter(names)
            try:
                values = getter(post)
            except AttributeError:  # a name the post does not have: the template got nothing
                values = tuple(getattr(post, name, _MISSING) for name in ordered)
            parts.append(f"{source}:{ordered!r}={values!r}")
        return hash_parts(*parts)

    def _getter(self, names: set[str] | frozenset[str]) -> tuple[tuple[str, ...], Any]:
        """The names in order, and a getter of their values as a tuple (the archive reads
        three attributes of every post: one call each)."""
        key = names if type(names) is frozenset else frozenset(names)
        found = self._getters.get(key)
        if found is None:
            shown = tuple(sorted(key))
            getter = attrgetter(*shown) if len(shown) > 1 else _one(shown)
            found = self._getters[key] = (shown, getter)
        return found

    def _by_source(self) -> dict[str, Post]:
        if self._posts is None:
            self._posts = {post.source: post for post in self.site.all_posts}
        return self._posts

    def _shape(self, value: Any) -> object:
        """``value`` with each post in it known by its source (``Viewer._alike``'s terms)."""
        kind = type(value)
        if kind is Post:
            return ("post", value.source)
        if kind is str or kind is int or kind is bool:
            return value
        if kind is tuple or kind is list:
            return (kind.__name__, [self._shape(v) for v in value])
        if kind is dict:
            return ("dict", sorted((repr(k), self._shape(v)) for k, v in value.items()))
        if kind in self.looked_through:
            known = self._shapes.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            names = tuple(value.__dataclass_fields__)
            whole = repr([(n, self._shape(getattr(value, n))) for n in names])
            shape = (kind.__name__, hash_parts(whole))  # a tag's thousand posts, digested once
            self._shapes[id(value)] = (value, shape)  # kept alive: its id stays its own
            return shape
        return ("digest", self.digests.of(value))

    # -- keeping ----------------------------------------------------------------------------
    def note(self, path: str, rendered: Rendered) -> None:
        """What the render of ``path`` read (made by ``produce``, maybe in a worker)."""
        if rendered is not None:
            self.rendered[path] = rendered

    def save(self, digests: Mapping[str, str]) -> None:
        """Keep the views that hold for the files now in the output (``digests``: each
        file's digest, by path) for the next build."""
        now: dict[str, Record] = {}
        for path, (view, reads) in self.rendered.items():
            digest = digests.get(path)
            if digest:
                now[path] = (digest, view, reads)
        for path, record in (*self.kept.items(), *self.before.items()):
            if len(now) >= KEPT_AT_MOST:
                break
            if path not in now and digests.get(path) == record[0]:
                now[path] = record
        if now != self.before:
            self.memo.remember(MEMO_KEY, _encode(now))


_MISSING = "<missing>"


def _one(names: tuple[str, ...]) -> Any:
    """A getter of no attribute or of one, giving a tuple as ``attrgetter`` of more does."""
    if not names:
        return lambda _post: ()
    getter = attrgetter(names[0])
    return lambda post: (getter(post),)


def _encode(records: Mapping[str, Record]) -> str:
    views = {
        path: [digest, view, {s: None if a is None else sorted(a) for s, a in reads.items()}]
        for path, (digest, view, reads) in records.items()
    }
    return json.dumps({"version": VERSION, "views": views}, ensure_ascii=False)


def _decode(text: str | None) -> dict[str, Record]:
    """The records kept; none from anything that is not what ``_encode`` wrote."""
    try:
        data = json.loads(text) if text else None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return {}
        records: dict[str, Record] = {}
        shared: dict[tuple[object, ...], frozenset[str]] = {}
        for path, (digest, view, reads) in data["views"].items():
            if not (isinstance(digest, str) and isinstance(view, str) and type(reads) is dict):
                return {}
            kept: Reads = {}
            for source, names in reads.items():
                if names is None:
                    kept[source] = None
                    continue
                found = shared.get(key := tuple(names))  # the archive: 3 names, 10,000 posts
                if found is None:
                    if not all(type(n) is str for n in key):
                        return {}
                    found = shared[key] = frozenset(key)
                kept[source] = found
            records[path] = (digest, view, kept)
        return records
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}
