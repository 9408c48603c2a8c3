"""Rendering the Site's HTML pages with Jinja2. Returns OutputFiles; writes nothing."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import jinja2

from thoughtgen import __version__
from thoughtgen.cards import ShareImage, share_image
from thoughtgen.dates import long_date
from thoughtgen.errors import ThoughtgenError
from thoughtgen.fragments import FragmentCache
from thoughtgen.frontmatter import front_matter_lines
from thoughtgen.incremental.fingerprints import Memo
from thoughtgen.incremental.replaced import replaced, unequal
from thoughtgen.incremental.views import ReadingEnvironment
from thoughtgen.links import rewrite_urls, under_base_path
from thoughtgen.model import MODELS, Page, Post, Site, Tag
from thoughtgen.outputs import OutputFile, page_path
from thoughtgen.related import KeptRelated, remembered_related
from thoughtgen.series import SeriesIndex, SeriesPlace, collect_series
from thoughtgen.theme import PARENT_PREFIX, THEME_STATIC_PREFIX, Theme


@dataclass(frozen=True)
class Pager:
    """One page of a paginated listing."""

    number: int
    total: int
    items: Sequence[Any]
    url: str
    prev_url: str | None
    next_url: str | None


# The frozen dataclasses of a context that a page's view looks through (``views``).
LOOKED_THROUGH = frozenset({Tag, Pager})


def paginate(items: Sequence[Any], per_page: int, first_url: str) -> list[Pager]:
    """Split ``items``; page 1 lives at ``first_url``, page N at ``first_url + 'page/N/'``."""
    total = _pages_of(items, per_page)
    return [
        _pager(n, total, items[(n - 1) * per_page : n * per_page], first_url)
        for n in range(1, total + 1)
    ]


def _pages_of(items: Sequence[Any], per_page: int) -> int:
    """How many pages ``paginate`` makes of ``items`` (one when there are none)."""
    return max(1, math.ceil(len(items) / per_page))


def _page_url(first_url: str, n: int) -> str:
    """The URL of page ``n`` of a listing whose first page is at ``first_url``."""
    return first_url if n == 1 else f"{first_url}page/{n}/"


def _pager(n: int, total: int, items: Sequence[Any], first_url: str) -> Pager:
    return Pager(
        n,
        total,
        items,
        _page_url(first_url, n),
        _page_url(first_url, n - 1) if n > 1 else None,
        _page_url(first_url, n + 1) if n < total else None,
    )


def make_environment(site: Site, theme: Theme, noting: bool = False) -> jinja2.Environment:
    """The theme's templates with thoughtgen's globals and filters; ``noting``: inside
    ``views.reading()``, they note what they read of posts (a plain environment renders
    the same bytes, without the cost of looking at every attribute read)."""
    config = site.config
    loader = jinja2.ChoiceLoader(
        [
            theme.template_loader(),
            jinja2.PrefixLoader(
                {PARENT_PREFIX: jinja2.FileSystemLoader(str(theme.parent_template_dir))},
                delimiter="/",
            ),
        ]
    )
    kind = ReadingEnvironment if noting else jinja2.Environment
    env = kind(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # One environment serves one build, whose templates were read and digested when it
        # began; checking each file's time again on every include costs a stat per page.
        auto_reload=False,
        cache_size=-1,  # every template of the theme stays loaded: no eviction to keep track of
        extensions=[FragmentCache],
    )
    versions = {
        f.out_path[len(THEME_STATIC_PREFIX) :]: theme.digests[f.source][:10]
        for f in theme.static_files
    }

    def url(path: str = "") -> str:
        return config.base_path + path.lstrip("/")

    def abs_url(path: str = "") -> str:
        return config.site_url + path.lstrip("/")

    def asset(path: str) -> str:
        version = versions.get(path)
        if version is None:
            raise jinja2.TemplateRuntimeError(f"no theme file static/{path}")
        return f"{url(THEME_STATIC_PREFIX + path)}?v={version}"

    env.globals.update(
        site_globals(site),
        config=config,
        url=url,
        abs_url=abs_url,
        asset=asset,
        generator=f"thoughtgen {__version__}",
    )
    env.filters.update(isodate=_isodate, longdate=long_date, month_name=_month_name)
    return env


def site_globals(site: Site) -> dict[str, Any]:
    """The template globals that name the assembled site (the rest follow from the config)."""

    def share_image_of(item: Post | Page | None = None) -> ShareImage | None:
        return share_image(site, item)

    return {"site": site, "share_image": share_image_of}


def _isodate(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _month_name(month: int) -> str:
    return datetime(2000, month, 1).strftime("%B")


class HtmlRenderer:
    def __init__(
        self,
        site: Site,
        theme: Theme,
        site_dir: Path,
        memo: Memo | None = None,
        *,
        noting: bool = False,
    ) -> None:
        """``noting``: the templates note what they read of posts (``serve``'s views)."""
        self.site = site
        self.site_dir = site_dir
        self.memo = memo
        self.related: KeptRelated | None = None  # kept for the next assembly (serve)
        self.contexts: dict[str, dict[str, Any]] | None = None  # likewise, by page URL
        self._post_plan: _PostPlan | None = None  # likewise, the posts' pages
        self._months: dict[tuple[int, int], tuple[Post, ...]] | None = None  # and the archive's
        self.env = make_environment(site, theme, noting)
        base_path = site.config.base_path
        # At the host's root, every link is already where it should be.
        self._to_base = None if base_path == "/" else under_base_path(base_path)

    def remember(self) -> None:
        """Keep what planning works out for the next assembly of the site (``serve``): the
        related posts, the pages' contexts, the posts' pages and the archive's months."""
        self.related = KeptRelated()
        self.contexts = {}
        self._months = {}

    def retarget(self, site: Site) -> None:
        """Render ``site`` from now on: another assembly of the same config and theme.

        The environment, with the templates it has compiled, is kept.
        """
        self.site = site
        self.env.globals.update(site_globals(site))

    def content(self, fragment: str) -> str:
        """Post and page HTML with root-relative links moved under the base path."""
        return fragment if self._to_base is None else rewrite_urls(fragment, self._to_base)

    def plan(
        self, extra: Sequence[tuple[str, str, dict[str, Any]]] = ()
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """Every HTML page as (template, url, context); ``extra`` adds pages of other stages.

        Contexts hold model objects only; a post's HTML is read when its page is rendered.
        """
        return [*self._plan(), *extra]

    def _plan(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        site = self.site
        per_page = site.config.posts_per_page
        context = self._context
        for pager in self._paginate(site.posts, per_page, ""):
            yield "index.html", pager.url, context(pager.url, pager=pager)
        series = collect_series(site.posts, front_matter_lines(self.site_dir))
        related = remembered_related(site.posts, site.config.related_posts, self.memo, self.related)
        yield from self._post_pages(site.posts, series, related)
        for one in series.series:
            yield "series.html", one.url, {"series": one}
        for page in site.pages:
            yield "page.html", page.url, context(page.url, page=page)
        yield "tags.html", "tags/", {"tags": site.tags}
        for tag in site.tags:
            for pager in self._paginate(tag.posts, per_page, tag.url):
                yield "tag.html", pager.url, context(pager.url, tag=tag, pager=pager)
        yield "archive.html", "archive/", {"years": archive_groups(site.posts, self._months)}
        yield "404.html", "404.html", {}

    def _post_pages(
        self, posts: tuple[Post, ...], series: SeriesIndex, related: dict[str, tuple[Post, ...]]
    ) -> list[PageSpec]:
        """Each post's page, newest first. While remembering (``serve``), the page of a post
        whose neighbours, series place and related posts are all the very ones of the last
        plan is the very (template, url, context) of then, found without a look at it."""
        chosen = [related.get(post.source, ()) for post in posts]
        places = series.places_of(posts)
        last = self._post_plan
        if last is None or len(last.posts) != len(posts):
            pages: list[PageSpec | None] = [None] * len(posts)
            redo: Iterable[int] = range(len(posts))
        else:
            pages = list(last.pages)
            again = {n for i in replaced(last.posts, posts) for n in (i - 1, i, i + 1)}
            again.update(unequal(last.chosen, chosen))
            again.update(unequal(last.places, places))
            redo = sorted(n for n in again if 0 <= n < len(posts))
        end = len(posts) - 1
        for i in redo:  # (neighbours: older after, newer before)
            post, place, picked = posts[i], places[i], chosen[i]
            url = post.url
            older = posts[i + 1] if i < end else None
            newer = posts[i - 1] if i > 0 else None
            kept = self._kept_post_context(url, post, older, newer, place, picked)
            pages[i] = (
                "post.html",
                url,
                kept
                or self._context(
                    url, post=post, older=older, newer=newer, series=place, related=picked
                ),
            )
        done = cast(list[PageSpec], pages)
        if self.contexts is not None:
            self._post_plan = _PostPlan(posts, chosen, places, done)
        return done

    def _context(self, url: str, **values: Any) -> dict[str, Any]:
        """A page's context; the very dict of the last plan when it holds the same objects
        (``serve``: keys are then known without looking inside)."""
        kept = self.contexts
        if kept is None:
            return values
        last = kept.get(url)
        if last is not None and len(last) == len(values):
            for name, value in values.items():
                was = last.get(name, _ABSENT)
                if was is not value and (type(value) in MODELS or was != value):
                    break
            else:
                return last
        kept[url] = values
        return values

    def _kept_post_context(
        self,
        url: str,
        post: Post,
        older: Post | None,
        newer: Post | None,
        place: object,
        chosen: tuple[Post, ...],
    ) -> dict[str, Any] | None:
        """``_context`` for a post's page, checked quicker (there are thousands)."""
        last = self.contexts.get(url) if self.contexts is not None else None
        if (
            last is not None
            and last.get("post") is post
            and last.get("older") is older
            and last.get("newer") is newer
            and last.get("related") == chosen  # the same posts: compared by identity first
            and last.get("series") == place
            and len(last) == 5
        ):
            return last
        return None

    def _paginate(self, items: Sequence[Any], per_page: int, first_url: str) -> list[Pager]:
        """``paginate``, handing back the last plan's pagers where they hold the same items."""
        kept = self.contexts
        if kept is None:
            return paginate(items, per_page, first_url)
        total = _pages_of(items, per_page)
        pagers: list[Pager] = []
        for n in range(1, total + 1):
            url = _page_url(first_url, n)
            chunk = items[(n - 1) * per_page : n * per_page]
            last = kept.get(url, _NO_CONTEXT).get("pager")
            # The URL and the number name the listing; with them, the total fixes the links.
            if (
                isinstance(last, Pager)
                and (last.url, last.number, last.total) == (url, n, total)
                and last.items == chunk
            ):
                pagers.append(last)
            else:
                pagers.append(_pager(n, total, chunk, first_url))
        return pagers

    def page(self, template_name: str, url: str, context: dict[str, Any]) -> OutputFile:
        path = page_path(url)
        item = context.get("post") or context.get("page")
        if item is not None and "content" not in context:
            context = {**context, "content": self.content(item.content_html)}
        try:
            template = self.env.get_template(template_name)
            text = template.render(page_url=url, **context)
        except jinja2.TemplateNotFound as exc:
            raise ThoughtgenError.single(
                template_name, None, f"template {exc.name!r} not found in the theme"
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            where = _template_path(exc.filename, exc.name, self.site_dir)
            raise ThoughtgenError.single(
                where, exc.lineno, f"template error: {exc.message}"
            ) from None
        except (jinja2.TemplateError, TypeError, AttributeError, ValueError) as exc:
            where, line = _template_frame(exc, template_name, self.site_dir)
            raise ThoughtgenError.single(
                where, line, f"template error while rendering /{url}: {exc}"
            ) from None
        return OutputFile(path, text.encode("utf-8"), origin=template_name)


_ABSENT = object()
PageSpec = tuple[str, str, dict[str, Any]]  # an HTML page: (template, url, context)


@dataclass(frozen=True)
class _PostPlan:
    """The posts' pages of the last plan, with what each was made from, by position."""

    posts: tuple[Post, ...]
    chosen: list[tuple[Post, ...]]
    places: list[SeriesPlace | None]
    pages: list[PageSpec]


_NO_CONTEXT: dict[str, Any] = {}


def archive_groups(
    posts: Sequence[Post], kept: dict[tuple[int, int], tuple[Post, ...]] | None = None
) -> list[tuple[int, list[tuple[int, tuple[Post, ...]]]]]:
    """Posts grouped by year, then month, newest first.

    ``kept`` (``serve``) hands back the very tuple of a month made last time when it holds
    the very same posts, so what is worked out from it by identity (its digest, a cache
    block keyed by it) is found again.
    """
    groups: list[tuple[int, int, list[Post]]] = []
    month: list[Post] = []
    at = (0, 0)  # the year and month of the group being filled
    for post in posts:
        when = post.date
        if when is None:
            continue
        if (when.year, when.month) != at:
            at = (when.year, when.month)
            month = []
            groups.append((when.year, when.month, month))
        month.append(post)
    years: list[tuple[int, list[tuple[int, tuple[Post, ...]]]]] = []
    for year, number, listed in groups:
        made = tuple(listed)
        if kept is not None:
            last = kept.get((year, number))
            if last == made:  # (the same posts: compared by identity first)
                made = last
            else:
                kept[(year, number)] = made
        if not years or years[-1][0] != year:
            years.append((year, []))
        years[-1][1].append((number, made))
    return years


def _template_path(filename: str | None, name: str | None, site_dir: Path) -> str:
    """A template's path as the user knows it: inside the site if it is there."""
    if not filename:
        return name or "template"
    path = Path(filename).resolve()
    for base in (site_dir.resolve(), Path.cwd()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return filename


def _template_frame(exc: BaseException, fallback: str, site_dir: Path) -> tuple[str, int | None]:
    """The innermost template file and line in the traceback (Jinja rewrites frames to these)."""
    found: tuple[str, int | None] = (fallback, None)
    tb = exc.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (_template_path(filename, None, site_dir), tb.tb_lineno)
        tb = tb.tb_next
    return found
