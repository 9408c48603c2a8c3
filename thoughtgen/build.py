"""The pipeline: load config → read sources → assemble the Site → render → write."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from thoughtgen.assemble import assemble
from thoughtgen.calendar.heatmap import heatmap
from thoughtgen.calendar.ics import render_ics
from thoughtgen.calendar.report import report_for
from thoughtgen.config import Config, load_config
from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import Problem, ProblemLog, ThoughtgenError
from thoughtgen.feeds import render_feeds
from thoughtgen.model import Site
from thoughtgen.outputs import OutputFile
from thoughtgen.render import HtmlRenderer
from thoughtgen.sitemap import render_sitemap
from thoughtgen.sources import read_sources
from thoughtgen.theme import find_theme
from thoughtgen.writer import WriteReport, write_site

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path = Path(".")
    output_dir: Path | None = None  # default: the config's output_dir inside the site
    include_drafts: bool = False
    include_future: bool = False
    base_url: str | None = None
    now: datetime | str | None = None  # decides what is scheduled; a string is parsed
    progress: Progress | None = field(default=None, compare=False)  # told of long stages


@dataclass(frozen=True)
class BuildResult:
    site: Site
    output_dir: Path
    outputs: tuple[OutputFile, ...]
    report: WriteReport
    warnings: tuple[Problem, ...]
    seconds: float

    @property
    def pages(self) -> int:
        return sum(1 for o in self.outputs if o.kind == "page")

    @property
    def feeds(self) -> int:
        return sum(1 for o in self.outputs if o.kind == "feed")


def resolve_now(now: datetime | str | None, config: Config) -> datetime:
    if now is None:
        return datetime.now(config.tz)
    try:
        return parse_datetime(now, config.tz)
    except DateError as exc:
        raise ThoughtgenError.single("--now", None, str(exc)) from None


def load_site(options: BuildOptions, log: ProblemLog) -> Site:
    """Config, sources and the assembled Site; raises ThoughtgenError listing every problem."""
    config = load_config(options.site_dir, options.base_url)
    now = resolve_now(options.now, config)
    sources = read_sources(options.site_dir, log)
    site = assemble(
        config,
        sources,
        now,
        log,
        include_drafts=options.include_drafts,
        include_future=options.include_future,
        progress=options.progress,
    )
    log.raise_if_errors()
    return site


def render_site(site: Site, site_dir: Path, progress: Progress | None = None) -> list[OutputFile]:
    """Every output file of the site, as values."""
    theme = find_theme(site_dir, site.config.theme)
    settings = site.config.calendar
    extra_pages = []
    extra_files = []
    if settings.page or settings.ics:
        report = report_for(site)
        if settings.page:
            extra_pages.append(
                ("calendar.html", "calendar/", {"report": report, "grid": heatmap(report)})
            )
        if settings.ics:
            extra_files.append(
                OutputFile("calendar.ics", render_ics(report, site.config), origin="calendar")
            )
    html = HtmlRenderer(site, theme, site_dir).render_all(extra_pages, progress)
    static = [
        OutputFile(f.out_path, source=f.source, origin=f"theme file {f.source.name}")
        for f in theme.static_files()
    ]
    static += [
        OutputFile(f.out_path, source=f.source, origin=f"content/static/{f.out_path}")
        for f in site.static
    ]
    return [*html, *render_feeds(site), *render_sitemap(site, html), *extra_files, *static]


def output_path(options: BuildOptions, config: Config) -> Path:
    if options.output_dir is not None:
        return options.output_dir
    return options.site_dir / config.output_dir


def build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    log = ProblemLog()
    site = load_site(options, log)
    outputs = render_site(site, options.site_dir, options.progress)
    output_dir = output_path(options, site.config)
    report = write_site(outputs, output_dir, options.site_dir)
    return BuildResult(
        site, output_dir, tuple(outputs), report, tuple(log.warnings), time.perf_counter() - started
    )
