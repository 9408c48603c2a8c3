"""Pages whose key changed but whose view did not keep their files without a render, and
every build still equals a clean one (``thoughtgen.incremental.pageviews``)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SiteMaker, output_files, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.incremental.cache import CACHE_DIR, CACHE_FILE
from thoughtgen.incremental.pageviews import MEMO_KEY
from thoughtgen.render import HtmlRenderer

WORDS = ["keep", "showing", "up", "before", "you", "need", "the", "network"]


def body(words: int) -> str:
    """An opening paragraph (the summary), then ``words`` more in a paragraph of their own."""
    rest = " ".join(WORDS[i % len(WORDS)] for i in range(words))
    return f"Show up before the need.\n\n{rest}."


def write_posts(site: SiteMaker, count: int = 9) -> None:
    site.config("posts_per_page: 2\n")
    for n in range(count):
        site.write(
            f"content/posts/p{n}.md",
            post(f"Post {n}", date=f"2024-03-{n + 1:02d} 09:00", body=body(40), tags="[Career]"),
        )


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The URL of every page rendered in this process from now on."""
    urls: list[str] = []
    render = HtmlRenderer.page

    def page(self: HtmlRenderer, template: str, url: str, context: dict[str, object]) -> object:
        urls.append(url)
        return render(self, template, url, context)

    monkeypatch.setattr(HtmlRenderer, "page", page)
    yield urls


def build(site: SiteMaker) -> None:
    result = site.build()
    assert result.exit_code == 0, result.output


def edit(site: SiteMaker, words: int, title: str = "Post 4") -> None:
    """Give post 4 ``words`` words after its opening, and ``title``."""
    text = post(title, date="2024-03-05 09:00", body=body(words), tags="[Career]")
    (site.root / "content/posts/p4.md").write_text(text, encoding="utf-8")


def assert_same_as_fresh(site: SiteMaker) -> None:
    """The output equals a build of a copy of the sources with no cache and no output (a
    ``--clean`` build would start the site's cache anew, views and all)."""
    copy = site.root.parent / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns(CACHE_DIR, "public", ".public*"))
    fresh = SiteMaker(copy)
    build(fresh)
    assert output_files(site.out) == output_files(fresh.out)


def test_a_new_sentence_renders_the_post_alone_once_views_are_kept(
    site: SiteMaker, rendered: list[str]
) -> None:
    write_posts(site)
    build(site)
    for n, words in enumerate((41, 43, 44)):  # the same reading time throughout
        edit(site, words)
        rendered.clear()
        build(site)
        assert "posts/p4/" in rendered
        if n:  # the first edit noted what each listing read: the next keep theirs
            assert rendered == ["posts/p4/"], rendered
        assert_same_as_fresh(site)


def test_what_a_listing_shows_of_a_post_renders_it_again(
    site: SiteMaker, rendered: list[str]
) -> None:
    write_posts(site)
    build(site)
    edit(site, 41)
    build(site)
    # A longer read (which the lists of posts show, the archive not), then a new title.
    for title, pages in (
        ("Post 4", {"page/3/", "tags/career/page/3/", "posts/p4/"}),
        (
            "Post four",
            {"page/3/", "tags/career/page/3/", "archive/", "posts/p3/", "posts/p4/", "posts/p5/"},
        ),
    ):
        edit(site, 900, title)
        rendered.clear()
        build(site)
        assert pages <= set(rendered), rendered
        assert_same_as_fresh(site)
    assert "Post four" in site.page("tags/career/page/3/index.html")


def test_a_theme_that_shows_word_counts_in_listings_gets_them_right(
    site: SiteMaker, rendered: list[str]
) -> None:
    write_posts(site)
    site.write(
        "themes/default/templates/partials/post_card.html",
        '<article><a href="{{ url(post.url) }}">{{ post.title }}</a> '
        "{{ post.word_count }}</article>\n",
    )
    build(site)
    shown = []
    for words in (41, 42, 42, 43):
        edit(site, words)
        build(site)
        listing = site.page("tags/career/page/3/index.html")
        shown.append(listing.split("Post 4</a> ", 1)[1].split("<", 1)[0])
        assert_same_as_fresh(site)
    assert shown[1] == shown[2] != shown[0] and shown[3] != shown[2], shown


def _views(site: SiteMaker) -> Path:
    return site.root / CACHE_DIR / CACHE_FILE


@pytest.mark.parametrize(
    "record",
    [
        "",
        "not json",
        "[]",
        '{"version": 1, "views": {"tags/career/page/3/index.html": [1, 2, 3]}}',
        '{"version": 1, "views": {"tags/career/page/3/index.html": ["x", "y", {"a": [1]}]}}',
        '{"version": 1, "views": []}',
    ],
)
def test_kept_views_that_do_not_decode_count_as_none(site: SiteMaker, record: str) -> None:
    write_posts(site)
    build(site)
    edit(site, 41)
    build(site)
    with sqlite3.connect(_views(site)) as db:
        assert db.execute("select count(*) from memo where key=?", (MEMO_KEY,)).fetchone()[0]
        db.execute("update memo set value=? where key=?", (record, MEMO_KEY))
    db.close()
    edit(site, 42, "Post four")
    build(site)
    assert_same_as_fresh(site)


def test_a_view_kept_for_other_bytes_keeps_nothing(site: SiteMaker, rendered: list[str]) -> None:
    """A view says which bytes it made: a page whose file is another (put back from an older
    build, say) is rendered, not kept by it."""
    write_posts(site)
    build(site)
    edit(site, 41)
    build(site)
    listing = site.out / "tags/career/page/3/index.html"
    listing.write_text(listing.read_text(encoding="utf-8") + "<!-- mine -->", encoding="utf-8")
    edit(site, 42)
    rendered.clear()
    build(site)
    assert "tags/career/page/3/" in rendered
    assert_same_as_fresh(site)


EDITS = st.sampled_from(["sentence", "long", "title", "tag", "date", "draft", "card"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.integers(0, 5), EDITS), min_size=2, max_size=7))
def test_any_sequence_of_edits_builds_what_a_clean_build_does(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, str]]
) -> None:
    site = SiteMaker(tmp_path_factory.mktemp("walk") / "site")
    site.root.mkdir()
    write_posts(site, 6)
    site.write(
        "themes/default/templates/partials/post_card.html",
        "<article>{{ post.title }} {{ post.word_count if post.tags | length > 1 else '' }}"
        "</article>\n",
    )
    build(site)
    state = {n: [f"Post {n}", f"2024-03-{n + 1:02d} 09:00", 40, "[Career]", ""] for n in range(6)}
    for n, edit in steps:
        one = state[n]
        if edit == "sentence":
            one[2] += 1
        elif edit == "long":
            one[2] += 400
        elif edit == "title":
            one[0] += " again"
        elif edit == "tag":
            one[3] = "[Career, Craft]" if one[3] == "[Career]" else "[Career]"
        elif edit == "date":
            one[1] = "2024-02-01 09:00" if one[1] != "2024-02-01 09:00" else "2024-03-20 09:00"
        elif edit == "draft":
            one[4] = "" if one[4] else "true"
        else:
            one[0] = one[0].upper()
        extra = {"draft": one[4]} if one[4] else {}
        site.write(
            f"content/posts/p{n}.md",
            post(one[0], date=one[1], body=body(one[2]), tags=one[3], **extra),
        )
        build(site)
        assert_same_as_fresh(site)
