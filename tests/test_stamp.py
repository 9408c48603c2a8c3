"""A build that finds every file as the last build left it, and a clock that changes
nothing, reads no post and writes nothing; any change that could show is still seen.

The build's stamp tells files apart by their stat. Files written by a test are always
fresh, so the ``settled`` runs drop the window in which a file is known by its bytes
instead, as if every file had sat still for longer than it; the ``racy window`` runs keep
it. Whether a build took the short way shows in ``BuildResult.site`` (None: nothing read).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import NOW, SiteMaker, output_files, post, write_blog

import thoughtgen.incremental.cache
import thoughtgen.incremental.stamp
from thoughtgen.build import BuildOptions, BuildResult, build
from thoughtgen.incremental.cache import CACHE_DIR
from thoughtgen.incremental.manifest import read_manifest
from thoughtgen.session import BuildSession


def options(site: SiteMaker, now: str = NOW, **extra: object) -> BuildOptions:
    return BuildOptions(site_dir=site.root, now=now, accept_new_ids=True, **extra)  # type: ignore[arg-type]


def run(site: SiteMaker, now: str = NOW, **extra: object) -> BuildResult:
    return build(options(site, now, **extra))


def assert_clean(site: SiteMaker, now: str = NOW, **extra: object) -> None:
    clean = site.root.parent / "clean-out"
    shutil.rmtree(clean, ignore_errors=True)
    build(options(site, now, output_dir=clean, clean=True, use_cache=False, jobs=1, **extra))
    assert output_files(site.out) == output_files(clean)


@pytest.fixture
def blog(site: SiteMaker) -> SiteMaker:
    write_blog(site)
    site.write("content/posts/later.md", post("Later", date="2026-12-24 09:00", body="Soon."))
    return site


def test_a_build_with_nothing_changed_reads_nothing_and_warns_the_same(
    blog: SiteMaker, trust: str
) -> None:
    first = run(blog)
    assert first.site is not None and first.report.written > 0
    again = run(blog)
    if again.site is not None:  # the files left the racy window between the two builds,
        assert trust == "racy window"  # so the stamp told them by their bytes, now by stat
        again = run(blog)
    assert again.site is None
    assert again.report.written == 0
    assert sorted(again.paths) == sorted(first.paths)
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert any("scheduled for 2026-12-24" in str(w) for w in again.warnings)
    assert_clean(blog)


def test_without_its_record_in_the_cache_the_build_goes_the_whole_way(
    blog: SiteMaker, settled: None
) -> None:
    run(blog)
    assert run(blog).site is None
    shutil.rmtree(blog.root / CACHE_DIR)
    assert run(blog).site is not None
    assert run(blog).site is None
    assert run(blog, use_cache=False).site is not None  # nowhere to keep the record


def _body_same_size_and_mtime(site: SiteMaker) -> None:
    path = site.root / "content/posts/p2.md"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Body 2.", "Body X."), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # only ctime tells


def _static_same_size_and_mtime(site: SiteMaker) -> None:
    path = site.root / "content/static/notes.txt"
    stat = path.stat()
    path.write_text("other version\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _theme_override(site: SiteMaker) -> None:
    from thoughtgen.theme import bundled_theme_dir

    base = (bundled_theme_dir() / "templates/base.html").read_text(encoding="utf-8")
    site.write("themes/default/templates/base.html", base.replace("<main", "<!-- own --><main"))


def _output_changed_by_hand(site: SiteMaker) -> None:
    (site.out / "posts/p1/index.html").write_text("gone", encoding="utf-8")


CHANGES: dict[str, Callable[[SiteMaker], object]] = {
    "body, same size and mtime": _body_same_size_and_mtime,
    "static file, same size and mtime": _static_same_size_and_mtime,
    "theme template": _theme_override,
    "config": lambda s: s.config("posts_per_page: 2\n"),
    "post added": lambda s: s.write("content/posts/p9.md", post("Nine", "2026-05-05 09:00")),
    "post removed": lambda s: (s.root / "content/posts/p3.md").unlink(),
    "page added": lambda s: s.write("content/pages/now.md", "---\ntitle: Now\n---\nNow.\n"),
    "output deleted": lambda s: (s.out / "about/index.html").unlink(),
    "output changed": _output_changed_by_hand,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_is_seen_and_the_output_equals_a_clean_build(
    blog: SiteMaker, trust: str, change: str
) -> None:
    run(blog)
    run(blog)
    assert run(blog).site is None  # known by its stat or by its bytes: the short way
    CHANGES[change](blog)
    assert run(blog).site is not None
    assert_clean(blog)


def test_the_drafts_option_is_part_of_the_stamp(blog: SiteMaker, settled: None) -> None:
    blog.write("content/posts/draft.md", post("Draft", "2026-02-02 09:00", draft="true"))
    run(blog)
    assert run(blog).site is None
    assert run(blog, include_drafts=True).site is not None
    assert (blog.out / "posts/draft/index.html").exists()
    assert run(blog, include_drafts=True).site is None
    assert_clean(blog, include_drafts=True)
    assert run(blog).site is not None
    assert not (blog.out / "posts/draft/index.html").exists()


# -- the clock -------------------------------------------------------------------------------


def test_a_scheduled_post_comes_due_on_time(blog: SiteMaker, settled: None) -> None:
    run(blog, now="2026-12-24 08:00")
    assert not (blog.out / "posts/later/index.html").exists()
    assert run(blog, now="2026-12-24 08:59").site is None  # nothing came due yet
    assert run(blog, now="2026-12-24 09:00").site is not None
    assert (blog.out / "posts/later/index.html").exists()
    assert_clean(blog, now="2026-12-24 09:00")


def test_an_earlier_clock_goes_the_whole_way(blog: SiteMaker, settled: None) -> None:
    run(blog, now="2026-12-24 10:00")
    assert (blog.out / "posts/later/index.html").exists()
    assert run(blog, now="2026-12-24 09:30").site is not None  # (nothing moved: not known)
    assert run(blog, now="2026-12-23 10:00").site is not None
    assert not (blog.out / "posts/later/index.html").exists()
    assert_clean(blog, now="2026-12-23 10:00")


def test_the_year_in_the_footer_turns_over(blog: SiteMaker, settled: None) -> None:
    (blog.root / "content/posts/later.md").unlink()
    run(blog, now="2026-12-31 23:00")
    assert "© 2026" in blog.page("index.html")
    assert run(blog, now="2026-12-31 23:59").site is None
    assert run(blog, now="2027-01-01 00:01").site is not None  # Berlin time: a new year
    assert "© 2027" in blog.page("index.html")
    assert_clean(blog, now="2027-01-01 00:01")


def test_the_calendar_page_moves_to_the_next_day(blog: SiteMaker, settled: None) -> None:
    blog.config("calendar:\n  page: true\n")
    run(blog, now="2026-11-22 10:00")
    assert run(blog, now="2026-11-22 23:30").site is None
    assert run(blog, now="2026-11-23 00:30").site is not None
    assert_clean(blog, now="2026-11-23 00:30")


@pytest.mark.parametrize(
    ("shown", "at_12_01"),
    [
        ("{{ site.now.isoformat() }}", "2026-11-22T12:01:00+01:00"),
        ("{{ site.now.hour }}:{{ site.now.minute }}", "12:1"),
        ("{{ site.neighbours(page)|length }}", "2"),  # a method may read the clock
    ],
)
def test_a_theme_that_reads_the_time_of_day_is_never_taken_as_unchanged(
    blog: SiteMaker, settled: None, shown: str, at_12_01: str
) -> None:
    blog.write(
        "themes/default/templates/page.html",
        '{% extends "base.html" %}{% block content %}<p id="t">' + shown + "</p>{% endblock %}",
    )
    run(blog)
    assert read_manifest(blog.out).inputs == ""
    assert run(blog).site is not None
    assert run(blog, now="2026-11-22 12:01").site is not None
    assert f'<p id="t">{at_12_01}</p>' in blog.page("about/index.html")
    assert_clean(blog, now="2026-11-22 12:01")


def test_a_font_installed_for_the_cards_is_seen(
    blog: SiteMaker, settled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts = tmp_path / "fonts"
    (fonts / "truetype").mkdir(parents=True)
    monkeypatch.setattr(thoughtgen.incremental.stamp, "font_folders", lambda: [fonts])
    run(blog)
    assert run(blog).site is None
    (fonts / "truetype" / "noto").mkdir()
    assert run(blog).site is not None
    assert run(blog).site is None


# -- serve ------------------------------------------------------------------------------------


@contextmanager
def served_edit(blog: SiteMaker) -> Iterator[BuildSession]:
    """A build, then a warm session that has rebuilt one edit of post 2's body."""
    run(blog)
    session = BuildSession(options(blog))
    try:
        session.prime()
        path = blog.write("content/posts/p2.md", post("Post 2", "2026-02-02 09:00", "New body."))
        session.rebuild([path])
        yield session
    finally:
        session.close()


def test_a_settled_serve_session_leaves_a_stamp_the_next_build_trusts(
    blog: SiteMaker, settled: None
) -> None:
    with served_edit(blog) as session:
        session.settle()
    assert read_manifest(blog.out).inputs != ""
    assert run(blog).site is None
    assert "New body." in blog.page("posts/p2/index.html")
    assert_clean(blog)


def test_a_session_does_not_settle_while_a_file_is_newer_than_its_rebuild(
    blog: SiteMaker, settled: None
) -> None:
    with served_edit(blog) as session:
        before = read_manifest(blog.out).inputs
        blog.write("content/posts/p2.md", post("Post 2", "2026-02-02 09:00", "Newer body."))
        session.settle()  # the watcher has not told of the second save yet
        assert read_manifest(blog.out).inputs == before
    assert run(blog).site is not None
    assert "Newer body." in blog.page("posts/p2/index.html")
    assert_clean(blog)


def test_a_session_waits_out_the_racy_window_before_it_settles(blog: SiteMaker) -> None:
    with served_edit(blog) as session:
        before = read_manifest(blog.out).inputs
        session.settle()  # just saved: it could change again unseen within the clock tick
        assert read_manifest(blog.out).inputs == before
