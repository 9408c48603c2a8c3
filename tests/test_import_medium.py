"""The Medium reader: posts/*.html and profile/profile.html from an unzipped export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from import_support import doc_from as doc

from thoughtgen.importers import medium
from thoughtgen.importers.model import Note, SourceSite

EXPORT = Path(__file__).parent / "fixtures" / "import" / "medium" / "export"
WEEKLY = "posts/2021-02-03_Notes-on-a-weekly-habit-3f2a9b8c7d6e.html"


@pytest.fixture(scope="module")
def site() -> SourceSite:
    return medium.read(EXPORT)


def story(title: str, body: str, footer: str = "") -> str:
    """A story page as Medium's export writes it."""
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; '
        f'charset=utf-8"><title>{title}</title></head><body><article class="h-entry">\n'
        f'<header>\n<h1 class="p-name">{title}</h1>\n</header>\n'
        '<section data-field="body" class="e-content">\n'
        '<section name="0001" class="section section--body section--first section--last">'
        '<div class="section-divider"><hr class="section-divider"></div>'
        '<div class="section-content"><div class="section-inner sectionLayout--insetColumn">'
        f"{body}</div></div></section>\n</section>\n<footer>{footer}</footer></article>"
        "</body></html>"
    )


def test_an_export_is_recognised_by_its_posts_and_profile(tmp_path: Path) -> None:
    assert medium.detect(EXPORT)
    assert not medium.detect(tmp_path)
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.html").write_text("<p>a Jekyll build?</p>", encoding="utf-8")
    assert not medium.detect(tmp_path)
    (tmp_path / "posts" / "b.html").write_text(story("B", "<p>b</p>"), encoding="utf-8")
    assert medium.detect(tmp_path)  # an export without its profile folder


def test_every_story_and_draft_is_read_with_its_metadata(site: SourceSite) -> None:
    assert site.platform == "medium"
    assert site.author == "Rowan Tidewell"
    assert (site.title, site.base_url, site.post_permalink) == ("", "", "")
    rows = [
        (d.slug, d.title, d.date, d.draft, d.summary, d.guid, d.old_urls, d.canonical_url)
        for d in site.docs
    ]
    assert rows == [
        (
            "low-light",
            "low light",
            datetime(2017, 5, 5, 21, 15, tzinfo=UTC),
            False,
            "a short poem",
            "https://medium.com/p/5e5e5e5e5e5e",
            [],
            "",
        ),
        (
            "an-essay-from-the-old-blog",
            "An essay from the old blog",
            datetime(2018, 1, 1, 9, 0, tzinfo=UTC),
            False,
            "",
            "https://medium.com/p/7a7a7a7a7a7a",
            [],
            "",
        ),
        (
            "cafe-au-lait-naive-resume",  # from the canonical link's percent-encoded name
            "Café au lait — naïve résumé",
            datetime(2020, 11, 30, 7, 0, tzinfo=UTC),
            False,
            "The first paragraph doubles as the preview.",
            "https://medium.com/p/a1b2c3d4e5f6",
            [],
            "",
        ),
        (
            "notes-on-a-weekly-habit",
            "Notes on a weekly habit",
            datetime(2021, 2, 3, 18, 24, 5, tzinfo=UTC),  # to the second
            False,
            "What a fixed writing day changed, and what it did not",
            "https://medium.com/p/3f2a9b8c7d6e",
            [],
            "",
        ),
        (
            "notes-on-a-weekly-habit",  # the same title: the importer numbers the second one
            "Notes on a weekly habit",
            datetime(2021, 3, 1, tzinfo=UTC),  # only the file name gives a date
            False,
            "",
            "https://medium.com/p/5b5b5b5b5b5b",  # the id from the file name
            [],
            "",
        ),
        ("unfinished-idea", "Unfinished idea", None, True, "", "", [], ""),
    ]
    assert doc(site, WEEKLY).extra == {
        "medium_url": "https://medium.com/@rowan.tidewell/notes-on-a-weekly-habit-3f2a9b8c7d6e"
    }
    assert doc(site, WEEKLY).image == (
        "https://cdn-images-1.medium.com/max/800/1*Qx7Lm2Pz9Rk4Ns1Vt8Wy3A.jpeg"
    )
    assert all(d.kind == "post" and d.tags == [] for d in site.docs)


def test_responses_are_counted_and_skipped_and_the_rest_noted(site: SourceSite) -> None:
    assert site.skipped == {"responses": 1}
    assert site.notes == [
        Note(
            "posts/2018-01-01_An-essay-from-the-old-blog-7a7a7a7a7a7a.html",
            15,
            "dropped the closing 'Originally published at …' line "
            "(https://rowan.example.net/2018/01/essay.html): if your new site takes over that "
            "address, add its path to 'aliases:' so it keeps working",
        ),
        Note(
            "posts/2020-11-30_Caf--au-lait---na-ve-r-sum--a1b2c3d4e5f6.html",
            18,
            "keeps 1 remote image (cdn-images-1.medium.com); download it into the post's "
            "folder and link the copy if the post should keep its images after it leaves "
            "Medium",
        ),
        Note(
            WEEKLY,
            19,
            "an embed became a link to https://medium.com/media/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
            "?postId=3f2a9b8c7d6e, Medium's copy of it, which stops working once the story "
            "leaves Medium: replace it with the original (a gist, a tweet, a video)",
        ),
        Note(
            WEEKLY,
            19,
            "keeps 1 remote image (cdn-images-1.medium.com); download it into the post's "
            "folder and link the copy if the post should keep its images after it leaves "
            "Medium",
        ),
        Note(
            "posts/2021-03-01_Notes-on-a-weekly-habit-5b5b5b5b5b5b.html",
            None,
            "no publication time in the file: dated from its name",
        ),
        Note(
            "posts",
            None,
            "skipped 1 response (comments on other stories, told apart by having no title of "
            "their own): 2019-06-07_Good-point---I-have-seen-the-same-thing-in-my-own-team--"
            "where-the--9e8d7c6b5a4f.html",
        ),
        Note("posts", None, "Medium's export does not include tags: add 'tags:' by hand"),
    ]


def test_medium_markup_becomes_clean_markdown(site: SourceSite) -> None:
    assert doc(site, WEEKLY).body == (
        # the title and subtitle grafs are gone: the page shows them from front matter
        "For a year I wrote **every Sunday**, and only on Sunday. Here is the *honest* "
        "account, with a [log of each week](https://example.org/log).\n\n"
        "![My Sunday table, more here.](https://cdn-images-1.medium.com/max/800/"
        "1*Qx7Lm2Pz9Rk4Ns1Vt8Wy3A.jpeg)\n\n"
        "*My Sunday table, [more here](https://example.org/photos).*\n\n"
        "## What changed\n\n"
        "I stopped waiting to feel ready. Run `make draft` and start. I said so in "
        "[a poem](low-light.md), in [Café au lait — naïve résumé](cafe-au-lait-naive-resume.md)"
        " and in [its twin](https://medium.com/p/5b5b5b5b5b5b).\n\n"  # two share its slug
        "### Small wins\n\n"
        "- Shorter drafts.\n- Fewer abandoned ideas.\n\n"
        "<!-- -->\n\n"
        "1. Write.\n2. Rest.\n\n"
        "> A day on the calendar is a promise you can keep.\n\n"
        "```\ndef sunday():\n    return write()\nsunday()\n```\n\n"  # two grafs, one block
        "```python\nfor week in range(52):\n    sunday()\n```\n\n"
        "[Why calendars beat moods](https://example.org/essays/calendars)\n\n"
        "[A talk on routines](https://www.youtube.com/watch?v=aB3dE5fG7hI)\n\n"
        "[Embedded content](https://medium.com/media/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        "?postId=3f2a9b8c7d6e)\n\n"
        "---\n\n"  # the second section's divider; the first one's is decoration
        "After the break: what did *not* change. Deadlines still arrive early.\n\n"
        "> Consistency is boring, and that is fine.\n"
    )
    for gone in ("Canonical link", "Exported from", "By Rowan", "graf", "medium.com/@"):
        assert gone not in doc(site, WEEKLY).body


def test_title_lines_written_as_text_stay_and_footers_go(site: SourceSite) -> None:
    poem = doc(site, "posts/2017-05-05_low-light-5e5e5e5e5e5e.html")
    # no title graf, but the first line is the whole title: a poem, not a response
    assert poem.body == (
        "**low light**\n\nthe lamp hums<br>\nthe page waits<br>\nI write one line<br>\n"
        "and call it a day\n"
    )
    essay = doc(site, "posts/2018-01-01_An-essay-from-the-old-blog-7a7a7a7a7a7a.html")
    assert essay.body == "This first lived on my own site, then Medium imported it.\n"
    cafe = doc(site, "posts/2020-11-30_Caf--au-lait---na-ve-r-sum--a1b2c3d4e5f6.html")
    assert cafe.body == (  # the subtitle repeats the first paragraph, which is text: kept
        "The first paragraph doubles as the preview.\n\n"
        "![](https://cdn-images-1.medium.com/max/640/1*Zz9Yy8Xx7Ww6Vv5Uu4Tt3S.png)\n"
    )


def test_the_profile_gives_only_the_name(site: SourceSite) -> None:
    everything = repr(site)
    for private in ("rowan@example.net", "1f2e3d4c5b6a", "203.0.113.7", "Someone else"):
        assert private not in everything
    assert site.files == []


def test_an_empty_export_imports_nothing_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    found = medium.read(tmp_path)
    assert found.docs == [] and found.author == ""
    assert found.notes == [Note("posts", None, "the export holds no stories: nothing to import")]


def test_drafts_without_titles_and_pages_that_are_not_stories(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "draft_-0b0b0b0b0b0b.html").write_text(
        story(
            "",
            "<p>Just a thought.</p>",
            '<p><a href="https://medium.com/p/0b0b0b0b0b0b">View original.</a></p>',
        ),
        encoding="utf-8",
    )
    (posts / "notes.html").write_text("<html><body><p>not a story</p></body></html>")
    (posts / "2022-02-30_Bad-day-1c1c1c1c1c1c.html").write_text(
        story(
            "Bad day",
            "<p>Text.</p>",
            '<p><time class="dt-published" datetime="yesterday">then</time></p>',
        ),
        encoding="utf-8",
    )
    found = medium.read(tmp_path)
    assert [(d.slug, d.title, d.draft, d.date, d.guid) for d in found.docs] == [
        ("bad-day", "Bad day", False, None, "https://medium.com/p/1c1c1c1c1c1c"),
        ("story-0b0b0b0b0b0b", "Untitled", True, None, ""),
    ]
    assert found.notes == [
        Note(
            "posts/2022-02-30_Bad-day-1c1c1c1c1c1c.html",
            8,
            "date 'yesterday' cannot be read; set 'date:' by hand",
        ),
        Note(
            "posts/2022-02-30_Bad-day-1c1c1c1c1c1c.html",
            None,
            "a published story without a date; set 'date:' by hand",
        ),
        Note(
            "posts/draft_-0b0b0b0b0b0b.html",
            None,
            "the story has no title; it is titled 'Untitled'",
        ),
        Note(
            "posts/notes.html",
            None,
            "has no story body (section data-field=body): not a Medium post",
        ),
        Note("posts", None, "Medium's export does not include tags: add 'tags:' by hand"),
    ]


def test_hostile_files_give_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    posts = tmp_path / "export" / "posts"
    posts.mkdir(parents=True)
    secret = tmp_path / "secret.html"
    secret.write_text(story("Secret", "<p>outside words</p>"), encoding="utf-8")
    (posts / "2020-01-01_Link-2a2a2a2a2a2a.html").symlink_to(secret)
    (posts / "2020-01-02_Latin-3a3a3a3a3a3a.html").write_bytes(
        story("Latin", "<p>caf\x00</p>").replace("\x00", "@").encode().replace(b"@", b"\xe9")
    )
    (posts / "2020-01-03_Big-4a4a4a4a4a4a.html").write_text(
        story("Big", "<p>" + "word " * 5000 + "</p>"), encoding="utf-8"
    )
    (posts / "2020-01-04_Folder-5a5a5a5a5a5a.html").mkdir()
    monkeypatch.setattr(medium, "MAX_FILE_BYTES", 10_000)
    found = medium.read(tmp_path / "export")
    assert [d.slug for d in found.docs] == ["latin"]
    assert found.docs[0].body == "caf\ufffd\n"
    assert "outside words" not in repr(found)
    assert found.notes == [
        Note(
            "posts/2020-01-01_Link-2a2a2a2a2a2a.html", None, "points outside the export: not read"
        ),
        Note(
            "posts/2020-01-02_Latin-3a3a3a3a3a3a.html",
            6,
            "is not UTF-8; unreadable characters became '\ufffd': check the text",
        ),
        Note(
            "posts/2020-01-02_Latin-3a3a3a3a3a3a.html",
            None,
            "no publication time in the file: dated from its name",
        ),
        Note("posts/2020-01-03_Big-4a4a4a4a4a4a.html", None, "larger than 0 MB: not read"),
        Note("posts/2020-01-04_Folder-5a5a5a5a5a5a.html", None, "is not a file: not read"),
        Note("posts", None, "Medium's export does not include tags: add 'tags:' by hand"),
    ]


def test_a_response_needs_a_cut_title_and_few_words() -> None:
    start = "I agree with most of this, and would add that small teams"
    on = '<p><time class="dt-published" datetime="2020-02-02T02:02:02.000Z">then</time></p>'
    cut = story(f"{start}…", f'<p class="graf graf--p graf--leading">{start} go far.</p>', on)
    whole = story("Short", '<p class="graf graf--p">Short</p><p>More.</p>', on)
    long_text = " ".join(["word"] * medium.RESPONSE_WORDS)
    long = story(f"{start}…", f'<p class="graf graf--p">{start} {long_text}</p>', on)
    titled = story(
        start,
        f'<h3 class="graf graf--h3 graf--title">{start}</h3><p class="graf graf--p">{start}'
        " and more.</p>",
        on,
    )
    draft = story(f"{start}…", f'<p class="graf graf--p graf--leading">{start} go far.</p>')
    cases = [(cut, True), (whole, False), (long, False), (titled, False), (draft, False)]
    for html, response in cases:
        site = SourceSite(platform="medium")
        _doc, is_response, _author = medium._story("posts/x.html", "x.html", html, site)
        assert is_response is response


def _converted(html: str) -> str:
    site = SourceSite(platform="medium")
    found, _response, _author = medium._story(
        "posts/draft_x-1d1d1d1d1d1d.html", "draft_x-1d1d1d1d1d1d.html", story("T", html), site
    )
    assert found is not None
    return found.body


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_as_a_story_body_converts_without_raising(html: str) -> None:
    assert isinstance(_converted(html), str)


WORDS = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=8), min_size=1, max_size=5))
def test_the_words_of_every_graf_survive(paragraphs: list[list[str]]) -> None:
    html = "".join(
        f'<p class="graf graf--p">{" ".join(words)}</p>'
        f'<pre class="graf graf--pre">{" ".join(words)}</pre>'
        for words in paragraphs
    )
    text = _converted(html)
    for words in paragraphs:
        for word in words:
            assert text.count(word) >= 2  # once in the paragraph, once in the code


def test_deeply_nested_html_does_not_crash() -> None:
    assert "deep words" in _converted("<div>" * 5000 + "<p>deep words</p>" + "</div>" * 5000)


def test_imported_and_built_the_feed_keeps_medium_s_ids(tmp_path: Path) -> None:
    from import_support import feed_ids, import_and_build

    report, site_dir, public = import_and_build(EXPORT, tmp_path, platform="medium")
    assert report.summary == "Imported 5 posts, 0 pages, 1 draft, 0 images; 9 need a look"
    assert report.skipped == {"responses": 1}
    assert feed_ids(public) == {
        "https://medium.com/p/5e5e5e5e5e5e",
        "https://medium.com/p/7a7a7a7a7a7a",
        "https://medium.com/p/a1b2c3d4e5f6",
        "https://medium.com/p/3f2a9b8c7d6e",
        "https://medium.com/p/5b5b5b5b5b5b",
    }
    post = (site_dir / "content" / "posts" / "notes-on-a-weekly-habit.md").read_text("utf-8")
    assert post.startswith(
        "---\ntitle: Notes on a weekly habit\nslug: notes-on-a-weekly-habit\n"
        "date: 2021-02-03 18:24:05+00:00\n"
    )
    assert "aliases" not in post  # Medium's addresses stay on Medium
    page = (public / "posts" / "notes-on-a-weekly-habit" / "index.html").read_text("utf-8")
    assert 'href="/posts/low-light/"' in page  # links between the stories lead to the new posts
    assert 'href="/posts/cafe-au-lait-naive-resume/"' in page
    written = "".join(p.read_text("utf-8", "replace") for p in site_dir.rglob("*") if p.is_file())
    assert "rowan@example.net" not in written
