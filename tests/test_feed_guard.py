"""The feed-id guard: a build stops before it would give published posts new feed ids.

Sites are built for real into tmp_path through the CLI; the feeds before and after are read
with feedparser as well as with the guard's own reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import pytest
from conftest import NOW, SiteMaker, output_files, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.build import BuildOptions, read_site
from thoughtgen.feedguard import (
    MAX_FEED_BYTES,
    FeedEntry,
    change_problems,
    entries_in_feed,
    id_changes,
)

OLD = "https://old.example.org/"
NEW = "https://new.example.org/blog/"
CONFIG = f"""\
title: Guarded
description: A site whose feeds have subscribers.
base_url: {OLD}
timezone: Europe/Berlin
author:
  name: Test Author
share_cards: false
"""


def read_feed(path: Path) -> list[tuple[str, str, str]]:
    """(id, link, title) of each entry, as a real feed reader sees them.

    feedparser reads RSS and Atom; a JSON Feed is plain JSON (feedparser 6.0 has no reader
    for it), read here by its specification's field names.
    """
    if path.suffix == ".json":
        items = json.loads(path.read_text(encoding="utf-8"))["items"]
        return [(item["id"], item["url"], item["title"]) for item in items]
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return [(entry.id, entry.link, entry.title) for entry in parsed.entries]


def feed_ids(path: Path) -> list[str]:
    return [ident for ident, _link, _title in read_feed(path)]


def set_base_url(site: SiteMaker, url: str) -> None:
    config = site.root / "thoughtgen.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("base_url: ")
    end = text.index("\n", start)
    config.write_text(text[:start] + f"base_url: {url}" + text[end:], encoding="utf-8")


@pytest.fixture
def blog(site: SiteMaker) -> SiteMaker:
    site.config(base=CONFIG)
    site.write("content/posts/first.md", post("First steps", date="2026-01-05 09:00", tags="[a]"))
    site.write("content/posts/second.md", post("Second look", date="2026-02-05 09:00", tags="[a]"))
    site.write("content/posts/third.md", post("Third time", date="2026-03-05 09:00"))
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


# Reading feeds


def test_entries_in_feed_reads_rss_atom_and_json_as_feed_readers_do(blog: SiteMaker) -> None:
    blog.write(
        "content/posts/imported.md",
        post("Imported", date="2025-12-01 09:00", guid="tag:old.example.org,2019:42"),
    )
    assert blog.build().exit_code == 0
    for name in ("feed.xml", "atom.xml", "feed.json", "tags/a/feed.xml", "tags/a/feed.json"):
        ours = entries_in_feed((blog.out / name).read_bytes())
        assert [(e.id, e.link, e.title) for e in ours] == read_feed(blog.out / name), name
    entries = entries_in_feed((blog.out / "atom.xml").read_bytes())
    assert entries[0] == FeedEntry(f"{OLD}posts/third/", f"{OLD}posts/third/", "Third time")
    assert entries[-1].id == "tag:old.example.org,2019:42"
    assert entries[-1].link == f"{OLD}posts/imported/"


def test_an_rss_item_without_a_guid_is_known_by_its_link() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>A &amp; B</title><link>https://x.org/a/</link></item>"
        b"<item><title>no id</title></item></channel></rss>"
    )
    assert entries_in_feed(rss) == [FeedEntry("https://x.org/a/", "https://x.org/a/", "A & B")]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"\xff\xfe\x00<",
        b"{}",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}',
        b"[1, 2]",
        b"<html><body>Not found</body></html>",
        b"<rss><channel><item><title>cut off",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<rss><channel><item><guid>&b;</guid></item></channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><item><guid>&x;</guid></item></channel></rss>",
        b"[" * 100_000,
    ],
)
def test_what_is_no_feed_raises_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        entries_in_feed(data)


def test_a_feed_too_large_is_refused_unread() -> None:
    with pytest.raises(ValueError, match="larger than"):
        entries_in_feed(b" " * (MAX_FEED_BYTES + 1))


# A new base_url


def test_a_changed_base_url_stops_the_build_and_leaves_the_output_as_it_was(
    blog: SiteMaker,
) -> None:
    before = output_files(blog.out)
    old_ids = feed_ids(blog.out / "feed.xml")
    set_base_url(blog, NEW)
    result = blog.build()
    assert result.exit_code == 1
    assert output_files(blog.out) == before
    assert feed_ids(blog.out / "feed.xml") == old_ids
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"thoughtgen.yaml:3: base_url changed from {OLD} to {NEW}, and with it the feed id "
        "of every published post: 3 posts in the published feeds would be sent again to "
        "every subscriber by feed readers and RSS-to-email services; keep base_url "
        f"{OLD}, add 'guid:' with its old id to each post (listed below), or build with "
        "--accept-new-ids if subscribers should get them again"
    )
    assert lines[1] == (
        f'content/posts/first.md:2: the feed id of "First steps" would change from '
        f"{OLD}posts/first/ to {NEW}posts/first/, so subscribers would get it again; "
        f"add 'guid: \"{OLD}posts/first/\"' to its front matter"
    )
    assert [line.split(":")[0] for line in lines[2:4]] == [
        "content/posts/second.md",
        "content/posts/third.md",
    ]
    assert "--accept-new-ids" in lines[4]
    assert "Traceback" not in result.output


def test_accept_new_ids_builds_with_the_new_ids(blog: SiteMaker) -> None:
    set_base_url(blog, NEW)
    result = blog.build("--accept-new-ids")
    assert result.exit_code == 0, result.output
    assert feed_ids(blog.out / "feed.xml") == [
        f"{NEW}posts/{slug}/" for slug in ("third", "second", "first")
    ]
    again = blog.build()  # the new ids are now the published ones
    assert again.exit_code == 0, again.output


def test_posts_that_pin_their_old_id_with_guid_move_freely(blog: SiteMaker) -> None:
    old_ids = {name: feed_ids(blog.out / name) for name in ("feed.xml", "atom.xml", "feed.json")}
    for slug, title, date in (
        ("first", "First steps", "2026-01-05 09:00"),
        ("second", "Second look", "2026-02-05 09:00"),
        ("third", "Third time", "2026-03-05 09:00"),
    ):
        guid = json.dumps(f"{OLD}posts/{slug}/")
        tags = "[a]" if slug != "third" else "[]"
        blog.write(f"content/posts/{slug}.md", post(title, date=date, tags=tags, guid=guid))
    set_base_url(blog, NEW)
    result = blog.build()
    assert result.exit_code == 0, result.output
    for name, ids in old_ids.items():
        assert feed_ids(blog.out / name) == ids
    assert read_feed(blog.out / "feed.xml")[0][1] == f"{NEW}posts/third/"


# A renamed slug


@pytest.mark.parametrize(
    ("fields", "stops"),
    [
        ({}, True),
        ({"aliases": "[/posts/second/]"}, True),  # the old address works; the id still changes
        ({"guid": f'"{OLD}posts/second/"'}, False),
        ({"guid": f'"{OLD}posts/second/"', "aliases": "[/posts/second/]"}, False),
    ],
)
def test_a_renamed_slug_stops_unless_the_post_keeps_its_id(
    blog: SiteMaker, fields: dict[str, str], stops: bool
) -> None:
    before = output_files(blog.out)
    (blog.root / "content/posts/second.md").unlink()
    blog.write(
        "content/posts/second-look.md",
        post("Second look", date="2026-02-05 09:00", tags="[a]", **fields),
    )
    result = blog.build()
    if not stops:
        assert result.exit_code == 0, result.output
        assert f"{OLD}posts/second/" in feed_ids(blog.out / "feed.xml")
        assert (blog.out / "posts/second-look/index.html").is_file()
        return
    assert result.exit_code == 1
    assert output_files(blog.out) == before
    message = (
        'content/posts/second-look.md:2: the feed id of "Second look" would change from '
        f"{OLD}posts/second/ to {OLD}posts/second-look/, so subscribers would get it again; "
        f"add 'guid: \"{OLD}posts/second/\"' to its front matter"
    )
    if not fields:
        message += ", and 'aliases: [\"/posts/second/\"]' so its old address keeps working"
    assert result.stderr.splitlines()[0] == message
    assert not result.stderr.startswith("thoughtgen.yaml")  # base_url did not change


def test_a_renamed_and_retitled_post_is_found_by_its_alias(blog: SiteMaker) -> None:
    (blog.root / "content/posts/second.md").unlink()
    blog.write(
        "content/posts/another.md",
        post("Another look", date="2026-02-05 09:00", aliases="[/posts/second/]"),
    )
    result = blog.build()
    assert result.exit_code == 1
    assert result.stderr.startswith(
        'content/posts/another.md:2: the feed id of "Another look" would change from '
        f"{OLD}posts/second/ to {OLD}posts/another/"
    )


# What is fine


def test_a_deleted_post_warns_and_builds(blog: SiteMaker) -> None:
    (blog.root / "content/posts/second.md").unlink()
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f'{blog.out}: "Second look" ({OLD}posts/second/) was in the published feeds and is no '
        "post of the site now; if it was renamed and retitled rather than deleted, add "
        f"'guid: \"{OLD}posts/second/\"' to it so it is not sent again"
    ]
    assert f"{OLD}posts/second/" not in feed_ids(blog.out / "feed.xml")
    assert blog.build().stderr.count("was in the published feeds") == 0  # said once


def test_an_added_post_an_updated_post_and_a_post_leaving_the_window_pass(
    blog: SiteMaker,
) -> None:
    blog.write("thoughtgen.yaml", CONFIG + "feed:\n  limit: 3\n")
    assert blog.build().exit_code == 0
    blog.write(
        "content/posts/first.md",
        post("First steps", date="2026-01-05 09:00", tags="[a]", updated="2026-04-01"),
    )
    blog.write("content/posts/fourth.md", post("Fourth", date="2026-04-05 09:00", tags="[a]"))
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert "feed" not in result.stderr
    assert feed_ids(blog.out / "feed.xml") == [
        f"{OLD}posts/{slug}/" for slug in ("fourth", "third", "second")
    ]


def test_unpublishing_a_post_is_not_a_change_of_its_id(blog: SiteMaker) -> None:
    blog.write(
        "content/posts/third.md", post("Third time", date="2026-03-05 09:00", status="draft")
    )
    result = blog.build()
    assert result.exit_code == 0, result.output
    assert '"Third time"' in result.stderr and "no post of the site now" in result.stderr


def test_a_preview_build_compares_with_its_own_folder(blog: SiteMaker, tmp_path: Path) -> None:
    preview = tmp_path / "preview"
    blog.write("content/posts/draft.md", post("Draft", date="2026-03-10 09:00", status="draft"))
    first = blog.build("--drafts", "--future", "--output", str(preview))
    assert first.exit_code == 0, first.output
    set_base_url(blog, NEW)
    second = blog.build("--drafts", "--output", str(preview), "--base-url", NEW)
    assert second.exit_code == 1 and "base_url changed" in second.stderr
    assert blog.build("--base-url", OLD).exit_code == 0  # public/ still has the old ids


# Foreign and broken output


def test_a_garbage_feed_in_the_output_is_skipped_not_a_crash(blog: SiteMaker) -> None:
    (blog.out / "feed.xml").write_bytes(b"\x00not a feed<<<")
    (blog.out / "feed.json").write_text('{"version": 1, "items": [', encoding="utf-8")
    (blog.out / "atom.xml").write_bytes(b"")
    set_base_url(blog, NEW)
    result = blog.build()
    assert "Traceback" not in result.output
    assert result.exit_code == 1  # the tag feeds still tell
    assert "content/posts/first.md:2:" in result.stderr
    result = blog.build("--accept-new-ids")
    assert result.exit_code == 0, result.output
    assert feed_ids(blog.out / "feed.xml")[0] == f"{NEW}posts/third/"


def test_a_foreign_feed_in_a_new_output_folder_is_not_read(site: SiteMaker) -> None:
    site.config(base=CONFIG)
    site.write("content/posts/a.md", post("A"))
    site.write("public/feed.xml", b'<?xml version="1.0"?><rss><channel><item><guid>x</guid>')
    result = site.build()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "public: refusing to build here" in result.stderr


# The library, as deploy verify uses it


def test_id_changes_and_change_problems_on_the_model(blog: SiteMaker) -> None:
    old = entries_in_feed((blog.out / "feed.json").read_bytes())
    same = read_site(BuildOptions(site_dir=blog.root, now=NOW))
    assert id_changes(old, same) == []
    moved = read_site(BuildOptions(site_dir=blog.root, now=NOW, base_url=NEW))
    changes = id_changes([*old, *old], moved)  # entries repeated across feeds count once
    assert [(c.old.id, c.new_id) for c in changes] == [
        (f"{OLD}posts/{slug}/", f"{NEW}posts/{slug}/") for slug in ("third", "second", "first")
    ]
    assert [c.post.source for c in changes if c.post] == [
        f"content/posts/{slug}.md" for slug in ("third", "second", "first")
    ]
    problems = change_problems(changes, blog.root)
    assert [(p.path, p.line) for p in problems] == [
        ("thoughtgen.yaml", 3),
        ("content/posts/first.md", 2),
        ("content/posts/second.md", 2),
        ("content/posts/third.md", 2),
    ]
    gone = id_changes([FeedEntry("urn:x", "https://elsewhere.org/x/", "Nobody")], moved)
    assert gone[0].post is None and gone[0].new_id is None
    assert change_problems(gone, blog.root) == []


def test_many_changed_posts_are_listed_up_to_a_limit(site: SiteMaker) -> None:
    site.config(base=CONFIG + "feed:\n  limit: 30\n")
    for day in range(1, 26):
        site.write(f"content/posts/p{day:02}.md", post(f"Post {day}", date=f"2026-01-{day:02}"))
    assert site.build().exit_code == 0
    set_base_url(site, NEW)
    result = site.build()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "25 posts in the published feeds" in lines[0]
    assert len([line for line in lines if line.startswith("content/posts/p")]) == 20
    assert lines[21] == (
        "content/posts: … and 5 more posts whose feed id would change (the same fix)"
    )


# Random sequences of what writers do


@dataclass
class Model:
    """What the site holds and which ids its last good build published."""

    base: str = OLD
    slugs: dict[str, str] = field(default_factory=dict)  # title → slug
    guids: dict[str, str] = field(default_factory=dict)  # title → pinned id
    published: dict[str, str] = field(default_factory=dict)  # title → id in the feeds
    made: int = 0

    def id_of(self, title: str) -> str:
        return self.guids.get(title) or f"{self.base}posts/{self.slugs[title]}/"

    def changes(self) -> bool:
        return any(
            title in self.slugs and self.id_of(title) != old
            for title, old in self.published.items()
        )


BASES = (OLD, NEW, "https://third.example.net/")
OPS = st.lists(
    st.tuples(st.sampled_from(["rename", "base_url", "guid", "add", "delete"]), st.integers(0, 99)),
    min_size=1,
    max_size=6,
)


def _write(site: SiteMaker, model: Model, title: str) -> None:
    fields = {"guid": json.dumps(model.guids[title])} if title in model.guids else {}
    number = int(title.split()[-1])
    site.write(
        f"content/posts/{model.slugs[title]}.md",
        post(title, date=f"2026-01-{number % 28 + 1:02} 09:00", tags="[a]", **fields),
    )


def _apply(site: SiteMaker, model: Model, op: str, pick: int) -> None:
    titles = sorted(model.slugs)
    if op == "add" or not titles:
        model.made += 1
        title = f"Post {model.made}"
        model.slugs[title] = f"post-{model.made}"
        _write(site, model, title)
        return
    title = titles[pick % len(titles)]
    if op == "rename":
        (site.root / f"content/posts/{model.slugs[title]}.md").unlink()
        model.made += 1
        model.slugs[title] = f"renamed-{model.made}"
        _write(site, model, title)
    elif op == "base_url":
        model.base = BASES[(BASES.index(model.base) + 1 + pick % 2) % len(BASES)]
        set_base_url(site, model.base)
    elif op == "guid":
        model.guids.setdefault(title, model.id_of(title))
        _write(site, model, title)
    elif op == "delete":
        (site.root / f"content/posts/{model.slugs.pop(title)}.md").unlink()


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_the_build_stops_exactly_when_a_published_id_would_change(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    site = SiteMaker(tmp_path_factory.mktemp("walk"))
    site.config(base=CONFIG)
    model = Model()
    for _ in range(3):
        _apply(site, model, "add", 0)
    assert site.build().exit_code == 0
    model.published = {title: model.id_of(title) for title in model.slugs}
    for op, pick in ops:
        _apply(site, model, op, pick)
        before = output_files(site.out)
        result = site.build()
        assert "Traceback" not in result.output
        if model.changes():
            assert result.exit_code == 1, f"{ops}: {result.output}"
            assert output_files(site.out) == before
            result = site.build("--accept-new-ids")
        assert result.exit_code == 0, f"{ops}: {result.output}"
        expected = {model.id_of(title) for title in model.slugs}
        assert set(feed_ids(site.out / "feed.xml")) == expected
        model.published = {title: model.id_of(title) for title in model.slugs}


# The placeholder base_url


def test_build_warns_while_base_url_is_the_placeholder(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    result = site.build()
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "thoughtgen.yaml:3: base_url is still the placeholder https://example.com/ from "
        "'thoughtgen init'; set it to your site's address (feeds, share cards and canonical "
        "links use it)"
    ]
    overridden = site.build("--base-url", "https://preview.example.net/", "--accept-new-ids")
    assert overridden.exit_code == 0 and overridden.stderr == ""
    site.config(base=CONFIG)
    assert site.build("--accept-new-ids").stderr == ""
