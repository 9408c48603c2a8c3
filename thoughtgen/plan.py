"""Planning a build: every output the site will have, with the key that says when to remake it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from thoughtgen.calendar.heatmap import heatmap
from thoughtgen.calendar.ics import render_ics
from thoughtgen.calendar.report import report_for
from thoughtgen.calendar.text import UNIT
from thoughtgen.cards.plan import KeptCards, plan_cards
from thoughtgen.config import Config
from thoughtgen.feeds import feed_specs
from thoughtgen.incremental.fingerprints import Fingerprints, Memo
from thoughtgen.incremental.replaced import remade, replaced
from thoughtgen.incremental.stamp import clock_span, path_identity
from thoughtgen.model import Page, Post, Site
from thoughtgen.outputs import OutputFile, Planned
from thoughtgen.redirects import REDIRECTS_PATH, redirect_page, redirects_file
from thoughtgen.render import HtmlRenderer, PageSpec, page_path
from thoughtgen.sitemap import Shown, render_sitemap, shown_of
from thoughtgen.theme import Theme, find_theme


class Planning:
    """The theme, the renderer and the fingerprints of one build."""

    def __init__(
        self,
        site: Site,
        site_dir: Path,
        memo: Memo | None = None,
        theme: Theme | None = None,
        *,
        remembering: bool = False,
        noting: bool = False,
    ) -> None:
        """``remembering`` keeps what planning works out (related posts, page keys, what
        each page read of its posts) for the next assembly of the site, which ``retarget``
        hands over (``serve``); a build that plans once does without. ``noting`` alone has
        the templates note what they read of posts (``pageviews``)."""
        self.site = site
        self.site_dir = site_dir
        self.theme = theme or find_theme(site_dir, site.config.theme)
        self.renderer = HtmlRenderer(site, self.theme, site_dir, memo, noting=remembering or noting)
        self.prints = Fingerprints(site, self.theme, self.renderer.env, memo)
        self._pages: dict[str, tuple[str, Planned]] | None = None  # by URL, once remembering
        self._plan: tuple[str, list[PageSpec], list[Planned]] | None = None  # likewise, the last
        self.cards: KeptCards | None = None  # likewise
        self._sitemap: _Sitemap | None = None  # likewise
        self.started_ns = time.time_ns()  # static files changed since are known by their bytes
        if remembering:
            self.renderer.remember()
            self._pages = {}
            self.cards = KeptCards()
            self.prints.remembering = True

    def page(self, template: str, url: str, context: dict[str, Any]) -> Planned:
        """The planned page; the very one of the last plan (its key known) when the renderer
        handed back the same context and the parts of the site the theme reads are the same.
        """
        site_key = self.prints.site_key
        kept = self._pages
        if kept is not None:
            last = kept.get(url)
            if last is not None and last[0] == site_key:
                page = last[1].page
                if page is not None and page[0] == template and page[2] is context:
                    return last[1]
        planned = Planned(
            page_path(url),
            _origin(template, context),
            partial(self.prints.page_key, template, url, context),
            partial(self.renderer.page, template, url, context),
            (template, url, context),
        )
        if kept is not None:
            kept[url] = (site_key, planned)
        return planned

    def pages(self, pages: list[PageSpec]) -> list[Planned]:
        """``page`` of each. While remembering, a page the renderer handed over as the very
        (template, url, context) of the last plan, at the same place, is the very planned
        page of then when the parts of the site the theme reads are the same."""
        site_key, last = self.prints.site_key, self._plan
        if last is None or last[0] != site_key:
            planned = [self.page(*page) for page in pages]
        else:
            planned = remade(last[1], last[2], pages, lambda page: self.page(*page))
        if self._pages is not None:
            self._plan = (site_key, pages, list(planned))  # (the caller adds to its list)
        return planned

    def sitemap(self, site: Site, html_paths: tuple[str, ...]) -> list[OutputFile]:
        """``render_sitemap``; the last one again (``serve``) when made from the same."""
        if not self.prints.remembering:
            return render_sitemap(site, html_paths)
        pages = [shown_of(page) for page in site.pages]
        last = self._sitemap
        if (
            last is None
            or (last.paths, last.config, last.pages) != (html_paths, site.config, pages)
            or len(last.posts) != len(site.posts)
            or any(
                shown_of(last.posts[i]) != shown_of(site.posts[i])
                for i in replaced(last.posts, site.posts)
            )
        ):
            files = render_sitemap(site, html_paths)
        else:
            files = last.files  # (an unchanged post is the very same object)
        self._sitemap = _Sitemap(html_paths, site.config, site.posts, pages, files)
        return files

    def retarget(self, site: Site) -> None:
        """Plan ``site`` from now on: another assembly of the same config, theme and templates.

        The theme's digests, the compiled templates and the memoised digests are kept.
        """
        self.site = site
        self.renderer.retarget(site)
        self.prints.retarget(site)
        self.started_ns = time.time_ns()

    def clock_span(self) -> tuple[int, int | None] | None:
        """``stamp.clock_span`` of the site, for what its theme reads of the clock."""
        return clock_span(self.site, self.prints.chains)


def plan_site(site: Site, site_dir: Path, planning: Planning | None = None) -> list[Planned]:
    """Pages, feeds, sitemap, calendar and static files, in a stable order."""
    planning = planning or Planning(site, site_dir)
    theme, renderer, prints = planning.theme, planning.renderer, planning.prints
    settings = site.config.calendar
    extra_pages = []
    extra_files: list[Planned] = []
    if settings.page or settings.ics:
        report = report_for(site)
        if settings.page:
            extra_pages.append(
                (
                    "calendar.html",
                    "calendar/",
                    {"report": report, "grid": heatmap(report), "unit": UNIT[report.cadence]},
                )
            )
        if settings.ics:
            extra_files.append(
                Planned("calendar.ics", "calendar", None, partial(_ics, report, site))
            )

    planned = planning.pages(renderer.plan(extra_pages))
    html_paths = tuple(p.path for p in planned)
    planned += _redirects(site)
    for spec in feed_specs(site, theme):
        keying = partial(
            prints.page_key,
            spec.origin,
            spec.path,
            {"posts": spec.posts, "title": spec.title, "atom": spec.atom},
        )
        planned.append(Planned(spec.path, spec.origin, keying, partial(spec.render, site)))
    sitemap = _Once(partial(planning.sitemap, site, html_paths))
    for index, (path, origin) in enumerate(
        (("sitemap.xml", "sitemap"), ("robots.txt", "robots.txt"))
    ):
        planned.append(Planned(path, origin, None, partial(sitemap.nth, index)))
    planned += extra_files
    planned += plan_cards(site, prints, planning.cards)
    static = [
        (f, f"theme file {f.source.name}", "sha256:" + theme.digests[f.source])  # read already
        for f in theme.static_files
    ]
    static += [
        (f, f"content/static/{f.out_path}", path_identity(f.source, planning.started_ns))
        for f in site.static
        if f.out_path != REDIRECTS_PATH or not _has_aliases(site)
    ]
    for file, origin, identity in static:
        key = f"static:{file.source}:{identity}"
        planned.append(
            Planned(
                file.out_path,
                origin,
                key,
                partial(OutputFile, file.out_path, None, file.source, origin),
            )
        )
    return planned


@dataclass(frozen=True)
class _Sitemap:
    """The sitemap of the last plan, with what it was made from."""

    paths: tuple[str, ...]
    config: Config
    posts: tuple[Post, ...]
    pages: list[Shown]
    files: list[OutputFile]


def _has_aliases(site: Site) -> bool:
    return any(post.aliases for post in site.posts) or any(page.aliases for page in site.pages)


def _redirects(site: Site) -> list[Planned]:
    """A redirect page per alias of each published item, and ``_redirects`` listing them all."""
    if not _has_aliases(site):
        return []
    items: tuple[Post | Page, ...] = (*site.posts, *site.pages)
    planned = [
        Planned(
            alias.path,
            f"alias of {item.source}",
            None,
            partial(redirect_page, alias, item, site.config),
        )
        for item in items
        for alias in item.aliases
        if alias.path
    ]
    own = next((f.source for f in site.static if f.out_path == REDIRECTS_PATH), None)
    planned.append(
        Planned(REDIRECTS_PATH, "redirects", None, partial(_redirects_file, items, site, own))
    )
    return planned


def _redirects_file(items: tuple[Post | Page, ...], site: Site, own: Path | None) -> OutputFile:
    return redirects_file(items, site.config, own.read_bytes() if own else b"")


def _origin(template: str, context: dict[str, Any]) -> str:
    """What a page is made from, for messages: its source file, or else its template."""
    item = context.get("post") or context.get("page")
    source = getattr(item, "source", None)
    return source if isinstance(source, str) else template


def _ics(report: object, site: Site) -> OutputFile:
    return OutputFile("calendar.ics", render_ics(report, site.config), origin="calendar")  # type: ignore[arg-type]


class _Once:
    """Several outputs made by one call (the sitemap and robots.txt), made only once."""

    def __init__(self, make: Callable[[], list[OutputFile]]) -> None:
        self.make = make
        self.made: list[OutputFile] | None = None

    def nth(self, index: int) -> OutputFile:
        if self.made is None:
            self.made = self.make()
        return self.made[index]
