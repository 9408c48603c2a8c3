"""Publishing consistency computed from the Site model. Pure: "now" is a parameter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise

from thoughtgen.calendar.periods import Cadence, Period
from thoughtgen.config import CalendarConfig
from thoughtgen.dates import FIRST_YEAR, LAST_YEAR
from thoughtgen.errors import ThoughtgenError
from thoughtgen.model import Post, Site, Status

ON_TRACK, DUE_SOON, BEHIND = "on_track", "due_soon", "behind"
DUE_SOON_DAYS = 2
UPCOMING_DUE = 8
RECENT = 5  # published posts the calendar lists with their live marks
# How far back the history (and so the streaks) reaches: a post dated centuries ago must not
# make a daily calendar walk through hundreds of thousands of empty days.
HISTORY = timedelta(days=20 * 366)


@dataclass(frozen=True)
class PeriodStat:
    period: Period
    published: int
    scheduled: int
    met: bool
    current: bool


@dataclass(frozen=True)
class Entry:
    """A post as the calendar lists it."""

    post: Post
    day: date | None  # local date of its date, if it has one
    waiting_days: int | None  # for the backlog: days since it was dated or last saved


@dataclass(frozen=True)
class Gap:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class LiveMarks:
    """What the last ``deploy verify`` saw: the posts (by source) live at ``url``."""

    url: str
    checked_at: datetime
    sources: frozenset[str]


@dataclass(frozen=True)
class CalendarReport:
    cadence: str
    target: int
    week_start: str
    now: datetime
    today: date
    status: str
    current_streak: int
    longest_streak: int
    consistency: float  # 0.0 … 1.0
    consistency_periods: int  # how many completed periods the score is over
    longest_gap: Gap | None
    days_since_last_post: int | None
    next_due: date | None
    periods: tuple[PeriodStat, ...]  # history, oldest first, the current period last
    published: tuple[Entry, ...]  # oldest first
    scheduled: tuple[Entry, ...]  # soonest first
    drafts: tuple[Entry, ...]
    ideas: tuple[Entry, ...]
    upcoming_due: tuple[Period, ...]  # the next unmet periods, from the current one on
    published_by_day: dict[date, int]
    scheduled_by_day: dict[date, int]
    live: LiveMarks | None = None  # None: no verify recorded

    @property
    def recent(self) -> tuple[Entry, ...]:
        """The newest published posts, newest first."""
        return self.published[: -RECENT - 1 : -1]

    @property
    def longest_gap_days(self) -> int | None:
        return self.longest_gap.days if self.longest_gap else None

    @property
    def current(self) -> PeriodStat:
        return self.periods[-1]


def compute_report(
    posts: Sequence[Post], settings: CalendarConfig, tz: tzinfo, now: datetime
) -> CalendarReport:
    """Streaks, gaps, consistency and what is due, for ``posts`` as of ``now``."""
    cadence = Cadence.from_config(settings.cadence, settings.week_start)
    today = now.astimezone(tz).date()

    def local_day(value: datetime) -> date:
        return value.astimezone(tz).date()

    dated = [p for p in posts if p.status not in (Status.DRAFT, Status.IDEA) and p.date]
    published = sorted((p for p in dated if _when(p) <= now), key=_when)
    scheduled = sorted((p for p in dated if _when(p) > now), key=_when)
    published_by_day = Counter(local_day(_when(p)) for p in published)
    scheduled_by_day = Counter(local_day(_when(p)) for p in scheduled)

    current = cadence.period_of(today)
    first_day = max(local_day(_when(published[0])), today - HISTORY) if published else today
    history = cadence.span(cadence.period_of(first_day), current) if published else [current]

    # Totals per period start, so the history costs one pass over the days, not one per period.
    published_by_period = _per_period(cadence, published_by_day)
    scheduled_by_period = _per_period(cadence, scheduled_by_day)

    def count(by_period: Counter[date], period: Period) -> int:
        return by_period.get(period.start, 0)

    stats = tuple(
        PeriodStat(
            period,
            count(published_by_period, period),
            count(scheduled_by_period, period),
            count(published_by_period, period) >= settings.target,
            period == current,
        )
        for period in history
    )
    completed = [s for s in stats if not s.current] if published else []
    window = completed[-cadence.consistency_window :]
    consistency = sum(s.met for s in window) / len(window) if window else 0.0

    upcoming = _unmet_periods(
        cadence, current, settings.target, published_by_day, scheduled_by_day, UPCOMING_DUE
    )
    return CalendarReport(
        cadence=settings.cadence,
        target=settings.target,
        week_start=settings.week_start,
        now=now,
        today=today,
        status=_status(completed, stats[-1], today),
        current_streak=_current_streak(stats),
        longest_streak=_longest_streak(stats),
        consistency=consistency,
        consistency_periods=len(window),
        longest_gap=_longest_gap([local_day(_when(p)) for p in published]),
        days_since_last_post=(today - local_day(_when(published[-1]))).days if published else None,
        next_due=upcoming[0].end if upcoming else None,
        periods=stats,
        published=tuple(Entry(p, local_day(_when(p)), None) for p in published),
        scheduled=tuple(Entry(p, local_day(_when(p)), None) for p in scheduled),
        drafts=_backlog(posts, Status.DRAFT, today, local_day),
        ideas=_backlog(posts, Status.IDEA, today, local_day),
        upcoming_due=tuple(upcoming),
        published_by_day=dict(published_by_day),
        scheduled_by_day=dict(scheduled_by_day),
    )


def _status(completed: list[PeriodStat], current: PeriodStat, today: date) -> str:
    if completed and not completed[-1].met:
        return BEHIND
    if not current.met and (current.period.end - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TRACK


def _when(post: Post) -> datetime:
    """The date of a post already known to have one."""
    if post.date is None:
        raise ValueError(f"{post.source} has no date")  # a bug: callers pass dated posts only
    return post.date


def _per_period(cadence: Cadence, by_day: Counter[date]) -> Counter[date]:
    totals: Counter[date] = Counter()
    for day, n in by_day.items():
        totals[cadence.period_of(day).start] += n
    return totals


def _current_streak(stats: Sequence[PeriodStat]) -> int:
    runs = list(stats) if stats[-1].met else list(stats[:-1])
    streak = 0
    for stat in reversed(runs):
        if not stat.met:
            break
        streak += 1
    return streak


def _longest_streak(stats: Sequence[PeriodStat]) -> int:
    best = run = 0
    for stat in stats:
        run = run + 1 if stat.met else 0
        best = max(best, run)
    return best


def _longest_gap(days: list[date]) -> Gap | None:
    gaps = [Gap(a, b) for a, b in pairwise(days)]
    return max(gaps, key=lambda g: (g.days, g.start)) if gaps else None


def _unmet_periods(
    cadence: Cadence,
    current: Period,
    target: int,
    published: Counter[date],
    scheduled: Counter[date],
    limit: int,
) -> list[Period]:
    """The first ``limit`` periods from ``current`` on whose published + scheduled < target."""
    found: list[Period] = []
    period = current
    while len(found) < limit:
        total = sum(n for day, n in (*published.items(), *scheduled.items()) if day in period)
        if total < target:
            found.append(period)
        period = cadence.next(period)
    return found


def _backlog(
    posts: Sequence[Post], status: Status, today: date, local_day: Callable[[datetime], date]
) -> tuple[Entry, ...]:
    entries = []
    for post in posts:
        if post.status is not status:
            continue
        day = local_day(post.date) if post.date else None
        noted = day or (local_day(post.file_modified) if post.file_modified else None)
        entries.append(Entry(post, day, max(0, (today - noted).days) if noted else None))
    return tuple(sorted(entries, key=lambda e: (-(e.waiting_days or 0), e.post.source)))


def report_for(site: Site, now: datetime | None = None) -> CalendarReport:
    """The report for every post of ``site`` (drafts and ideas included) as of ``now``.

    Raises ThoughtgenError when ``now`` is outside the years thoughtgen works with: the
    report reaches a year back and weeks ahead, which near year 1 or 9999 has no dates.
    """
    config = site.config
    if now is not None and not FIRST_YEAR <= now.year <= LAST_YEAR:
        raise ThoughtgenError.single(
            "--today",
            None,
            f"{now.date().isoformat()} is out of range; "
            f"use a year between {FIRST_YEAR} and {LAST_YEAR}",
        )
    return compute_report(site.all_posts, config.calendar, config.tz, now or site.now)
