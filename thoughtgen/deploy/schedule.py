"""Cron entries that run a scheduled build at the calendar's slots, in the writer's time zone.

A slot (``calendar.slots``, e.g. ``tue 09:00``) is a weekday and a local time in the site's
``timezone``. A cron that honours ``CRON_TZ`` takes the slots as they are. A cron that runs
in UTC (GitHub Actions) needs one entry for every UTC offset the zone uses at that slot:
``tue 09:00`` in New York is 14:00 UTC in winter and 13:00 UTC in summer. Both entries run
all year; the one that does not match the season fires an hour away from the slot, where the
workflow's guard (``thoughtgen due``) finds nothing new and skips the deploy.

Offsets are found by walking real dates with :mod:`zoneinfo`, never from a table, so
half-hour zones, southern-hemisphere daylight time and slots that fall on another weekday
in UTC come out right.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from thoughtgen.calendar.periods import Slot, parse_slot
from thoughtgen.config import Config

WINDOW_DAYS = 400  # how far ahead offsets are collected: every season of the coming year
DAILY_BUILD = time(22, 0)  # local time of the one daily build (in the zone's smaller offset)
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CronEntry:
    """One cron line's time fields; ``weekdays`` uses cron's numbers (0 = Sunday … 6 = Saturday)."""

    minute: int
    hour: int
    weekdays: tuple[int, ...]  # () = every day
    note: str  # which slot and which offset the entry serves, for a comment beside it

    def expression(self) -> str:
        """``0 14 * * 2``: the five fields of a crontab line."""
        days = ",".join(str(day) for day in self.weekdays) or "*"
        return f"{self.minute} {self.hour} * * {days}"

    def fires_at(self, moment: datetime) -> bool:
        """Whether this entry runs at ``moment`` (read in the moment's own zone)."""
        return (
            moment.minute == self.minute
            and moment.hour == self.hour
            and (not self.weekdays or cron_weekday(moment.date()) in self.weekdays)
        )


@dataclass(frozen=True)
class Schedule:
    """When scheduled builds run, for both kinds of cron."""

    local: tuple[CronEntry, ...]  # in the site's zone, for crons that honour CRON_TZ
    utc: tuple[CronEntry, ...]  # covering every UTC offset the zone uses for the slots
    daily_local: CronEntry
    daily_utc: CronEntry
    timezone: str
    slots: tuple[str, ...] = ()  # the slots served, as labels such as "Tue 09:00"
    offsets: tuple[str, ...] = ()  # the zone's UTC offsets at those slots, e.g. "UTC-05:00"

    @property
    def utc_entries(self) -> tuple[CronEntry, ...]:
        """Every UTC entry, the daily build last."""
        return (*self.utc, self.daily_utc)

    @property
    def local_entries(self) -> tuple[CronEntry, ...]:
        """Every entry for a ``CRON_TZ`` crontab, the daily build last."""
        return (*self.local, self.daily_local)


def cron_weekday(day: date) -> int:
    """Cron's weekday number of ``day``: 0 = Sunday … 6 = Saturday."""
    return (day.weekday() + 1) % 7


def slot_label(slot: Slot) -> str:
    return f"{DAY_NAMES[slot.weekday]} {slot.at:%H:%M}"


def config_slots(config: Config) -> list[Slot]:
    """The configured slots, in week order, each once."""
    return sorted({parse_slot(text) for text in config.calendar.slots}, key=_slot_order)


def slot_moment(day: date, at: time, tz: tzinfo) -> datetime:
    """The moment a slot on ``day`` happens, in UTC.

    A local time that does not exist on a daylight-saving day (02:30 on the spring-forward
    Sunday) is taken as the moment Python's zoneinfo maps it to with ``fold=0``: read with
    the offset in force before the change, so 02:30 in New York becomes 07:30 UTC (03:30
    daylight time). A post dated at that local time goes live at the same moment, because
    front-matter dates are read the same way. A time that happens twice (the fall-back
    hour) is its first occurrence.
    """
    return _ceil_minute(datetime.combine(day, at, tzinfo=tz).astimezone(UTC))


def schedule_for(config: Config, now: datetime | None = None) -> Schedule:
    """The cron entries for ``config``'s slots and the daily build.

    UTC entries cover every slot between ``now`` (default: this moment) and
    ``WINDOW_DAYS`` later. With no slots configured there are no slot entries, only the
    daily build.
    """
    tz = config.tz
    start = (now or datetime.now(UTC)).astimezone(tz).date()
    days = [start + timedelta(days=n) for n in range(WINDOW_DAYS + 1)]
    slots = config_slots(config)
    return Schedule(
        local=_local_entries(slots, config.timezone),
        utc=_utc_entries(slots, days, config.timezone),
        daily_local=CronEntry(
            DAILY_BUILD.minute, DAILY_BUILD.hour, (), f"daily build at 22:00 {config.timezone}"
        ),
        daily_utc=_daily_utc(days, config.timezone),
        timezone=config.timezone,
        slots=tuple(slot_label(slot) for slot in slots),
        offsets=_offsets_at(slots, days, tz),
    )


def next_slots(config: Config, now: datetime, count: int = 8) -> list[datetime]:
    """The next ``count`` slot moments after ``now``, aware, in the site's zone."""
    tz = config.tz
    slots = config_slots(config)
    if not slots or count <= 0:
        return []
    found: list[datetime] = []
    day = now.astimezone(tz).date()
    while len(found) < count:
        moments = sorted(
            {slot_moment(day, slot.at, tz) for slot in slots if slot.weekday == day.weekday()}
        )
        found.extend(moment.astimezone(tz) for moment in moments if moment > now)
        day += timedelta(days=1)
    return found[:count]


def print_schedule(config: Config, now: datetime, count: int = 8) -> str:
    """What ``deploy setup --print-schedule`` shows: the next slots and every cron line."""
    schedule = schedule_for(config, now)
    zone = config.timezone
    lines: list[str] = []
    if not schedule.slots:
        lines += [
            f"No publishing slots are set, so only the daily build runs (22:00 {zone}).",
            "To build at the times you publish, add slots to thoughtgen.yaml, e.g.",
            "  calendar:",
            '    slots: ["tue 09:00"]',
            "and run this again.",
        ]
    else:
        lines.append(f"The next {count} publishing slots ({', '.join(schedule.slots)} in {zone}):")
        for moment in next_slots(config, now, count):
            lines.append("  " + _slot_line(moment, schedule))
    lines += ["", "Cron in UTC (GitHub Actions schedule):"]
    lines += _cron_lines(schedule.utc_entries)
    lines += ["", "Cron that honours CRON_TZ (a crontab on your own server):", f"  CRON_TZ={zone}"]
    lines += _cron_lines(schedule.local_entries)
    lines += ["", *_explanation(schedule)]
    return "\n".join(lines) + "\n"


def _slot_order(slot: Slot) -> tuple[int, time]:
    return (slot.weekday, slot.at)


def _ceil_minute(moment: datetime) -> datetime:
    # Only historical offsets carry seconds; a cron cannot fire mid-minute, so round up.
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def _local_entries(slots: list[Slot], zone: str) -> tuple[CronEntry, ...]:
    grouped: dict[tuple[int, int], list[Slot]] = defaultdict(list)
    for slot in slots:
        grouped[(slot.at.minute, slot.at.hour)].append(slot)
    entries = [
        CronEntry(
            minute,
            hour,
            tuple(sorted({(slot.weekday + 1) % 7 for slot in served})),
            f"{_join(slot_label(slot) for slot in served)} {zone}",
        )
        for (minute, hour), served in grouped.items()
    ]
    return tuple(sorted(entries, key=_entry_order))


def _utc_entries(slots: list[Slot], days: list[date], zone: str) -> tuple[CronEntry, ...]:
    tz = ZoneInfo(zone)
    weekdays: dict[tuple[int, int], set[int]] = defaultdict(set)
    # (minute, hour) → {offset description: slots served}, insertion-ordered for stable notes
    served: dict[tuple[int, int], dict[str, list[str]]] = defaultdict(dict)
    for slot in slots:
        for day in days:
            if day.weekday() != slot.weekday:
                continue
            utc = slot_moment(day, slot.at, tz)
            key = (utc.minute, utc.hour)
            weekdays[key].add(cron_weekday(utc.date()))
            local = datetime.combine(day, slot.at, tzinfo=tz)
            offset = f"at {_offset(local)} ({local.tzname()})"
            if utc.date() != day:
                offset += f", {DAY_WORDS[utc.weekday()]} in UTC"
            labels = served[key].setdefault(offset, [])
            if slot_label(slot) not in labels:
                labels.append(slot_label(slot))
    entries = [
        CronEntry(
            minute,
            hour,
            tuple(sorted(weekdays[(minute, hour)])),
            "; ".join(
                f"{_join(labels)} {zone} {offset}"
                for offset, labels in served[(minute, hour)].items()
            ),
        )
        for (minute, hour) in served
    ]
    return tuple(sorted(entries, key=_entry_order))


def _offsets_at(slots: list[Slot], days: list[date], tz: tzinfo) -> tuple[str, ...]:
    found = {
        _utcoffset(datetime.combine(day, slot.at, tzinfo=tz))
        for slot in slots
        for day in days
        if day.weekday() == slot.weekday
    }
    return tuple(_format_offset(offset) for offset in sorted(found))


def _daily_utc(days: list[date], zone: str) -> CronEntry:
    """22:00 at the zone's smaller offset: its standard time, in zones whose summer is ahead.

    In daylight time the same entry runs an hour later, at 23:00, still the same day.
    """
    tz = ZoneInfo(zone)
    offsets = sorted({_utcoffset(datetime.combine(day, DAILY_BUILD, tzinfo=tz)) for day in days})
    first = offsets[0]
    at = _ceil_minute(datetime.combine(days[0], DAILY_BUILD) - first)
    later = [
        f"{(datetime.combine(days[0], DAILY_BUILD) + (offset - first)):%H:%M} "
        f"at {_format_offset(offset)}"
        for offset in offsets[1:]
    ]
    note = f"daily build at 22:00 {zone} " + (
        f"at {_format_offset(first)} ({_join(later)})" if later else f"({_format_offset(first)})"
    )
    return CronEntry(at.minute, at.hour, (), note)


def _slot_line(moment: datetime, schedule: Schedule) -> str:
    utc = moment.astimezone(UTC)
    entry = next((e for e in schedule.utc if e.fires_at(utc)), None)
    local = f"{_day_text(moment)} {moment:%H:%M} {moment.tzname()} ({_offset(moment)})"
    day = f"{DAY_NAMES[utc.weekday()]} " if utc.date() != moment.date() else ""
    cron = f"cron {entry.expression()}" if entry else "no cron entry fires then"
    return f"{local}  →  {day}{utc:%H:%M} UTC   {cron}"


def _cron_lines(entries: tuple[CronEntry, ...]) -> list[str]:
    width = max(len(entry.expression()) for entry in entries)
    return [f"  {entry.expression():<{width}}  # {entry.note}" for entry in entries]


def _explanation(schedule: Schedule) -> list[str]:
    text = ""
    if len(schedule.offsets) > 1:
        text += (
            f"{schedule.timezone} changes its UTC offset during the year, so a UTC cron has an "
            "entry for each offset and all of them run all year. A run that does not match the "
            "season finds nothing new: the workflow first runs `thoughtgen due` and skips the "
            "deploy unless a post became public since the last one. "
        )
    text += (
        "The daily build at 22:00 publishes a post dated at any other time the same day."
        if schedule.slots
        else "It publishes each post dated that day, whatever its time."
    )
    return textwrap.wrap(text, 92)


def _day_text(moment: datetime) -> str:
    return (
        f"{DAY_NAMES[moment.weekday()]} {moment.day:02d} "
        f"{MONTH_NAMES[moment.month - 1]} {moment.year}"
    )


def _offset(moment: datetime) -> str:
    return _format_offset(_utcoffset(moment))


def _utcoffset(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    if offset is None:  # every zone thoughtgen reads is a ZoneInfo, which always answers
        raise ValueError(f"{moment!r} has no UTC offset")
    return offset


def _format_offset(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _entry_order(entry: CronEntry) -> tuple[int, int, int]:
    first = min(((day - 1) % 7 for day in entry.weekdays), default=0)  # Monday first
    return (first, entry.hour, entry.minute)


def _join(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
