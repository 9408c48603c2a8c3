"""Where things live once the Site is assembled: aliases, links between sources, bundle files.

Each of these depends on more than one file (a link names another post; an alias must
not take another page's address), so they are settled here, after every item is parsed
and has its URL, and before the model is frozen.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from thoughtgen.config import Config
from thoughtgen.errors import ProblemLog
from thoughtgen.model import Alias, Page, Post
from thoughtgen.outputs import page_path
from thoughtgen.parse import ParsedItem, SourceLink
from thoughtgen.permalinks import expand
from thoughtgen.sources import POST_SUFFIXES, StaticFile

Item = TypeVar("Item", bound=Post | Page)

# Extensions a static host serves as a web page; an alias with another one (.php, .asp)
# can only be redirected by hosts that read _redirects.
PAGE_SUFFIXES = (".html", ".htm")


def resource_folder(url: str) -> str:
    """Where a post's bundle files are published: beside its page, in a folder of its own."""
    return url if url.endswith("/") else url.rsplit(".", 1)[0] + "/"


class Addresses:
    """The URL of every source, and what each item's aliases and links resolve to."""

    def __init__(
        self,
        config: Config,
        items: Sequence[ParsedItem],
        static: Sequence[StaticFile],
    ) -> None:
        self.config = config
        self.items = {item.rel: item for item in items}
        self.urls = {item.rel: self._url(item) for item in items}
        self.bundle_files = {
            (f.bundle, f.out_path): f for f in static if f.bundle
        }  # (bundle folder, path inside) → file
        self.plain_static = [f for f in static if not f.bundle]
        self._claims: dict[str, str] = {page_path(url): rel for rel, url in self.urls.items()}

    def _url(self, item: ParsedItem) -> str:
        permalinks = self.config.permalinks
        pattern, section = (
            (permalinks.posts, "posts") if item.kind == "post" else (permalinks.pages, "pages")
        )
        return expand(pattern, item.slug, item.date, self.config.tz, section)

    def complete(self, item: ParsedItem, model: Item, log: ProblemLog) -> Item:
        """``model``, made of ``item``, with its aliases and link targets settled (problems
        go to ``log``). The item's address and bundle must be those this was made with."""
        aliases = tuple(self._aliases(item, model.url, log))
        links = tuple(self._links(item, log))
        if not aliases and not links:
            return model
        return replace(model, aliases=aliases, links=links)

    def _aliases(self, item: ParsedItem, url: str, log: ProblemLog) -> list[Alias]:
        found: list[Alias] = []
        for text in item.aliases:
            rel = self._site_relative(text)
            if rel is None:
                log.error(
                    item.rel,
                    item.aliases_line,
                    f"alias {text} is not on this site ({self.config.site_url}); "
                    "an alias is an old path such as /2013/05/old/ that redirects here",
                )
                continue
            if rel in (url, url.rstrip("/")):
                continue  # the page is there already
            alias = _alias(rel, self.config.base_path)
            claim = alias.path or alias.request
            other = self._claims.setdefault(claim, item.rel)
            if other != item.rel:
                owned = page_path(self.urls.get(other, "")) == claim
                what = "the URL" if owned else "an alias"
                log.error(
                    item.rel,
                    item.aliases_line,
                    f"alias {alias.request} is already {what} of {other}; "
                    "keep it in only one of them",
                )
                continue
            if not alias.path:
                log.warn(
                    item.rel,
                    item.aliases_line,
                    f"alias {alias.request} is redirected only by hosts that read _redirects "
                    "(Netlify, Cloudflare Pages): a static file there would not be a web page",
                )
            found.append(alias)
        return found

    def _site_relative(self, text: str) -> str | None:
        """An alias as a path below the site root without the leading '/', or None if foreign."""
        if "://" not in text:
            return unquote(text.lstrip("/"))  # the file is named by the decoded path
        site = urlsplit(self.config.site_url)
        parts = urlsplit(text)
        if parts.hostname != site.hostname or not (parts.path or "/").startswith(site.path):
            return None
        return unquote((parts.path or "/")[len(site.path) :])

    def _links(self, item: ParsedItem, log: ProblemLog) -> list[tuple[str, str]]:
        resolved: list[tuple[str, str]] = []
        for link in item.links:
            target = self._target(item, link)
            if target is not None:
                resolved.append((link.href, "/" + target))
            elif link.target.lower().endswith(POST_SUFFIXES):
                log.warn(
                    item.rel,
                    link.line,
                    f"the link to {link.href} names no post or page in content/; "
                    "point it at an existing .md file or at a URL",
                )
        return resolved

    def _target(self, item: ParsedItem, link: SourceLink) -> str | None:
        """The published URL a link names: a source's page, or a file of the item's bundle."""
        path = link.target
        fragment = link.href.partition("#")[2]
        suffix = f"#{fragment}" if fragment else ""
        if path.lower().endswith(POST_SUFFIXES):
            candidates = [path, posixpath.splitext(path)[0] + "/index.md"]
            if item.bundle:  # written as a sibling of the bundle folder: ../other.md
                outer = posixpath.dirname(item.bundle)
                name = posixpath.relpath(path, item.bundle)
                beside = posixpath.normpath(posixpath.join(outer, name))
                candidates += [beside, posixpath.splitext(beside)[0] + "/index.md"]
            for candidate in candidates:
                if candidate in self.urls:
                    return self.urls[candidate] + suffix
            return None
        if item.bundle and path.startswith(item.bundle + "/"):
            inside = path[len(item.bundle) + 1 :]
            if (item.bundle, inside) in self.bundle_files:
                return resource_folder(self.urls[item.rel]) + inside + suffix
        return None

    def published_static(self, shown: Sequence[Post | Page]) -> list[StaticFile]:
        """Static files, with the files of the shown posts' bundles below their URLs."""
        folders = {
            self.items[model.source].bundle: resource_folder(model.url)
            for model in shown
            if self.items[model.source].bundle
        }
        bundled = [
            StaticFile(f.source, folders[bundle] + inside)
            for (bundle, inside), f in sorted(self.bundle_files.items())
            if bundle in folders
        ]
        return [*self.plain_static, *bundled]


def _alias(rel: str, base_path: str) -> Alias:
    """Where the redirect page for the site-relative path ``rel`` goes."""
    request = base_path + rel
    last = rel.rstrip("/").rpartition("/")[2]
    if rel.endswith("/"):
        return Alias(request, rel + "index.html")
    if last.lower().endswith(PAGE_SUFFIXES):
        return Alias(request, rel)
    if "." in last:
        return Alias(request, "")
    return Alias(request, rel + "/index.html")
