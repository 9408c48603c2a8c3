"""Library calls behind the CLI commands other than build: load once, compute, write safely."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

from thoughtgen.build import BuildOptions, open_site, read_site
from thoughtgen.calendar.report import CalendarReport, LiveMarks, report_for
from thoughtgen.calendar.schedule import ScheduleError, format_date, set_date
from thoughtgen.calendar.slots import next_free_slot
from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import Problem, ProblemLog, ThoughtgenError
from thoughtgen.model import Page, Post, Site, Status
from thoughtgen.output.atomic import write_file_atomically
from thoughtgen.scaffold import init_files, new_post_text
from thoughtgen.slugs import slugify


def end_of_day(day: date, site: Site) -> datetime:
    return datetime.combine(day, time(23, 59, 59), site.config.tz)


def read_readable(options: BuildOptions) -> tuple[Site, tuple[Problem, ...]]:
    """The Site of every file that reads cleanly, and the problems of those that do not."""
    log = ProblemLog()
    with open_site(options, log, lenient=True) as site:
        return site, tuple(log.errors)


def calendar_report(
    site_dir: Path, today: date | None = None
) -> tuple[Site, CalendarReport, tuple[Problem, ...]]:
    """The calendar as of now, or the end of ``today``, of the posts that read cleanly.

    The problems of the files that do not read are returned for the caller to show.
    """
    site, problems = read_readable(BuildOptions(site_dir=site_dir))
    now = end_of_day(today, site) if today else site.now
    return site, with_live_marks(report_for(site, now), site, site_dir), problems


def with_live_marks(report: CalendarReport, site: Site, site_dir: Path) -> CalendarReport:
    """``report`` marking the posts the last ``deploy verify`` saw live, when there was one."""
    from thoughtgen.deploy.live import read_live

    state = read_live(site_dir)
    if state is None:
        return report
    marks = LiveMarks(state.url, state.checked_at, state.live_sources(site.all_posts))
    return replace(report, live=marks)


@dataclass(frozen=True)
class Scheduled:
    rel: str
    when: datetime
    status: Status  # what the post is after the change


def schedule_post(
    site_dir: Path, path: Path, when: str | None, publish: bool, now: datetime | None = None
) -> Scheduled:
    """Set the date of the post at ``path``: to ``when``, or the next free slot when None."""
    site_dir = site_dir.resolve()
    target = path.resolve()
    try:
        rel = target.relative_to(site_dir).as_posix()
    except ValueError:
        raise ThoughtgenError.single(str(path), None, f"not inside the site {site_dir}") from None
    if not target.is_file():
        raise ThoughtgenError.single(rel, None, "no such post")
    data = target.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ThoughtgenError.single(rel, None, "not UTF-8 text; not changed") from None
    try:
        set_date(text, "2000-01-01")  # refuse early, with the line, if the file cannot be read
    except ScheduleError as exc:
        raise ThoughtgenError.single(rel, exc.line, exc.message) from None
    site = read_site(BuildOptions(site_dir=site_dir, now=now))
    post = next((p for p in site.all_posts if p.source == rel), None)
    if post is None:
        raise ThoughtgenError.single(rel, None, "not a post (posts live in content/posts/)")
    tz = site.config.tz
    if when is None:
        moment = next_free_slot(
            site.all_posts, site.config.calendar, tz, site.now, ignore=post.source
        )
    else:
        try:
            moment = parse_datetime(when, tz)
        except DateError as exc:
            raise ThoughtgenError.single("--date", None, str(exc)) from None
    new_text = set_date(text, format_date(moment, tz), publish=publish)
    write_file_atomically(target, new_text.encode("utf-8"))
    status: Status
    if post.status in (Status.DRAFT, Status.IDEA) and not publish:
        status = post.status
    else:
        status = Status.SCHEDULED if moment > site.now else Status.PUBLISHED
    return Scheduled(rel, moment, status)


def init_site(target: Path, now: datetime | None = None) -> list[Path]:
    """Create a new site in ``target`` (which must be missing or empty); return the files."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ThoughtgenError.single(
            str(target), None, "not empty; thoughtgen init only fills a new or empty folder"
        )
    written = []
    for rel, text in init_files(now or datetime.now().astimezone()).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def new_post(
    site_dir: Path,
    title: str,
    tags: list[str],
    status: str,
    schedule: str | None,
    now: datetime | None = None,
) -> Path:
    """Create ``content/posts/<slug>.md``; refuse an existing file or a URL already taken."""
    site = read_site(BuildOptions(site_dir=site_dir, now=now))
    slug = slugify(title)
    if not slug:
        raise ThoughtgenError.single("title", None, f"{title!r} has no letters or digits for a URL")
    rel = f"content/posts/{slug}.md"
    path = site_dir / rel
    if path.exists():
        raise ThoughtgenError.single(rel, None, "already exists; choose another title")
    taken: tuple[Post | Page, ...] = (*site.all_posts, *site.pages)
    for item in taken:
        if item.url == f"posts/{slug}/":
            raise ThoughtgenError.single(
                rel,
                None,
                f"/posts/{slug}/ is already the URL of {item.source}; choose another title",
            )
    tz = site.config.tz
    if schedule == "next":
        moment = next_free_slot(site.all_posts, site.config.calendar, tz, site.now)
    elif schedule:
        try:
            moment = parse_datetime(schedule, tz)
        except DateError as exc:
            raise ThoughtgenError.single("--schedule", None, str(exc)) from None
    else:
        moment = site.now
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_post_text(
        title, format_date(moment.replace(second=0, microsecond=0), tz), tags, status
    )
    with path.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
        out.write(text)
    return path


def list_posts(
    site_dir: Path, status: str | None = None, tag: str | None = None
) -> tuple[list[Post], tuple[Problem, ...]]:
    """Every readable post (drafts, ideas and scheduled ones too), newest first, filtered.

    The problems of the files that could not be read are returned beside them.
    """
    site, problems = read_readable(BuildOptions(site_dir=site_dir))
    wanted_tag = slugify(tag) if tag else None
    posts = [
        p
        for p in site.all_posts
        if (status is None or p.status.value == status)
        and (wanted_tag is None or any(t.slug == wanted_tag for t in p.tags))
    ]
    return posts, problems
