"""The calendar report as a stable JSON object (documented in README.md)."""

from __future__ import annotations

from typing import Any

from thoughtgen.calendar.report import CalendarReport, Entry

SCHEMA_VERSION = 1


def report_to_json(report: CalendarReport, site_url: str) -> dict[str, Any]:
    gap = report.longest_gap
    live = report.live
    seen = live.sources if live is not None else frozenset()
    return {
        "version": SCHEMA_VERSION,
        "cadence": report.cadence,
        "target": report.target,
        "week_start": report.week_start,
        "today": report.today.isoformat(),
        "status": report.status,
        "current_streak": report.current_streak,
        "longest_streak": report.longest_streak,
        "consistency": round(report.consistency, 4),
        "consistency_periods": report.consistency_periods,
        "longest_gap_days": report.longest_gap_days,
        "longest_gap": None
        if gap is None
        else {"from": gap.start.isoformat(), "to": gap.end.isoformat(), "days": gap.days},
        "days_since_last_post": report.days_since_last_post,
        "next_due": report.next_due.isoformat() if report.next_due else None,
        "periods": [
            {
                "start": s.period.start.isoformat(),
                "end": s.period.end.isoformat(),
                "published": s.published,
                "scheduled": s.scheduled,
                "met": s.met,
                "current": s.current,
            }
            for s in report.periods
        ],
        "upcoming_due": [p.end.isoformat() for p in report.upcoming_due],
        "live_check": None
        if live is None
        else {"url": live.url, "checked_at": live.checked_at.isoformat(timespec="seconds")},
        "recent": [_entry(e, site_url, seen) for e in report.recent],
        "scheduled": [_entry(e, site_url, seen) for e in report.scheduled],
        "drafts": [_entry(e, site_url, seen) for e in report.drafts],
        "ideas": [_entry(e, site_url, seen) for e in report.ideas],
    }


def _entry(entry: Entry, site_url: str, live: frozenset[str]) -> dict[str, Any]:
    post = entry.post
    item: dict[str, Any] = {"title": post.title, "path": post.source}
    item["live"] = post.source in live  # seen live by the last deploy verify
    if post.date is not None:
        item["date"] = post.date.isoformat(timespec="seconds")
        item["url"] = site_url + post.url
    if entry.waiting_days is not None:
        item["waiting_days"] = entry.waiting_days
    return item
