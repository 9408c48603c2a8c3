"""Parsing the dates people actually write in front matter."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from thoughtgen.errors import shown

_DATE_RE = re.compile(
    r"""^\s*
    (?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
    (?:
        (?:[Tt]|\s+)
        (?P<hour>\d{1,2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?
        \s*
        (?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    )?
    \s*$""",
    re.VERBOSE,
)


# The years thoughtgen accepts. Python's dates end at years 1 and 9999, and the calendar
# reaches weeks and months around a date, so dates near those ends cannot be worked with;
# no post is published before year 1000 or after 9000 either.
FIRST_YEAR, LAST_YEAR = 1000, 9000


class DateError(ValueError):
    """A date that cannot be understood; the message says why."""


def check_year(value: date, original: object) -> None:
    """Raise DateError when ``value`` is outside the years thoughtgen works with."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DateError(
            f"date {shown(original)} is out of range; "
            f"use a year between {FIRST_YEAR} and {LAST_YEAR}"
        )


def parse_datetime(value: object, tz: tzinfo) -> datetime:
    """Turn a front-matter value into an aware datetime.

    Accepts ``2024-03-05``, ``2024-03-05 14:30``, ``2024-03-05T14:30:00+02:00``,
    ``2024-03-05 14:30:00 +0200`` and ``date``/``datetime`` objects. A value without
    an offset is taken to be in ``tz`` (the site's timezone); a bare date means midnight.
    """
    if isinstance(value, date):
        check_year(value, str(value))
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    if not isinstance(value, str):
        raise DateError(f"expected a date such as 2024-03-05 14:30, got {shown(value)}")
    match = _DATE_RE.match(value)
    if match is None:
        raise DateError(
            f"cannot read date {shown(value)}; write it as 2024-03-05, 2024-03-05 14:30 "
            "or 2024-03-05T14:30:00+02:00"
        )
    parts = match.groupdict()
    try:
        result = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int((parts["fraction"] or "0").ljust(6, "0")),
        )
    except ValueError as exc:
        raise DateError(f"date {shown(value)} does not exist ({exc})") from None
    check_year(result, value)
    offset = parts["tz"]
    if offset is None:
        return result.replace(tzinfo=tz)
    return result.replace(tzinfo=_parse_offset(offset, value))


def _parse_offset(text: str, original: str) -> tzinfo:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise DateError(f"date {shown(original)} has an impossible UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_offset_datetime(value: datetime) -> str:
    """``2027-01-05 09:00 +01:00``: how thoughtgen shows a moment to a person."""
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def long_date(value: datetime) -> str:
    """ "3 March 2026", as pages and share cards write a date: by the date's own fields, as
    equal datetimes in two zones can fall on different days."""
    return _day_month_year(value.year, value.month, value.day)


@lru_cache(maxsize=4096)  # a listing shows the same dates again and again
def _day_month_year(year: int, month: int, day: int) -> str:
    return f"{day} {datetime(year, month, day):%B %Y}"
