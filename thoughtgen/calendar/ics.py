"""The calendar as iCalendar (RFC 5545), made with the icalendar library.

UIDs derive from the post's URL or the period's dates, so calendar apps update events
instead of adding more. DTSTAMP, LAST-MODIFIED and SEQUENCE derive from the sources (when a
post was last saved or updated), never from the clock: the same inputs give the same bytes,
and a rebuild with nothing changed leaves the file as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from thoughtgen.calendar.report import CalendarReport
from thoughtgen.calendar.text import UNIT, plural
from thoughtgen.config import Config
from thoughtgen.model import Post

PRODID = "-//thoughtgen//content calendar//EN"
# SEQUENCE counts minutes from here: every save of a post (a new date, say) makes it grow,
# with no state kept between builds, and it stays a small integer for centuries.
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def revised(post: Post) -> datetime:
    """When a post's event last changed: the later of its ``updated`` and its file's last save.

    Without either (a post made in memory), its date. Whole seconds, UTC, as iCalendar has them.
    """
    assert post.date is not None
    times = [t for t in (post.updated, post.file_modified) if t is not None]
    return max(times or [post.date]).astimezone(UTC).replace(microsecond=0)


def sequence(post: Post) -> int:
    """The event's revision number: it grows whenever the post's source is saved again, so a
    rescheduled post is newer to calendar apps than the event they have."""
    return max(0, int((revised(post) - SEQUENCE_EPOCH).total_seconds()) // 60)


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
        # Without a METHOD, RFC 5545 makes DTSTAMP the time of the last revision, as LAST-MODIFIED.
        event.add("dtstamp", revised(post))
        event.add("last-modified", revised(post))
        event.add("sequence", sequence(post))
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
        # A due period never moves (its dates are in its UID): its first day stands for all three.
        stamp = datetime.combine(period.start, time(0), UTC)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("sequence", 0)
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
