"""An incremental build gives exactly the bytes of a clean one, whatever changed on disk.

Also: the build cache holds plain data (nothing in it can run code), and a cache that is
damaged, replaced or held by another process costs at most a notice, never a traceback.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import time
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW, REPO, SiteMaker, assert_same_as_clean, output_files, post, write_blog

from thoughtgen.build import BuildOptions, read_site
from thoughtgen.config import load_config
from thoughtgen.errors import Problem
from thoughtgen.incremental.cache import CACHE_DIR, CACHE_FILE
from thoughtgen.incremental.fingerprints import FROM_SOURCE, WHOLE_SITE, Digests
from thoughtgen.incremental.records import decode_item, encode_item
from thoughtgen.model import Body, Page, Post, Site, Status, TagRef
from thoughtgen.parse import ParsedItem, parse_source, shared_renderer

PAST = time.time_ns() - 3600 * 1_000_000_000  # an hour ago: outside any racy window


def age(*paths: Path) -> None:
    """Give files an old mtime, as files that have sat unchanged for a while have."""
    for path in paths:
        os.utime(path, ns=(PAST, PAST))


def replace_keeping_stat(path: Path, data: bytes) -> None:
    """What ``cp -p`` of a same-size file does: new bytes in the same inode, old mtime."""
    before = path.stat()
    assert len(data) == before.st_size
    deadline = time.monotonic() + 2
    while True:  # on a coarse clock, write until the change lands in a later tick
        with open(path, "r+b") as handle:
            handle.write(data)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = path.stat()
        if after.st_ctime_ns != before.st_ctime_ns or time.monotonic() > deadline:
            break
    assert after.st_ctime_ns != before.st_ctime_ns
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def cache_db(site: SiteMaker) -> Path:
    return site.root / CACHE_DIR / CACHE_FILE


@pytest.fixture
def starter(tmp_path: Path) -> SiteMaker:
    maker = SiteMaker(tmp_path / "site")
    maker.root.mkdir()
    shutil.copy2(REPO / "thoughtgen.yaml", maker.root / "thoughtgen.yaml")
    shutil.copytree(REPO / "content", maker.root / "content")
    result = maker.build()
    assert result.exit_code == 0, result.output
    return maker


@pytest.fixture
def blog(site: SiteMaker) -> SiteMaker:
    write_blog(site)
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


# -- renames reach the output ---------------------------------------------------------------


def test_renaming_a_post_file_moves_its_page(starter: SiteMaker) -> None:
    posts = starter.root / "content/posts"
    (posts / "closing-the-loop.md").rename(posts / "close-the-loop.md")
    result = starter.build("--accept-new-ids")  # its feed id changes with its address
    assert result.exit_code == 0, result.output
    assert not (starter.out / "posts/closing-the-loop").exists()
    assert (starter.out / "posts/close-the-loop/index.html").is_file()
    assert_same_as_clean(starter)


def test_renaming_a_page_updates_every_link_to_it(starter: SiteMaker) -> None:
    pages = starter.root / "content/pages"
    (pages / "about.md").rename(pages / "about-me.md")
    result = starter.build()
    assert result.exit_code == 0, result.output
    stale = [p for p, data in output_files(starter.out).items() if b'/about/"' in data]
    assert stale == []
    assert (starter.out / "about-me/index.html").is_file()
    assert_same_as_clean(starter)


def test_changing_a_slug_in_front_matter_moves_the_post(blog: SiteMaker) -> None:
    blog.write(
        "content/posts/p2.md",
        post("Post 2", date="2026-02-02 09:00", tags="[alpha]", body="Body 2.", slug="second"),
    )
    assert blog.build("--accept-new-ids").exit_code == 0  # its feed id changes with its URL
    assert (blog.out / "posts/second/index.html").is_file()
    assert not (blog.out / "posts/p2").exists()
    assert_same_as_clean(blog)


# -- every field of the model is part of its fingerprint -----------------------------------


def _other(value: Any) -> Any:
    """A value of the same kind as ``value`` that differs from it."""
    if isinstance(value, Status):
        return Status.DRAFT if value is not Status.DRAFT else Status.IDEA
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime) or value is None:
        return datetime(2020, 1, 2, 3, 4, tzinfo=UTC) if value is None else value + timedelta(1)
    if isinstance(value, Body):
        return Body(value.digest + "0", value.text)
    if isinstance(value, tuple):
        return (*value, TagRef("Extra", "extra"))
    if isinstance(value, MappingProxyType):
        return MappingProxyType({**value, "more": 1})
    raise AssertionError(f"no other value for {value!r}: teach this test the new field's type")


def _sample_post() -> Post:
    when = datetime(2024, 3, 5, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    return Post(
        source="content/posts/a.md",
        slug="a",
        title="A",
        date=when,
        updated=None,
        status=Status.PUBLISHED,
        tags=(TagRef("Alpha", "alpha"),),
        summary="Sum.",
        body=Body("d1", "<p>x</p>"),
        toc_html="",
        word_count=3,
        reading_minutes=1,
        author="Me",
        canonical_url="",
        image="",
        series="",
        extra=MappingProxyType({"mood": "calm"}),
        file_modified=when,
    )


def _sample_page() -> Page:
    return Page(
        source="content/pages/about.md",
        slug="about",
        title="About",
        date=None,
        updated=None,
        summary="",
        body=Body("d2", "<p>y</p>"),
        toc_html="",
        extra=MappingProxyType({}),
    )


@pytest.mark.parametrize("sample", [_sample_post, _sample_page], ids=["Post", "Page"])
def test_every_field_of_the_model_changes_its_digest(sample: Any) -> None:
    """Each field counts: by itself, or (the source file's own) by the body's digest."""
    base = sample()
    digest = Digests().of(base)
    own = FROM_SOURCE[type(base)]
    for f in fields(base):
        changed = replace(base, **{f.name: _other(getattr(base, f.name))})
        if f.name in own:
            changed = replace(changed, body=Body(base.body.digest + "-other"))
        assert Digests().of(changed) != digest, (
            f"{type(base).__name__}.{f.name} is not in the digest"
        )
    assert own < {f.name for f in fields(base)}
    assert Digests().of(replace(base, body=Body("another source"))) != digest


def test_the_fields_counted_by_the_source_are_the_source_files_own(site: SiteMaker) -> None:
    """What ``FROM_SOURCE`` names is parsed from the file alone and copied as it is: the
    same in the assembled site as in the file parsed on its own, whatever else the site
    holds (tags spelt otherwise elsewhere, a series, links, aliases)."""
    site.write(
        "content/posts/rich.md",
        post(
            "Rich",
            body="Opening words.\n\n## Part one\n\nSee [the other](other.md).\n\n## Two\n\nEnd.",
            summary="Given here.",
            updated="2024-04-01 10:00",
            canonical_url="https://elsewhere.example/rich/",
            image="/images/rich.png",
            series="Steady habits",
            series_part=2,
            syndication="[https://social.example/p/1]",
            guid="urn:example:rich",
            tags="[career, Craft]",
            aliases="[/old/rich/]",
            mood="calm",
        ),
    )
    site.write(
        "content/posts/other.md",
        post("Other", date="2024-02-01 08:00", series="Steady habits", tags="[Career]"),
    )
    site.write("content/posts/2024-01-09-named.md", post("Named", date=None))
    site.write("content/pages/about.md", "---\ntitle: About\ndraft: true\nmood: calm\n---\nHi.\n")
    site.write(
        "content/pages/now.md", "---\ntitle: Now\nsummary: What now.\n---\n## Now\n\nThis.\n"
    )
    options = BuildOptions(site_dir=site.root, now=NOW, include_drafts=True)
    model = read_site(options)
    tz = load_config(site.root).tz
    every = (*model.all_posts, *model.pages)
    assert {type(one) for one in every} == {Post, Page} and len(every) == 5
    for one in every:
        kind = "post" if type(one) is Post else "page"
        data = (site.root / one.source).read_bytes()
        item = parse_source(one.source, kind, data, tz, shared_renderer())
        assert isinstance(item, ParsedItem), item
        assert one.body.digest == item.digest
        for name in FROM_SOURCE[type(one)]:
            expected = item.unpublished if name == "draft" else getattr(item, name)
            found = getattr(one, name)
            assert (dict(found) if name == "extra" else found) == expected, (one.source, name)


def test_a_body_counts_by_its_digest_not_by_where_its_html_is() -> None:
    assert Digests().of(Body("d", "<p>x</p>")) == Digests().of(Body("d", None))


def test_whole_site_is_every_field_of_site() -> None:
    assert set(WHOLE_SITE) == {f.name for f in fields(Site)}


# -- a file's identity: what rename, cp -p and touch change ---------------------------------


def test_a_static_file_replaced_with_same_size_and_mtime_is_copied(
    blog: SiteMaker, trust: str
) -> None:
    static = blog.root / "content/static/notes.txt"
    age(static)
    assert blog.build().exit_code == 0
    replace_keeping_stat(static, b"other version\n")
    assert blog.build().exit_code == 0
    assert (blog.out / "notes.txt").read_bytes() == b"other version\n"
    assert_same_as_clean(blog)


def test_a_post_replaced_with_same_size_and_mtime_is_read_again(
    blog: SiteMaker, trust: str
) -> None:
    source = blog.root / "content/posts/p3.md"
    age(source)
    assert blog.build().exit_code == 0  # the cache now trusts p3 by its stat
    text = source.read_text()
    replace_keeping_stat(source, text.replace("Body 3.", "Body Z.").encode())
    assert blog.build().exit_code == 0
    assert "Body Z." in (blog.out / "posts/p3/index.html").read_text()
    assert_same_as_clean(blog)


def test_a_theme_static_file_replaced_with_same_size_and_mtime_is_copied(
    blog: SiteMaker, trust: str
) -> None:
    css = blog.write("themes/default/static/extra.css", "body { color: red }\n")
    age(css)
    assert blog.build().exit_code == 0
    replace_keeping_stat(css, b"body { color: tan }\n")
    assert blog.build().exit_code == 0
    assert (blog.out / "theme/extra.css").read_bytes() == b"body { color: tan }\n"
    assert_same_as_clean(blog)


# -- the cache holds plain data -------------------------------------------------------------


class _Payload:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def test_a_pickle_planted_in_the_cache_never_runs(blog: SiteMaker, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    with sqlite3.connect(cache_db(blog)) as db:
        db.execute("update items set meta=?", (payload,))
    db.close()
    for rel in ("content/posts/p1.md", "content/pages/about.md"):
        age(blog.root / rel)  # trusted by stat and by digest alike
    result = blog.build()
    assert result.exit_code == 0, result.output
    blog.write("content/posts/p4.md", post("Post 4", date="2026-04-04 09:00", body="New."))
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert_same_as_clean(blog)


def _sample_item() -> ParsedItem:
    return ParsedItem(
        rel="content/posts/a.md",
        kind="post",
        digest="abc",
        slug="a",
        title="A",
        date=datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),
        updated=datetime(2024, 3, 5, 9, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        unpublished=False,
        status_text="published",
        tags=(TagRef("Alpha", "alpha"), TagRef("B", "b")),
        summary="s",
        summary_given=True,
        author="me",
        canonical_url="",
        image="i.png",
        series="x",
        extra={"n": [1, 2.5, None, True, {"deep": "yes"}]},
        slug_line=3,
        toc_html="<ul></ul>",
        word_count=12,
        body=Body("abc"),
        warnings=(Problem("content/posts/a.md", 4, "unknown key"),),
    )


def test_cache_records_round_trip_every_field() -> None:
    item = _sample_item()
    record = encode_item(item)
    assert isinstance(record, str)
    back = decode_item(record)
    assert back is not None
    for f in fields(ParsedItem):
        if f.name != "body":
            assert getattr(back, f.name) == getattr(item, f.name), f.name
    assert back.body.digest == "abc"
    assert back.date is not None and back.date.tzinfo is ZoneInfo("Europe/Berlin")
    assert back.date.fold == 1 and back.date.utcoffset() == item.date.utcoffset()  # type: ignore[union-attr]
    assert back.updated is not None and back.updated.utcoffset() == item.updated.utcoffset()  # type: ignore[union-attr]


def test_values_json_cannot_carry_make_an_item_uncachable() -> None:
    for odd in (b"bytes", {"a", "b"}, {1: "one"}, datetime(2024, 1, 1), float("nan"), (1, 2)):
        assert encode_item(replace(_sample_item(), extra={"mood": odd})) is None, odd


@pytest.mark.parametrize("extra", ["{1: one}", "{2.5: x, null: y}", "[{3: three}]"])
def test_items_the_cache_cannot_hold_as_data_are_still_built(site: SiteMaker, extra: str) -> None:
    site.write("content/posts/odd.md", post("Odd", mood=extra))
    assert site.build().exit_code == 0
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert_same_as_clean(site)


@pytest.mark.parametrize("record", ["", "not json", "[]", '{"rel": 1}', "null"])
def test_a_cache_row_that_does_not_decode_counts_as_missing(blog: SiteMaker, record: str) -> None:
    with sqlite3.connect(cache_db(blog)) as db:
        db.execute("update items set meta=?", (record,))
        db.execute("update memo set value=?", (record,))
    db.close()
    age(*(blog.root / "content/posts").iterdir())
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert_same_as_clean(blog)


# -- a cache that is gone, damaged or busy ---------------------------------------------------


def _one_line_notice(stderr: str) -> None:
    notices = [line for line in stderr.splitlines() if line.startswith("notice:")]
    assert len(notices) == 1, stderr
    assert "cache" in notices[0]


def test_a_cache_file_replaced_by_a_folder(blog: SiteMaker) -> None:
    db = cache_db(blog)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.mkdir()
    (db / "keep.txt").write_text("mine\n")
    blog.write("content/posts/p2.md", post("Post 2 again", date="2026-02-02 09:00"))
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    _one_line_notice(result.stderr)
    assert (db / "keep.txt").read_text() == "mine\n"
    assert_same_as_clean(blog)


@pytest.mark.parametrize(
    "damage",
    [
        "delete from items",
        "delete from bodies",
        "delete from info",
        "drop table items",
        "drop table bodies",
        "drop table info",
    ],
)
def test_cache_tables_emptied_or_dropped(blog: SiteMaker, damage: str) -> None:
    with sqlite3.connect(cache_db(blog)) as db:
        db.execute(damage)
    db.close()
    age(*(blog.root / "content/posts").iterdir(), blog.root / "content/pages/about.md")
    blog.write("content/posts/p2.md", post("Post 2 again", date="2026-02-02 09:00"))
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert_same_as_clean(blog)
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert_same_as_clean(blog)


def test_a_cache_locked_by_another_process_costs_a_notice_not_a_wait(blog: SiteMaker) -> None:
    holder = sqlite3.connect(cache_db(blog), isolation_level=None)
    try:
        holder.execute("begin exclusive")
        blog.write("content/posts/p2.md", post("Post 2 again", date="2026-02-02 09:00"))
        started = time.monotonic()
        result = blog.build()
        took = time.monotonic() - started
    finally:
        holder.close()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    _one_line_notice(result.stderr)
    assert took < 8, took
    assert "Post 2 again" in (blog.out / "posts/p2/index.html").read_text()
    assert_same_as_clean(blog)
    result = blog.build()  # the lock is gone: the cache is used again
    assert result.exit_code == 0 and "notice" not in result.stderr, result.stderr
