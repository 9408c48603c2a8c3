"""The calendar as iCalendar (RFC 5545), made with the icalendar library.

UIDs derive from the post's URL or the period's dates, and DTSTAMPs from the content, so
the same inputs give the same bytes and calendar apps update events instead of adding more.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from thoughtgen.calendar.report import CalendarReport
from thoughtgen.calendar.text import UNIT, plural
from thoughtgen.config import Config
from thoughtgen.model import Post

PRODID = "-//thoughtgen//content calendar//EN"


def render_ics(report: CalendarReport, config: Config) -> bytes:
    from icalendar import Calendar, Event  # imported here: only calendar users pay for it

    host = urlsplit(config.site_url).hostname or "thoughtgen"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{config.title}: publishing calendar")
    calendar.add("x-wr-timezone", config.timezone)

    def post_event(post: Post, kind: str) -> Event:
        assert post.date is not None
        event = Event()
        event.add("uid", f"post-{post.slug}@{host}")
        event.add("dtstamp", (post.lastmod or post.date).astimezone(UTC))
        event.add("dtstart", post.date.astimezone(UTC))
        event.add("duration", timedelta(minutes=30))
        event.add("summary", f"{kind}: {post.title}")
        event.add("url", config.site_url + post.url)
        event.add("categories", [kind.lower()])
        return event

    for entry in report.scheduled:
        calendar.add_component(post_event(entry.post, "Scheduled"))
    unit = UNIT[report.cadence]
    for period in report.upcoming_due:
        event = Event()
        event.add("uid", f"due-{report.cadence}-{period.start.isoformat()}@{host}")
        event.add("dtstamp", datetime.combine(period.start, time(0), UTC))
        event.add("dtstart", period.end)
        event.add("dtend", period.end + timedelta(days=1))
        event.add("summary", f"Post due ({plural(report.target, 'post')} per {unit})")
        event.add(
            "description",
            f"This {unit} runs {period.start:%a %d %b} to "
            f"{period.end:%a %d %b %Y} and has not met the goal yet.",
        )
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["due"])
        calendar.add_component(event)
    for entry in reversed(report.published):
        calendar.add_component(post_event(entry.post, "Published"))
    return calendar.to_ical()
