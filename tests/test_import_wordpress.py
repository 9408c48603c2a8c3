"""The WordPress reader: every field of the fixture exports, notes at their lines, hostile
files, WordPress's paragraphs and shortcodes, and an import-and-build keeping old URLs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import wordpress
from thoughtgen.importers.model import ImportedDoc, SourceSite
from thoughtgen.importers.wordpress_body import Attachment, autop, convert

FIXTURES = Path(__file__).parent / "fixtures" / "import" / "wordpress"
CLAY = FIXTURES / "slow-clay.wordpress.2024-05-01.xml"
CLAY_NAME = CLAY.name
BST = timezone(timedelta(hours=1))
UTC0 = timezone(timedelta(0))


@pytest.fixture(scope="module")
def clay() -> SourceSite:
    return wordpress.read(CLAY)


def doc(site: SourceSite, slug: str) -> ImportedDoc:
    return next(d for d in site.docs if d.slug == slug)


def test_detects_a_wxr_file_and_a_folder_of_them(tmp_path: Path) -> None:
    assert wordpress.detect(CLAY)
    assert wordpress.detect(FIXTURES)
    assert not wordpress.detect(tmp_path)
    (tmp_path / "feed.xml").write_text("<rss><channel></channel></rss>")
    assert not wordpress.detect(tmp_path)


def test_site_settings(clay: SourceSite) -> None:
    assert clay.platform == "wordpress"
    assert clay.title == "Slow Clay Notes"
    assert clay.base_url == "https://clay.example.com/"
    assert clay.description == "A potter's workbook on glazes, kilns & patience"
    assert clay.author == "Mara Okafor"  # who wrote most published posts
    assert clay.language == "en-GB"
    assert clay.timezone == "Europe/London"
    assert clay.post_permalink == "/:year/:month/:day/:slug/"
    assert clay.page_permalink == "/:slug/"
    assert clay.skipped == {
        "private": 1,
        "trash": 1,
        "nav_menu_item": 1,
        "portfolio": 1,
        "wp_global_styles": 1,
        "attachment": 3,
    }


def test_which_items_are_imported_and_how(clay: SourceSite) -> None:
    found = [(d.kind, d.slug, d.draft) for d in clay.docs]
    assert found == [
        ("post", "first-firing", False),
        ("post", "ash-glaze", False),
        ("post", "notes-on-saggar-firing", True),  # a draft: no post_name, title slugified
        ("post", "reclaiming-clay", True),  # pending
        ("post", "open-studio-weekend", False),  # scheduled
        ("page", "about", False),
        ("page", "studio", False),
        ("post", "焼き物", False),  # %e7%84%bc… decoded
        ("post", "stockists", True),  # password-protected
        ("post", "2023-04-02-aside", False),
        ("post", "someday-a-salt-kiln", True),
    ]


def test_a_classic_post_every_field(clay: SourceSite) -> None:
    post = doc(clay, "first-firing")
    assert post.title == "The first firing & what it taught me"
    assert post.date == datetime(2021, 7, 4, 9, 30, tzinfo=BST)
    assert post.updated == datetime(2021, 11, 20, 16, 5, 10, tzinfo=UTC0)
    assert post.tags == ["Glazes & Slips", "kiln"]  # "Uncategorized" dropped
    assert post.summary == "Nine hours to cone 6, and what I would change."
    assert post.old_urls == ["/2021/07/04/first-firing/"]
    assert post.guid == "https://clay.example.com/?p=11"
    assert post.image == "https://clay.example.com/wp-content/uploads/2021/07/kiln-door.jpg"
    assert post.source == CLAY_NAME
    assert post.body == (
        "I loaded the kiln on a Saturday morning. Twelve bowls, four mugs and one stubborn "
        "jug.\n\n"
        "It took *nine hours* to reach cone 6.<br>\nThe last hour felt like a week.\n\n"
        '<figure><a href="https://clay.example.com/wp-content/uploads/2021/07/kiln-door.jpg">'
        '<img alt="The kiln door, closed" class="size-large wp-image-10" height="480" '
        'src="https://clay.example.com/wp-content/uploads/2021/07/kiln-door-1024x768.jpg" '
        'width="640"/></a><figcaption>The door, bricked up and <strong>waiting</strong>.'
        "</figcaption></figure>\n\n"
        "<!--more-->\n\n"
        "What I would change next time:\n\n"
        "- Candle the ware overnight\n- Write down every cone reading\n\n"
        "```python\ndef cone_reached(temp_c):\n    return temp_c >= 1222  # cone 6, roughly\n"
        "```\n\n"
        "<https://www.youtube.com/watch?v=Clay123abc>\n\n"
        'If you want to fire with us, [contact-form-7 id="5" title="Studio"] or write in the '
        "comments.\n\n"
        "Use [gallery] to show a whole batch.\n"
    )


def test_a_block_editor_post(clay: SourceSite) -> None:
    post = doc(clay, "ash-glaze")
    assert post.date == datetime(2022, 1, 15, 10, 0, tzinfo=UTC0)
    assert post.updated is None
    assert post.tags == ["Glazes & Slips", "ash", "Kiln"]
    assert post.old_urls == ["/2022/01/15/ash-glaze/"]
    assert post.body == (
        "Wood ash is free, if you have a stove. Here is how I sieve it.\n\n"
        "## The recipe\n\n"
        "1. Soak the ash for a week\n2. Sieve it through an 80 mesh\n    - wear gloves\n\n"
        "```python\nash = 40  # parts\nfeldspar = 40\nclay = 20\n```\n\n"
        "| Ash | Result |\n| --- | --- |\n| Oak | runny, green |\n| Apple | pale *celadon* |\n\n"
        '<figure class="wp-block-image size-large"><img alt="Test tiles" class="wp-image-13" '
        'src="https://clay.example.com/wp-content/uploads/2022/01/ash-test.jpg"/>'
        '<figcaption class="wp-element-caption">Test tiles after the glaze firing</figcaption>'
        "</figure>\n\n"
        "<https://vimeo.com/123456>\n\n"
        "**Safety:** wear a mask when you mix dry materials.\n\n"  # the reusable block
        "Ash is alkaline[^1], so treat it with care.\n\n"
        "![Three test tiles](https://clay.example.com/wp-content/uploads/2022/01/ash-test.jpg)"
        " ![](https://cdn.example.net/clay/2022/01/apple-tile.jpg)\n\n"
        "[^1]: It can burn skin when *wet*.\n"
    )


def test_drafts_scheduled_and_odd_posts(clay: SourceSite) -> None:
    draft = doc(clay, "notes-on-saggar-firing")
    # No GMT date: the local time takes the zone the posts' offsets gave (GMT that night).
    assert draft.date == datetime(2023, 3, 26, 0, 30, tzinfo=draft.date.tzinfo)
    assert draft.date is not None and draft.date.utcoffset() == timedelta(0)
    assert draft.old_urls == []
    assert draft.tags == []
    assert doc(clay, "reclaiming-clay").date.utcoffset() == timedelta(hours=1)  # type: ignore[union-attr]
    scheduled = doc(clay, "open-studio-weekend")
    assert scheduled.date == datetime(2031, 6, 7, 10, 0, tzinfo=BST)
    assert not scheduled.draft
    assert scheduled.old_urls == []
    protected = doc(clay, "stockists")
    assert protected.draft and protected.old_urls == []
    aside = doc(clay, "2023-04-02-aside")
    assert aside.title == ""
    assert aside.extra == {"format": "aside"}
    assert doc(clay, "someday-a-salt-kiln").date is None
    unicode_post = doc(clay, "焼き物")
    assert unicode_post.title == "焼き物について"
    assert unicode_post.old_urls == ["/2022/12/03/焼き物/"]
    assert unicode_post.tags == ["旅"]


def test_pages(clay: SourceSite) -> None:
    about, studio = doc(clay, "about"), doc(clay, "studio")
    assert about.old_urls == ["/about/"]
    assert about.guid == "https://clay.example.com/?page_id=20"
    assert studio.old_urls == ["/about/studio/"]  # a child page: the importer redirects
    assert studio.body == "A wheel, a kiln, a sink that is always blocked.\n"


def test_notes_name_the_line_and_what_to_do(clay: SourceSite) -> None:
    notes = [str(n) for n in clay.notes]
    at = f"{CLAY_NAME}:"
    assert notes == [
        f"{CLAY_NAME}: WXR does not name the blog's timezone; Europe/London gives every "
        "post's UTC offset (+00:00, +01:00), as does any zone with the same rules; change "
        "`timezone` in thoughtgen.yaml if yours is another",
        f"{at}89: shortcode [contact-form-7] was made by a WordPress plugin or theme and is "
        "kept as text; replace it with Markdown or HTML, or remove it",
        f"{at}61: 'The first firing & what it taught me' keeps 2 remote images (WXR exports "
        "hold no files): they load from clay.example.com while that site is up; download "
        "them into content/static/ if you want copies",
        f"{at}169: the 'latest-posts' block was drawn by WordPress on each visit and is "
        "dropped; write what it showed, or a link to it, by hand",
        f"{at}122: 'Ash glaze, three ways' keeps 2 remote images (WXR exports hold no files): "
        "they load from cdn.example.net, clay.example.com while that site is up; download "
        "them into content/static/ if you want copies",
        f"{at}447: 'Price list for stockists' was password-protected; imported as a draft so "
        "its text is not published (thoughtgen has no passwords)",
        f"{at}401: 1 item of type 'portfolio' not imported: thoughtgen imports posts and "
        "pages; copy what matters into pages by hand",
        f"{at}390: 2 items of the site's design and workings (menus, templates, revisions) "
        "not imported: the theme does that work",
        f"{CLAY_NAME}: 1 comment not imported: thoughtgen sites have no comments (a comments "
        "service can be added to the theme)",
    ]
    lines = CLAY.read_text(encoding="utf-8").split("\n")
    assert "[contact-form-7" in lines[89 - 1]
    assert "wp:latest-posts" in lines[169 - 1]


def test_wxr_1_1_with_plain_permalinks_and_jetpack_shortcodes() -> None:
    site = wordpress.read(FIXTURES / "wxr-1.1-plain-permalinks.xml")
    assert site.base_url == "http://notes.example.org/blog/"
    assert site.description == ""  # WordPress's default tagline
    assert site.language == "fr-FR"
    assert site.post_permalink == ""
    first, second = site.docs
    assert first.slug == "ete-au-jardin"
    assert first.date == datetime(2011, 7, 12, 8, 15, tzinfo=timezone(timedelta(hours=2)))
    assert first.old_urls == []  # /?p=7 is not a path a static host can serve
    assert first.guid == "http://notes.example.org/blog/?p=7"
    assert first.tags == ["Jardin"]
    assert first.extra == {"wordpress_series": ["Saisons"]}
    assert first.body == (
        "Les tomates sont en avance.\n\n"
        "<http://www.youtube.com/watch?v=Garden01xy>\n\n"
        "<http://notes.example.org/blog/files/2011/07/pluie.mp3>\n\n"
        "[toc\\]<br>\n[sic] and [1] stay text.\n"
    )
    assert second.body == "Rien ne pousse.\n"
    assert [str(n) for n in site.notes][1:] == [
        "wxr-1.1-plain-permalinks.xml:27: shortcode [toc] was made by a WordPress plugin or "
        "theme and is kept as text; replace it with Markdown or HTML, or remove it",
        "wxr-1.1-plain-permalinks.xml: 2 published items lived at query-string URLs (?p=ID, "
        "plain permalinks); a static host cannot serve those, so they have new URLs and no "
        "redirects",
    ]


# -- hostile and broken exports -------------------------------------------------------------


def test_an_empty_export() -> None:
    site = wordpress.read(FIXTURES / "empty.xml")
    assert site.title == "Nothing yet"
    assert site.docs == []
    assert [str(n) for n in site.notes] == ["empty.xml: the export holds no posts or pages"]


def test_broken_xml_names_its_line() -> None:
    with pytest.raises(ThoughtgenError) as caught:
        wordpress.read(FIXTURES / "broken.xml")
    assert str(caught.value) == (
        "broken.xml:9: the export is not well-formed XML (mismatched tag, column 4); a text "
        "editor shows what is wrong on that line"
    )


def test_entity_declarations_are_refused_before_expansion() -> None:
    with pytest.raises(ThoughtgenError) as caught:
        wordpress.read(FIXTURES / "entities.xml")
    assert str(caught.value).startswith("entities.xml:2: the export has a DOCTYPE declaration")


def test_bad_bytes_and_control_characters_are_repaired_with_notes(tmp_path: Path) -> None:
    text = CLAY.read_bytes().replace(b"Twelve bowls", b"Twelve \xff bowls\x0b")
    path = tmp_path / "export.xml"
    path.write_bytes(text)
    site = wordpress.read(path)
    assert "Twelve \ufffd bowls, four" in doc(site, "first-firing").body
    assert [str(n) for n in site.notes[:2]] == [
        "export.xml:68: bytes that are not utf-8 text were replaced by '\ufffd'; check the "
        "text there",
        "export.xml:68: removed the control character U+000B; check the text there",
    ]


def test_not_a_wordpress_export(tmp_path: Path) -> None:
    with pytest.raises(ThoughtgenError) as caught:
        wordpress.read(tmp_path)
    assert "no WordPress export here" in str(caught.value)
    rss = tmp_path / "x.xml"
    rss.write_text('<rss xmlns:wp="http://wordpress.org/export/1.2/"><nochannel/></rss>')
    with pytest.raises(ThoughtgenError) as caught:
        wordpress.read(rss)
    assert str(caught.value) == "x.xml: the file has no RSS <channel>; it is not a WordPress export"


def test_a_large_export_reads_quickly(tmp_path: Path) -> None:
    head, _, tail = CLAY.read_text(encoding="utf-8").partition("\t<item>")
    item = "\t<item>" + tail.split("\t<item>")[1]
    items = "".join(
        item.replace("<wp:post_id>11<", f"<wp:post_id>{1000 + n}<").replace(
            "first-firing", f"firing-{n}"
        )
        for n in range(2000)
    )
    path = tmp_path / "big.xml"
    path.write_text(head + items + "</channel></rss>", encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    site = wordpress.read(path)
    assert len(site.docs) == 2000


# -- content ---------------------------------------------------------------------------------


def test_autop_makes_paragraphs_like_wordpress() -> None:
    assert autop("One\ntwo\n\nThree") == "<p>One<br />\ntwo</p>\n<p>Three</p>"
    assert autop("<blockquote>Quoted</blockquote>") == "<blockquote><p>Quoted</p></blockquote>"
    assert autop("Text\n<ul>\n<li>a</li>\n</ul>") == "<p>Text</p>\n<ul>\n<li>a</li>\n</ul>"
    assert autop("<pre>a\n\nb</pre>") == "<pre>a\n\nb</pre>"


def test_shortcodes_are_converted_or_flagged_at_their_line() -> None:
    attachments = {
        5: Attachment("https://ex.org/a.jpg", alt="A"),
        6: Attachment("https://ex.org/b.jpg"),
    }
    raw = (
        "Intro\n\n"
        '[gallery ids="5,6"]\n\n'
        '[gallery ids="5,99"]\n\n'
        "[embed]https://ex.org/talk[/embed]\n\n"
        '[video mp4="https://ex.org/v.mp4"][/video]\n\n'
        '[sourcecode lang="js"]let a = 1 < 2;[/sourcecode]\n\n'
        "<pre>[gallery] in code</pre>\n\n"
        '[su_button url="/x"]Buy[/su_button]'
    )
    body = convert(raw, 40, 1, attachments, {})
    assert body.markdown == (
        "Intro\n\n"
        "![A](https://ex.org/a.jpg) ![](https://ex.org/b.jpg)\n\n"
        '[gallery ids="5,99"\\]\n\n'
        "<https://ex.org/talk>\n\n"
        "<https://ex.org/v.mp4>\n\n"
        "```js\nlet a = 1 < 2;\n```\n\n"
        "```\n[gallery] in code\n```\n\n"
        '[su_button url="/x"]Buy[/su_button\\]\n'  # text left as it was, escaped
    )
    assert body.flagged == [
        (
            44,
            "shortcode [gallery] was made by a WordPress plugin or theme and is kept as text; "
            "replace it with Markdown or HTML, or remove it",
        ),
        (
            54,
            "shortcode [su_button] was made by a WordPress plugin or theme and is kept as "
            "text; replace it with Markdown or HTML, or remove it",
        ),
    ]
    assert body.remote_images == ["https://ex.org/a.jpg", "https://ex.org/b.jpg"]


def test_a_missing_reusable_block_is_flagged() -> None:
    body = convert('<p>a</p>\n<!-- wp:block {"ref":7} /-->', 10, 1, {}, {})
    assert body.markdown == "a\n"
    assert body.flagged == [(11, "reusable block 7 is not in the export; paste its content here")]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab [/]=\"'\n<>p!-wc:{}", "[gallery", "[caption]", "<!-- wp:"]),
        max_size=60,
    ).map("".join)
)
@example("<![gallery")  # a marked section Python's HTML parser refuses
def test_any_content_converts(raw: str) -> None:
    body = convert(raw, 1, 1, {}, {})
    assert isinstance(body.markdown, str)
    assert all(line >= 1 for line, _ in body.flagged)


# -- imported and built ------------------------------------------------------------------


def test_imported_and_built_every_old_url_is_served_and_feed_ids_kept(tmp_path: Path) -> None:
    from import_support import feed_ids, import_and_build, served

    _report, site_dir, public = import_and_build(CLAY, tmp_path)
    site = wordpress.read(CLAY)
    for item in site.docs:
        for old in item.old_urls:
            assert served(public, old, "https://clay.example.com/") is not None, old
    published = {d.guid for d in site.docs if d.kind == "post" and not d.draft and d.old_urls}
    assert published <= feed_ids(public)
    config = (site_dir / "thoughtgen.yaml").read_text(encoding="utf-8")
    assert "Europe/London" in config
