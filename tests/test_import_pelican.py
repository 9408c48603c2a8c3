"""The Pelican reader: settings read as text, posts and pages with Pelican's own URLs and ids.

The fixture site ``fixtures/import/pelican/site`` was also built with Pelican 4.12 (its
``publishconf.py``, theme and plugins left out): the old URLs and feed ids asserted here are
the ones that build wrote (``feeds/all.atom.xml`` and the output tree).
"""

from __future__ import annotations

import html
import os
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from import_support import doc_from as doc
from import_support import feed_ids, import_and_build, served
from import_support import write_files as write

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import pelican
from thoughtgen.importers import pelican_urls as urls
from thoughtgen.importers.model import SourceSite
from thoughtgen.importers.pelican_body import (
    Body,
    code_lines,
    mask_code_spans,
    rewrite_links,
    summary_markers,
)
from thoughtgen.importers.pelican_rst import read_rst
from thoughtgen.slugs import unsafe_slug_reason

FIXTURES = Path(__file__).parent / "fixtures" / "import" / "pelican"
SITE = FIXTURES / "site"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def site() -> SourceSite:
    return pelican.read(SITE)


def notes_of(site: SourceSite) -> list[str]:
    return [str(n) for n in site.notes]


# ---- recognising a site -------------------------------------------------------------------


def test_a_site_is_recognised_by_its_settings_or_its_posts(tmp_path: Path) -> None:
    assert pelican.detect(SITE)
    assert pelican.detect(FIXTURES / "defaults")  # no pelicanconf.py: the headers tell
    assert pelican.detect(FIXTURES / "empty")
    assert not pelican.detect(tmp_path)
    assert not pelican.detect(SITE / "pelicanconf.py")
    write(tmp_path, {"content/post.md": "---\ntitle: Hugo or Jekyll\n---\nText.\n"})
    assert not pelican.detect(tmp_path)
    write(tmp_path, {"content/other.rst": "Title\n=====\n\n:date: 2020-01-01\n"})
    assert pelican.detect(tmp_path)


def test_a_file_is_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(ThoughtgenError, match="a Pelican site is a folder"):
        pelican.read(SITE / "pelicanconf.py")


# ---- the site -----------------------------------------------------------------------------


def test_site_settings_come_from_pelicanconf_then_publishconf(site: SourceSite) -> None:
    assert site.platform == "pelican"
    assert site.title == "Notes From the Workshop"
    assert site.description == "Small essays on building careful software"
    assert site.author == "Ada Quill"
    assert site.language == "en"
    assert site.timezone == "Europe/Paris"
    assert site.base_url == "https://workshop.example.org/"  # publishconf.py's SITEURL
    assert site.post_permalink == "/:year/:month/:slug/"
    assert site.page_permalink == "/:slug/"
    assert site.skipped == {"status: skip": 1}
    assert site.feeds == {"/feeds/all.atom.xml": "atom"}


def test_static_paths_are_copied_to_the_same_urls(site: SourceSite) -> None:
    # images/ keeps its URL; python/figures/flow.png moved into its post's bundle ({attach});
    # extra/robots.txt (saved as /robots.txt) collides with thoughtgen's own and is noted.
    assert [(f.target, f.source) for f in site.files] == [
        ("content/static/images/lathe.png", SITE / "content/images/lathe.png"),
    ]
    assert (
        "content/extra/robots.txt: thoughtgen writes its own /robots.txt, so this one was not "
        "imported; compare the two if the old one said something the new one should"
    ) in notes_of(site)


# ---- posts --------------------------------------------------------------------------------


def test_a_post_dated_by_its_file_name_with_category_and_summary_marker(site: SourceSite) -> None:
    post = doc(site, "content/2019-03-04-first-steps.md")
    assert post.kind == "post"
    assert post.slug == "first-steps-with-a-lathe"  # slugified from the title, as Pelican does
    assert post.title == "First Steps With a Lathe"
    assert post.date == datetime(2019, 3, 4, tzinfo=PARIS)  # FILENAME_METADATA's default
    assert post.updated is None
    assert not post.draft
    assert post.tags == ["Workshop", "tools", "beginnings"]  # the category first
    assert post.summary == "What I learned in the first month."
    assert post.old_urls == ["/2019/03/first-steps-with-a-lathe/"]
    assert post.guid == "tag:workshop.example.org,2019-03-04:/2019/03/first-steps-with-a-lathe/"
    assert post.body == (
        "The first month at the lathe taught me patience.\n"
        "<!--more-->\n"
        "\n"
        "See also [my notes on decorators](decorators-gently/index.md#why) and\n"
        "the [about page](../pages/about.md).\n"
        "\n"
        '![The lathe](/images/lathe.png "My lathe")\n'
        "\n"
        "```python\n"
        "def turn(speed):\n"
        "    return speed * 2\n"
        "```\n"
        "\n"
        "Ordinary code stays as it is:\n"
        "\n"
        "    plain = True\n"
    )


def test_a_post_with_every_header(site: SourceSite) -> None:
    post = doc(site, "content/python/decorators.md")
    assert post.slug == "decorators-gently"  # Slug: as given
    assert post.date == datetime(2020, 2, 10, 21, 30, tzinfo=PARIS)
    assert post.updated == datetime(2020, 3, 1, 8, 0, tzinfo=PARIS)
    assert post.tags == ["python", "patterns"]  # folder category "python" folded in once
    assert post.summary == "A slow walk through wrapping functions."  # continued by indent
    assert post.extra == {
        "author": "Ada Quill",
        "authors": ["Ada Quill", "Bo Pine"],
        "series": "Python basics",
    }
    assert post.old_urls == ["/2020/02/decorators-gently/"]
    assert post.guid == "tag:workshop.example.org,2020-02-10:/2020/02/decorators-gently/"
    # {attach}: the file moves beside the post, as Pelican moved it beside the page.
    assert [(f.target, f.source) for f in post.files] == [
        ("figures/flow.png", SITE / "content/python/figures/flow.png")
    ]
    assert post.body == (
        "## Why\n"
        "\n"
        "A decorator wraps a function; see all posts tagged [python](/tags/python/) or\n"
        "in the [Workshop category](/tags/workshop/), or go [home](/).\n"
        "\n"
        "![Flow](figures/flow.png)\n"
        "\n"
        "More by [Bo](/).\n"
        "\n"
        "```python\n"
        "@wrap\n"
        "def f():\n"
        "    pass\n"
        "```\n"
        "\n"
        "Use `{filename}/not-a-link.md` in code and it stays.\n"
        "\n"
        "*[HTML]: Hyper Text Markup Language\n"
        "\n"
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="youtube video" '
        'width="560" height="315" allowfullscreen></iframe>\n'
        "\n"
        '![A lathe, seen from above](/images/lathe.png "The lathe")\n'
        "\n"
        "{% include_code examples/wrap.py lang:python %}\n"
    )
    path = "content/python/decorators.md"
    assert [n for n in notes_of(site) if n.startswith(path)] == [
        f"{path}:6: Pelican used only the first line of Tags: and so does the import; put "
        "the rest on that line if it belongs there",
        f"{path}:12: dropped the [TOC] marker: thoughtgen adds a table of contents itself to "
        "posts with two or more headings",
        f"{path}:31: an abbreviation definition (*[ABBR]: …) shows as text in thoughtgen; "
        'write <abbr title="…">ABBR</abbr> where it is used, and delete this line',
        f"{path}:21: thoughtgen has no author pages; the link {{author}}Bo Pine now goes to "
        "the home page: change it if another page fits better",
        f"{path}:37: the template tag {{% include_code examples/wrap.py lang:python %}} (from a "
        "Pelican plugin such as liquid_tags or jinja2content) is not converted; replace it "
        "with Markdown or HTML",
    ]


def test_feed_ids_are_the_ones_pelican_wrote(site: SourceSite) -> None:
    # The <id> of every entry in the fixture's feeds/all.atom.xml, built by Pelican 4.12.
    assert sorted(d.guid for d in site.docs if d.guid) == [
        "tag:workshop.example.org,2017-08-09:/2017/08/an-html-post/",
        "tag:workshop.example.org,2018-11-05:/2018/11/writing-rst/",
        "tag:workshop.example.org,2019-03-04:/2019/03/first-steps-with-a-lathe/",
        "tag:workshop.example.org,2020-01-15:/2020/01/hello-fr/",
        "tag:workshop.example.org,2020-01-15:/2020/01/hello/",
        "tag:workshop.example.org,2020-02-10:/2020/02/decorators-gently/",
        "tag:workshop.example.org,2020-05-06:/2020/05/cafe-creme-resume-notes/",
        "tag:workshop.example.org,2020-05-07:/2020/05/privet-mir/",
        "tag:workshop.example.org,2020-06-01:/2020/06/same-title/",
        "tag:workshop.example.org,2021-06-01:/2021/06/same-title/",
        "tag:workshop.example.org,2022-02-02:/2022/02/written-with-yaml/",
    ]


def test_every_published_url_is_the_one_pelican_wrote(site: SourceSite) -> None:
    # The fixture's Pelican output tree: every article and page it wrote, drafts aside.
    written = {
        "/2017/08/an-html-post/",
        "/2018/11/writing-rst/",
        "/2019/03/first-steps-with-a-lathe/",
        "/2020/01/hello-fr/",
        "/2020/01/hello/",
        "/2020/02/decorators-gently/",
        "/2020/05/cafe-creme-resume-notes/",
        "/2020/05/privet-mir/",
        "/2020/06/same-title/",
        "/2020/07/hidden-post/",
        "/2021/06/same-title/",
        "/2022/02/written-with-yaml/",
        "/about/",
    }
    assert {u for d in site.docs for u in d.old_urls} == written
    assert all(len(d.old_urls) == 1 for d in site.docs if not d.draft)


def test_translations_keep_their_language_urls(site: SourceSite) -> None:
    english, french = doc(site, "content/hello.md"), doc(site, "content/hello-fr.md")
    assert (english.slug, english.old_urls, english.extra) == ("hello", ["/2020/01/hello/"], {})
    # ARTICLE_LANG_URL is {slug}-{lang}: the slug hello-fr keeps that URL as it is.
    assert (french.slug, french.old_urls, french.extra) == (
        "hello-fr",
        ["/2020/01/hello-fr/"],
        {"lang": "fr"},
    )


def test_unicode_titles_give_pelican_s_ascii_slugs(site: SourceSite) -> None:
    cafe = doc(site, "content/notes/cafe.md")
    assert cafe.title == "Café crème & résumé — notes"  # Pelican's titles are HTML
    assert cafe.slug == "cafe-creme-resume-notes"
    assert cafe.tags == ["notes"]  # the folder is the category
    russian = doc(site, "content/notes/russian.md")
    assert russian.slug == "privet-mir"
    # The date keeps its own offset, and the feed id its own day.
    assert russian.date == datetime(2020, 5, 7, 12, tzinfo=timezone(timedelta(hours=3)))


def test_two_posts_with_one_title_get_two_slugs(site: SourceSite) -> None:
    one, two = doc(site, "content/same-one.md"), doc(site, "content/same-two.md")
    assert (one.slug, one.old_urls) == ("same-title", ["/2020/06/same-title/"])
    assert (two.slug, two.old_urls) == ("same-title-2", ["/2021/06/same-title/"])
    assert (
        "content/same-two.md: the slug 'same-title' is also content/same-one.md's; this one "
        "is 'same-title-2'"
    ) in notes_of(site)


def test_what_pelican_did_not_publish_is_kept_as_drafts(site: SourceSite) -> None:
    rows = {
        d.source: (d.slug, d.title, d.date, d.draft, d.old_urls, d.guid)
        for d in site.docs
        if d.draft
    }
    assert rows == {
        "content/draft-idea.md": ("an-idea-for-later", "An Idea for Later", None, True, [], ""),
        "content/2021-9-1-untitled-thoughts.md": (
            "2021-9-1-untitled-thoughts",
            "Untitled thoughts",
            datetime(2021, 9, 1, tzinfo=PARIS),  # a date-only name Pelican's regex misses
            True,
            [],
            "",
        ),
        "content/weird-status.md": (
            "archived-one",
            "Archived One",
            datetime(2019, 1, 1, tzinfo=PARIS),
            True,
            [],
            "",
        ),
        "content/broken-front.md": (
            "an-unterminated-quote",
            '"An unterminated quote',
            None,
            True,
            [],
            "",
        ),
        "content/latin1.md": (
            "cafe-in-latin-1",
            "Café in Latin-1",
            datetime(2016, 1, 1, tzinfo=PARIS),
            True,
            [],
            "",
        ),
    }
    notes = notes_of(site)
    for expected in (
        "content/2021-9-1-untitled-thoughts.md: Pelican skipped this file because it has no "
        "Title and it has no Date; imported as a draft: fix that and remove draft: true to "
        "publish it",
        "content/weird-status.md:3: Pelican skipped this file because its Status is "
        "'archived', which Pelican does not know; imported as a draft: fix that and remove "
        "draft: true to publish it",
        "content/broken-front.md:3: the front matter could not be read: invalid YAML: while "
        "scanning a quoted scalar, found unexpected end of stream",
        "content/latin1.md:1: is not UTF-8 (the first such byte is on this line), so Pelican "
        "could not read it; it was read as Windows-1252: check its accented letters",
    ):
        assert expected in notes


def test_hidden_posts_stay_published_with_a_note(site: SourceSite) -> None:
    hidden = doc(site, "content/hidden.md")
    assert (hidden.draft, hidden.old_urls, hidden.guid) == (False, ["/2020/07/hidden-post/"], "")
    assert (
        "content/hidden.md:3: Pelican kept this hidden post (Status: hidden) out of lists and "
        "feeds; thoughtgen lists it: make it a draft if it should stay unlisted"
    ) in notes_of(site)
    assert not any(d.source == "content/skipped.md" for d in site.docs)  # Status: skip


def test_yaml_front_matter_and_a_summary_between_markers(site: SourceSite) -> None:
    post = doc(site, "content/yaml-post.md")
    assert (post.title, post.tags) == ("Written With YAML", ["yaml", "plugins"])
    assert post.date == datetime(2022, 2, 2, 10, tzinfo=PARIS)
    assert post.summary == "Front matter the yaml-metadata plugin reads."
    assert post.body == "The summary starts here.\n<!--more-->\nAnd the rest follows.\n"


def test_restructured_text_is_converted_and_leftovers_flagged(site: SourceSite) -> None:
    post = doc(site, "content/rst/restructured.rst")
    assert (post.slug, post.title) == ("writing-rst", "Writing in reStructuredText")
    assert post.date == datetime(2018, 11, 5, 14, tzinfo=PARIS)
    assert post.tags == ["Writing", "rst", "docs"]
    assert post.summary == "Why I once wrote in rST."
    assert post.body == (
        "Some *emphasis*, **strong**, `literal` and [a link](https://example.com/).\n"
        "See [the first post](first-steps-with-a-lathe.md).\n"
        "\n"
        "## Details\n"
        "\n"
        "```python\n"
        'print("hello")\n'
        "```\n"
        "\n"
        "```rst\n"
        ".. math::\n"
        "\n"
        "   e^{i\\pi} + 1 = 0\n"
        "```\n"
    )
    assert (
        "content/rst/restructured.rst:20: the rST directive 'math' has no Markdown "
        "equivalent; kept as a code block: rewrite it in Markdown or HTML"
    ) in notes_of(site)


def test_html_sources_with_meta_tags(site: SourceSite) -> None:
    post = doc(site, "content/html-post.html")
    assert (post.slug, post.title) == ("an-html-post", "An HTML Post")
    assert post.date == datetime(2017, 8, 9, 10, tzinfo=PARIS)
    assert post.tags == ["Archive", "html", "legacy"]  # keywords are tags
    assert post.summary == "Written directly in HTML."
    assert post.body == ("This post was written in **HTML**.\n\nIt links to [hello](hello.md).\n")


def test_pages_live_in_content_pages(site: SourceSite) -> None:
    about = doc(site, "content/pages/about.md")
    assert (about.kind, about.slug, about.date, about.tags) == ("page", "about", None, [])
    assert about.old_urls == ["/about/"]
    assert about.guid == ""  # pages were never in Pelican's feeds
    assert about.body == "I write about [first steps](../posts/first-steps-with-a-lathe.md).\n"


def test_unpublished_files_are_counted_not_imported(site: SourceSite) -> None:
    assert (
        "content: 1 file(s) are neither posts nor under STATIC_PATHS, so Pelican did not "
        "publish them and they were not imported (notes/README.txt)"
    ) in notes_of(site)


# ---- Pelican's defaults -------------------------------------------------------------------


def test_a_site_without_settings_uses_pelican_s_defaults() -> None:
    found = pelican.read(FIXTURES / "defaults")
    assert (found.title, found.base_url, found.timezone) == ("", "", "")
    assert (found.post_permalink, found.page_permalink) == ("/:slug.html", "/pages/:slug.html")
    rows = [(d.source, d.slug, d.date, d.tags, d.old_urls, d.guid) for d in found.docs]
    assert rows == [
        (
            "content/2021-02-03-dated-by-name.md",
            "dated-by-its-name",
            datetime(2021, 2, 3, tzinfo=ZoneInfo("UTC")),
            [],  # the default category "misc" is not made a tag
            ["/dated-by-its-name.html"],
            "",
        ),
        (
            "content/a-post.md",
            "keys-in-lower-case",
            datetime(2020, 3, 4, 5, 6, tzinfo=ZoneInfo("UTC")),
            ["Thoughts", "one", "two, three"],  # a ";" splits, then commas stay
            ["/keys-in-lower-case.html"],
            "",
        ),
        (
            "content/pages/about.md",
            "about-this-site",
            None,
            [],
            ["/pages/about-this-site.html"],
            "",
        ),
    ]
    assert found.docs[1].body == "Text with a [link to the other post](dated-by-its-name.md).\n"
    assert notes_of(found) == [
        ".: there is no pelicanconf.py, so the old site's address (SITEURL) and its feed ids "
        "are unknown; set base_url in thoughtgen.yaml"
    ]


def test_an_empty_export_imports_nothing_and_says_so() -> None:
    found = pelican.read(FIXTURES / "empty")
    assert (found.title, found.docs, found.files) == ("Nothing Yet", [], [])
    assert notes_of(found) == [
        "pelicanconf.py: SITEURL is not set to the site's address (publishconf.py usually sets "
        "it), so the old feed ids cannot be worked out; set base_url in thoughtgen.yaml",
        "content: no Pelican posts or pages were found here",
    ]


# ---- settings that change URLs ------------------------------------------------------------


def test_url_settings_and_per_file_overrides(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pelicanconf.py": (
                'SITEURL = "https://ex.org/blog"\n'
                'PATH = "content"\n'
                'ARTICLE_URL = "posts/{category}/{slug}.html"\n'
                'ARTICLE_SAVE_AS = "posts/{category}/{slug}.html"\n'
                'PAGE_URL = "{slug}.html"\n'
                'PAGE_SAVE_AS = "{slug}.html"\n'
                'FILENAME_METADATA = r"(?P<date>\\d{4}-\\d{2}-\\d{2})_(?P<slug>.*)"\n'
                "USE_FOLDER_AS_CATEGORY = False\n"
                'DEFAULT_CATEGORY = "General"\n'
                'EXTRA_PATH_METADATA = {"archive": {"status": "hidden"}}\n'
                "RELATIVE_URLS = True\n"
            ),
            "content/2020-01-02_from-the-name.md": "Title: Named\n\nx\n",
            "content/archive/old.md": "Title: Old One\nDate: 2010-10-10\nCategory: Past\n\nx\n",
            "content/custom.md": (
                "Title: Custom\nDate: 2020-02-02\nURL: elsewhere/custom/\n"
                "Save_as: elsewhere/custom/index.html\n\nx\n"
            ),
            "content/pages/contact.md": "Title: Contact\nURL: reach-me.html\n\nx\n",
        },
    )
    found = pelican.read(tmp_path)
    # Checked against Pelican 4.12's output tree and feeds/all.atom.xml for these files.
    assert found.base_url == "https://ex.org/blog/"
    assert (found.post_permalink, found.page_permalink) == ("", "/:slug.html")  # no :category
    rows = {d.source: (d.slug, d.date, d.tags, d.old_urls, d.guid) for d in found.docs}
    utc = ZoneInfo("UTC")
    assert rows == {
        "content/2020-01-02_from-the-name.md": (
            "from-the-name",  # FILENAME_METADATA gave the slug and the date
            datetime(2020, 1, 2, tzinfo=utc),
            ["General"],  # an explicit DEFAULT_CATEGORY is a tag
            ["/posts/general/from-the-name.html"],
            "tag:ex.org,2020-01-02:/blog/posts/general/from-the-name.html",
        ),
        "content/custom.md": (
            "custom",
            datetime(2020, 2, 2, tzinfo=utc),
            ["General"],
            ["/elsewhere/custom/"],  # URL: and Save_as: are taken as written
            "tag:ex.org,2020-02-02:/blog/elsewhere/custom/",
        ),
        "content/archive/old.md": (
            "old-one",
            datetime(2010, 10, 10, tzinfo=utc),
            ["Past"],
            ["/posts/past/old-one.html"],
            "",  # hidden by EXTRA_PATH_METADATA: never in a feed
        ),
        # URL: without Save_as: — links said /reach-me.html, the file was /contact.html.
        "content/pages/contact.md": ("reach-me", None, [], ["/reach-me.html", "/contact.html"], ""),
    }


def test_dates_from_the_file_system_and_per_post_timezones(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pelicanconf.py": 'DEFAULT_DATE = "fs"\nTIMEZONE = "America/New_York"\n',
            "content/a.md": "Title: A\n\nx\n",
            "content/b.md": "Title: B\nDate: 2020/03/04 10:00\nTimezone: Asia/Tokyo\n\nx\n",
            "content/c.md": "Title: C\nDate: 5 March 2020\nTimezone: Mars/Olympus\n\nx\n",
            "content/d.md": "Title: D\nDate: next tuesday\n\nx\n",
        },
    )
    stamp = datetime(2019, 5, 6, 7, 8, 9).timestamp()
    os.utime(tmp_path / "content/a.md", (stamp, stamp))
    found = pelican.read(tmp_path)
    new_york, tokyo = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
    dates = {d.source: d.date for d in found.docs}
    assert dates == {
        "content/a.md": datetime(2019, 5, 6, 7, 8, 9, tzinfo=new_york),
        "content/b.md": datetime(2020, 3, 4, 10, tzinfo=tokyo),
        "content/c.md": datetime(2020, 3, 5, tzinfo=new_york),
        "content/d.md": None,  # Pelican could not read it, so it never published the file
    }
    notes = notes_of(found)
    assert (
        "content/a.md: dated from the file's modification time (DEFAULT_DATE = 'fs'); check "
        "the date"
    ) in notes
    assert (
        "content/c.md:3: Timezone 'Mars/Olympus' is not a known time zone; the site's is used"
    ) in notes
    assert any(n.startswith("content/d.md:2: Date: cannot read date 'next tuesday'") for n in notes)
    assert (
        "content/d.md: Pelican skipped this file because its Date cannot be read; imported as a "
        "draft: fix that and remove draft: true to publish it"
    ) in notes


def test_slugs_from_file_names_and_unicode_slugs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pelicanconf.py": 'SLUGIFY_SOURCE = "basename"\nSLUGIFY_USE_UNICODE = True\n',
            "content/Über Größe.md": "Title: Anything\nDate: 2020-01-01\n\nx\n",
            "content/second.md": "Title: Zweite\nDate: 2020-01-01\nSlug: Mixed-Case\n\nx\n",
        },
    )
    found = pelican.read(tmp_path)
    rows = {d.source: (d.slug, d.old_urls) for d in found.docs}
    assert rows == {
        "content/Über Größe.md": ("über-größe", ["/über-größe.html"]),
        # Pelican kept the case; thoughtgen slugs are lower-case, so the old URL redirects.
        "content/second.md": ("mixed-case", ["/Mixed-Case.html"]),
    }


def test_without_unidecode_a_title_in_another_script_is_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "unidecode", None)  # import unidecode fails
    write(
        tmp_path,
        {
            "content/a.md": "Title: Crème brûlée\nDate: 2020-01-01\n\nx\n",
            "content/b.md": "Title: Привет\nDate: 2020-01-01\n\nx\n",
        },
    )
    found = pelican.read(tmp_path)
    assert [(d.slug, d.old_urls) for d in found.docs] == [
        ("creme-brulee", ["/creme-brulee.html"]),  # accents fold the same way
        ("привет", []),  # Pelican would have made "privet"; the empty slug has no URL
    ]
    assert any(
        n.startswith(
            "content/b.md:1: Pelican made this post's URL from its title with the unidecode library"
        )
        for n in notes_of(found)
    )


# ---- hostile and broken input -------------------------------------------------------------


def test_settings_are_never_run_and_computed_values_are_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pelicanconf.py": (
                "import os\n"
                "open('/tmp/thoughtgen-pelican-ran', 'w').write('ran')\n"
                "SITEURL = os.environ['SITE']\n"
                'TIMEZONE = "Nowhere/City"\n'
                'FILENAME_METADATA = "(?P<date>"\n'
                "SLUG_REGEX_SUBSTITUTIONS = [('[', '')]\n"
                'STATIC_PATHS = "images"\n'
                'ARTICLE_URL = "{slug.__class__}/{slug:>999999999}.html"\n'
                "THEME = os.path.join('themes', 'x')\n"
            ),
            "content/a.md": "Title: A Post\nDate: 2020-01-01\n\nx\n",
        },
    )
    found = pelican.read(tmp_path)
    assert not Path("/tmp/thoughtgen-pelican-ran").exists()
    assert (found.base_url, found.timezone, found.post_permalink) == ("", "", "")
    assert notes_of(found) == [
        "pelicanconf.py:3: SITEURL is computed when Pelican runs, and thoughtgen never runs "
        "the site's Python; Pelican's default is used. If that is wrong, write the value in "
        "the new site's thoughtgen.yaml or fix the imported posts",
        "pelicanconf.py:7: STATIC_PATHS must be a list; Pelican's default is used",
        "pelicanconf.py:4: TIMEZONE 'Nowhere/City' is not a known time zone; UTC used",
        "pelicanconf.py:5: FILENAME_METADATA is not a valid regular expression (missing ), "
        "unterminated subpattern at position 0); not used",
        "pelicanconf.py:6: SLUG_REGEX_SUBSTITUTIONS is not a list of (pattern, replacement) "
        "pairs; Pelican's default is used",
    ]
    # The hostile ARTICLE_URL gives nothing; ARTICLE_SAVE_AS (the default) says where it was.
    assert [(d.slug, d.old_urls) for d in found.docs] == [("a-post", ["/a-post.html"])]


def test_broken_settings_and_paths_outside_the_export(tmp_path: Path) -> None:
    write(tmp_path, {"pelicanconf.py": "SITENAME = 'x\n", "content/a.md": "Title: A\n\nx\n"})
    found = pelican.read(tmp_path)
    assert notes_of(found)[0] == (
        "pelicanconf.py:1: is not valid Python (unterminated string literal (detected at line "
        "1)); not read, Pelican's defaults are used"
    )
    (tmp_path / "pelicanconf.py").write_text('PATH = "../../etc"\n', encoding="utf-8")
    found = pelican.read(tmp_path)
    assert "pelicanconf.py:1: PATH '../../etc' is outside the export; not read" in notes_of(found)
    assert [d.source for d in found.docs] == ["content/a.md"]  # content/ instead
    (tmp_path / "pelicanconf.py").write_bytes(b"SITENAME = '\xff'\n")
    assert notes_of(pelican.read(tmp_path))[0] == (
        "pelicanconf.py: is not UTF-8 text; not read, Pelican's defaults are used"
    )


def test_links_and_files_that_leave_the_export(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("Title: Secret\nDate: 2020-01-01\n\nx\n", encoding="utf-8")
    root = write(
        tmp_path / "site",
        {
            "content/a.md": (
                "Title: A\nDate: 2020-01-01\n\n"
                "[up]({filename}../../outside/secret.md) [gone]({static}/images/none.png)\n"
                "[odd]({statc}/x.png) [tag]({tag}Deep Work)\n"
            ),
            "content/images/ok.png": b"\x89PNG",
        },
    )
    (root / "content" / "linked.md").symlink_to(outside / "secret.md")
    (root / "content" / "linked-dir").symlink_to(outside, target_is_directory=True)
    (root / "content" / "big.md").write_bytes(b"Title: Big\n\n" + b"x" * (5 * 1024 * 1024))
    found = pelican.read(root)
    assert [d.source for d in found.docs] == ["content/a.md"]
    assert found.docs[0].body == (
        "[up](../../outside/secret.md) [gone](/images/none.png)\n"
        "[odd]({statc}/x.png) [tag](/tags/deep-work/)\n"
    )
    assert notes_of(found) == [
        ".: there is no pelicanconf.py, so the old site's address (SITEURL) and its feed ids "
        "are unknown; set base_url in thoughtgen.yaml",
        "content/linked-dir: is a symbolic link; not followed: copy what it points to into the "
        "export if you want it",
        "content/big.md: is larger than 4 MiB; not imported",
        "content/linked.md: is a symbolic link; not followed: copy the file into the export if "
        "you want it",
        "content/a.md:4: the link {filename}../../outside/secret.md points outside the content "
        "folder; the marker was removed: fix the link",
        "content/a.md:4: the link {static}/images/none.png points to images/none.png, which is "
        "not a published post, page or static file in the export; the marker was removed: fix "
        "the link",
        "content/a.md:5: the link marker {statc} is not one Pelican knows ({filename}, "
        "{static}, {attach}, {tag}, {category}, {author}, {index}); left as written: fix the "
        "link",
    ]


# ---- Pelican's functions, one by one -------------------------------------------------------

DEFAULT_SUBS = [(r"[^\w\s-]", ""), (r"(?u)\A\s*", ""), (r"(?u)\s*\Z", ""), (r"[-\s]+", "-")]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  Spaces -- and   dashes  ", "spaces-and-dashes"),
        ("<b>Bold</b> &amp; brave", "bold-brave"),  # tags stripped, entities read
        ("Ærø straße", "aero-strasse"),
        ("C++ & C#", "c-c"),
        ("snake_case_title", "snake_case_title"),  # \w keeps underscores
        ("ｆｕｌｌ ｗｉｄｔｈ", "full-width"),  # NFKC
    ],
)
def test_pelican_slugify(title: str, slug: str) -> None:
    assert urls.slugify(title, DEFAULT_SUBS, False, False) == (slug, True)


def test_pelican_slugify_options() -> None:
    assert urls.slugify("Keep Case", DEFAULT_SUBS, True, False) == ("Keep-Case", True)
    assert urls.slugify("Über uns", DEFAULT_SUBS, False, True) == ("über-uns", True)
    assert urls.slugify("a.b", [(r"\.", "-dot-")], False, False) == ("a-dot-b", True)


def test_expand_formats_like_pelican_and_refuses_tricks() -> None:
    when = datetime(2020, 5, 6, 7, 8, tzinfo=PARIS)
    values = {"slug": "x", "date": when, "lang": "fr", "category": "c"}
    assert urls.expand("{date:%Y}/{date:%m}/{date:%d}/{slug}.html", values) == "2020/05/06/x.html"
    assert urls.expand("{category}/{slug}-{lang}/", values) == "c/x-fr/"
    assert urls.expand("{{literal}}/{slug}", values) == "{literal}/x"
    assert urls.expand("{slug.__class__}", values) is None  # no attribute access
    assert urls.expand("{slug[0]}", values) is None
    assert urls.expand("{slug:>99999999}", values) is None  # no giant padding
    assert urls.expand("{missing}", values) is None
    assert urls.expand("{slug", values) is None


@pytest.mark.parametrize(
    ("pattern", "permalink"),
    [
        ("{slug}.html", "/:slug.html"),
        ("{slug}/", "/:slug/"),
        ("{date:%Y}/{date:%m}/{date:%d}/{slug}/", "/:year/:month/:day/:slug/"),
        ("blog/{date:%Y}/{slug}.html", "/blog/:year/:slug.html"),
        ("/posts/{date:%Y-%m-%d}-{slug}/", "/posts/:year-:month-:day-:slug/"),
        ("{category}/{slug}.html", ""),
        ("{date:%b}/{slug}/", ""),
        ("{slug}", ""),  # served by a server rule Pelican did not write
        ("{date:%Y}/", ""),
        ("../{slug}/", ""),
        ("{slug}-{lang}.html", ""),
    ],
)
def test_to_permalink(pattern: str, permalink: str) -> None:
    assert urls.to_permalink(pattern) == permalink


def test_slug_for_finds_the_slug_a_url_needs() -> None:
    when = datetime(2020, 1, 15, 23, 30, tzinfo=UTC)
    assert urls.slug_for("/:slug.html", "/hello-fr.html", None, PARIS) == "hello-fr"
    # 23:30 UTC is the 16th in Paris, where the new site dates its URLs.
    assert urls.slug_for("/:year/:month/:day/:slug/", "/2020/01/16/x/", when, PARIS) == "x"
    assert urls.slug_for("/:year/:month/:day/:slug/", "/2020/01/15/x/", when, PARIS) is None
    assert urls.slug_for("/:slug/", "/a/b/", None, PARIS) is None


def test_feed_ids_follow_feedgenerator() -> None:
    when = datetime(2021, 3, 4, 23, 59, tzinfo=PARIS)
    assert urls.tag_uri("https://Ex.ORG:8080/a/b/", when) == "tag:ex.org,2021-03-04:/a/b/"
    assert urls.tag_uri("https://ex.org/a#top", when) == "tag:ex.org,2021-03-04:/a/top"
    assert urls.item_link("https://ex.org/blog", "x.html", False) == "https://ex.org/blog/x.html"
    assert urls.item_link("https://ex.org/blog", "/x.html", False) == "https://ex.org/x.html"
    assert urls.item_link("https://ex.org/blog", "x.html", True) == "https://ex.org/blog/x.html"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-02", datetime(2020, 1, 2, tzinfo=PARIS)),
        ("2020-01-02 10:20", datetime(2020, 1, 2, 10, 20, tzinfo=PARIS)),
        ("2020-01-02_10:20", datetime(2020, 1, 2, 10, 20, tzinfo=PARIS)),
        (
            "2020-01-02T10:20:30+02:00",
            datetime(2020, 1, 2, 10, 20, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2020/01/02 10:20", datetime(2020, 1, 2, 10, 20, tzinfo=PARIS)),
        ("2 January 2020", datetime(2020, 1, 2, tzinfo=PARIS)),
        ("January 2, 2020", datetime(2020, 1, 2, tzinfo=PARIS)),
        ("01/02/2020", datetime(2020, 1, 2, tzinfo=PARIS)),  # dateutil reads month first
    ],
)
def test_dates_pelican_users_write(text: str, expected: datetime) -> None:
    assert urls.pelican_date(text, PARIS) == expected


def test_metadata_lists_split_like_pelican() -> None:
    assert urls.metadata_list("a, b ,, a") == ["a", "b"]
    assert urls.metadata_list("Doe, Jane; Roe, Rick") == ["Doe, Jane", "Roe, Rick"]
    assert urls.metadata_list(["x", 1, None, " "]) == ["x", "1", "None"]
    assert urls.metadata_list(None) == []


# ---- reStructuredText ---------------------------------------------------------------------


def rst(text: str) -> str:
    return "\n".join(read_rst(text).lines)


def test_rst_title_docinfo_and_sections() -> None:
    doc = read_rst(
        "=====\nTitle\n=====\n\n:date: 2020-01-01\n:tags: a,\n   b\n\nText.\n\n"
        "Part\n----\n\nMore.\n\nSub\n~~~\n"
    )
    assert (doc.title, doc.title_line) == ("Title", 2)
    assert doc.fields == {"date": ("2020-01-01", 5), "tags": ("a, b", 6)}
    assert doc.lines == ["Text.", "", "## Part", "", "More.", "", "### Sub"]
    assert doc.src == [9, 10, 11, 13, 14, 15, 16]


def test_rst_without_a_single_title_keeps_its_sections() -> None:
    doc = read_rst("One\n===\n\nA.\n\nTwo\n===\n\nB.\n")
    assert doc.title == ""
    assert doc.lines == ["## One", "", "A.", "", "## Two", "", "B."]


def test_rst_inline_markup_and_links() -> None:
    text = (
        "A *b* **c** ``d`e`` `f`_ and g_ and `h <http://h.example/>`__ and `i`,\n"
        ":code:`j`, :sub:`2`, :abbr:`RST (reStructuredText)` and :kbd:`k`.\n"
        "Footnotes [#]_ and [#n]_ and [1]_; a <tag> and \\*stars\\*.\n\n"
        ".. _f: http://f.example/\n.. _g: f_\n\n.. [#] First.\n.. [#n] Named.\n.. [1] One.\n"
    )
    assert rst(text) == (
        "A *b* **c** `` d`e `` [f](http://f.example/) and [g](http://f.example/) and "
        "[h](http://h.example/) and *i*,\n"
        '`j`, <sub>2</sub>, <abbr title="reStructuredText">RST</abbr> and `k`.\n'
        "Footnotes [^1] and [^n] and [^1]; a &lt;tag> and \\*stars\\*.\n"
        "\n"
        "\n"
        "[^1]: First.\n"
        "[^n]: Named.\n"
        "[^1]: One."
    )


def test_rst_blocks() -> None:
    text = (
        "Para::\n\n    code here\n      indented\n\n"
        "- one\n- two\n\n  - nested\n\n#. first\n#. second\n\nThen:\n\n"
        "    A quote.\n\n"
        "Term\n   Its definition.\n\n"
        ".. image:: /img/a.png\n   :alt: An A\n   :target: http://a.example/\n\n"
        ".. figure:: b.png\n\n   The caption.\n\n"
        ".. raw:: html\n\n   <div>kept</div>\n\n"
        ".. warning:: Mind the gap.\n\n"
        ".. a comment\n   over two lines\n\n"
        ">>> 1 + 1\n2\n\n"
        "----\n\nEnd.\n"
    )
    assert rst(text) == (
        "Para:\n\n```\ncode here\n  indented\n```\n\n"
        "- one\n- two\n\n    - nested\n\n1. first\n1. second\n\nThen:\n\n"
        "> A quote.\n\n"
        "**Term**  \nIts definition.\n\n"
        "[![An A](/img/a.png)](http://a.example/)\n\n"
        "![](b.png)\n\n*The caption.*\n\n"
        "<div>kept</div>\n\n"
        "> **Warning**\n>\n> Mind the gap.\n\n"
        "\n"
        "```pycon\n>>> 1 + 1\n2\n```\n\n"
        "---\n\nEnd."
    )


def test_rst_leftovers_are_kept_as_code_and_flagged() -> None:
    doc = read_rst(
        "Text with :ref:`x` and `nowhere`_.\n\n"
        ".. toctree::\n   a\n\n"
        "=====  =====\nA      B\n=====  =====\n1      2\n=====  =====\n\n"
        ".. |sub| image:: x.png\n\n"
        ".. contents::\n"
    )
    assert doc.lines == [
        "Text with `x` and nowhere.",
        "",
        "```rst",
        ".. toctree::",
        "   a",
        "```",
        "",
        "```rst",
        "=====  =====",
        "A      B",
        "=====  =====",
        "1      2",
        "=====  =====",
        "```",
        "",
        "```rst",
        ".. |sub| image:: x.png",
        "```",
    ]
    assert doc.problems == [
        (1, "the rST role :ref: has no Markdown equivalent; kept its text 'x' as code: rewrite it"),
        (
            1,
            "the rST reference `nowhere`_ has no target in this file; kept its text: add the "
            "link by hand",
        ),
        (
            3,
            "the rST directive 'toctree' has no Markdown equivalent; kept as a code block: "
            "rewrite it in Markdown or HTML",
        ),
        (6, "the rST table was kept as a code block; rewrite it as a Markdown table (| a | b |)"),
        (
            12,
            "the rST substitution definition was kept as a code block; replace its uses "
            "(|name|) with the text or image it stands for",
        ),
        (
            14,
            "dropped the rST 'contents' directive: thoughtgen adds a table of contents "
            "itself to posts with two or more headings",
        ),
    ]


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_converts_from_rst_without_raising(text: str) -> None:
    doc = read_rst(text)
    assert len(doc.lines) == len(doc.src)


@given(st.lists(st.lists(WORDS, min_size=1, max_size=8), min_size=1, max_size=5))
def test_plain_rst_paragraphs_survive_word_for_word(paragraphs: list[list[str]]) -> None:
    text = "\n\n".join(" ".join(words) for words in paragraphs)
    assert rst(text) == text


# ---- Markdown bodies ----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_link_rewriting_that_keeps_every_link_changes_nothing(text: str) -> None:
    body = Body.of(text, 1)
    assert rewrite_links(body, lambda what, value, line: None).lines == body.lines
    assert len(code_lines(body.lines)) == len(body.lines)
    converted, _summary = summary_markers(body)
    assert len(converted.lines) == len(converted.src)


@settings(max_examples=100, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=10), st.sampled_from(["filename", "static", "tag"]))
def test_only_link_markers_change(words: list[str], what: str) -> None:
    text = " ".join(words) + f" [x]({{{what}}}/a.md) `{{{what}}}/code` " + " ".join(words)
    body = rewrite_links(Body.of(text, 1), lambda w, value, line: "NEW")
    assert body.lines == [" ".join(words) + f" [x](NEW) `{{{what}}}/code` " + " ".join(words)]


# ---- imported and built -------------------------------------------------------------------


def test_imported_and_built_every_old_url_is_served_and_feed_ids_kept(tmp_path: Path) -> None:
    found = pelican.read(SITE)
    report, site_dir, public = import_and_build(SITE, tmp_path, platform="pelican")
    base = "https://workshop.example.org/"
    for document in found.docs:
        for url in document.old_urls:
            page = served(public, url, base)
            assert page is not None, url
            assert html.escape(document.title) in page.read_text(encoding="utf-8"), url
    assert (
        served(public, "/2021/06/same-title/", base) == public / "2021/06/same-title-2/index.html"
    )
    assert served(public, "/images/lathe.png", base) == public / "images/lathe.png"
    flow = "/2020/02/decorators-gently/figures/flow.png"  # where {attach} put it
    assert served(public, flow, base) == public / flow.lstrip("/")
    ids = feed_ids(public)
    assert {d.guid for d in found.docs if d.guid} <= ids
    # Subscribers of Pelican's feed keep reading it at its old address, with the same ids.
    assert feed_ids(public, "feeds/all.atom.xml") == ids
    first = (public / "2019/03/first-steps-with-a-lathe/index.html").read_text(encoding="utf-8")
    assert 'href="/2020/02/decorators-gently/#why"' in first
    assert 'href="/about/"' in first
    assert 'src="/images/lathe.png"' in first
    config = (site_dir / "thoughtgen.yaml").read_text(encoding="utf-8")
    assert 'posts: "/:year/:month/:slug/"' in config
    assert 'base_url: "https://workshop.example.org/"' in config
    assert report.summary.startswith("Imported 12 posts, 1 page, 5 drafts")


def test_html_summary_markers_and_old_link_syntax(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "content/a.html": (
                "<html><head><title>A &amp; B</title>\n"
                '<meta name="date" content="2020-01-01">\n'
                '<meta name="tags" content="x">\n<meta name="tags" content="y">\n'
                "</head><body>\n<p>Intro.</p>\n<!-- PELICAN_END_SUMMARY -->\n"
                '<p><a href="|filename|b.md">B</a> <img src="{static}/images/p.png"></p>\n'
                "</body></html>\n"
            ),
            "content/b.md": "Title: B\nDate: 2020-01-02\n\nSee [A](|filename|a.html).\n",
            "content/images/p.png": b"\x89PNG",
        },
    )
    found = pelican.read(tmp_path)
    a, b = found.docs
    assert (a.title, a.tags) == ("A & B", ["x", "y"])
    assert a.body == "Intro.\n\n<!--more-->\n\n[B](b.md) ![](/images/p.png)\n"
    assert b.body == "See [A](a-b.md).\n"


def test_content_paths_feeds_off_and_a_summary_inside_the_post(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pelicanconf.py": (
                'SITEURL = "https://ex.org"\n'
                'ARTICLE_PATHS = ["blog"]\n'
                'ARTICLE_EXCLUDES = ["blog/wip"]\n'
                'PAGE_PATHS = ["about"]\n'
                'STATIC_PATHS = ["files"]\n'
                'EXTRA_PATH_METADATA = {"files/x.txt": {"path": "../../x.txt"}}\n'
                "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
                "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n"
            ),
            "content/blog/a.md": (
                "Title: A\nDate: 2020-01-01\n\nFirst paragraph.\n\n"
                "<!-- PELICAN_BEGIN_SUMMARY -->\nThe *real* summary\nin two lines.\n"
                "<!-- PELICAN_END_SUMMARY -->\n\nThe rest.\n"
            ),
            "content/blog/wip/b.md": "Title: B\nDate: 2020-01-01\n\nx\n",
            "content/about/me.md": "Title: Me\n\nx\n",
            "content/elsewhere.md": "Title: Not an article\nDate: 2020-01-01\n\nx\n",
            "content/files/x.txt": "x",
        },
    )
    found = pelican.read(tmp_path)
    assert found.feeds == {}
    rows = [(d.source, d.kind, d.old_urls, d.guid, d.summary) for d in found.docs]
    assert rows == [
        ("content/about/me.md", "page", ["/pages/me.html"], "", ""),
        ("content/blog/a.md", "post", ["/a.html"], "", "The *real* summary in two lines."),
    ]
    assert found.docs[1].body == (
        "First paragraph.\n\nThe *real* summary\nin two lines.\n<!--more-->\n\nThe rest.\n"
    )
    assert found.files == []
    notes = notes_of(found)
    assert "content/files/x.txt: its output path '../../x.txt' leaves the site; not imported" in (
        notes
    )
    assert (
        "content: 2 file(s) are neither posts nor under STATIC_PATHS, so Pelican did not "
        "publish them and they were not imported (blog/wip/b.md, elsewhere.md)"
    ) in notes


@given(st.text(alphabet="`ab {}"))
def test_code_span_masking_keeps_length_and_text_outside_spans(line: str) -> None:
    masked = mask_code_spans(line)
    assert len(masked) == len(line)
    assert all(m in ("\x00", c) for m, c in zip(masked, line, strict=True))


def test_thousands_of_backticks_are_read_in_linear_time() -> None:
    line = "{x} " + "`" * 200_000 + " [a]({filename}/b.md)"
    assert mask_code_spans(line) == line  # one run, never closed: no span
    assert mask_code_spans("a `b` ``c`` `d") == "a \x00\x00\x00 \x00\x00\x00\x00\x00 `d"
    body = rewrite_links(Body.of(line, 1), lambda what, value, where: "NEW")
    assert body.lines == ["{x} " + "`" * 200_000 + " [a](NEW)"]
    assert read_rst("a." * 50_000 + "\n").lines == ["a." * 50_000]


def test_a_post_of_backticks_and_tags_is_read_quickly(tmp_path: Path) -> None:
    text = "Title: T\nDate: 2020-01-01\n\n{% x %} " + "`" * 20_000 + " `{% in code %}` `\n"
    write(tmp_path, {"content/t.md": text})
    found = pelican.read(tmp_path)
    assert found.docs[0].body == text.split("\n\n", 1)[1]
    assert [n for n in notes_of(found) if "template tag" in n] == [
        "content/t.md:4: the template tag {% x %} (from a Pelican plugin such as liquid_tags "
        "or jinja2content) is not converted; replace it with Markdown or HTML"
    ]


HEADER_LINES = st.lists(
    st.sampled_from(
        [
            "Title: A title",
            "title: Another",
            "Date: 2020-02-30",
            "Date: 2021-01-01 10:00",
            "Date: 1",
            "Modified: soon",
            "Tags: a, b; c",
            "Category: ",
            "Slug: ../../x",
            "Slug: UPPER/lower",
            "Status: hidden",
            "Status: draft",
            "Status: skip",
            "Lang: fr",
            "URL: https://elsewhere.example/x",
            "Save_as: ",
            "Timezone: Nowhere",
            "    continued",
            "---",
            "",
        ]
    ),
    max_size=8,
)
CONF_LINES = st.lists(
    st.sampled_from(
        [
            'SITEURL = "https://ex.org/sub/"',
            "SITEURL = 42",
            'ARTICLE_URL = "{date:%Y}/{slug}/"',
            'ARTICLE_URL = "{nothing}"',
            'ARTICLE_SAVE_AS = ""',
            "ARTICLE_PATHS = []",
            'PATH = "."',
            "DEFAULT_DATE = (2020, 13, 40)",
            'DEFAULT_DATE = "fs"',
            "DEFAULT_METADATA = {'status': 'draft'}",
            "EXTRA_PATH_METADATA = {'': {'slug': ''}}",
            "SLUGIFY_SOURCE = 'basename'",
            'FILENAME_METADATA = "(?P<slug>.*)"',
            "USE_FOLDER_AS_CATEGORY = 0",
            "x = (",
        ]
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(CONF_LINES, HEADER_LINES, st.text(max_size=200))
def test_any_settings_and_headers_read_without_raising(
    conf: list[str], header: list[str], body: str
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = write(
            Path(folder),
            {
                "pelicanconf.py": "\n".join(conf) + "\n",
                "content/sub/2020-01-01-post.md": "\n".join(header) + "\n\n" + body,
                "content/pages/p.rst": "\n".join(header) + "\n\n" + body,
            },
        )
        found = pelican.read(root)
        for document in found.docs:
            assert document.slug and unsafe_slug_reason(document.slug) is None
            assert document.date is None or document.date.tzinfo is not None
            assert all(u.startswith("/") and "/../" not in u for u in document.old_urls)


def test_the_site_feeds_keep_their_addresses(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pelicanconf.py": (
                'SITEURL = "https://ex.org"\nFEED_ALL_ATOM = "feeds/everything.xml"\n'
                'FEED_RSS = "/rss.xml"\nFEED_ALL_RSS = "../../escape.xml"\n'
                'CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"\n'
            ),
            "content/a.md": "Title: A\nDate: 2020-01-01\n\nx\n",
        },
    )
    found = pelican.read(tmp_path)
    assert found.feeds == {"/feeds/everything.xml": "atom", "/rss.xml": "rss"}
    assert found.docs[0].guid == "tag:ex.org,2020-01-01:/a.html"
