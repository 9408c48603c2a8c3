"""`thoughtgen schedule` changes the date line and nothing else."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import SiteMaker, post
from test_calendar_cli import CALENDAR

from thoughtgen.cli import main
from thoughtgen.errors import ThoughtgenError
from thoughtgen.model import Status
from thoughtgen.service import schedule_post

BERLIN = ZoneInfo("Europe/Berlin")
DRAFT = (
    "---\n"
    "# a comment the writer keeps\n"
    "title:   'Spacing kept'   # and a trailing one\n"
    "tags: [b, a]\n"
    "draft: true\n"
    "extra_key: {nested: [1, 2]}\n"
    "---\n"
    "Body with a line\n"
    "date: this is body text, not front matter\n"
)


def schedule(site: SiteMaker, *args: str):
    return site.runner.invoke(main, ["schedule", *args, "--source", str(site.root)])


@pytest.fixture
def sched_site(site: SiteMaker) -> SiteMaker:
    site.config(extra=CALENDAR)
    site.write("content/posts/a.md", post("A", date="2026-11-17 09:00"))  # Tue, week of Nov 16
    site.write("content/posts/b.md", post("B", date="2026-11-24 09:00"))  # Tue, next week
    return site


def test_date_option_changes_only_the_date_line(sched_site: SiteMaker) -> None:
    path = sched_site.write("content/posts/new.md", DRAFT)
    result = schedule(sched_site, str(path), "--date", "2027-01-05 09:00")
    assert result.exit_code == 0, result.output
    assert result.stdout == "content/posts/new.md: draft, dated 2027-01-05 09:00 +01:00\n"
    assert "still a draft; add --publish" in result.stderr
    after = path.read_text()
    assert after == DRAFT.replace(
        "extra_key: {nested: [1, 2]}\n", "extra_key: {nested: [1, 2]}\ndate: 2027-01-05 09:00\n"
    )

    result = schedule(sched_site, str(path), "--date", "2027-01-06T10:00:00+05:00", "--publish")
    assert result.exit_code == 0, result.output
    assert path.read_text() == after.replace("draft: true\n", "").replace(
        "date: 2027-01-05 09:00", "date: 2027-01-06T10:00+05:00"
    )


def test_the_file_keeps_its_permissions(sched_site: SiteMaker) -> None:
    path = sched_site.write("content/posts/new.md", DRAFT)
    path.chmod(0o664)
    assert schedule(sched_site, str(path), "--date", "2027-01-05 09:00").exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o664


def test_crlf_bom_and_comment_on_the_date_line_survive(sched_site: SiteMaker) -> None:
    original = (
        "\ufeff---\r\ntitle: X\r\ndate: 2026-01-01   # first try\r\nstatus: idea\r\n---\r\nText\r\n"
    ).encode()
    path = sched_site.write("content/posts/x.md", original)
    assert schedule(sched_site, str(path), "--date", "2026-12-24 18:00", "--publish").exit_code == 0
    assert (
        path.read_bytes()
        == (
            "\ufeff---\r\ntitle: X\r\ndate: 2026-12-24 18:00   # first try\r\n---\r\nText\r\n"
        ).encode()
    )


def test_next_picks_the_first_free_slot_in_a_period_below_target(sched_site: SiteMaker) -> None:
    path = sched_site.write("content/posts/new.md", DRAFT)
    # Sunday Nov 22: this week (Nov 16) and next (Nov 23) are covered, so the week of
    # Nov 30 is the first below target; its first slot is Tuesday Dec 1 at 09:00.
    done = schedule_post(
        sched_site.root, path, None, publish=True, now=datetime(2026, 11, 22, 12, tzinfo=BERLIN)
    )
    assert (done.when, done.status) == (datetime(2026, 12, 1, 9, tzinfo=BERLIN), Status.SCHEDULED)
    assert "date: 2026-12-01 09:00\n" in path.read_text()
    # Scheduling it again ignores its own date: it keeps the same free slot.
    again = schedule_post(
        sched_site.root, path, None, publish=False, now=datetime(2026, 11, 22, 12, tzinfo=BERLIN)
    )
    assert again.when == done.when


def test_next_uses_a_later_slot_or_day_when_this_weeks_first_has_passed(site: SiteMaker) -> None:
    site.config(extra=CALENDAR)
    path = site.write("content/posts/new.md", DRAFT)
    thursday_noon = datetime(2026, 11, 19, 12, tzinfo=BERLIN)
    done = schedule_post(site.root, path, None, publish=True, now=thursday_noon)
    assert done.when == datetime(2026, 11, 20, 9, tzinfo=BERLIN)  # Friday at the usual time
    wednesday = datetime(2026, 11, 18, 12, tzinfo=BERLIN)
    done = schedule_post(site.root, path, None, publish=True, now=wednesday)
    assert done.when == datetime(2026, 11, 19, 9, tzinfo=BERLIN)  # the Thursday slot


def test_refuses_a_file_whose_front_matter_does_not_parse(sched_site: SiteMaker) -> None:
    broken = "---\ntitle: [oops\ndate: 2026-01-01\n---\nbody\n"
    path = sched_site.write("content/posts/broken.md", broken)
    result = schedule(sched_site, str(path), "--next")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "content/posts/broken.md:2: not changed: the list opened with '[' on line 2 is not closed"
    )
    assert path.read_text() == broken


def test_usage_errors(sched_site: SiteMaker) -> None:
    path = sched_site.root / "content/posts/a.md"
    assert schedule(sched_site, str(path)).exit_code == 2
    assert schedule(sched_site, str(path), "--next", "--date", "2026-01-01").exit_code == 2
    result = schedule(sched_site, str(path), "--date", "someday")
    assert result.exit_code == 1 and "--date: cannot read date 'someday'" in result.stderr
    with pytest.raises(ThoughtgenError, match="no such post"):
        schedule_post(sched_site.root, sched_site.root / "content/posts/nope.md", None, False)
