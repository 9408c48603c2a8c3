"""Choosing when the next post should go out: the first free slot in a period below target."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from thoughtgen.calendar.periods import Cadence, Period, Slot, parse_slot
from thoughtgen.config import CalendarConfig
from thoughtgen.model import Post, Status

DEFAULT_TIME = time(9, 0)
MAX_PERIODS = 5000  # far beyond any real backlog; guarantees the search ends


def next_free_slot(
    posts: Sequence[Post],
    settings: CalendarConfig,
    tz: tzinfo,
    now: datetime,
    ignore: str | None = None,
) -> datetime:
    """The first free slot, after ``now``, in the earliest period whose posts are below target.

    Published and scheduled posts count towards a period; ``ignore`` names a source path
    (the post being scheduled) that counts for nothing. With no ``slots`` configured, a
    period's slot is its first day at 09:00. When a period below target has no slot left,
    its remaining days at the usual time are used, so the goal can still be met.
    """
    cadence = Cadence.from_config(settings.cadence, settings.week_start)
    slots = sorted((parse_slot(s) for s in settings.slots), key=lambda s: (s.weekday, s.at))
    usual_time = slots[0].at if slots else DEFAULT_TIME
    counted = [
        p.date
        for p in posts
        if p.date and p.source != ignore and p.status not in (Status.DRAFT, Status.IDEA)
    ]
    taken = {d.astimezone(tz).replace(second=0, microsecond=0) for d in counted}
    days = [d.astimezone(tz).date() for d in counted]
    period = cadence.period_of(now.astimezone(tz).date())
    for _ in range(MAX_PERIODS):
        if sum(1 for day in days if day in period) < settings.target:
            for candidate in _candidates(period, slots, usual_time, tz):
                if candidate > now and candidate not in taken:
                    return candidate
        period = cadence.next(period)
    raise RuntimeError("no free slot found")  # unreachable for any real calendar


def _candidates(period: Period, slots: list[Slot], usual: time, tz: tzinfo) -> list[datetime]:
    every_day = [period.start + timedelta(days=n) for n in range(period.days)]
    preferred = [
        _at(day, slot.at, tz)
        for day in every_day
        for slot in slots
        if slot.weekday == day.weekday()
    ]
    if not slots:
        preferred = [_at(period.start, usual, tz)]
    fallback = [_at(day, usual, tz) for day in every_day]
    return sorted(preferred) + [c for c in fallback if c not in preferred]


def _at(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tz)
