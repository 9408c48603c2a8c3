"""The pipeline: load config → read sources → assemble the Site → plan and render → write."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from thoughtgen import __version__
from thoughtgen.config import Config, load_config
from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import Problem, ProblemLog, ThoughtgenError
from thoughtgen.incremental.cache import BuildCache, Fresh
from thoughtgen.incremental.manifest import Manifest, read_manifest
from thoughtgen.incremental.records import encode_item
from thoughtgen.incremental.stamp import Record, fixed_part, read_digest, record_key, stamp
from thoughtgen.markup import markdown_settings
from thoughtgen.model import Site
from thoughtgen.output.lock import output_lock
from thoughtgen.output.policy import check_output_dir, resolve_output
from thoughtgen.output.produce import WriteReport, unchanged_output, write_site
from thoughtgen.output.survey import Surveying
from thoughtgen.outputs import OutputFile, Planned
from thoughtgen.parallel import parallel_map, worker_count
from thoughtgen.parse import ParsedItem, digest_of, lean_item, parse_source, shared_renderer
from thoughtgen.scaffold import setup_warnings
from thoughtgen.sources import SourceRef, StaticFile, scan_sources
from thoughtgen.theme import Theme, find_theme

if TYPE_CHECKING:
    from thoughtgen.incremental.pageviews import PageViews
    from thoughtgen.plan import Planning

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path = Path(".")
    output_dir: Path | None = None  # default: the config's output_dir inside the site
    include_drafts: bool = False
    include_future: bool = False
    base_url: str | None = None
    now: datetime | str | None = None  # decides what is scheduled; a string is parsed
    clean: bool = False  # ignore the cache and the previous output: make everything anew
    use_cache: bool = True
    jobs: int | None = None  # worker processes; default: one per core
    accept_new_ids: bool = False  # build even when feed ids of published posts change
    progress: Progress | None = field(default=None, compare=False)  # told of long stages
    notice: Callable[[str], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BuildResult:
    site: Site | None  # None when nothing had to be read (the output is up to date)
    output_dir: Path
    paths: tuple[str, ...]
    report: WriteReport
    warnings: tuple[Problem, ...]
    seconds: float

    @property
    def pages(self) -> int:
        return sum(1 for p in self.paths if OutputFile(p).kind == "page")

    @property
    def feeds(self) -> int:
        return sum(1 for p in self.paths if OutputFile(p).kind == "feed")


def resolve_now(now: datetime | str | None, config: Config) -> datetime:
    if now is None:
        return datetime.now(config.tz)
    try:
        return parse_datetime(now, config.tz)
    except DateError as exc:
        raise ThoughtgenError.single("--now", None, str(exc)) from None


def settings_key(config: Config) -> str:
    """What, besides a file's bytes, shapes its parsed item."""
    return hashlib.blake2b(
        f"{__version__}|{markdown_settings()}|{config.timezone}".encode(), digest_size=16
    ).hexdigest()


@contextmanager
def open_cache(options: BuildOptions, config: Config) -> Iterator[BuildCache | None]:
    if not options.use_cache:
        yield None
        return
    cache = BuildCache(
        options.site_dir,
        settings_key(config),
        options.notice or (lambda _m: None),
        clean=options.clean,
    )
    try:
        yield cache if cache.enabled else None
    finally:
        cache.close()


def parse_fresh(ref: SourceRef, data: bytes, tz: tzinfo, keep_html: bool) -> Fresh | list[Problem]:
    """One source parsed, ready for the cache (its HTML kept in the item when there is no
    cache), or its problems."""
    result = parse_source(ref.rel, ref.kind, data, tz, shared_renderer())
    if isinstance(result, list):
        return result
    item, html = lean_item(result, keep_html)
    return Fresh(ref, item, None if keep_html else encode_item(item), html)


def read_items(
    refs: Sequence[SourceRef],
    config: Config,
    cache: BuildCache | None,
    jobs: int,
    log: ProblemLog,
    progress: Progress | None = None,
) -> list[ParsedItem]:
    """Every source as a ParsedItem: from the cache where unchanged, else parsed (in parallel).

    Files the cache has never seen are read by the workers themselves, so a cold build
    starts parsing at once; the others are read here to compare their bytes.
    """
    found: dict[int, ParsedItem] = {}
    todo: list[tuple[int, SourceRef, bytes | None]] = []
    for index, ref in enumerate(refs):
        item = cache.by_stat(ref) if cache else None
        if item is None and cache is not None and cache.knows(ref):
            data = ref.read_bytes()
            item = cache.by_digest(ref, digest_of(data))
            if item is None:
                todo.append((index, ref, data))
                continue
        if item is None:
            todo.append((index, ref, None))
            continue
        found[index] = item
    tz = config.tz
    keep_html = cache is None

    def parse(job: tuple[int, SourceRef, bytes | None]) -> Fresh | list[Problem]:
        _index, ref, data = job
        return parse_fresh(ref, data or ref.read_bytes(), tz, keep_html)

    done = len(found)
    for start, results in parallel_map(parse, todo, jobs):
        fresh = []
        for (index, _ref, _data), result in zip(todo[start:], results, strict=False):
            if isinstance(result, list):
                for problem in result:
                    log.error(problem.path, problem.line, problem.message)
            else:
                fresh.append((index, result))
        if cache is not None:
            items = cache.store([one for _i, one in fresh])
        else:
            items = [one.item for _i, one in fresh]
        for (index, _one), item in zip(fresh, items, strict=True):
            found[index] = item
        done += len(results)
        if progress is not None:
            progress("Reading", done, len(refs))
    if cache is not None:
        cache.finish()
    return [found[i] for i in sorted(found)]


@dataclass(frozen=True)
class Loaded:
    site: Site
    digests: dict[str, str]  # each post and page (by its rel) → the digest of the bytes read


def load_site(
    options: BuildOptions,
    log: ProblemLog,
    config: Config | None = None,
    cache: BuildCache | None = None,
    *,
    lenient: bool = False,
) -> Site:
    """Config, sources and the assembled Site; raises ThoughtgenError listing every problem.

    Without a cache, every source is parsed and its HTML is held in memory. ``lenient`` is
    for commands that show the site rather than publish it (list, calendar, check): one
    broken file must not hide the rest, so the Site is made of every source that reads
    cleanly and the others' problems stay in ``log``. A file caught in a site-wide problem
    (two files claiming one URL) is left out too, so the Site is always one a build would
    accept. Only a broken config still raises: without it nothing can be read.
    """
    config = config or load_config(options.site_dir, options.base_url)
    scanned = scan_sources(options.site_dir, log)
    now = resolve_now(options.now, config)
    return load(options, log, config, cache, scanned, now, lenient=lenient).site


def load(
    options: BuildOptions,
    log: ProblemLog,
    config: Config,
    cache: BuildCache | None,
    scanned: tuple[list[SourceRef], list[StaticFile]],
    now: datetime,
    *,
    lenient: bool = False,
) -> Loaded:
    """``load_site`` of sources already found, with the digests of the bytes read."""
    from thoughtgen.assemble import assemble  # (see ``build``)

    refs, static = scanned
    items = read_items(refs, config, cache, worker_count(options.jobs), log, options.progress)
    if not lenient:
        log.raise_if_errors()
    mtimes = {ref.rel: ref.mtime for ref in refs}
    while True:
        trial = ProblemLog()
        site = assemble(
            config,
            items,
            static,
            now,
            trial,
            include_drafts=options.include_drafts,
            include_future=options.include_future,
            mtimes=mtimes,
        ).site
        blamed = {problem.path for problem in trial.errors}
        kept = [item for item in items if item.rel not in blamed]
        if not lenient or not trial.errors or len(kept) == len(items):
            break
        for problem in trial.errors:
            log.error(problem.path, problem.line, problem.message)
        items = kept
    log.warnings.extend(trial.warnings)
    log.errors.extend(trial.errors)  # when lenient, only those no left-out file explains
    log.errors.sort(key=lambda p: p.sort_key)
    if not lenient:
        log.raise_if_errors()
    return Loaded(site, {item.rel: item.digest for item in items})


def render_site(site: Site, site_dir: Path) -> list[OutputFile]:
    """Every output file of the site, as values (nothing is written)."""
    from thoughtgen.plan import plan_site  # (see ``build``)

    return [item.produce() for item in plan_site(site, site_dir)]


def output_path(options: BuildOptions, config: Config) -> Path:
    if options.output_dir is not None:
        return options.output_dir
    return options.site_dir / config.output_dir


@dataclass(frozen=True)
class Found:
    """What a build finds before it reads a post: the files, the theme, the clock, and the
    stamp of all but the posts and pages (``stamp.fixed_part``)."""

    since_ns: int  # when the build began looking at its files
    now: datetime
    refs: list[SourceRef]
    static: list[StaticFile]
    theme: Theme
    fixed: str

    def stamp(self, digest: Callable[[SourceRef], str] = read_digest) -> str:
        """The stamp of the files as they are now (``digest``: of the bytes read of one)."""
        return stamp(self.fixed, self.refs, self.since_ns, digest)


def find_inputs(options: BuildOptions, config: Config, log: ProblemLog) -> Found:
    since_ns = time.time_ns()
    now = resolve_now(options.now, config)
    refs, static = scan_sources(options.site_dir, log)
    theme = find_theme(options.site_dir, config.theme)
    include = (options.include_drafts, options.include_future)
    return Found(
        since_ns, now, refs, static, theme, fixed_part(config, theme, static, include, since_ns)
    )


def later_warnings(
    theme: Theme, cards: Sequence[Problem], site_dir: Path, config: Config
) -> list[Problem]:
    """The warnings a build gives after those of reading and assembling the site, in order:
    the theme's, the share cards' (``cards``), and the setup's."""
    return [*theme.warnings, *cards, *setup_warnings(site_dir, config)]


def build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    log = ProblemLog()
    config = load_config(options.site_dir, options.base_url)
    shown = output_path(options, config)
    output_dir = resolve_output(shown)
    check_output_dir(output_dir, options.site_dir)  # refuse before touching anything
    with output_lock(output_dir, shown=str(shown)), open_cache(options, config) as cache:
        found = find_inputs(options, config, log)
        # The previous output's manifest, read once: for the nothing-changed check, the
        # feed-id guard and the write.
        previous = read_manifest(output_dir) if output_dir.is_dir() else None
        kept = None if options.clean else _unchanged(options, cache, output_dir, previous, found)
        if kept is not None:  # made from these very files, and the clock changes nothing
            paths, record = kept
            log.warnings.extend(record.assembled)
            log.warnings.extend(later_warnings(found.theme, record.cards, options.site_dir, config))
            site, report = None, WriteReport(0, len(paths), 0, ())
        else:
            made = _make(options, log, config, cache, found, previous, output_dir, str(shown))
            site, paths, report = made
    return BuildResult(
        site, output_dir, paths, report, tuple(log.warnings), time.perf_counter() - started
    )


def _make(
    options: BuildOptions,
    log: ProblemLog,
    config: Config,
    cache: BuildCache | None,
    found: Found,
    previous: Manifest | None,
    output_dir: Path,
    shown: str,
) -> tuple[Site, tuple[str, ...], WriteReport]:
    """Read and assemble the site, plan it, and write what changed (the whole way)."""
    # Imported only now: a build that finds nothing to do needs none of them.
    from thoughtgen.cards.plan import card_warnings
    from thoughtgen.feedguard import guard_feed_ids
    from thoughtgen.plan import Planning, plan_site

    jobs = worker_count(options.jobs)
    # The output is looked at while the site is read, in a forked process where one may be.
    with Surveying(output_dir, None if options.clean else previous, jobs) as surveying:
        scanned = len(log.warnings)
        loaded = load(options, log, config, cache, (found.refs, found.static), found.now)
        site = loaded.site
        assembled = tuple(log.warnings[scanned:])
        # Pages note what they read where a previous output may keep files by it.
        noting = cache is not None and previous is not None and bool(previous.files)
        planning = Planning(site, options.site_dir, cache, found.theme, noting=noting)
        cards = tuple(card_warnings(site, options.site_dir))
        log.warnings.extend(later_warnings(found.theme, cards, options.site_dir, config))
        inputs = found.stamp(lambda ref: loaded.digests[ref.rel])
        planned: list[Planned] = plan_site(site, options.site_dir, planning)
        if previous is not None and not options.accept_new_ids:
            # Stop before the feeds give posts already sent out new ids.
            log.warnings.extend(
                guard_feed_ids(site, planned, output_dir, previous, options.site_dir, shown)
            )
        # Kept only where the next build can find it, and where the clock can be trusted.
        span = planning.clock_span() if cache is not None else None
        report = write_site(
            planned,
            output_dir,
            options.site_dir,
            clean=options.clean,
            jobs=jobs,
            progress=options.progress,
            inputs=inputs if span is not None else "",
            manifest=previous,
            views=page_views(planning, cache) if noting and not options.clean else None,
            survey=surveying.result(),
        )
    if cache is not None and span is not None:
        cache.remember(record_key(inputs), Record(*span, assembled, cards).encode())
    return site, tuple(p.path for p in planned), report


def page_views(planning: Planning, cache: BuildCache | None) -> PageViews | None:
    """The views kept by the last builds, for pages whose key changed (``pageviews``)."""
    from thoughtgen.incremental.pageviews import PageViews
    from thoughtgen.render import LOOKED_THROUGH

    if cache is None:
        return None
    prints = planning.prints
    frame = (prints.global_key, prints.site_key)
    return PageViews(cache, prints, frame, planning.site, LOOKED_THROUGH)


def _unchanged(
    options: BuildOptions,
    cache: BuildCache | None,
    output_dir: Path,
    previous: Manifest | None,
    found: Found,
) -> tuple[tuple[str, ...], Record] | None:
    """The output's files and what its build found out, when it was made from the files as
    they are, the clock since changes nothing, and the output is as that build left it;
    else None."""
    if cache is None or previous is None or not previous.inputs:
        return None
    record = Record.decode(cache.recall(record_key(previous.inputs)))
    if record is None or not record.holds_at(found.now):
        return None
    try:
        if found.stamp() != previous.inputs:
            return None
    except ThoughtgenError:  # a file went away since the scan: the whole way says so
        return None
    paths = unchanged_output(output_dir, options.site_dir, previous.inputs, previous)
    return None if paths is None else (paths, record)


@contextmanager
def open_site(
    options: BuildOptions, log: ProblemLog | None = None, *, lenient: bool = False
) -> Iterator[Site]:
    """The assembled Site, read through the build cache, for commands that do not write it.

    With ``lenient``, files that do not read leave their problems in ``log`` instead.
    """
    config = load_config(options.site_dir, options.base_url)
    with open_cache(options, config) as cache:
        yield load_site(options, log or ProblemLog(), config, cache, lenient=lenient)


def read_site(options: BuildOptions) -> Site:
    """The Site's metadata (through the cache); its pages' HTML is not available afterwards."""
    with open_site(options) as site:
        return site
