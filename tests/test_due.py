"""`thoughtgen due --since WHEN`: the guard a scheduled deploy asks before deploying.

Exit 0 lists what became public, 1 says nothing did, 2 is an error of any kind, so that a
workflow never reads a broken site or a garbled stamp as "nothing to deploy".
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result
from conftest import SiteMaker, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.build import BuildOptions, read_site
from thoughtgen.cli import main
from thoughtgen.deploy.due import became_due, read_since
from thoughtgen.errors import ThoughtgenError

BERLIN = ZoneInfo("Europe/Berlin")  # the fixture site's timezone
NOW = "2026-11-24 09:00"


def due(site: SiteMaker, *args: str, now: str | None = NOW) -> Result:
    extra = ["--now", now] if now is not None else []
    return site.runner.invoke(main, ["due", "--source", str(site.root), *extra, *args])


@pytest.fixture
def due_site(site: SiteMaker) -> SiteMaker:
    site.write("content/posts/old.md", post("Old", date="2026-11-10 09:00"))
    site.write("content/posts/at-since.md", post("At Since", date="2026-11-17 09:00"))
    site.write("content/posts/between.md", post("Between", date="2026-11-20 18:30"))
    site.write("content/posts/early.md", post("Early", date="2026-11-18 07:15"))
    site.write("content/posts/at-now.md", post("At Now", date="2026-11-24 09:00"))
    site.write("content/posts/later.md", post("Later", date="2026-11-24 09:01"))
    site.write("content/posts/draft.md", post("Draft", date="2026-11-19 09:00", draft="true"))
    site.write("content/posts/idea.md", post("Idea", date="2026-11-19 10:00", status="idea"))
    site.write("content/pages/about.md", "---\ntitle: About\n---\nHi.\n")
    return site


def titles(result: Result) -> list[str]:
    return [line.split("  ")[1] for line in result.stdout.splitlines()]


def test_lists_posts_dated_after_since_up_to_now_oldest_first(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-17 09:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2026-11-18 07:15  Early  https://example.com/posts/early/",
        "2026-11-20 18:30  Between  https://example.com/posts/between/",
        "2026-11-24 09:00  At Now  https://example.com/posts/at-now/",
    ]
    assert result.stderr == ""


def test_since_with_an_offset_or_z_is_the_same_moment(due_site: SiteMaker) -> None:
    for since in ("2026-11-17T08:00:00Z", "2026-11-17T03:00:00-05:00", "2026-11-17 09:00 +0100"):
        result = due(due_site, "--since", since)
        assert result.exit_code == 0, result.output
        assert titles(result) == ["Early", "Between", "At Now"]


def test_a_bare_date_is_midnight_in_the_site_zone(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-19")
    assert titles(result) == ["Between", "At Now"]


def test_now_moves_what_is_due(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-20 18:30", now="2026-11-24 09:01")
    assert titles(result) == ["At Now", "Later"]
    result = due(due_site, "--since", "2026-11-17 09:00", now="2026-11-18 07:14")
    assert result.exit_code == 1
    assert result.stdout == "nothing became due since 2026-11-17 09:00 +01:00\n"


def test_nothing_due_exits_1_and_says_so(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-24 09:00")
    assert result.exit_code == 1
    assert result.stdout == "nothing became due since 2026-11-24 09:00 +01:00\n"


def test_since_after_now_is_nothing_and_says_why(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-12-01")
    assert result.exit_code == 1
    assert "(that is later than now)" in result.stdout


def test_drafts_and_ideas_are_never_due(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-18 08:00", now="2027-06-01")
    assert titles(result) == ["Between", "At Now", "Later"]


def test_missing_stamp_file_means_every_published_post_is_due(
    due_site: SiteMaker, tmp_path: Path
) -> None:
    result = due(due_site, "--since", f"@{tmp_path / 'no-such-stamp'}")
    assert result.exit_code == 0, result.output
    assert titles(result) == ["Old", "At Since", "Early", "Between", "At Now"]


@pytest.mark.parametrize("content", [b"", b"\n", b"  \n\n", b"\xef\xbb\xbf\n"])
def test_empty_stamp_file_means_never_deployed(
    due_site: SiteMaker, tmp_path: Path, content: bytes
) -> None:
    stamp = tmp_path / "last-deploy"
    stamp.write_bytes(content)
    result = due(due_site, "--since", f"@{stamp}")
    assert result.exit_code == 0, result.output
    assert len(titles(result)) == 5


def test_stamp_file_holding_a_time(due_site: SiteMaker, tmp_path: Path) -> None:
    stamp = tmp_path / "last-deploy"
    stamp.write_text("2026-11-20T17:30:00Z\n", encoding="utf-8")  # 18:30 Berlin
    result = due(due_site, "--since", f"@{stamp}")
    assert titles(result) == ["At Now"]


def test_stamp_path_is_relative_to_the_current_folder(
    due_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    due_site.write(".thoughtgen/last-deploy", "2026-11-20 18:30\n")
    monkeypatch.chdir(due_site.root)
    result = due_site.runner.invoke(
        main, ["due", "--since", "@.thoughtgen/last-deploy", "--now", NOW]
    )
    assert result.exit_code == 0, result.output
    assert titles(result) == ["At Now"]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"yesterday\n", 1, "cannot read date 'yesterday'"),
        (b"\n\n2026-13-01\n", 3, "does not exist"),
        (b"2026-11-20\n2026-11-21\n", 2, "holds more than one time"),
        (b"\xff\xfe\x00garbage", 1, "is not text"),
        (b"9" * 5000, 1, "is not a deploy stamp"),
    ],
)
def test_garbled_stamp_file_exits_2_naming_file_and_line(
    due_site: SiteMaker, tmp_path: Path, content: bytes, line: int, message: str
) -> None:
    stamp = tmp_path / "last-deploy"
    stamp.write_bytes(content)
    result = due(due_site, "--since", f"@{stamp}")
    assert result.exit_code == 2
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{stamp}:{line}: "), first
    assert message in first
    assert "Traceback" not in result.output


def test_unreadable_stamp_exits_2(due_site: SiteMaker, tmp_path: Path) -> None:
    result = due(due_site, "--since", f"@{tmp_path}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path}: is a folder")
    result = due(due_site, "--since", "@")
    assert result.exit_code == 2
    assert "--since: @ needs a file name" in result.stderr


@pytest.mark.parametrize("when", ["garbage", "2026-02-30", "24/11/2026", "", "2026-11-24T25:00"])
def test_bad_when_exits_2_with_a_plain_message(due_site: SiteMaker, when: str) -> None:
    result = due(due_site, "--since", when)
    assert result.exit_code == 2
    assert result.stderr.startswith("--since: ")
    assert "Error: could not tell what became due" in result.stderr
    assert "Traceback" not in result.output


def test_bad_now_exits_2(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-17", now="soon")
    assert result.exit_code == 2
    assert result.stderr.startswith("--now: cannot read date 'soon'")


def test_missing_since_is_a_usage_error_with_exit_2(due_site: SiteMaker) -> None:
    result = due(due_site)
    assert result.exit_code == 2
    assert "Missing option '--since'" in result.stderr


def test_a_site_that_does_not_read_exits_2_naming_the_file(due_site: SiteMaker) -> None:
    due_site.write("content/posts/broken.md", "---\ntitle: [unclosed\n---\nBody\n")
    result = due(due_site, "--since", "2026-11-17")
    assert result.exit_code == 2
    assert result.stderr.startswith("content/posts/broken.md:")
    assert "Traceback" not in result.output


def test_no_site_exits_2(tmp_path: Path) -> None:
    maker = SiteMaker(tmp_path / "nothing-here")
    maker.root.mkdir()
    result = due(maker, "--since", "2026-11-17")
    assert result.exit_code == 2
    assert "thoughtgen.yaml" in result.stderr


def test_json_output(due_site: SiteMaker) -> None:
    result = due(due_site, "--since", "2026-11-20 18:30", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document == {
        "since": "2026-11-20T18:30:00+01:00",
        "now": "2026-11-24T09:00:00+01:00",
        "due": [
            {
                "date": "2026-11-24T09:00:00+01:00",
                "title": "At Now",
                "url": "https://example.com/posts/at-now/",
                "source": "content/posts/at-now.md",
            }
        ],
    }
    nothing = due(due_site, "--since", NOW, "--format", "json")
    assert nothing.exit_code == 1
    assert json.loads(nothing.stdout)["due"] == []
    never = due(due_site, "--since", "@" + str(due_site.root / "none"), "--format", "json")
    assert json.loads(never.stdout)["since"] is None


def test_help_names_all_three_exit_codes(site: SiteMaker) -> None:
    text = site.runner.invoke(main, ["due", "--help"]).stdout
    assert "Exit codes:" in text
    for line in ("0  posts became due", "1  nothing became due", "2  an error"):
        assert line in text


def test_became_due_library(due_site: SiteMaker) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    site = read_site(BuildOptions(site_dir=due_site.root, now=now))
    since = datetime(2026, 11, 18, 7, 15, tzinfo=BERLIN)
    assert [p.title for p in became_due(site, since, now)] == ["Between", "At Now"]
    assert [p.title for p in became_due(site, None, now)][:2] == ["Old", "At Since"]
    assert became_due(site, now, now) == []


def test_read_since() -> None:
    assert read_since("2026-11-24 09:00", BERLIN) == datetime(2026, 11, 24, 9, tzinfo=BERLIN)
    with pytest.raises(ThoughtgenError) as caught:
        read_since("tuesday", BERLIN)
    assert str(caught.value).startswith("--since: cannot read date 'tuesday'")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    when=st.text(max_size=30).filter(lambda text: "\x00" not in text),
    stamp=st.binary(max_size=60),
)
def test_any_since_or_stamp_gives_0_1_or_2_and_never_a_traceback(
    due_site: SiteMaker, when: str, stamp: bytes
) -> None:
    path = due_site.root / "stamp"
    path.write_bytes(stamp)
    for since in (when, f"@{path}"):
        result = due(due_site, "--since", since)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            assert result.stderr.strip(), since
