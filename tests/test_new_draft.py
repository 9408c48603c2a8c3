"""``thoughtgen new`` writes a draft, so the next scheduled build cannot publish a stub."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import NOW, SiteMaker, post

from thoughtgen.cli import main
from thoughtgen.scaffold import PLACEHOLDER_MARKER, new_post_text, placeholder_line

WARNING = "still has the placeholder text from 'thoughtgen new'; write the post or mark it"


def new(site: SiteMaker, *args: str) -> Result:
    old = Path.cwd()
    os.chdir(site.root)
    try:
        return CliRunner().invoke(main, ["new", *args])
    finally:
        os.chdir(old)


def listed(site: SiteMaker) -> dict[str, str]:
    result = CliRunner().invoke(main, ["list", "--format", "json", "--source", str(site.root)])
    assert result.exit_code == 0, result.output
    return {row["title"]: row["status"] for row in json.loads(result.stdout)}


def test_new_writes_a_draft_that_a_build_does_not_publish(site: SiteMaker) -> None:
    site.write("content/posts/old.md", post("Old one", summary="s"))
    result = new(site, "Half a thought")
    assert result.exit_code == 0, result.output
    text = (site.root / "content/posts/half-a-thought.md").read_text()
    assert "\nstatus: draft\n" in text
    assert PLACEHOLDER_MARKER in text
    assert listed(site)["Half a thought"] == "draft"
    built = site.build()
    assert built.exit_code == 0, built.output
    assert not (site.out / "posts/half-a-thought").exists()
    assert WARNING not in built.stderr  # a draft may keep it


def test_publish_dates_it_now_and_build_warns_about_the_placeholder(site: SiteMaker) -> None:
    result = new(site, "Going out", "--publish")
    assert result.exit_code == 0, result.output
    path = site.root / "content/posts/going-out.md"
    text = path.read_text()
    assert "status:" not in text and "draft:" not in text
    assert listed(site)["Going out"] == "published"
    line = text.splitlines().index(PLACEHOLDER_MARKER) + 1
    built = site.build("--now", "2100-01-01")  # after whatever "now" new used
    assert built.exit_code == 0, built.output
    assert f"content/posts/going-out.md:{line}: {WARNING} 'status: draft'" in built.stderr
    assert (site.out / "posts/going-out/index.html").is_file()  # a warning, not a failure
    path.write_text(text.replace(PLACEHOLDER_MARKER, "Now a real post."))
    again = site.build("--now", "2100-01-01")
    assert again.exit_code == 0 and WARNING not in again.stderr


def test_schedule_idea_and_draft_options_keep_working(site: SiteMaker) -> None:
    site.config(extra="calendar:\n  slots: ['wed 10:00']\n")
    assert new(site, "Later", "--schedule", "next").exit_code == 0
    assert new(site, "Someday", "--idea").exit_code == 0
    assert new(site, "Explicit draft", "--draft").exit_code == 0
    statuses = listed(site)
    assert statuses == {"Later": "scheduled", "Someday": "idea", "Explicit draft": "draft"}
    assert "\nstatus: idea\n" in (site.root / "content/posts/someday.md").read_text()
    built = site.build("--future", now=NOW)
    assert built.exit_code == 0
    assert "content/posts/later.md:" in built.stderr and WARNING in built.stderr


def test_the_marker_is_found_however_the_editor_wraps_it() -> None:
    text = new_post_text("T", "2024-01-01 09:00", [], "published")
    body = text.split("---\n", 2)[2]
    rewrapped = "Some words first.\n\n" + " \n ".join(PLACEHOLDER_MARKER.split(" "))
    assert placeholder_line(body, 7) == 7
    assert placeholder_line(rewrapped, 7) == 9
    assert placeholder_line("A real post about placeholders.", 7) is None


def test_help_says_new_writes_a_draft() -> None:
    result = CliRunner().invoke(main, ["new", "--help"])
    assert "draft" in result.output.split("Examples")[0]
    assert "--publish" in result.output
