"""``deploy verify``: does the live site show what the sources say is due by now?

After a deploy, every post due by now must be live with its title and canonical link, in
the feeds with its id unchanged and in the sitemap; the CSS, the theme's other files and
the share images must load; and nothing scheduled for later may be visible yet. Before a
deploy (``before``), the live feeds are compared with the ids this deploy would give.

Everything is fetched from the site's own address only, a bounded number at a time, and
what fails is tried again with backoff until the deadline, since a CDN can lag a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from thoughtgen.build import BuildOptions, read_site
from thoughtgen.deploy.fetch import REQUEST_TIMEOUT, Fetcher, Response, Scope, backoff
from thoughtgen.deploy.live import LiveState
from thoughtgen.deploy.pageinfo import Asset, read_page
from thoughtgen.errors import ThoughtgenError
from thoughtgen.feeds import ATOM_PATH, JSON_PATH, RSS_PATH, entry_id, feed_specs
from thoughtgen.model import Post, Site, Status
from thoughtgen.sitemap import is_own_url

MAIN_FEEDS = (RSS_PATH, ATOM_PATH, JSON_PATH)
SITEMAP = "sitemap.xml"
LAST_TRY = 0.5  # seconds: with less than this left, nothing more is tried

IMAGE = ("image/",)
SCRIPT = ("text/javascript", "application/javascript", "application/x-javascript")
FONT = ("font/", "application/font", "application/x-font", "application/vnd.ms-fontobject")
MANIFEST = ("application/manifest+json", "application/json")
TYPES_BY_SUFFIX = {
    ".css": ("text/css",),
    ".js": SCRIPT,
    ".mjs": SCRIPT,
    ".json": MANIFEST,
    ".webmanifest": MANIFEST,
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico"), IMAGE),
    **dict.fromkeys((".woff", ".woff2", ".ttf", ".otf", ".eot"), FONT),
}
TYPES_BY_REL = {"stylesheet": ("text/css",), "og:image": IMAGE, "manifest": MANIFEST}


@dataclass(frozen=True)
class VerifyOptions:
    url: str  # the live site's root
    site_dir: Path = Path(".")
    before: bool = False  # in front of a deploy: compare feed ids, check the site answers
    timeout: float = 120.0  # seconds for the whole check, retries included
    now: datetime | str | None = None
    jobs: int = 8  # requests in flight at most
    base_url: str | None = None  # before: the base_url the coming build uses
    request_timeout: float = REQUEST_TIMEOUT


@dataclass(frozen=True)
class Finding:
    """One problem, as one line: ``missing: https://…/posts/x/ (404) — "Title", due …``."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass(frozen=True)
class VerifyReport:
    url: str
    before: bool
    checked_at: datetime
    pages: int
    feeds: int
    sitemaps: int
    assets: int
    problems: tuple[Finding, ...]
    live: tuple[Post, ...]  # due posts whose page was confirmed live
    notes: tuple[str, ...]
    requests: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        parts = [_count(self.pages, "page"), _count(self.feeds, "feed")]
        if self.sitemaps:
            parts.append(_count(self.sitemaps, "sitemap"))
        if not self.before:
            parts.append(_count(self.assets, "asset"))
        found = _count(len(self.problems), "problem") if self.problems else "no problems"
        return f"{', '.join(parts)} checked: {found}"

    def live_state(self) -> LiveState:
        return LiveState(self.url, self.checked_at, tuple((p.source, p.url) for p in self.live))


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class Outcome:
    problems: list[Finding] = field(default_factory=list)
    retry: bool = False  # worth another try: a CDN may still be catching up
    follow: list[Check] = field(default_factory=list)  # checks this one found (assets)
    confirmed: Post | None = None  # a due post seen live as it should be


@dataclass(frozen=True)
class Check:
    key: str  # the URL checked; a URL found twice is checked once
    kind: str  # page, feed, sitemap or asset
    run: Callable[[Fetcher], Outcome]


def site_root(url: str) -> str:
    """``url`` as the root every expected address starts with (one trailing slash)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ThoughtgenError.single(
            "URL",
            None,
            f"give the live site's address, like https://you.github.io/blog/; got {url!r}",
        )
    if parts.query or parts.fragment:
        raise ThoughtgenError.single(
            "URL", None, f"give the site's root address without ?query or #fragment; got {url!r}"
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ThoughtgenError.single("URL", None, f"the port is not a number: {url!r}") from None
    return Scope.of(url.strip()).root


def verify(options: VerifyOptions) -> VerifyReport:
    """Check the live site at ``options.url`` against the sources in ``options.site_dir``."""
    started = time.monotonic()
    root = site_root(options.url)
    base_url = options.base_url if options.before else root
    site = read_site(BuildOptions(site_dir=options.site_dir, now=options.now, base_url=base_url))
    plan = _before_plan(site, root, options.site_dir) if options.before else _after_plan(site, root)
    fetcher = Fetcher(
        Scope.of(root),
        started + options.timeout,
        options.jobs,
        request_timeout=options.request_timeout,
    )
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        outcomes = _run(plan.checks, fetcher, pool)
    problems = [p for _, outcome in outcomes for p in outcome.problems]
    notes = list(plan.notes)
    if options.before:
        more, more_notes = plan.compare(outcomes)
        problems.extend(more)
        notes.extend(more_notes)
    kinds = [check.kind for check, _ in outcomes]
    return VerifyReport(
        url=root,
        before=options.before,
        checked_at=site.now,
        pages=kinds.count("page"),
        feeds=kinds.count("feed"),
        sitemaps=kinds.count("sitemap"),
        assets=kinds.count("asset"),
        problems=tuple(problems),
        live=tuple(o.confirmed for _, o in outcomes if o.confirmed and not o.problems),
        notes=tuple(notes),
        requests=fetcher.requests,
        seconds=time.monotonic() - started,
    )


def _run(
    checks: Sequence[Check], fetcher: Fetcher, pool: ThreadPoolExecutor
) -> list[tuple[Check, Outcome]]:
    """Run every check; run again, in rounds with growing pauses, those worth retrying,
    until they pass or the deadline comes. Checks found along the way run at once."""
    results: dict[str, tuple[Check, Outcome]] = {}
    batch = _unseen(checks, results)
    round_ = 0
    while batch:
        while batch:  # this round, with the checks it finds
            for check, outcome in zip(
                batch, pool.map(lambda c: c.run(fetcher), batch), strict=True
            ):
                results[check.key] = (check, outcome)
            found = [c for check in batch for c in results[check.key][1].follow]
            batch = _unseen(found, results)
        again = [check for check, outcome in results.values() if outcome.retry]
        left = fetcher.remaining()
        if not again or left < LAST_TRY:
            break
        time.sleep(min(backoff(round_), left / 2))
        round_ += 1
        batch = again
    return list(results.values())


def _unseen(checks: Iterable[Check], results: dict[str, tuple[Check, Outcome]]) -> list[Check]:
    fresh: dict[str, Check] = {}
    for check in checks:
        if check.key not in results and check.key not in fresh:
            fresh[check.key] = check
    return list(fresh.values())


@dataclass
class _Plan:
    checks: list[Check]
    notes: list[str] = field(default_factory=list)
    compare: Callable[[list[tuple[Check, Outcome]]], tuple[list[Finding], list[str]]] = (
        lambda _outcomes: ([], [])
    )


def _when(site: Site, post: Post) -> str:
    assert post.date is not None  # due and scheduled posts are dated
    return post.date.astimezone(site.config.tz).strftime("%Y-%m-%d %H:%M")


# After a deploy ---------------------------------------------------------------------------


def _after_plan(site: Site, root: str) -> _Plan:
    due = [p for p in site.posts if p.status is Status.PUBLISHED and p.date is not None]
    scheduled = [p for p in site.with_status(Status.SCHEDULED) if p.date is not None]
    checks = [Check(root, "page", _home_check(root))]
    checks += [Check(root + p.url, "page", _post_check(site, root, p)) for p in due]
    specs = [s for s in feed_specs(site) if s.path in MAIN_FEEDS]
    for spec in specs:
        checks.append(
            Check(
                root + spec.path,
                "feed",
                _feed_check(site, root, spec.path, spec.origin, spec.posts, scheduled),
            )
        )
    checks.append(Check(root + SITEMAP, "sitemap", _sitemap_check(site, root, due, scheduled)))
    checks += [Check(root + p.url, "page", _early_check(site, root, p)) for p in scheduled]
    return _Plan(checks)


def _home_check(root: str) -> Callable[[Fetcher], Outcome]:
    def run(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(root)
        if not response.ok:
            return Outcome(
                [Finding("missing", f"{root} ({response.outcome}) — the home page")], True
            )
        info = read_page(response.body)
        return Outcome(follow=_asset_checks(fetcher, response, info.assets, "the home page"))

    return run


def _post_check(site: Site, root: str, post: Post) -> Callable[[Fetcher], Outcome]:
    page_url = root + post.url
    expected = urljoin(page_url, post.canonical_url) if post.canonical_url else page_url
    title = " ".join(post.title.split())

    def run(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(page_url)
        if not response.ok:
            text = f'{page_url} ({response.outcome}) — "{post.title}", due {_when(site, post)}'
            return Outcome([Finding("missing", text)], True)
        info = read_page(response.body)
        problems = []
        if info.title is None or title not in info.title:
            shown = "no title" if info.title is None else f'the title "{info.title}"'
            problems.append(
                Finding("wrong page", f'{page_url} has {shown}, expected "{post.title}"')
            )
        canonical = urljoin(response.final_url, info.canonical) if info.canonical else None
        if canonical != expected:
            problems.append(
                Finding(
                    "wrong canonical link",
                    f"{page_url} names {canonical or 'none'}, expected {expected}",
                )
            )
        images = [Asset(info.og_image, "og:image")] if info.og_image else []
        follow = _asset_checks(fetcher, response, images, page_url)
        return Outcome(problems, bool(problems), follow, post)

    return run


def _feed_check(
    site: Site,
    root: str,
    path: str,
    label: str,
    window: Sequence[Post],
    scheduled: Sequence[Post],
) -> Callable[[Fetcher], Outcome]:
    from thoughtgen.feedguard import entries_in_feed, id_changes

    url = root + path
    early_ids = {entry_id(site, p): p for p in scheduled}
    early_links = {root + p.url: p for p in scheduled}

    def run(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(url)
        if not response.ok:
            return Outcome([Finding("missing", f"{url} ({response.outcome}) — the {label}")], True)
        try:
            entries = entries_in_feed(response.body)
        except ValueError as exc:
            return Outcome([Finding("broken feed", f"{url} — {_feed_error(response, exc)}")], True)
        problems: list[Finding] = []
        early: list[Finding] = []
        kept = []
        for entry in entries:
            post = early_ids.get(entry.id) or early_links.get(entry.link)
            if post is None:
                kept.append(entry)
            else:
                text = f'{url} carries "{post.title}", scheduled {_when(site, post)}'
                early.append(Finding("visible early", text))
        changed: set[str] = set()
        for change in id_changes(kept, site):
            if change.post is not None:
                changed.add(change.post.source)
                text = (
                    f'{url}: "{change.post.title}" has the id {change.old.id}, '
                    f"expected {change.new_id}"
                )
                problems.append(Finding("feed id changed", text))
            else:  # a post deleted or unpublished here: the live feed is not this build's
                text = f'{url} carries {change.old.id} ("{change.old.title}"), no post here'
                problems.append(Finding("unexpected feed entry", text))
        ids = {entry.id for entry in entries}
        for post in window:
            expected = entry_id(site, post)
            if expected not in ids and post.source not in changed:
                text = f'{url} lacks "{post.title}" (id {expected}), due {_when(site, post)}'
                problems.append(Finding("missing", text))
        return Outcome(problems + early, bool(problems))

    return run


def _feed_error(response: Response, exc: ValueError) -> str:
    if response.truncated:
        return "larger than the few megabytes a feed should be"
    return str(exc) or "not a feed"


def _sitemap_check(
    site: Site, root: str, due: Sequence[Post], scheduled: Sequence[Post]
) -> Callable[[Fetcher], Outcome]:
    url = root + SITEMAP
    config = site.config
    listed = [p for p in due if not p.canonical_url or is_own_url(p.canonical_url, config, p.url)]

    def run(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(url)
        if not response.ok:
            return Outcome([Finding("missing", f"{url} ({response.outcome}) — the sitemap")], True)
        try:
            tree = ElementTree.fromstring(response.body)
        except ElementTree.ParseError as exc:
            return Outcome([Finding("broken sitemap", f"{url} — {exc}")], True)
        locs = {(e.text or "").strip() for e in tree.iter() if e.tag.rpartition("}")[2] == "loc"}
        problems = [
            Finding("missing", f'{url} lacks {root + p.url} — "{p.title}", due {_when(site, p)}')
            for p in listed
            if root + p.url not in locs
        ]
        early = [
            Finding(
                "visible early",
                f'{url} lists {root + p.url} — "{p.title}", scheduled {_when(site, p)}',
            )
            for p in scheduled
            if root + p.url in locs
        ]
        return Outcome(problems + early, bool(problems))

    return run


def _early_check(site: Site, root: str, post: Post) -> Callable[[Fetcher], Outcome]:
    page_url = root + post.url
    title = " ".join(post.title.split())

    def run(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(page_url)
        if not response.answered:  # a server error or no answer: it may yet show the post
            text = (
                f"{page_url} ({response.outcome}) — cannot tell whether "
                f'"{post.title}", scheduled {_when(site, post)}, is visible'
            )
            return Outcome([Finding("no answer", text)], True)
        if not response.ok:
            return Outcome()
        shown = read_page(response.body).title
        # A host that answers 200 with its own "not found" page is not showing the post.
        if shown is not None and title not in shown:
            return Outcome()
        text = f'{page_url} ({response.status}) — "{post.title}", scheduled {_when(site, post)}'
        return Outcome([Finding("visible early", text)])

    return run


def _asset_checks(
    fetcher: Fetcher, page: Response, assets: Iterable[Asset], where: str
) -> list[Check]:
    checks = []
    for asset in assets:
        url = urljoin(page.final_url, asset.href).partition("#")[0]
        if fetcher.scope.contains(url):  # another site's files are not ours to fetch
            checks.append(Check(url, "asset", _asset_check(url, asset.rel, where)))
    return checks


def _asset_check(url: str, rel: str, where: str) -> Callable[[Fetcher], Outcome]:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    expected = TYPES_BY_REL.get(rel) or TYPES_BY_SUFFIX.get(suffix)
    what = "share image" if rel == "og:image" else rel

    def run(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(url, body=False)
        if not response.ok:
            text = f"{url} ({response.outcome}) — the {what} of {where}"
            return Outcome([Finding("broken asset", text)], True)
        media = response.media_type
        if expected and not media.startswith(expected):
            text = (
                f"{url} is served as {media or 'no type'}, expected {expected[0].rstrip('/')} "
                f"— the {what} of {where}"
            )
            return Outcome([Finding("broken asset", text)], True)
        return Outcome()

    return run


# Before a deploy --------------------------------------------------------------------------


def _before_plan(site: Site, root: str, site_dir: Path) -> _Plan:
    from thoughtgen.config import CONFIG_FILE
    from thoughtgen.feedguard import IdChange, change_problems, entries_in_feed, id_changes

    bodies: dict[str, bytes] = {}  # the live feeds that read, by URL

    def fetch_feed(url: str) -> Callable[[Fetcher], Outcome]:
        def run(fetcher: Fetcher) -> Outcome:
            response = fetcher.get(url)
            if response.status in (404, 410):
                return Outcome()  # no feed there yet: nothing to compare
            if not response.ok:
                text = f"{url} ({response.outcome}) — the live feed could not be read"
                return Outcome([Finding("broken feed", text)], not response.answered)
            try:
                entries_in_feed(response.body)
            except ValueError as exc:
                return Outcome([Finding("broken feed", f"{url} — {_feed_error(response, exc)}")])
            bodies[url] = response.body
            return Outcome()

        return run

    def answers(fetcher: Fetcher) -> Outcome:
        response = fetcher.get(root)
        if response.ok:
            return Outcome()
        text = f"{root} ({response.outcome}) — the live site does not answer"
        return Outcome([Finding("no answer", text)], True)

    feed_urls = [root + path for path in MAIN_FEEDS]
    checks = [Check(root, "page", answers)]
    checks += [Check(url, "feed", fetch_feed(url)) for url in feed_urls]

    def compare(outcomes: list[tuple[Check, Outcome]]) -> tuple[list[Finding], list[str]]:
        if not bodies:
            return [], ["no live feed to compare with (a first deploy?)"]
        # Feed by feed: one post may be known by different ids in different feeds.
        changes: dict[str, IdChange] = {}
        for url in feed_urls:
            if url in bodies:
                for change in id_changes(entries_in_feed(bodies[url]), site):
                    changes.setdefault(change.old.id, change)
        problems = []
        notes = [
            str(problem)
            for problem in change_problems(list(changes.values()), site_dir)
            if problem.path == CONFIG_FILE  # base_url moved: one line says it for all
        ]
        for change in changes.values():
            if change.post is not None:
                text = (
                    f'"{change.post.title}" ({change.post.source}) is {change.old.id} in the '
                    f"live feeds and would be {change.new_id} after this deploy; {change.fix}"
                )
                problems.append(Finding("feed id changed", text))
            else:  # deleted or unpublished: it is not sent again, so only worth a note
                notes.append(
                    f'{change.old.id} ("{change.old.title}") is in the live feeds and no post '
                    f"here; {change.fix}"
                )
        if problems and site.config.site_url != root:
            notes.append(
                f"the new ids use base_url {site.config.site_url}; if the deploy builds "
                "with --base-url, give the same --base-url here"
            )
        return problems, notes

    return _Plan(checks, compare=compare)
