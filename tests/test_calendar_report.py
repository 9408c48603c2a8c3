"""The consistency report on known histories, with answers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from thoughtgen.calendar.periods import Cadence, Period
from thoughtgen.calendar.report import BEHIND, DUE_SOON, ON_TRACK, compute_report
from thoughtgen.config import CalendarConfig
from thoughtgen.model import Body, Post, Status

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def make_post(
    when: str | None,
    status: Status = Status.PUBLISHED,
    tz=NY,
    title: str = "P",
    modified: datetime | None = None,
) -> Post:
    moment = datetime.fromisoformat(when) if when else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    slug = f"p-{when}-{status}".replace(":", "").replace(" ", "-")
    return Post(
        source=f"content/posts/{slug}.md",
        slug=slug,
        title=title,
        date=moment,
        updated=None,
        status=status,
        tags=(),
        summary="",
        body=Body(""),
        toc_html="",
        word_count=500,
        reading_minutes=2,
        author="",
        canonical_url="",
        image="",
        series="",
        file_modified=modified,
    )


def report(posts, today: str, tz=NY, **settings):
    now = datetime.combine(date.fromisoformat(today), time(12, 0), tz)
    return compute_report(posts, CalendarConfig(**settings), tz, now)


def test_weekly_streak_across_a_year_boundary() -> None:
    posts = [
        make_post(d)
        for d in (
            "2024-12-10 09:00",
            "2024-12-23 09:00",
            "2024-12-31 18:00",
            "2025-01-06 09:00",
            "2025-01-13 09:00",
        )
    ]
    r = report(posts, "2025-01-15")
    # Weeks (Mon-Sun): Dec 9 met, Dec 16 missed, Dec 23, Dec 30, Jan 6 met, Jan 13 (current) met.
    assert [s.met for s in r.periods] == [True, False, True, True, True, True]
    assert r.current_streak == 4
    assert r.longest_streak == 4
    assert r.consistency == pytest.approx(4 / 5)  # current week excluded
    assert r.status == ON_TRACK
    assert r.longest_gap_days == 13  # Dec 10 → Dec 23
    assert r.days_since_last_post == 2
    assert r.next_due == date(2025, 1, 26)  # this week is met: next week ends Sunday Jan 26


def test_two_posts_in_one_week_count_once_for_the_streak() -> None:
    posts = [make_post(d) for d in ("2025-03-03 09:00", "2025-03-05 09:00", "2025-03-12 09:00")]
    r = report(posts, "2025-03-18")  # week of Mar 17 is current and empty
    assert [(s.published, s.met) for s in r.periods] == [(2, True), (1, True), (0, False)]
    assert (r.current_streak, r.longest_streak) == (2, 2)
    assert r.status == ON_TRACK
    assert r.next_due == date(2025, 3, 23)


def test_late_evening_post_counts_for_its_local_day() -> None:
    # 23:59 on Sunday in New York is already Monday 04:59 in UTC.
    sunday_night = make_post("2025-03-02 23:59")
    r = report([sunday_night], "2025-03-04")
    assert r.periods[0].period == Period(date(2025, 2, 24), date(2025, 3, 2))
    assert r.periods[0].published == 1
    assert r.published[0].day == date(2025, 3, 2)
    assert r.status == ON_TRACK and r.current_streak == 1


def test_daily_cadence_through_a_daylight_saving_change() -> None:
    # Berlin moves its clocks forward in the night to Sunday 2025-03-30.
    posts = [
        make_post(d, tz=BERLIN)
        for d in ("2025-03-29 00:30", "2025-03-30 00:30", "2025-03-30 03:30", "2025-03-31 00:30")
    ]
    r = report(posts, "2025-03-31", tz=BERLIN, cadence="daily")
    assert [(s.period.start.day, s.published) for s in r.periods] == [(29, 1), (30, 2), (31, 1)]
    assert (r.current_streak, r.longest_streak) == (3, 3)
    assert r.longest_gap_days == 1
    assert r.next_due == date(2025, 4, 1)


def test_biweekly_blocks_are_aligned_to_1970() -> None:
    cadence = Cadence("biweekly", 0)
    # 1970-01-05 is the first Monday; 2025-01-06 is 20090 days (1435 fortnights) later.
    assert cadence.period_of(date(2025, 1, 10)) == Period(date(2025, 1, 6), date(2025, 1, 19))
    assert cadence.period_of(date(2025, 1, 5)) == Period(date(2024, 12, 23), date(2025, 1, 5))
    sunday = Cadence("biweekly", 6)  # first Sunday on or after 1970-01-01 is 1970-01-04
    assert sunday.period_of(date(1970, 1, 17)) == Period(date(1970, 1, 4), date(1970, 1, 17))
    posts = [make_post("2024-12-24 09:00"), make_post("2025-01-07 09:00")]
    r = report(posts, "2025-01-21", cadence="biweekly")
    assert [s.period.start for s in r.periods] == [
        date(2024, 12, 23),
        date(2025, 1, 6),
        date(2025, 1, 20),
    ]
    assert r.current_streak == 2
    assert r.status == ON_TRACK
    assert r.next_due == date(2025, 2, 2)


def test_monthly_with_target_two() -> None:
    posts = [
        make_post(d)
        for d in (
            "2025-01-05 09:00",
            "2025-01-20 09:00",
            "2025-02-10 09:00",
            "2025-03-01 09:00",
            "2025-03-02 09:00",
        )
    ]
    r = report(posts, "2025-04-29", cadence="monthly", target=2)
    assert [(s.period.start.month, s.published, s.met) for s in r.periods] == [
        (1, 2, True),
        (2, 1, False),
        (3, 2, True),
        (4, 0, False),
    ]
    assert (r.current_streak, r.longest_streak) == (1, 1)
    assert r.consistency == pytest.approx(2 / 3)
    assert r.status == DUE_SOON  # April ends tomorrow with nothing published
    assert r.next_due == date(2025, 4, 30)


def test_behind_when_the_last_completed_period_was_missed() -> None:
    r = report([make_post("2025-03-03 09:00")], "2025-03-19")
    assert r.status == BEHIND
    assert r.current_streak == 0 and r.longest_streak == 1


def test_scheduled_posts_fill_next_due() -> None:
    posts = [
        make_post("2025-03-03 09:00"),
        make_post("2025-03-12 09:00"),
        make_post("2025-03-18 09:00"),
        make_post("2025-03-25 09:00"),
    ]
    r = report(posts, "2025-03-12")
    assert [e.day for e in r.scheduled] == [date(2025, 3, 18), date(2025, 3, 25)]
    assert r.next_due == date(2025, 4, 6)  # weeks of Mar 17 and Mar 24 are covered
    assert [p.end for p in r.upcoming_due][:2] == [date(2025, 4, 6), date(2025, 4, 13)]
    assert len(r.upcoming_due) == 8


def test_empty_site() -> None:
    r = report([], "2025-03-12")
    assert (r.current_streak, r.longest_streak, r.consistency) == (0, 0, 0.0)
    assert r.longest_gap is None and r.days_since_last_post is None
    assert r.status == ON_TRACK
    assert r.next_due == date(2025, 3, 16)
    assert len(r.periods) == 1 and r.periods[0].current


def test_only_drafts_and_ideas() -> None:
    posts = [
        make_post(None, Status.DRAFT, title="D", modified=datetime(2025, 3, 1, 12, tzinfo=NY)),
        make_post("2025-02-10", Status.IDEA, title="I"),
    ]
    r = report(posts, "2025-03-12")
    assert r.published == () and r.scheduled == ()
    assert [(e.post.title, e.day, e.waiting_days) for e in r.drafts] == [("D", None, 11)]
    assert [(e.post.title, e.day, e.waiting_days) for e in r.ideas] == [
        ("I", date(2025, 2, 10), 30)
    ]
    assert r.status == ON_TRACK


def test_consistency_window_is_52_completed_weeks() -> None:
    posts = [
        make_post(f"{day} 09:00")
        for day in (date.fromordinal(date(2023, 1, 2).toordinal() + 7 * n) for n in range(80))
    ]
    r = report(posts[:60], "2024-07-10")
    # Weeks 0..79 from 2023-01-02; week 79 (from 2024-07-08) is current, so the window is
    # the completed weeks 27..78. Posts fill weeks 0..59, so 27..59 are met: 33 of 52.
    assert r.consistency_periods == 52
    assert r.consistency == pytest.approx(33 / 52)
