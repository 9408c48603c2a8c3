"""The calendar as a writer uses it: the command, JSON, ICS, scheduling and the built page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from conftest import REPO, SiteMaker, post
from test_site_output import parse_html

from thoughtgen.cli import main

CALENDAR = """\
calendar:
  cadence: weekly
  slots: ["tue 09:00", "thu 09:00"]
  page: true
  ics: true
"""


@pytest.fixture
def cal_site(site: SiteMaker) -> SiteMaker:
    site.config(extra=CALENDAR)
    site.write("content/posts/a.md", post("First", date="2026-10-27 09:00"))
    site.write("content/posts/b.md", post("Second", date="2026-11-03 09:00"))
    site.write("content/posts/c.md", post("Third", date="2026-11-19 23:30"))
    site.write("content/posts/d.md", post("Future <one>", date="2026-12-01 09:00"))
    site.write("content/posts/e.md", post("A draft", date=None, draft="true"))
    site.write("content/posts/f.md", post("An idea", date="2026-09-01", status="idea"))
    return site


def calendar(site: SiteMaker, *args: str):
    return site.runner.invoke(main, ["calendar", "--source", str(site.root), *args])


def test_json_report(cal_site: SiteMaker) -> None:
    result = calendar(cal_site, "--format", "json", "--today", "2026-11-22")
    data = json.loads(result.stdout)
    assert data["today"] == "2026-11-22"
    assert data["status"] == "behind"  # the week of Nov 9 had nothing
    assert (data["current_streak"], data["longest_streak"]) == (1, 2)
    assert data["consistency"] == 0.6667  # 2 of 3 completed weeks, rounded to 4 places
    assert data["longest_gap_days"] == 16
    assert data["days_since_last_post"] == 3
    assert data["next_due"] == "2026-11-29"
    assert data["periods"][0] == {
        "start": "2026-10-26",
        "end": "2026-11-01",
        "published": 1,
        "scheduled": 0,
        "met": True,
        "current": False,
    }
    assert [p["start"] for p in data["periods"]] == [
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
    ]
    assert data["scheduled"] == [
        {
            "title": "Future <one>",
            "path": "content/posts/d.md",
            "live": False,  # no deploy verify has seen it
            "date": "2026-12-01T09:00:00+01:00",
            "url": "https://example.com/posts/d/",
        }
    ]
    assert [d["title"] for d in data["drafts"]] == ["A draft"]
    assert data["ideas"][0]["date"] == "2026-09-01T00:00:00+02:00"
    assert data["ideas"][0]["waiting_days"] == 82
    assert set(data) >= {"cadence", "target", "periods", "upcoming_due"}
    assert data["live_check"] is None
    assert [(d["title"], d["live"]) for d in data["recent"]] == [
        ("Third", False),
        ("Second", False),
        ("First", False),
    ]


def test_check_exit_codes(cal_site: SiteMaker) -> None:
    assert calendar(cal_site, "--check", "--today", "2026-11-22").exit_code == 1  # behind
    assert calendar(cal_site, "--check", "--today", "2026-11-08").exit_code == 0
    result = calendar(cal_site, "--today", "2026-11-31")
    assert result.exit_code == 2
    assert "2026-11-31" in result.stderr


def test_text_report_shows_the_essentials(cal_site: SiteMaker) -> None:
    result = calendar(cal_site, "--today", "2026-11-22")
    text = result.stdout
    assert "Goal: 1 post per week" in text
    assert "Status: Behind" in text
    assert "Current streak: 1 week    Longest streak: 2 weeks" in text
    assert "Consistency: 67%" in text
    assert "Longest gap: 16 days (Tue 3 Nov 2026 → Thu 19 Nov 2026)" in text
    assert "Tue 1 Dec 2026 09:00  Future <one>" in text
    assert "draft  A draft" in text and "idea   An idea" in text
    heat = [line for line in text.splitlines() if line.startswith(("Mon ", "Wed ", "Fri "))]
    assert len(heat) == 3 and all(len(line.split()) == 53 for line in heat)
    assert "\x1b[" not in text  # no colour codes when not on a terminal


def test_ics_parses_back_with_stable_uids(cal_site: SiteMaker, tmp_path: Path) -> None:
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    assert calendar(cal_site, "--ics", str(first), "--today", "2026-11-22").exit_code in (0, 1)
    assert calendar(cal_site, "--ics", str(second), "--today", "2026-11-22").exit_code in (0, 1)
    assert first.read_bytes() == second.read_bytes()
    cal = icalendar.Calendar.from_ical(first.read_bytes())
    events = list(cal.walk("VEVENT"))
    by_kind: dict[str, list] = {}
    for event in events:
        by_kind.setdefault(str(event["categories"].cats[0]), []).append(event)
    assert len(by_kind["scheduled"]) == 1 and len(by_kind["published"]) == 3
    assert len(by_kind["due"]) == 8
    scheduled = by_kind["scheduled"][0]
    assert str(scheduled["summary"]) == "Scheduled: Future <one>"
    assert scheduled.decoded("dtstart") == datetime.fromisoformat("2026-12-01T08:00:00+00:00")
    assert str(scheduled["url"]) == "https://example.com/posts/d/"
    assert str(scheduled["uid"]) == "post-d@example.com"
    due = by_kind["due"][0]
    assert due.decoded("dtstart") == date(2026, 11, 29)
    assert due.decoded("dtend") - due.decoded("dtstart") == timedelta(days=1)
    # The week of Dec 1 is covered by the scheduled post, so it is not due.
    assert date(2026, 12, 6) not in [e.decoded("dtstart") for e in by_kind["due"]]
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_build_publishes_calendar_page_and_ics(cal_site: SiteMaker) -> None:
    result = cal_site.build()
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical((cal_site.out / "calendar.ics").read_bytes())
    assert len(list(cal.walk("VEVENT"))) == 12
    page = cal_site.page("calendar/index.html")
    doc = parse_html(page)
    assert "<script" not in page
    svg = doc.find(".//{http://www.w3.org/2000/svg}svg")
    assert svg is not None and svg.get("role") == "img"
    assert doc.find(".//figcaption").text.startswith("3 posts on 3 days between")
    assert "Future" not in page  # upcoming posts by date only
    assert "1 December 2026" in page
    assert "/calendar/" in [a.get("href") for a in doc.iter("a")]


def test_calendar_is_off_by_default(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    assert site.build().exit_code == 0
    assert not (site.out / "calendar").exists() and not (site.out / "calendar.ics").exists()
    assert "/calendar/" not in site.page("index.html")


def test_bad_calendar_config_writes_nothing(cal_site: SiteMaker, tmp_path: Path) -> None:
    cal_site.config(extra="calendar:\n  cadence: fortnightly\n  target: 0\n")
    target = tmp_path / "x.ics"
    result = calendar(cal_site, "--ics", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "thoughtgen.yaml:8: 'calendar.cadence' must be one of daily, weekly, biweekly, monthly; "
        "got 'fortnightly'",
        "thoughtgen.yaml:9: 'calendar.target' must be 1 or more",
    ]
    assert not target.exists()


def test_starter_site_calendar_shows_the_gap_and_the_2027_post() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(
        main, ["calendar", "--source", str(REPO), "--format", "json", "--today", "2026-11-22"]
    )
    data = json.loads(result.stdout)
    assert data["longest_gap"] == {"from": "2026-07-14", "to": "2026-08-25", "days": 42}
    assert [s["date"][:4] for s in data["scheduled"]] == ["2027"]
    assert len(data["drafts"]) == 1 and len(data["ideas"]) == 1


def test_ics_events_carry_revision_fields_from_the_sources(cal_site: SiteMaker) -> None:
    import os

    saved = datetime(2026, 11, 10, 8, 30, 15, 250000, tzinfo=UTC)
    for name in "abcdef":
        os.utime(cal_site.root / f"content/posts/{name}.md", (saved.timestamp(),) * 2)
    assert cal_site.build().exit_code == 0
    first = (cal_site.out / "calendar.ics").read_bytes()
    assert cal_site.build().exit_code == 0
    assert (cal_site.out / "calendar.ics").read_bytes() == first  # nothing changed: same bytes
    assert cal_site.build("--clean").exit_code == 0
    assert (cal_site.out / "calendar.ics").read_bytes() == first

    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(first).walk("VEVENT")}
    for event in events.values():  # RFC 5545: DTSTAMP in every VEVENT, in UTC
        assert event.decoded("dtstamp").utcoffset() == timedelta(0)
        assert event.decoded("last-modified").utcoffset() == timedelta(0)
        assert isinstance(event.decoded("sequence"), int) and event.decoded("sequence") >= 0
    scheduled = events["post-d@example.com"]
    whole_seconds = saved.replace(microsecond=0)
    assert scheduled.decoded("dtstamp") == scheduled.decoded("last-modified") == whole_seconds
    before = scheduled.decoded("sequence")
    assert before > 0

    # Rescheduled an hour later (the file saved again): a newer revision of the same event.
    cal_site.write("content/posts/d.md", post("Future <one>", date="2026-12-03 09:00"))
    later = saved + timedelta(hours=1)
    os.utime(cal_site.root / "content/posts/d.md", (later.timestamp(),) * 2)
    assert cal_site.build().exit_code == 0
    after = icalendar.Calendar.from_ical((cal_site.out / "calendar.ics").read_bytes())
    moved = {str(e["uid"]): e for e in after.walk("VEVENT")}
    event = moved["post-d@example.com"]
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert event.decoded("sequence") > before
    assert event.decoded("last-modified") == later.replace(microsecond=0)
    for uid in ("post-a@example.com", "post-b@example.com", "post-c@example.com"):
        assert moved[uid].to_ical() == events[uid].to_ical()  # the others untouched


def test_ics_revision_follows_an_updated_date_later_than_the_file(cal_site: SiteMaker) -> None:
    import os

    cal_site.write(
        "content/posts/b.md", post("Second", date="2026-11-03 09:00", updated="2026-11-21 10:00")
    )
    old = datetime(2026, 11, 4, tzinfo=UTC).timestamp()
    os.utime(cal_site.root / "content/posts/b.md", (old, old))
    assert cal_site.build().exit_code == 0
    cal = icalendar.Calendar.from_ical((cal_site.out / "calendar.ics").read_bytes())
    event = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == "post-b@example.com")
    assert event.decoded("last-modified") == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
