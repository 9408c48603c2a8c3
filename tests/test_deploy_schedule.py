"""Cron entries from the calendar: every slot, all year, in every kind of time zone.

The checks walk real dates with zoneinfo and read the cron lines with a small matcher of
their own, so the schedule is tested for what a cron daemon would actually do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.calendar.periods import parse_slot
from thoughtgen.config import CalendarConfig, Config
from thoughtgen.deploy.schedule import (
    WINDOW_DAYS,
    CronEntry,
    next_slots,
    print_schedule,
    schedule_for,
)

ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "UTC"]
SLOTS = ["tue 09:00", "sun 23:30", "mon 00:15", "sun 02:30", "sun 01:30", "sat 03:00"]
START = datetime(2026, 1, 1, tzinfo=UTC)


def config(zone: str, slots: list[str]) -> Config:
    return Config(
        title="T",
        base_url="https://example.org/",
        timezone=zone,
        calendar=CalendarConfig(slots=slots),
    )


def cron_runs(expression: str, moment: datetime) -> bool:
    """A cron daemon's reading of ``m h * * days`` at ``moment`` (minute, hour, weekday)."""
    minute, hour, day_of_month, month, days = expression.split()
    assert (day_of_month, month) == ("*", "*")
    weekday = (moment.weekday() + 1) % 7  # cron: 0 = Sunday
    return (
        int(minute) == moment.minute
        and int(hour) == moment.hour
        and (days == "*" or weekday in {int(d) for d in days.split(",")})
    )


def slot_moments(zone: str, slot_text: str, first: date, last: date) -> list[datetime]:
    """Each slot moment between two dates, in UTC (non-existent local times as fold=0)."""
    slot = parse_slot(slot_text)
    tz = ZoneInfo(zone)
    moments = []
    day = first
    while day <= last:
        if day.weekday() == slot.weekday:
            moments.append(datetime.combine(day, slot.at, tzinfo=tz).astimezone(UTC))
        day += timedelta(days=1)
    return moments


def first_run(entries: tuple[CronEntry, ...], after: datetime) -> datetime | None:
    """The first UTC run of any entry in [after, after + 1 hour), or None."""
    minute = after.replace(second=0, microsecond=0)
    if minute < after:
        minute += timedelta(minutes=1)
    while minute < after + timedelta(hours=1):
        if any(cron_runs(entry.expression(), minute) for entry in entries):
            return minute
        minute += timedelta(minutes=1)
    return None


def assert_every_slot_covered(zone: str, slots: list[str], start: datetime, days: int) -> None:
    schedule = schedule_for(config(zone, slots), start)
    first = start.astimezone(ZoneInfo(zone)).date()
    for slot in slots:
        for moment in slot_moments(zone, slot, first, first + timedelta(days=days)):
            run = first_run(schedule.utc, moment)
            assert run is not None, f"{slot} {zone}: no UTC run within the hour after {moment}"


@pytest.mark.parametrize("zone", ZONES)
def test_every_slot_over_two_years_has_a_utc_run_within_the_hour(zone: str) -> None:
    # The schedule is computed once, at the start; the second year checks that the entries
    # written into a workflow keep serving the slots after the first year's seasons.
    assert_every_slot_covered(zone, SLOTS, START, 2 * 365 + 1)


@pytest.mark.parametrize("zone", ZONES)
def test_slot_runs_fire_exactly_at_the_slot(zone: str) -> None:
    schedule = schedule_for(config(zone, ["tue 09:00"]), START)
    for moment in slot_moments(zone, "tue 09:00", date(2026, 1, 1), date(2026, 12, 31)):
        assert first_run(schedule.utc, moment) == moment


def test_new_york_has_a_winter_and_a_summer_entry() -> None:
    schedule = schedule_for(config("America/New_York", ["tue 09:00"]), START)
    assert [e.expression() for e in schedule.utc] == ["0 13 * * 2", "0 14 * * 2"]
    assert [e.note for e in schedule.utc] == [
        "Tue 09:00 America/New_York at UTC-04:00 (EDT)",
        "Tue 09:00 America/New_York at UTC-05:00 (EST)",
    ]
    assert [e.expression() for e in schedule.local] == ["0 9 * * 2"]
    assert schedule.offsets == ("UTC-05:00", "UTC-04:00")


def test_half_hour_zone_gives_minute_thirty() -> None:
    schedule = schedule_for(config("Asia/Kolkata", ["tue 09:00"]), START)
    assert [e.expression() for e in schedule.utc] == ["30 3 * * 2"]
    assert schedule.daily_utc.expression() == "30 16 * * *"


def test_sydney_tuesday_morning_is_monday_in_utc_in_both_seasons() -> None:
    schedule = schedule_for(config("Australia/Sydney", ["tue 09:00"]), START)
    assert [e.expression() for e in schedule.utc] == ["0 22 * * 1", "0 23 * * 1"]
    assert "(AEDT), Monday in UTC" in schedule.utc[0].note
    assert "(AEST), Monday in UTC" in schedule.utc[1].note


def test_utc_zone_needs_one_entry_per_slot() -> None:
    schedule = schedule_for(config("UTC", ["tue 09:00", "fri 17:45"]), START)
    assert [e.expression() for e in schedule.utc] == ["0 9 * * 2", "45 17 * * 5"]
    assert [e.expression() for e in schedule.local] == [e.expression() for e in schedule.utc]
    assert schedule.daily_utc.expression() == "0 22 * * *"


def test_slots_at_the_same_time_share_one_entry() -> None:
    schedule = schedule_for(config("Europe/Berlin", ["thu 09:00", "tue 09:00"]), START)
    assert [e.expression() for e in schedule.utc] == ["0 7 * * 2,4", "0 8 * * 2,4"]
    assert [e.expression() for e in schedule.local] == ["0 9 * * 2,4"]
    assert schedule.utc[1].note == "Tue 09:00 and Thu 09:00 Europe/Berlin at UTC+01:00 (CET)"


def test_non_existent_local_time_runs_when_zoneinfo_places_it() -> None:
    # 02:30 does not happen on 8 March 2026 in New York; fold=0 reads it as 02:30 EST.
    schedule = schedule_for(config("America/New_York", ["sun 02:30"]), START)
    spring = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert any(cron_runs(e.expression(), spring) for e in schedule.utc)
    assert next_slots(
        config("America/New_York", ["sun 02:30"]), datetime(2026, 3, 7, tzinfo=UTC), 1
    )[0] == spring.astimezone(ZoneInfo("America/New_York"))


@pytest.mark.parametrize("zone", [*ZONES, "Europe/Dublin", "Pacific/Chatham", "Asia/Kathmandu"])
def test_daily_build_runs_once_a_day_on_the_same_local_day_at_22_or_23(zone: str) -> None:
    schedule = schedule_for(config(zone, []), START)
    assert schedule.utc == () and schedule.local == ()
    assert schedule.daily_local.expression() == "0 22 * * *"
    tz = ZoneInfo(zone)
    day = START
    for _ in range(366):
        run = day.replace(hour=schedule.daily_utc.hour, minute=schedule.daily_utc.minute)
        local = run.astimezone(tz)
        assert local.time() in (time(22, 0), time(23, 0)), (zone, run, local)
        day += timedelta(days=1)


def test_daily_build_in_new_york_is_22_standard_time() -> None:
    schedule = schedule_for(config("America/New_York", ["tue 09:00"]), START)
    assert schedule.daily_utc.expression() == "0 3 * * *"
    assert schedule.daily_utc.note == (
        "daily build at 22:00 America/New_York at UTC-05:00 (23:00 at UTC-04:00)"
    )


TIMEZONES = sorted(available_timezones())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(TIMEZONES),
    weekday=st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    start_day=st.integers(0, 365),
)
def test_any_zone_and_slot_is_covered_over_the_window(
    zone: str, weekday: str, hour: int, minute: int, start_day: int
) -> None:
    slot = f"{weekday} {hour:02d}:{minute:02d}"
    start = START + timedelta(days=start_day, hours=start_day % 24)
    assert_every_slot_covered(zone, [slot], start, WINDOW_DAYS - 7)


def test_next_slots_are_after_now_in_the_site_zone() -> None:
    site = config("America/New_York", ["tue 09:00", "thu 17:30"])
    now = datetime(2027, 2, 23, 9, 0, tzinfo=ZoneInfo("America/New_York"))  # a slot itself
    found = next_slots(site, now, 4)
    assert [f"{m:%a %Y-%m-%d %H:%M %Z}" for m in found] == [
        "Thu 2027-02-25 17:30 EST",
        "Tue 2027-03-02 09:00 EST",
        "Thu 2027-03-04 17:30 EST",
        "Tue 2027-03-09 09:00 EST",
    ]
    assert next_slots(config("UTC", []), now) == []


def test_starter_site_schedule_across_the_march_change() -> None:
    site = config("America/New_York", ["tue 09:00"])
    text = print_schedule(site, datetime(2027, 2, 20, tzinfo=ZoneInfo("America/New_York")))
    slot_lines = [line.strip() for line in text.splitlines() if line.startswith("  Tue ")]
    assert slot_lines == [
        "Tue 23 Feb 2027 09:00 EST (UTC-05:00)  →  14:00 UTC   cron 0 14 * * 2",
        "Tue 02 Mar 2027 09:00 EST (UTC-05:00)  →  14:00 UTC   cron 0 14 * * 2",
        "Tue 09 Mar 2027 09:00 EST (UTC-05:00)  →  14:00 UTC   cron 0 14 * * 2",
        "Tue 16 Mar 2027 09:00 EDT (UTC-04:00)  →  13:00 UTC   cron 0 13 * * 2",
        "Tue 23 Mar 2027 09:00 EDT (UTC-04:00)  →  13:00 UTC   cron 0 13 * * 2",
        "Tue 30 Mar 2027 09:00 EDT (UTC-04:00)  →  13:00 UTC   cron 0 13 * * 2",
        "Tue 06 Apr 2027 09:00 EDT (UTC-04:00)  →  13:00 UTC   cron 0 13 * * 2",
        "Tue 13 Apr 2027 09:00 EDT (UTC-04:00)  →  13:00 UTC   cron 0 13 * * 2",
    ]
    assert "  0 13 * * 2  # Tue 09:00 America/New_York at UTC-04:00 (EDT)" in text
    assert "  0 14 * * 2  # Tue 09:00 America/New_York at UTC-05:00 (EST)" in text
    assert "  CRON_TZ=America/New_York" in text
    assert "  0 9 * * 2   # Tue 09:00 America/New_York" in text
    assert "0 3 * * *" in text and "0 22 * * *" in text
    assert "thoughtgen due" in text


def test_print_schedule_names_the_utc_weekday_when_it_differs() -> None:
    site = config("Australia/Sydney", ["tue 09:00"])
    text = print_schedule(site, datetime(2026, 11, 20, tzinfo=UTC), 1)
    assert "  Tue 24 Nov 2026 09:00 AEDT (UTC+11:00)  →  Mon 22:00 UTC   cron 0 22 * * 1\n" in text


def test_print_schedule_without_slots_says_how_to_add_them() -> None:
    text = print_schedule(config("Europe/Berlin", []), START)
    assert "No publishing slots are set" in text
    assert 'slots: ["tue 09:00"]' in text
    assert "  0 21 * * *  # daily build at 22:00 Europe/Berlin" in text
    assert "thoughtgen due" not in text  # one offset per slot: nothing to explain


def test_cron_entry_expression() -> None:
    assert CronEntry(0, 14, (2,), "x").expression() == "0 14 * * 2"
    assert CronEntry(30, 3, (), "x").expression() == "30 3 * * *"
    assert CronEntry(5, 0, (0, 6), "x").expression() == "5 0 * * 0,6"
