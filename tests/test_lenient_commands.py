"""list, calendar and check show what they can read and name the files they cannot.

build stays all or nothing; these commands exist to let the writer see the backlog, so one
broken file must not hide the rest.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result
from conftest import NOW, SiteMaker, post

from thoughtgen.cli import main

BROKEN_IDEA = "---\ntitle: An idea\nstatus: idea\ntags: [a, b\n---\nLater.\n"
BROKEN_DRAFT = "---\nstatus: draft\n---\nDraft body.\n"
IDEA_PROBLEM = "content/posts/idea.md:4: "  # the wording belongs to the YAML reader
DRAFT_PROBLEM = "content/posts/draft.md:1: missing 'title'"


@pytest.fixture
def broken(site: SiteMaker) -> SiteMaker:
    site.write("content/posts/good.md", post("Good one", date="2026-11-18 10:00", tags="[x]"))
    site.write("content/posts/later.md", post("Later one", date=None, status="idea"))
    site.write("content/posts/idea.md", BROKEN_IDEA)
    site.write("content/posts/draft.md", BROKEN_DRAFT)
    return site


def run(site: SiteMaker, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--source", str(site.root)])


def assert_names_broken_files(result: Result) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith(IDEA_PROBLEM) for line in lines), result.stderr
    assert DRAFT_PROBLEM in lines, result.stderr
    assert "Traceback" not in result.output


def test_list_shows_the_readable_posts_and_names_the_broken_files(broken: SiteMaker) -> None:
    result = run(broken, "list")
    assert_names_broken_files(result)
    assert "Good one" in result.stdout and "Later one" in result.stdout
    assert "content/posts/idea.md" not in result.stdout
    assert "2 files could not be read" in result.stderr


def test_list_json_stays_valid_json_with_problems_on_stderr(broken: SiteMaker) -> None:
    result = run(broken, "list", "--format", "json")
    assert_names_broken_files(result)
    rows = json.loads(result.stdout)
    assert sorted(row["title"] for row in rows) == ["Good one", "Later one"]


def test_calendar_reports_the_readable_posts_and_names_the_broken_files(
    broken: SiteMaker,
) -> None:
    text = run(broken, "calendar", "--today", NOW[:10])
    assert_names_broken_files(text)
    assert text.stdout.strip()
    result = run(broken, "calendar", "--format", "json", "--today", NOW[:10])
    assert_names_broken_files(result)
    data = json.loads(result.stdout)
    assert [idea["title"] for idea in data["ideas"]] == ["Later one"]


def test_check_checks_the_readable_pages_and_names_the_broken_files(broken: SiteMaker) -> None:
    broken.write("content/posts/linked.md", post("Linked", body="[gone](/posts/nowhere/)"))
    result = run(broken, "check")
    assert_names_broken_files(result)
    assert "content/posts/linked.md: broken link /posts/nowhere/" in result.stdout
    assert "Checked " in result.stdout


def test_a_url_clash_is_reported_and_the_rest_still_listed(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("First", slug="same"))
    site.write("content/posts/b.md", post("Second", slug="same", date="2024-03-06 09:00"))
    site.write("content/posts/c.md", post("Third"))
    for command in ("list", "calendar", "check"):
        result = run(site, command)
        assert result.exit_code == 1, (command, result.output)
        assert "/posts/same/ is also the URL of" in result.stderr, command
        assert "Traceback" not in result.output
    listed = run(site, "list").stdout
    assert "Third" in listed


def test_build_stays_all_or_nothing(broken: SiteMaker) -> None:
    result = broken.build()
    assert result.exit_code == 1
    assert DRAFT_PROBLEM in result.stderr.splitlines()
    assert not broken.out.exists()


def test_a_clean_site_still_exits_0(site: SiteMaker) -> None:
    site.write("content/posts/good.md", post("Good one", summary="s"))
    for command in ("list", "calendar", "check"):
        result = run(site, command)
        assert result.exit_code == 0, (command, result.output)
