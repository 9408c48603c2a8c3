"""Reading Hugo sites: settings, Hugo's own URLs and feed ids, dates, bundles and notes."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_support import doc_from as doc
from import_support import feed_ids, import_and_build, served
from import_support import write_files as write

from thoughtgen.importers import hugo
from thoughtgen.importers.hugopages import _thoughtgen_pattern, parse_hugo_date
from thoughtgen.importers.hugosite import HugoConfig, PageFacts, _permalink_rules
from thoughtgen.importers.model import Note, SourceSite

FIXTURES = Path(__file__).parent / "fixtures" / "import" / "hugo"
BLOG = FIXTURES / "blog"
WORKSHOP = FIXTURES / "workshop"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
LISBON_SUMMER = timezone(timedelta(hours=1))


@pytest.fixture(scope="module")
def blog() -> SourceSite:
    return hugo.read(BLOG, now=NOW)


@pytest.fixture(scope="module")
def workshop() -> SourceSite:
    return hugo.read(WORKSHOP, now=NOW)


def notes_of(site: SourceSite, path: str) -> list[tuple[int | None, str]]:
    return [(n.line, n.message) for n in site.notes if n.path == path]


# Recognising a Hugo site ----------------------------------------------------------------


def test_hugo_sites_are_recognised_by_their_configuration(tmp_path: Path) -> None:
    assert hugo.detect(BLOG) and hugo.detect(WORKSHOP) and hugo.detect(FIXTURES / "empty")
    (tmp_path / "content").mkdir()
    assert not hugo.detect(tmp_path)
    (tmp_path / "config.toml").write_text('title = "Not Hugo"\n')
    assert not hugo.detect(tmp_path)  # a config.toml of some other tool
    (tmp_path / "config.toml").write_text('baseurl = "https://a.example/"\n')
    assert hugo.detect(tmp_path)
    assert not hugo.detect(tmp_path / "config.toml")


# Site settings --------------------------------------------------------------------------


def test_site_settings_come_from_hugo_toml(blog: SourceSite) -> None:
    assert (blog.platform, blog.title, blog.base_url) == (
        "hugo",
        "Field Notes on Leading Teams",
        "https://example.org/notes/",
    )
    assert blog.description == "Short essays on running small engineering teams."
    assert (blog.author, blog.language, blog.timezone) == (
        "Morgan Ellery",
        "en-GB",
        "Europe/Lisbon",
    )
    assert blog.post_permalink == "/:year/:month/:slug/"  # posts = "/:year/:month/:title/"
    assert blog.page_permalink == "/:slug/"


def test_settings_merge_config_default_then_production(workshop: SourceSite) -> None:
    assert workshop.base_url == "https://www.writing.example.com/"  # config/production/
    assert workshop.title == "Workshop Notes"  # the default language's own title
    assert (workshop.author, workshop.language, workshop.timezone) == ("Sam Okafor", "en", "")
    assert workshop.description == "Notes on woodworking and the people who teach it."
    assert workshop.post_permalink == "/:year/:month/:day/:slug.html"  # uglyURLs
    assert workshop.page_permalink == "/:slug.html"


# Posts, exactly -------------------------------------------------------------------------


def test_a_yaml_post_with_capitalised_keys(blog: SourceSite) -> None:
    post = doc(blog, "content/posts/first-light.md")
    assert (post.kind, post.slug, post.title) == (
        "post",
        "first-light-starting-a-team-from-zero",
        "First Light: Starting a Team From Zero",
    )
    assert post.date == datetime(2021, 3, 14, 8, 30, tzinfo=UTC)
    assert (post.updated, post.draft) == (None, False)
    assert post.tags == ["hiring", "team design", "Leadership", "beginnings"]  # + topics
    assert post.summary == "What I did in the first ninety days with a brand-new team."
    assert post.old_urls == [
        "/2021/03/first-light-starting-a-team-from-zero/",
        "/posts/first-light/",
        "/posts/old-first-light/",  # a page-relative alias
    ]
    assert post.guid == "https://example.org/notes/2021/03/first-light-starting-a-team-from-zero/"
    assert post.extra == {"toc": True, "hugo_status": "evergreen"}
    assert post.body == (
        "The first week is mostly listening.\n\n<!--more-->\n\n"
        "Read [the follow-up](second-wind/index.md) and "
        "[the notes on quiet](the-value-of-quiet-weeks.md#why).\n\n"
        "![A whiteboard full of arrows](/images/whiteboard.png)\n\n"
        '<figure><img src="/images/team.png"><figcaption><strong>The team</strong> '
        "Our first offsite, <em>rain</em> included.</figcaption></figure>\n\n"
        '```python hl_lines="2"\ndef first_week():\n    return "listen"\n```\n\n'
        "![A diagram](/diagrams/org.svg)\n\n"
        "See also [A talk on teams (video on YouTube)]"
        "(https://www.youtube.com/watch?v=dQw4w9WgXcQ).\n"
    )


def test_a_toml_page_bundle_keeps_its_files(blog: SourceSite) -> None:
    post = doc(blog, "content/posts/second-wind/index.md")
    assert (post.slug, post.title, post.image) == ("second-wind", "Second Wind", "cover.jpg")
    assert post.date == datetime(2021, 6, 1, tzinfo=LISBON_SUMMER)  # timeZone, summer time
    assert post.updated == datetime(2021, 7, 15, 12, tzinfo=LISBON_SUMMER)
    assert post.old_urls == ["/2021/06/second-wind/"]  # :title, so the slug is not in it
    assert [(f.target, f.source) for f in post.files] == [
        ("cover.jpg", BLOG / "content/posts/second-wind/cover.jpg"),
        ("images/chart.png", BLOG / "content/posts/second-wind/images/chart.png"),
    ]
    assert post.body == (
        "![Cover](cover.jpg)\n\nThe chart below shows how long the dip lasted.\n\n"
        "![Chart](images/chart.png)\n\n"
        "Back to [the start](../first-light-starting-a-team-from-zero.md).\n"
    )


def test_a_json_bundle_without_files(blog: SourceSite) -> None:
    post = doc(blog, "content/posts/quiet-bundle/index.md")
    assert (post.kind, post.slug, post.tags) == ("post", "the-value-of-quiet-weeks", ["Leadership"])
    assert post.date == datetime(2022, 1, 10, 9, tzinfo=UTC)  # Lisbon in winter is UTC
    assert post.files == []
    assert post.body == (
        "## Why\n\nQuiet weeks are when the real thinking happens.\n\n"
        "[Post by @someone on X](https://x.com/someone/status/1453110110599868418)\n"
    )


def test_url_front_matter_is_the_old_url_lower_cased(blog: SourceSite) -> None:
    post = doc(blog, "content/posts/old-style.md")
    assert post.old_urls == ["/archive/old-style.html"]
    assert post.guid == "https://example.org/notes/archive/old-style.html"
    assert post.slug == "old-style"
    assert post.date == datetime(2018, 11, 30, 18, 45, tzinfo=timezone(timedelta(hours=-5)))


def test_unicode_titles_keep_their_letters_and_feed_ids_are_escaped(blog: SourceSite) -> None:
    post = doc(blog, "content/posts/über-grenzen.md")
    assert post.slug == "über-grenzen-teams-across-time-zones"
    assert post.old_urls == ["/2022/03/über-grenzen-teams-across-time-zones/"]
    assert post.guid == (
        "https://example.org/notes/2022/03/%C3%BCber-grenzen-teams-across-time-zones/"
    )
    assert post.tags == ["remote"]  # "remote" and "Remote" are one tag


def test_drafts_expired_and_scheduled_posts(blog: SourceSite) -> None:
    draft = doc(blog, "content/posts/draft-idea.md")
    assert (draft.kind, draft.draft, draft.tags) == ("post", True, ["careers"])
    expired = doc(blog, "content/posts/expired.md")
    assert (expired.kind, expired.draft) == ("post", True)
    scheduled = doc(blog, "content/notes/quick-tip.md")
    assert scheduled.date == datetime(2999, 1, 1, tzinfo=UTC)  # publishDate still ahead
    assert scheduled.old_urls == ["/notes/quick-tip/"]  # a section without a pattern
    assert scheduled.guid == "https://example.org/notes/notes/quick-tip/"


def test_undated_posts_are_pages_unless_their_name_has_a_date(blog: SourceSite) -> None:
    undated = doc(blog, "content/posts/undated.md")
    assert (undated.kind, undated.date, undated.slug) == ("page", None, "reading-group-rules")
    assert undated.old_urls == ["/1/01/reading-group-rules/"]  # Hugo's zero date
    named = doc(blog, "content/posts/2021-9-1-field-notes.md")
    assert (named.kind, named.date) == ("post", datetime(2021, 9, 1, tzinfo=LISBON_SUMMER))
    assert named.old_urls == ["/1/01/field-notes-september/"]


def test_titles_from_file_names_and_pages_at_the_top(blog: SourceSite) -> None:
    untitled = doc(blog, "content/posts/no-title.md")
    assert (untitled.title, untitled.slug, untitled.old_urls) == (
        "No title",
        "no-title",
        ["/2022/08/"],  # :title of an empty title
    )
    about = doc(blog, "content/about.md")
    assert (about.kind, about.slug, about.old_urls) == ("page", "about", ["/about/"])
    assert about.summary == "Who writes these notes."  # description
    assert about.body == (
        "I have led teams of three to twelve people for a decade.\n\n"
        "Current version of my checklist: 2.4.\n"
    )


def test_a_section_without_pages_is_a_page_at_the_section_url(blog: SourceSite) -> None:
    reading = doc(blog, "content/reading-list/_index.md")
    assert (reading.kind, reading.slug, reading.title) == ("page", "reading-list", "Reading List")
    assert reading.old_urls == ["/reading-list/"]
    assert reading.body == "Books that shaped how I lead.\n"


def test_an_html_post_becomes_markdown_with_its_shortcodes(blog: SourceSite) -> None:
    post = doc(blog, "content/posts/html-only.html")
    assert post.body == (
        "This one was written in **HTML**, with a "
        "[link](first-light-starting-a-team-from-zero.md).\n\n- one_thing\n- another\n\n\n\n"
        '<figure><img src="/images/team.png"><figcaption>Team_photo</figcaption></figure>\n'
    )


def test_same_slugs_are_made_unique(blog: SourceSite) -> None:
    first = doc(blog, "content/posts/same-name-a.md")
    second = doc(blog, "content/posts/same-name-b.md")
    assert (first.slug, second.slug) == ("repeat", "repeat-2")
    assert second.old_urls == ["/2020/02/repeat/"]


def test_skipped_pages_are_counted(blog: SourceSite) -> None:
    assert blog.skipped == {"section pages": 2, "not rendered": 1, "layout pages": 1}
    sources = {d.source for d in blog.docs}
    assert not sources & {
        "content/_index.md",
        "content/posts/_index.md",
        "content/notes/headless-bits.md",
        "content/search.md",
    }
    assert len(blog.docs) == 19


def test_static_files_and_referenced_assets_are_copied(blog: SourceSite) -> None:
    assert [(f.target, f.source) for f in blog.files] == [
        ("content/static/CNAME", BLOG / "static/CNAME"),
        ("content/static/images/team.png", BLOG / "static/images/team.png"),
        ("content/static/images/whiteboard.png", BLOG / "static/images/whiteboard.png"),
        ("content/static/diagrams/org.svg", BLOG / "assets/diagrams/org.svg"),
    ]


def test_every_note_names_its_file_and_line(blog: SourceSite) -> None:
    assert sorted(blog.notes, key=lambda n: (n.path, n.line or 0, n.message)) == [
        Note(
            "content/_index.md",
            None,
            "the home page's own text was not imported (thoughtgen makes its own lists): "
            "copy it into a page if you want to keep it",
        ),
        Note(
            "content/notes/headless-bits.md",
            None,
            "Hugo did not publish this page (headless or build.render); not imported",
        ),
        Note(
            "content/posts/2021-9-1-field-notes.md",
            None,
            "no date: took 2021-09-01 from the file name",
        ),
        Note(
            "content/posts/_index.md",
            None,
            "the section page's own text was not imported (thoughtgen makes its own lists): "
            "copy it into a page if you want to keep it",
        ),
        Note(
            "content/posts/broken-front-matter.md",
            None,
            "no date, so it is imported as a page: add a date to make it a post",
        ),
        Note(
            "content/posts/broken-front-matter.md",
            None,
            "no title; used 'Broken front matter' from the file name",
        ),
        Note(
            "content/posts/broken-front-matter.md",
            3,
            "front matter not read (invalid YAML: while scanning a quoted scalar, found "
            "unexpected end of stream); imported without it: fix it",
        ),
        Note(
            "content/posts/callouts.md",
            7,
            "shortcode 'notice' is not one thoughtgen can convert; left its tags and the text "
            "between them as written: replace it with Markdown or HTML",
        ),
        Note(
            "content/posts/callouts.md",
            11,
            "shortcode 'sidebar' is not one thoughtgen can convert; left it as written: "
            "replace it with Markdown or HTML",
        ),
        Note(
            "content/posts/callouts.md",
            13,
            "{{ .Site.Title }} is template syntax Hugo showed as text; left as written: "
            "remove it if it was not meant to be seen",
        ),
        Note(
            "content/posts/expired.md",
            4,
            "expired on 2020-02-01 (Hugo stopped publishing it), so it is imported as a draft",
        ),
        Note("content/posts/no-title.md", None, "no title; used 'No title' from the file name"),
        Note(
            "content/posts/retro-format.rst",
            None,
            "written in reStructuredText, which thoughtgen does not convert; kept as written: "
            "convert it to Markdown (pandoc can) and check the page",
        ),
        Note(
            "content/posts/same-name-b.md",
            None,
            "slug 'repeat' is also content/posts/same-name-a.md's; this one is 'repeat-2' "
            "(its old URL still redirects here)",
        ),
        Note(
            "content/posts/same-name-b.md",
            8,
            "image gone.png is not in the export; kept the link: add the file beside the post "
            "or under content/static/",
        ),
        Note(
            "content/posts/undated.md",
            None,
            "no date, so it is imported as a page: add a date to make it a post",
        ),
        Note(
            "content/search.md",
            None,
            "a page the theme's 'search' layout fills in, with no text of its own; not "
            "imported: thoughtgen has its own",
        ),
        Note(
            "static/_redirects",
            None,
            "not copied: thoughtgen writes its own /_redirects (old URLs become aliases); "
            "merge any hand-written rules into the new one after a build",
        ),
    ]


def test_broken_front_matter_gives_no_old_url(blog: SourceSite) -> None:
    broken = doc(blog, "content/posts/broken-front-matter.md")
    assert (broken.kind, broken.old_urls, broken.guid) == ("page", [], "")
    assert broken.body == "The front matter above is not valid YAML.\n"


# The workshop site: config/_default, languages, :filename, uglyURLs ---------------------


def test_filename_dates_ugly_urls_and_aliases(workshop: SourceSite) -> None:
    first = doc(workshop, "content/blog/2020-05-17-first-cut.md")
    assert (first.slug, first.date) == ("first-cut", datetime(2020, 5, 17, tzinfo=UTC))
    assert first.old_urls == ["/2020/05/17/first-cut.html"]
    assert first.guid == "https://www.writing.example.com/2020/05/17/first-cut.html"
    joinery = doc(workshop, "content/blog/joinery.md")
    assert joinery.slug == "joinery-basics"  # slug: Joinery-Basics, lower-cased by Hugo
    assert joinery.old_urls == [
        "/2020/07/04/joinery-basics.html",
        "/old/joinery.html",
        "/legacy/joinery/",  # an absolute alias on the site itself
    ]
    finishing = doc(workshop, "content/blog/finishing.md")
    assert finishing.date == datetime(2020, 8, 8, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    assert finishing.old_urls == ["/2020/08/08/finishing-oil-or-wax.html"]
    porto = doc(workshop, "content/blog/trip-to-porto/index.md")
    assert [f.target for f in porto.files] == ["tiles.png"]
    colophon = doc(workshop, "content/colophon.md")
    assert (colophon.kind, colophon.old_urls) == ("page", ["/colophon.html"])


def test_translations_are_skipped(workshop: SourceSite) -> None:
    assert workshop.skipped == {"translations": 1}
    assert workshop.notes == [
        Note(
            "content/blog/2020-05-17-first-cut.fr.md",
            None,
            "a translation (fr); not imported: a thoughtgen site has one language",
        )
    ]
    assert [f.target for f in workshop.files] == ["content/static/favicon.ico"]


def test_an_empty_site_reads_as_nothing_to_import() -> None:
    site = hugo.read(FIXTURES / "empty", now=NOW)
    assert (site.title, site.base_url, site.docs, site.files) == (
        "Nothing Yet",
        "https://empty.example.net/",
        [],
        [],
    )
    assert site.notes == [Note("content", None, "the content folder holds no posts or pages")]


# Hugo's URL rules -----------------------------------------------------------------------


def config(**data: object) -> HugoConfig:
    found = HugoConfig(data=data)  # type: ignore[arg-type]
    found.permalinks = _permalink_rules(data.get("permalinks"))
    return found


def facts(**changes: object) -> PageFacts:
    values: dict[str, object] = {
        "date": datetime(2024, 2, 9, 7, 5, 3, tzinfo=UTC),
        "title": "Hello, World! It's 3.0",
        "slug": "",
        "base_name": "My File",
        "section": "posts",
        "sections": ["posts", "deep"],
        "section_slugs": ["posts", "deep-dives"],
        "file_dir": "posts/deep",
    }
    values.update(changes)
    return PageFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello-world"),
        ("a - b  --c", "a-b-c"),
        ("  -lead and trail-  ", "lead-and-trail"),
        ("Über Grenzen", "über-grenzen"),
        ("C# & C++ in 2.0", "c#-c++-in-2.0"),
        ("100%25 sure 50%", "100%25-sure-50"),
        ("日本語 の タイトル", "日本語-の-タイトル"),
    ],
)
def test_paths_are_sanitized_as_hugo_does(text: str, expected: str) -> None:
    assert config().sanitize(text) == expected


def test_path_case_and_accents_follow_the_settings() -> None:
    assert config(disablepathtolower=True).sanitize("Über Grenzen") == "Über-Grenzen"
    assert config(removepathaccents=True).sanitize("Über Grenzen") == "uber-grenzen"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/:year/:month/:day/:title/", "/2024/02/09/hello-world-its-3.0/"),
        ("/:monthname/:weekday/:weekdayname/:yearday/", "/february/5/friday/40/"),
        ("/:section/:sections/:slug/", "/posts/posts/deep/hello-world-its-3.0/"),
        ("/:sections[1:]/:sections[last]/:sections[0]/", "/deep/deep/posts/"),
        ("/:sectionslugs/:sectionslug/", "/posts/deep-dives/posts/"),
        ("/:filename/:contentbasename/:slugorfilename/", "/my-file/my-file/my-file/"),
        ("/:2006/:01/:02/:15-:04-:05/:Jan/:Monday/", "/2024/02/09/07-05-03/feb/friday/"),
        ("/:slugorcontentbasename/", "/my-file/"),
    ],
)
def test_permalink_tokens(pattern: str, expected: str) -> None:
    site = config(permalinks={"posts": pattern})
    path, unknown = site.link(facts(), "", ugly=False)
    assert (path, unknown) == (expected, [])


def test_slug_beats_title_and_unknown_tokens_are_reported() -> None:
    site = config(permalinks={"page": {"posts": "/:year/:slug/:nonsense/"}})
    assert site.link(facts(slug="Chosen Name"), "", ugly=False) == (
        "/2024/chosen-name/nonsense/",  # Hugo itself stops at an unknown token
        [":nonsense"],
    )


def test_default_urls_url_front_matter_and_ugly_urls() -> None:
    site = config()
    assert site.link(facts(), "", ugly=False) == ("/posts/deep/my-file/", [])
    assert site.link(facts(slug="Short"), "", ugly=True) == ("/posts/deep/short.html", [])
    assert site.link(facts(), "Custom/Path", ugly=True) == ("/custom/path/", [])
    assert site.link(facts(), "/a/b.html", ugly=False) == ("/a/b.html", [])
    assert config(permalinks={"posts": "/:year/:slug.html"}).link(facts(), "", False) == (
        "/2024/hello-world-its-3.0.html",
        [],
    )


def test_permalink_forms_old_new_and_listed() -> None:
    legacy = config(permalinks={"posts": "/a/:slug/", "posts/deep": "/b/:slug/"})
    assert legacy.link(facts(), "", False)[0] == "/b/hello-world-its-3.0/"  # the nearer one
    listed = config(
        permalinks=[
            {"pattern": "/sec/", "target": {"kind": "section"}},
            {"pattern": "/deep/:slug/", "target": {"path": "{/posts/deep/**}"}},
            {"pattern": "/:slug/"},
        ]
    )
    assert listed.link(facts(), "", False)[0] == "/deep/hello-world-its-3.0/"
    assert listed.link(facts(file_dir="other"), "", False)[0] == "/hello-world-its-3.0/"


def test_a_language_in_a_subfolder_prefixes_every_url() -> None:
    site = config(
        languages={"en": {}, "de": {}},
        defaultcontentlanguageinsubdir=True,
        baseurl="https://ex.org/",
    )
    path, _ = site.link(facts(), "", ugly=False)
    assert path == "/en/posts/deep/my-file/"
    assert site.permalink(path) == "https://ex.org/en/posts/deep/my-file/"


@pytest.mark.parametrize(
    ("hugo_pattern", "nested", "expected"),
    [
        (None, False, "/blog/:slug/"),
        ("/:year/:month/:title/", False, "/:year/:month/:slug/"),
        ("/:section/:2006/:01/:02/:slug/", False, "/blog/:year/:month/:day/:slug/"),
        ("/Archive/:year/:filename.html", False, "/archive/:year/:slug.html"),
        ("/:sections/:slug/", False, "/blog/:slug/"),
        ("/:sections/:slug/", True, ""),
        ("/:year/:monthname/:slug/", False, ""),
        ("/:year/:slug/:title/", False, ""),
        ("/:year/", False, ""),
    ],
)
def test_hugo_patterns_in_thoughtgen_syntax(
    hugo_pattern: str | None, nested: bool, expected: str
) -> None:
    assert _thoughtgen_pattern(config(), "blog", hugo_pattern, nested) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-03-05T10:00:00+02:00", datetime(2024, 3, 5, 8, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:00:00 GMT", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("5 Mar 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        (datetime(2024, 3, 5, 10), datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ],
)
def test_dates_hugo_accepts(value: object, expected: datetime) -> None:
    assert parse_hugo_date(value, UTC) == expected


# Hostile exports ------------------------------------------------------------------------


POST = "---\ntitle: T\ndate: 2024-01-02\n---\nBody.\n"


def test_broken_configuration_is_noted_and_the_posts_still_read(tmp_path: Path) -> None:
    root = write(tmp_path, {"hugo.toml": 'title = "x\nbaseURL = 3\n', "content/posts/a.md": POST})
    site = hugo.read(root, now=NOW)
    assert [d.slug for d in site.docs] == ["a"]  # no permalinks: the file's name
    assert site.notes[0].path == "hugo.toml" and site.notes[0].line == 1
    assert site.notes[0].message.startswith("could not read this configuration (")
    assert site.notes[1] == Note(
        "hugo.toml",
        None,
        "no baseURL in the configuration: old feed ids cannot be kept; set base_url in "
        "thoughtgen.yaml to the old site's address",
    )


def test_odd_settings_are_noted(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "hugo.json": '{"baseURL": "ftp://x", "timeZone": "Mars/Olympus", "contentDir": "../x"}',
            "config/_default/params.yaml": "a: [unclosed\n",
            "config/_default/menus.toml": "[[main]]\nname = 1\n",
        },
    )
    site = hugo.read(root, now=NOW)
    assert site.notes == [
        Note("config/_default/params.yaml", 1, site.notes[0].message),
        Note("hugo.json", None, "unknown timeZone 'Mars/Olympus'; dates without an offset are UTC"),
        Note("hugo.json", None, "baseURL is not an absolute http(s) URL; feed ids left out"),
        Note("hugo.json", None, "no content folder found; nothing to import"),
    ]
    assert site.notes[0].message.startswith("broken YAML (")


def test_bad_bytes_huge_files_and_links_out_are_noted(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"secret.md": POST, "secret.png": b"\x89PNG"})
    root = write(
        tmp_path / "site",
        {
            "hugo.toml": 'baseURL = "https://a.example/"\n',
            "content/posts/latin.md": b"---\ntitle: Caf\xe9\ndate: 2024-01-02\n---\nna\xefve\n",
            "content/posts/big.md": "x" * (hugo.MAX_CONTENT_BYTES + 1),
            "content/posts/pic.md": "---\ntitle: P\ndate: 2024-01-03\n---\n![](../../x.png)\n",
        },
    )
    os.symlink(outside / "secret.md", root / "content/posts/link.md")
    os.symlink(outside, root / "static")
    site = hugo.read(root, now=NOW)
    assert [d.source for d in site.docs] == ["content/posts/latin.md", "content/posts/pic.md"]
    assert doc(site, "content/posts/latin.md").title == "Caf\ufffd"
    assert site.files == []
    assert sorted((n.path, n.line, n.message) for n in site.notes) == [
        (
            "content/posts/big.md",
            None,
            "larger than 8 MiB; not imported: split it or trim it by hand",
        ),
        (
            "content/posts/latin.md",
            2,
            "not UTF-8 text; odd characters replaced: check the text and fix it",
        ),
        ("content/posts/link.md", None, "a symbolic link; not followed"),
        (
            "content/posts/pic.md",
            5,
            "image ../../x.png is not in the export; kept the link: add the file beside the post "
            "or under content/static/",
        ),
    ]


def test_front_matter_of_every_kind_that_does_not_read(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "hugo.toml": 'baseURL = "https://a.example/"\n',
            "content/posts/a.md": "+++\ntitle = \n+++\nA\n",
            "content/posts/b.md": '{\n"title": "x",\n}\nB\n',
            "content/posts/c.md": "---\ntitle: never closed\nC\n",
            "content/posts/d.md": "---js\n{title: 'x'}\n---\nD\n",
            "content/posts/e.md": "---\ndate: not a date\ntitle: E\n---\nE\n",
            "content/posts/f.md": "+++\na = " + "[" * 50_000 + "\n+++\nF\n",
        },
    )
    site = hugo.read(root, now=NOW)
    assert len(site.docs) == 6
    lines = {(n.path, n.line) for n in site.notes if "front matter not read" in n.message}
    assert lines == {
        ("content/posts/a.md", 1),
        ("content/posts/b.md", 1),
        ("content/posts/c.md", 1),
        ("content/posts/d.md", 1),
        ("content/posts/f.md", 1),
    }
    assert (
        Note(
            "content/posts/e.md",
            2,
            "date: cannot read date 'not a date'; write it as 2024-03-05, 2024-03-05 14:30 or "
            "2024-03-05T14:30:00+02:00; this date was left out",
        )
        in site.notes
    )


# End to end: import, build, and every old URL and feed id still works --------------------


def imported(source: Path, tmp_path: Path) -> tuple[SourceSite, Path]:
    """The site read from a copy of ``source``, and the public folder of its import's build."""
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    report, _site, public = import_and_build(copy, tmp_path, platform="hugo")
    found = hugo.read(copy)
    assert report.skipped == found.skipped
    return found, public


@pytest.mark.parametrize("source", [BLOG, WORKSHOP], ids=["blog", "workshop"])
def test_every_old_url_is_served_and_feed_ids_are_kept(source: Path, tmp_path: Path) -> None:
    found, public = imported(source, tmp_path)
    published = [d for d in found.docs if not d.draft and d.date and d.date.year < 2900]
    assert published
    for item in published + [d for d in found.docs if d.kind == "page"]:
        for old in item.old_urls:
            assert served(public, old, found.base_url) is not None, (item.source, old)
    posts = {d.guid for d in published if d.kind == "post"}
    assert posts and posts <= feed_ids(public)


def test_links_and_files_work_after_the_build(tmp_path: Path) -> None:
    found, public = imported(BLOG, tmp_path)
    first = served(public, "/posts/first-light/", found.base_url)
    assert first is not None
    html = first.read_text(encoding="utf-8")
    assert '<a href="/notes/2021/06/second-wind/">the follow-up</a>' in html  # a ref
    assert '<a href="/notes/2022/01/the-value-of-quiet-weeks/#why">' in html  # a relref
    assert (public / "images" / "whiteboard.png").is_file()  # static/
    assert (public / "diagrams" / "org.svg").is_file()  # assets/, as the post uses it
    assert (public / "2021/06/second-wind/images/chart.png").is_file()  # the bundle's


def test_ugly_urls_stay_the_same_urls(tmp_path: Path) -> None:
    found, public = imported(WORKSHOP, tmp_path)
    first = doc(found, "content/blog/2020-05-17-first-cut.md")
    assert (public / "2020/05/17/first-cut.html").is_file()
    assert "Measure twice." in (public / "2020/05/17/first-cut.html").read_text(encoding="utf-8")
    assert first.old_urls == ["/2020/05/17/first-cut.html"]
    assert (public / "colophon.html").is_file()


def test_links_and_images_shown_as_code_are_left_alone(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "hugo.toml": 'baseURL = "https://a.example/"\n',
            "content/posts/a.md": "---\ntitle: A\ndate: 2024-01-02\nslug: alpha\n---\nA.\n",
            "content/posts/b.md": (
                "---\ntitle: B\ndate: 2024-01-03\n---\n[A](a.md) and `[A](a.md)`\n\n"
                "```\n![x](nowhere.png)\n[A](a.md)\n```\n"
            ),
            "static/.well-known/security.txt": "Contact: mailto:a@a.example\n",
            "static/.DS_Store": b"\x00",
        },
    )
    site = hugo.read(root, now=NOW)
    assert doc(site, "content/posts/b.md").body == (
        "[A](alpha.md) and `[A](a.md)`\n\n```\n![x](nowhere.png)\n[A](a.md)\n```\n"
    )
    assert site.notes == []
    assert [f.target for f in site.files] == ["content/static/.well-known/security.txt"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_sanitized_paths_are_stable_and_hyphenated(text: str) -> None:
    once = config().sanitize(text)
    assert config().sanitize(once) == once
    assert not once.startswith("-") and not once.endswith("-") and " " not in once


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from(["md", "html", "rst"]))
def test_any_content_file_reads_without_an_error(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write(
            Path(folder),
            {"hugo.toml": 'baseURL = "https://a.example/"\n', f"content/posts/x.{suffix}": text},
        )
        site = hugo.read(root, now=NOW)
        assert len(site.docs) <= 1
        for item in site.docs:
            assert item.slug and item.title and (item.body == "" or item.body.endswith("\n"))


def test_settings_and_front_matter_nested_too_deeply_are_noted(tmp_path: Path) -> None:
    deep = "[" * 900 + "]" * 900
    root = write(
        tmp_path,
        {
            "hugo.json": '{"baseURL": "https://a.example/", "params": {"x": ' + deep + "}}",
            "content/posts/a.md": '{"title": "A", "a": ' + deep + "}\nA\n",
        },
    )
    site = hugo.read(root, now=NOW)
    assert [(d.source, d.title) for d in site.docs] == [("content/posts/a.md", "A")]
    assert site.notes[:2] == [
        Note(
            "hugo.json",
            None,
            "could not read this configuration (nested too deeply); it was not used",
        ),
        Note(
            "content/posts/a.md",
            1,
            "front matter not read (it is nested too deeply); imported without it: fix it",
        ),
    ]


def test_very_long_names_give_slugs_short_enough_for_a_file(tmp_path: Path) -> None:
    title = "Überlegungen " * 30
    root = write(
        tmp_path,
        {
            "hugo.toml": 'baseURL = "https://a.example/"\n[permalinks]\nposts = "/:title/"\n',
            "content/posts/long.md": f"---\ntitle: {title}\ndate: 2024-01-02\n---\nL\n",
        },
    )
    post = hugo.read(root, now=NOW).docs[0]
    assert post.old_urls == ["/" + "-".join(["überlegungen"] * 30) + "/"]
    assert len((post.slug + "-99").encode("utf-8")) <= 255
    assert post.slug.startswith("überlegungen-überlegungen-") and not post.slug.endswith("-")
