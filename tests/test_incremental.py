"""Cached, incremental builds give the bytes of a clean build and rewrite only what changed.

Every case builds, changes an input, rebuilds, and compares the output byte for byte with
a --clean build of the same inputs into another folder.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from conftest import SiteMaker, assert_same_as_clean, output_files, post

from thoughtgen.incremental.manifest import MANIFEST

CONFIG_EXTRA = "posts_per_page: 2\ncalendar:\n  page: true\n  ics: true\n"


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


@pytest.fixture
def blog(site: SiteMaker) -> SiteMaker:
    site.config(extra=CONFIG_EXTRA)
    for n in range(1, 8):
        site.write(
            f"content/posts/p{n}.md",
            post(
                f"Post {n}",
                date=f"2026-0{n}-0{n} 09:00",
                tags="[alpha, beta]" if n % 2 else "[alpha]",
                body=f"Body {n}.",
            ),
        )
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout me.\n")
    site.write("content/static/images/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def test_nothing_changed_rewrites_nothing(blog: SiteMaker) -> None:
    before = stamps(blog.out)
    result = blog.build()
    assert result.exit_code == 0
    assert stamps(blog.out) == before  # same inodes, same mtimes: not one file written
    assert_same_as_clean(blog)


def test_editing_one_post_rewrites_only_the_pages_it_appears_on(blog: SiteMaker) -> None:
    before = stamps(blog.out)
    blog.write(
        "content/posts/p4.md",
        post("Post 4", date="2026-04-04 09:00", tags="[alpha]", body="Body 4, now longer."),
    )
    # Saved a few seconds after the first build, as an editor would: calendar times are
    # whole seconds, and a save within the same second as the build would not move them.
    edited = blog.root / "content/posts/p4.md"
    later = edited.stat().st_mtime + 3
    os.utime(edited, (later, later))
    assert blog.build().exit_code == 0
    after = stamps(blog.out)
    changed = sorted(path for path in after if after[path] != before.get(path))
    # Its page, the feeds that carry it, and the listings that show its (new) summary.
    assert changed == [
        "atom.xml",
        "calendar.ics",  # the post's file was saved: its event's LAST-MODIFIED moves
        "feed.json",
        "feed.xml",
        "page/2/index.html",
        "posts/p4/index.html",
        "tags/alpha/feed.json",
        "tags/alpha/feed.xml",
        "tags/alpha/page/2/index.html",
    ]
    assert_same_as_clean(blog)

    blog.write(
        "content/posts/p4.md",
        post("Post four", date="2026-04-04 09:00", tags="[alpha]", body="Body 4, now longer."),
    )
    before = stamps(blog.out)
    assert blog.build().exit_code == 0
    after = stamps(blog.out)
    changed = {path for path in after if after[path] != before.get(path)}
    # The title shows on its page, its neighbours, the listing page, tag pages, feeds...
    assert {
        "posts/p4/index.html",
        "posts/p3/index.html",
        "posts/p5/index.html",
        "page/2/index.html",
        "tags/alpha/page/2/index.html",
        "archive/index.html",
        "feed.xml",
        "atom.xml",
        "tags/alpha/feed.xml",
    } <= changed
    # ...but not on pages it is not part of.
    assert not changed & {
        "posts/p1/index.html",
        "index.html",
        "tags/beta/index.html",
        "about/index.html",
        "404.html",
        "images/logo.svg",
    }
    assert_same_as_clean(blog)


@pytest.mark.parametrize("change", ["config", "template", "theme static", "page", "static"])
def test_changes_to_any_input_reach_the_output(blog: SiteMaker, change: str) -> None:
    if change == "config":
        blog.config(
            extra=CONFIG_EXTRA.replace("posts_per_page: 2", "posts_per_page: 3"),
            base=(blog.root / "thoughtgen.yaml")
            .read_text()
            .replace("Test Site", "Renamed Site")
            .split("posts_per_page")[0],
        )
    elif change == "template":
        blog.write(
            "themes/default/templates/404.html",
            "{% extends '!default/404.html' %}{% block content %}Gone.{% endblock %}",
        )
    elif change == "theme static":
        blog.write("themes/default/static/style.css", "body { color: #111 }")
    elif change == "page":
        blog.write("content/pages/about.md", "---\ntitle: About us\n---\nNew words.\n")
    else:
        blog.write(
            "content/static/images/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'><g/></svg>"
        )
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert_same_as_clean(blog)


def test_time_is_an_input_scheduled_posts_go_live(blog: SiteMaker) -> None:
    blog.write("content/posts/soon.md", post("Soon", date="2026-12-01 09:00", tags="[alpha]"))
    assert blog.build().exit_code == 0
    assert not (blog.out / "posts/soon").exists()
    # Nothing changes on disk; only the clock moves past the post's date.
    result = blog.build(now="2026-12-02 10:00")
    assert result.exit_code == 0
    assert (blog.out / "posts/soon/index.html").is_file()
    assert "Soon" in (blog.out / "feed.xml").read_text()
    assert_same_as_clean(blog, now="2026-12-02 10:00")


def test_drafts_and_future_toggles_are_inputs(blog: SiteMaker) -> None:
    blog.write("content/posts/d.md", post("Draft", date=None, draft="true"))
    blog.write("content/posts/f.md", post("Future", date="2030-01-01"))
    assert blog.build("--drafts", "--future").exit_code == 0
    assert_same_as_clean(blog, "--drafts", "--future")
    assert blog.build().exit_code == 0
    assert not (blog.out / "posts/d").exists() and not (blog.out / "posts/f").exists()
    assert_same_as_clean(blog)


def test_a_deleted_post_disappears_everywhere(blog: SiteMaker) -> None:
    (blog.root / "content/posts/p3.md").unlink()
    assert blog.build().exit_code == 0
    assert not (blog.out / "posts/p3").exists()
    for path, data in output_files(blog.out).items():
        assert b"/posts/p3/" not in data and b"Post 3" not in data, path
    assert_same_as_clean(blog)


def test_renaming_a_tag_spelling_reaches_every_post(blog: SiteMaker) -> None:
    for n in (1, 2, 3, 4, 5, 6):
        path = blog.root / f"content/posts/p{n}.md"
        path.write_text(path.read_text().replace("alpha", "Alpha"))
    assert blog.build().exit_code == 0
    assert ">Alpha</a>" in (blog.out / "posts/p7/index.html").read_text()  # p7 kept 'alpha'
    assert_same_as_clean(blog)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign version", "empty"])
def test_a_damaged_or_foreign_cache_is_ignored_with_a_notice(blog: SiteMaker, damage: str) -> None:
    cache = blog.root / ".thoughtgen" / "cache" / "build.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        cache.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:3000])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        with sqlite3.connect(cache) as db:
            db.execute("update info set value='0' where key='format'")
    blog.write(
        "content/posts/p2.md",
        post("Post 2 edited", date="2026-02-02 09:00", tags="[alpha]", body="Body 2."),
    )
    result = blog.build()
    assert result.exit_code == 0, result.output
    if damage != "empty":
        notices = [line for line in result.stderr.splitlines() if line.startswith("notice:")]
        assert len(notices) == 1, result.stderr
        assert "cache" in notices[0]
    assert "Traceback" not in result.output
    assert "Post 2 edited" in (blog.out / "posts/p2/index.html").read_text()
    assert_same_as_clean(blog)


def test_clean_ignores_the_cache(blog: SiteMaker) -> None:
    before = stamps(blog.out)
    result = blog.build("--clean")
    assert result.exit_code == 0
    after = stamps(blog.out)
    assert all(after[p] != before[p] for p in after)  # every file written anew
    assert output_files(blog.out) == output_files(blog.out)


def test_hand_edited_output_file_is_repaired(blog: SiteMaker) -> None:
    page = blog.out / "posts/p1/index.html"
    good = page.read_bytes()
    page.write_bytes(b"tampered")
    assert blog.build().exit_code == 0
    assert page.read_bytes() == good


def test_files_added_by_hand_deep_in_the_output_are_always_found(blog: SiteMaker) -> None:
    import json
    import time

    # Age every folder so the next build may mark them as holding only thoughtgen's files.
    past = time.time_ns() - 60_000_000_000
    for folder in [p for p in blog.out.rglob("*") if p.is_dir()]:
        os.utime(folder, ns=(past, past))
    assert blog.build().exit_code == 0
    marks = json.loads((blog.out / MANIFEST).read_text())["folders"]
    assert "posts/p1" in marks and "tags/alpha" in marks
    note = blog.out / "posts" / "p1" / "notes.txt"
    note.write_text("mine\n")
    (blog.out / "tags" / "alpha" / "page" / "extra").mkdir()
    (blog.out / "tags" / "alpha" / "page" / "extra" / "keep.txt").write_text("keep\n")
    blog.write(
        "content/posts/p2.md",
        post("Post 2 edited", date="2026-02-02 09:00", tags="[alpha]", body="Body 2."),
    )
    assert blog.build().exit_code == 0
    assert note.read_text() == "mine\n"
    assert (blog.out / "tags/alpha/page/extra/keep.txt").read_text() == "keep\n"
    assert blog.build().exit_code == 0
    assert note.read_text() == "mine\n"


def test_new_markdown_settings_remake_every_page(blog: SiteMaker, monkeypatch) -> None:
    """The same source bytes give new HTML when Markdown (or Pygments) changes."""
    import json

    import thoughtgen.build
    import thoughtgen.incremental.fingerprints

    def keys() -> dict[str, str]:
        files = json.loads((blog.out / MANIFEST).read_text())["files"]
        return {path: row[0] for path, row in files.items() if path.endswith(".html")}

    before, stamped = keys(), stamps(blog.out)
    changed = "a newer Markdown"
    monkeypatch.setattr(thoughtgen.incremental.fingerprints, "markdown_settings", lambda: changed)
    monkeypatch.setattr(thoughtgen.build, "markdown_settings", lambda: changed)
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert "notice: build cache made with other settings" in result.stderr
    after = keys()
    assert all(after[path] != before[path] for path in before)  # every page remade...
    assert stamps(blog.out) == stamped  # ...and, the bytes being the same, none rewritten
