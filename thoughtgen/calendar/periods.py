"""Calendar-aligned publishing periods: days, weeks, two-week blocks and months."""

from __future__ import annotations

import calendar as stdlib_calendar
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EPOCH = date(1970, 1, 1)

# How many completed periods make "the last 52 weeks' worth" for the consistency score.
CONSISTENCY_WINDOW = {"daily": 365, "weekly": 52, "biweekly": 26, "monthly": 12}


_SLOT_RE = re.compile(r"^\s*([a-z]{3})[a-z]*\s+([01]?\d|2[0-3]):([0-5]\d)\s*$", re.I)


@dataclass(frozen=True)
class Slot:
    """A preferred publishing time: a weekday (0 = Monday) and a time of day."""

    weekday: int
    at: time


def parse_slot(text: str) -> Slot:
    """``"tue 09:00"`` (or ``"Tuesday 9:00"``) → Slot(1, 09:00); ValueError if unreadable."""
    match = _SLOT_RE.match(text)
    day = match.group(1).lower() if match else ""
    names = [w[:3] for w in WEEKDAYS]
    if (
        not match
        or day not in names
        or not WEEKDAYS[names.index(day)].startswith(text.split()[0].lower())
    ):
        raise ValueError(f"cannot read slot {text!r}")
    return Slot(names.index(day), time(int(match.group(2)), int(match.group(3))))


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Cadence:
    """A cadence names how periods are cut; ``week_start`` is 0 for Monday … 6 for Sunday."""

    name: str
    week_start: int = 0

    @classmethod
    def from_config(cls, name: str, week_start: str) -> Cadence:
        return cls(name, WEEKDAYS.index(week_start))

    def period_of(self, day: date) -> Period:
        if self.name == "daily":
            return Period(day, day)
        if self.name == "weekly":
            start = day - timedelta(days=(day.weekday() - self.week_start) % 7)
            return Period(start, start + timedelta(days=6))
        if self.name == "biweekly":
            anchor = EPOCH + timedelta(days=(self.week_start - EPOCH.weekday()) % 7)
            blocks = (day - anchor).days // 14
            start = anchor + timedelta(days=14 * blocks)
            return Period(start, start + timedelta(days=13))
        if self.name == "monthly":
            last = stdlib_calendar.monthrange(day.year, day.month)[1]
            return Period(day.replace(day=1), day.replace(day=last))
        raise ValueError(f"unknown cadence {self.name!r}")

    def next(self, period: Period) -> Period:
        return self.period_of(period.end + timedelta(days=1))

    def previous(self, period: Period) -> Period:
        return self.period_of(period.start - timedelta(days=1))

    def span(self, first: Period, last: Period) -> list[Period]:
        """Every period from ``first`` to ``last`` inclusive."""
        periods = []
        current = first
        while current.start <= last.start:
            periods.append(current)
            current = self.next(current)
        return periods

    @property
    def consistency_window(self) -> int:
        return CONSISTENCY_WINDOW[self.name]
