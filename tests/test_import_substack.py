"""The Substack reader: posts.csv and posts/*.html from an unzipped export."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import substack
from thoughtgen.importers.model import Note, SourceSite
from thoughtgen.importers.substack_body import BodyCleaner

EXPORT = Path(__file__).parent / "fixtures" / "import" / "substack" / "export"
HEADER = (
    "post_id,post_date,is_published,email_sent_at,inbox_sent_at,type,audience,title,"
    "subtitle,podcast_url\n"
)
SUBSCRIBE = (
    '<p class="button-wrapper" data-attrs="{&quot;url&quot;:&quot;https://letters.example.com'
    '/subscribe?&quot;,&quot;text&quot;:&quot;Subscribe now&quot;}" data-component-name='
    '"ButtonCreateButton"><a class="button primary" href="https://letters.example.com/'
    'subscribe?"><span>Subscribe now</span></a></p>'
)


@pytest.fixture(scope="module")
def site() -> SourceSite:
    return substack.read(EXPORT)


def by_slug(site: SourceSite) -> dict[str, object]:
    return {doc.slug: doc for doc in site.docs}


def export(tmp_path: Path, rows: str, bodies: dict[str, str] | None = None) -> Path:
    root = tmp_path / "export"
    (root / "posts").mkdir(parents=True)
    (root / "posts.csv").write_text(HEADER + rows, encoding="utf-8")
    for name, html in (bodies or {}).items():
        (root / "posts" / name).write_text(html, encoding="utf-8")
    return root


def test_an_export_is_recognised_by_its_posts_csv(tmp_path: Path) -> None:
    assert substack.detect(EXPORT)
    assert not substack.detect(tmp_path)
    (tmp_path / "posts.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    assert not substack.detect(tmp_path)  # some other CSV


def test_every_listed_post_is_read_with_its_metadata(site: SourceSite) -> None:
    assert site.platform == "substack"
    assert site.base_url == "https://lowtide.substack.com/"
    assert site.post_permalink == "/p/:slug/"
    assert (site.title, site.author, site.language, site.timezone) == ("", "", "", "")
    rows = [
        (doc.slug, doc.title, doc.date, doc.draft, doc.summary, doc.old_urls, doc.guid)
        for doc in site.docs
    ]
    p = "https://lowtide.substack.com/p/"
    assert rows == [
        (
            "why-i-write-weekly",
            "Why I write weekly",
            datetime(2021, 3, 4, 15, 0, tzinfo=UTC),
            False,
            "Cadence beats inspiration, most weeks",
            ["/p/why-i-write-weekly"],
            p + "why-i-write-weekly",
        ),
        (
            "the-long-deep-dive",
            "The long deep dive",
            datetime(2021, 4, 1, 9, 30, tzinfo=UTC),
            True,  # for paying subscribers only
            "For the people who keep this going",
            ["/p/the-long-deep-dive"],
            p + "the-long-deep-dive",
        ),
        (
            "episode-one-on-editing",
            "Episode one: on editing",
            datetime(2021, 5, 10, 12, 0, tzinfo=UTC),
            False,
            "",
            ["/p/episode-one-on-editing"],
            p + "episode-one-on-editing",
        ),
        ("half-written-thoughts", "Half-written thoughts", None, True, "", [], ""),
        (
            "cafe-notes",
            "Café notes: “quotes”, ümlauts & more",
            datetime(2021, 6, 20, 8, 5, 9, tzinfo=UTC),
            False,
            "",
            ["/p/cafe-notes"],
            p + "cafe-notes",
        ),
        (
            "open-thread-1",
            "Open thread #1",
            datetime(2021, 7, 1, 18, 0, tzinfo=UTC),
            False,
            "",
            ["/p/open-thread-1"],
            p + "open-thread-1",
        ),
        (
            "the-lost-one",
            "The lost one",
            datetime(2021, 8, 2, 10, 0, tzinfo=UTC),
            True,  # the export has no text for it
            "",
            ["/p/the-lost-one"],
            p + "the-lost-one",
        ),
        ("post-108", "Post 108", None, True, "", [], ""),
        (
            "founders-only",
            "Notes for founders, on two lines",
            datetime(2021, 9, 9, 9, 9, 9, tzinfo=UTC),
            True,  # founding members only
            "",
            ["/p/Founders-Only"],  # the address it had, redirected to the new slug
            p + "Founders-Only",
        ),
    ]
    assert all(doc.kind == "post" and doc.tags == [] and doc.files == [] for doc in site.docs)
    assert [doc.source for doc in site.docs][:2] == [
        "posts/101.why-i-write-weekly.html",
        "posts/102.the-long-deep-dive.html",
    ]


def test_what_could_not_be_converted_is_listed_with_its_line(site: SourceSite) -> None:
    first = "posts/101.why-i-write-weekly.html"
    cafe = "posts/105.cafe-notes.html"
    draft_again = "check the text, then remove 'draft: true'"
    assert site.notes == [
        Note(first, 17, "a Substack poll cannot move with the post; removed"),
        Note(
            first,
            5,
            "keeps 1 remote image (substack-post-media.s3.amazonaws.com); download it into "
            "the post's folder and link the copy if the post should keep its images after "
            "the old site goes",
        ),
        Note(
            "posts.csv",
            3,
            "a post for paying subscribers only is imported as a draft: the export may hold "
            f"only its free preview; {draft_again}",
        ),
        Note(
            "posts.csv",
            4,
            "a podcast episode: its audio stays on Substack (https://api.substack.com/feed/"
            "podcast/103/aa11bb22.mp3); download it and link the copy so the episode keeps "
            "playing after you leave",
        ),
        Note(
            cafe,
            5,
            "footnote 3 has no text in the export; add '[^3]: …' at the end of the post or "
            "remove the marker",
        ),
        Note(cafe, 3, "a LaTeX formula is kept as code: thoughtgen does not typeset formulas"),
        Note(
            cafe,
            6,
            "an embedded frame became a link to https://maps.example.org/embed?q=corner-cafe",
        ),
        Note(
            cafe,
            2,
            "keeps 3 remote images (substack-post-media.s3.amazonaws.com, substackcdn.com); "
            "download them into the post's folder and link the copies if the post should "
            "keep its images after the old site goes",
        ),
        Note(
            "posts.csv",
            7,
            "a discussion thread: the comments are not in the export, only the opening text",
        ),
        Note(
            "posts/107.the-lost-one.html",
            None,
            "the export holds no text for this published post; it is imported as a draft: "
            "paste its text from Substack, then remove 'draft: true'",
        ),
        Note("posts.csv", 9, "the post has no title; it is titled 'Post 108'"),
        Note(
            "posts.csv",
            10,
            "slug 'Founders-Only' is not a valid thoughtgen slug; the post is 'founders-only' "
            "and its old address /p/Founders-Only redirects to it",
        ),
        Note(
            "posts.csv",
            10,
            "a post for founding members only is imported as a draft: the export may hold "
            f"only its free preview; {draft_again}",
        ),
        Note(
            "posts.csv",
            None,
            "the publication's address, https://lowtide.substack.com, was read from the "
            "posts' subscribe and share buttons; feed ids (guid) and redirects from /p/<slug> "
            "assume it",
        ),
    ]


def test_widgets_go_and_embeds_become_links(site: SourceSite) -> None:
    body = site.docs[0].body
    blocks = body.split("\n\n")
    assert blocks[:3] == [
        "Every Thursday I sit down at seven and do not get up until a draft exists. Most of "
        "those drafts are not good. **That is the point.**[^1]",
        "## What a deadline buys",
        "A fixed day turns *someday* into *Thursday*. It also makes the work smaller: one "
        "essay, not a body of work.[^2]",
    ]
    for block in [
        # the original image (not Substack's resized copy), its alt text and its caption
        "![A desk by a window at dawn](https://substack-post-media.s3.amazonaws.com/public/"
        "images/0a1b2c3d_1600x900.jpeg)",
        "*Thursday, 7:02, [the light](https://example.org/light) I wait for.*",
        "> Write on the same day each week. The day does the deciding for you.\n>\n"
        "> [— Low Tide (@lowtidewriter)](https://twitter.com/lowtidewriter/status/"
        "1367000000000000001)",
        "[Video on YouTube](https://www.youtube.com/watch?v=dQ1x2y3z4w5&t=42)",
        "[On small drafts](https://lowtide.substack.com/p/on-small-drafts)",
        "```\ndraft = write(minutes=90)\nwhile not good(draft):\n    draft = revise(draft)\n```",
        "[Get the worksheet](https://example.org/cadence-worksheet.pdf)",  # a real link stays
        "[^1]: Some weeks it is not even a draft. It is a list.",
        "[^2]: See also [this note on deadlines](https://example.org/deadlines).",
        "    And a second paragraph.\n",
    ]:
        assert block in blocks or block in body, block
    for gone in ("Subscribe", "Share", "%%", "Thanks for reading", "Pass it on", "poll"):
        assert gone not in body
    assert "<" not in body.replace("<!--", "")  # no HTML left behind


def test_galleries_formulas_and_other_embeds(site: SourceSite) -> None:
    cafe = by_slug(site)["cafe-notes"]
    assert cafe.body == (  # type: ignore[attr-defined]
        "Notes written at the café on the corner, where the wifi is slow on purpose.\n\n"
        "![Cup, then page.](https://substack-post-media.s3.amazonaws.com/public/images/"
        "cup_800x800.png)\n\n"
        "![Cup, then page.](https://substack-post-media.s3.amazonaws.com/public/images/"
        "page_800x800.png)\n\n"
        "*Cup, then page.*\n\n"
        "```latex\nwords = days \\times 800\n```\n\n"
        "[Instagram post by lowtide.writes](https://www.instagram.com/p/Cx1Yz2AbCdE/)\n\n"
        "One more thought, with a reference that went missing.[^3]\n\n"
        "[Embedded content](https://maps.example.org/embed?q=corner-cafe)\n\n"
        "![a doodle](https://substackcdn.com/image/fetch/w_300/inline-doodle.png)\n\n"
        "> Slow wifi, fast pen.\n\n"
        # links to the publication's own posts lead to their sources; the paid post is a
        # draft now, so its link stays
        "Back to [the weekly post](why-i-write-weekly.md), [Open thread #1](open-thread-1.md),"
        " and [the paid one](https://lowtide.substack.com/p/the-long-deep-dive).\n"
    )


def test_podcasts_link_their_audio_and_paid_posts_lose_the_paywall_marker(
    site: SourceSite,
) -> None:
    docs = by_slug(site)
    assert docs["episode-one-on-editing"].body == (  # type: ignore[attr-defined]
        "[Listen to this episode](https://api.substack.com/feed/podcast/103/aa11bb22.mp3)\n\n"
        "In this first episode I read last week's essay aloud and edit it as I go.\n\n"
        "[Listen on Spotify](https://open.spotify.com/episode/4aB3cD5eF6gH7iJ8kL9mN0)\n"
    )
    assert docs["the-long-deep-dive"].body == (  # type: ignore[attr-defined]
        "This one is long, so it starts with the short version: plan less, ship more.\n\n"
        "### The long version\n\n"
        "Planning feels like progress because it produces artefacts. A plan is not an essay.\n"
    )
    assert docs["post-108"].body == ""  # type: ignore[attr-defined]


def test_subscribers_private_data_is_never_read(site: SourceSite) -> None:
    everything = repr(site)
    for private in ("reader.one@example.org", "reader.two@example.org", "Wellington"):
        assert private not in everything
    assert site.files == []


def test_a_given_address_wins_over_the_buttons(tmp_path: Path) -> None:
    root = export(
        tmp_path,
        "7.first-light,2022-01-02T03:04:05.000Z,true,,,newsletter,everyone,First light,,\n",
        {"7.first-light.html": "<p>Dawn.</p>" + SUBSCRIBE},
    )
    found = substack.read(root)
    assert found.base_url == "https://letters.example.com/"
    assert found.docs[0].guid == "https://letters.example.com/p/first-light"
    assert found.docs[0].body == "Dawn.\n"  # the subscribe button is gone
    given_site = substack.read(root, base_url="https://www.example.org/")
    assert given_site.base_url == "https://www.example.org/"
    assert given_site.docs[0].guid == "https://www.example.org/p/first-light"
    assert given_site.notes == []


def test_without_an_address_feed_ids_cannot_be_kept_and_it_says_so(tmp_path: Path) -> None:
    root = export(
        tmp_path,
        "7.first-light,2022-01-02T03:04:05.000Z,true,,,newsletter,everyone,First light,,\n",
        {"7.first-light.html": "<p>Dawn.</p>"},
    )
    found = substack.read(root)
    assert found.base_url == ""
    assert found.docs[0].old_urls == ["/p/first-light"]
    assert found.docs[0].guid == ""
    assert found.notes == [
        Note(
            "posts.csv",
            None,
            "the export does not give the publication's address, so the posts' feed ids "
            "cannot be kept (Substack's feed identifies a post by its address, "
            "https://<publication>/p/<slug>); run the import again with the publication's "
            "address as the base URL",
        )
    ]


def test_an_empty_export_imports_nothing_and_says_so(tmp_path: Path) -> None:
    found = substack.read(export(tmp_path, ""))
    assert found.docs == []
    assert found.notes == [Note("posts.csv", None, "the export lists no posts: nothing to import")]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"", 1, "is empty; a Substack export lists posts here"),
        (
            b"id,name\n1,x\n",
            1,
            "has no 'post_id', 'title' column; a Substack export's posts.csv starts with "
            "post_id,post_date,…",
        ),
        (
            HEADER.encode() + b'7.a,,false,,,newsletter,everyone,"never closed\n8.b,,\n',
            2,
            "the row starting here cannot be read as CSV (unexpected end of data)",
        ),
        (
            HEADER.encode() + b"7.a,,false,,,newsletter,everyone,Caf\xe9,,\n",
            2,
            "is not UTF-8 text; Substack writes UTF-8: re-download the export",
        ),
    ],
)
def test_a_broken_posts_csv_is_a_clean_error(
    tmp_path: Path, content: bytes, line: int, message: str
) -> None:
    (tmp_path / "posts.csv").write_bytes(content)
    with pytest.raises(ThoughtgenError) as caught:
        substack.read(tmp_path)
    assert [(p.path, p.line, p.message) for p in caught.value.problems] == [
        ("posts.csv", line, message)
    ]


def test_hostile_rows_and_files_give_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "secret.html"
    outside.write_text("<p>not part of the export</p>", encoding="utf-8")
    root = export(
        tmp_path,
        "1.../../secret,2022-01-01T00:00:00Z,true,,,newsletter,everyone,Climb,,\n"
        "2.linked,2022-01-02T00:00:00Z,true,,,newsletter,everyone,Linked,,\n"
        "3.big,2022-01-03T00:00:00Z,true,,,newsletter,everyone,Big,,\n"
        "4.latin,someday,true,,,newsletter,everyone,Latin,,\n",
        {"3.big.html": "<p>" + "word " * 100 + "</p>"},
    )
    (root / "posts" / "2.linked.html").symlink_to(outside)
    (root / "posts" / "4.latin.html").write_bytes(b"<p>caf\xe9 au lait</p>")
    monkeypatch.setattr(substack, "MAX_BODY_BYTES", 100)
    found = substack.read(root)
    assert [doc.slug for doc in found.docs] == ["linked", "big", "latin"]
    assert "not part of the export" not in repr(found)
    assert found.docs[2].body == "caf\ufffd au lait\n"
    assert found.docs[2].date is None
    assert found.notes[:6] == [
        Note("posts.csv", 2, "post_id '1.../../secret' is not <id>.<slug>: skipped"),
        Note("posts/2.linked.html", None, "points outside the export: not read"),
        Note(
            "posts/2.linked.html",
            None,
            "the export holds no text for this published post; it is imported as a draft: "
            "paste its text from Substack, then remove 'draft: true'",
        ),
        Note("posts/3.big.html", None, "larger than 0 MB: not read"),
        Note(
            "posts/3.big.html",
            None,
            "the export holds no text for this published post; it is imported as a draft: "
            "paste its text from Substack, then remove 'draft: true'",
        ),
        Note("posts.csv", 5, "post_date 'someday' is not a date; set 'date:' in the post by hand"),
    ]
    assert (
        Note(
            "posts/4.latin.html",
            1,
            "is not UTF-8; unreadable characters became '\ufffd': check the text there",
        )
        in found.notes
    )


def test_the_fixture_export_can_be_copied_and_read_from_anywhere(tmp_path: Path) -> None:
    copy = tmp_path / "unzipped"
    shutil.copytree(EXPORT, copy)
    assert substack.read(copy).docs[0].guid == substack.read(EXPORT).docs[0].guid


def _converted(html: str) -> tuple[str, list[Note]]:
    site = SourceSite(platform="substack")
    text = BodyCleaner("posts/1.x.html", "x", site).convert(html)
    return text, site.notes


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_as_a_body_converts_without_raising(html: str) -> None:
    text, notes = _converted(html)
    assert isinstance(text, str)
    assert all(isinstance(note, Note) for note in notes)


WORDS = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=8), min_size=1, max_size=5))
def test_the_words_of_every_paragraph_survive(paragraphs: list[list[str]]) -> None:
    html = "".join(f"<p>{' '.join(words)}</p>" for words in paragraphs) + SUBSCRIBE
    text, _notes = _converted(html)
    for words in paragraphs:
        for word in words:
            assert word in text
    assert "letters.example.com" not in text  # the button went, the words stayed


def test_deeply_nested_html_does_not_crash() -> None:
    html = "<div>" * 5000 + "<p>deep words</p>" + "</div>" * 5000
    text, _notes = _converted(html)
    assert "deep words" in text


def test_imported_and_built_every_public_post_keeps_its_address_and_feed_id(
    tmp_path: Path,
) -> None:
    from import_support import feed_ids, import_and_build, served

    report, site_dir, public = import_and_build(EXPORT, tmp_path, platform="substack")
    assert (
        report.summary
        == "Imported 4 posts, 0 pages, 5 drafts, 0 images, 1 other file; 15 need a look"
    )
    published = [d for d in substack.read(EXPORT).docs if not d.draft]
    for doc in published:
        page = served(public, doc.old_urls[0], "https://lowtide.substack.com/")
        assert page == public / "p" / doc.slug / "index.html", doc.old_urls
    assert feed_ids(public) == {doc.guid for doc in published}
    cafe = (public / "p" / "cafe-notes" / "index.html").read_text(encoding="utf-8")
    assert 'href="/p/why-i-write-weekly/"' in cafe and 'href="/p/open-thread-1/"' in cafe
    written = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in site_dir.rglob("*")
        if path.is_file()
    )
    assert "@example.org" not in written  # no subscriber's address reaches the site
