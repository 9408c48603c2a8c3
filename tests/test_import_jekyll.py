"""Jekyll sites: what the reader finds in the fixture sites, and the site they import into.

``fixtures/import/jekyll/blog`` is a Jekyll 4 blog with a baseurl, a timezone, categories
in its URLs, jekyll-feed and redirect_from; ``pretty`` uses pretty permalinks, no url and
an RSS template of its own; ``empty`` has published nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from import_support import doc_from as doc
from import_support import feed_ids, import_and_build, served, write_files

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import jekyll
from thoughtgen.importers.model import Note, SourceSite
from thoughtgen.slugs import unsafe_slug_reason

FIXTURES = Path(__file__).parent / "fixtures" / "import" / "jekyll"
BLOG = FIXTURES / "blog"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def blog() -> SourceSite:
    return jekyll.read(BLOG)


def notes_for(site: SourceSite, path: str) -> list[tuple[int | None, str]]:
    return [(n.line, n.message) for n in site.notes if n.path == path]


def write(root: Path, rel: str, data: str | bytes) -> None:
    write_files(root, {rel: data})


def test_detects_jekyll_sites_only() -> None:
    assert jekyll.detect(BLOG)
    assert jekyll.detect(FIXTURES / "empty")
    assert not jekyll.detect(FIXTURES.parent / "eleventy" / "starter")
    assert not jekyll.detect(BLOG / "_config.yml")


def test_site_settings_come_from_config(blog: SourceSite) -> None:
    assert (blog.platform, blog.title, blog.description) == (
        "jekyll",
        "Lantern Notes",
        "Slow thoughts on making quiet software.",
    )
    assert blog.base_url == "https://Lantern.example.org/journal/"
    assert (blog.author, blog.language, blog.timezone) == ("Ada Marsh", "en-GB", "America/New_York")
    # The date style, less its categories; pages keep Jekyll's .html.
    assert blog.post_permalink == "/:year/:month/:day/:slug.html"
    assert blog.page_permalink == "/:slug.html"
    assert blog.feeds == {"/feed.xml": "atom"}  # jekyll-feed's


def test_a_full_post(blog: SourceSite) -> None:
    post = doc(blog, "_posts/2013-05-06-first-light.md")
    assert post.kind == "post"
    assert (post.slug, post.title) == ("first-light", "First light: a lamp for the desk")
    assert post.date == datetime(2013, 5, 6, tzinfo=NEW_YORK)
    assert not post.draft
    assert post.tags == ["notes", "workshop", "lamps", "Making"]  # categories, then tags
    assert post.summary == "A small lamp, and why it took a year."
    assert post.old_urls == [
        "/notes/workshop/2013/05/06/first-light.html",
        "/lamp/",
        "/2013/05/lamp.html",
    ]
    # jekyll-feed: <id>{{ post.id | absolute_url }}</id>, the URL's folder plus the slug.
    assert post.guid == "https://lantern.example.org/journal/notes/workshop/2013/05/06/first-light"
    assert post.extra == {}
    assert post.body == (
        "The lamp works. ![The lamp](/assets/img/lamp.png)\n"
        "\n"
        "It took a year, mostly waiting.<!--more--> Here is the wiring code:\n"
        "\n"
        "```ruby\n"
        "def glow(level)\n"
        '  "First light: a lamp for the desk at #{level}"\n'
        "end\n"
        "```\n"
        "\n"
        "Liquid itself, shown as it is: &#123;{ page.title }}.\n"
        "\n"
        "Next: [the kite](kite-day/index.md), and the\n"
        "[about page](../pages/about.md). Notes in [a PDF](/downloads/wiring.pdf).\n"
    )
    assert notes_for(blog, post.source) == []


def test_dates_and_titles_from_file_names(blog: SourceSite) -> None:
    short = doc(blog, "_posts/2021-9-1-short-date.md")
    assert (short.title, short.slug, short.tags) == ("Short Date", "short-date", ["quick"])
    assert short.date == datetime(2021, 9, 1, tzinfo=NEW_YORK)
    assert short.old_urls == ["/2021/09/01/short-date.html"]
    # A front-matter date wins, and the URL takes its day in the site's timezone.
    late = doc(blog, "_posts/2017-12-31-late-night.md")
    assert late.date == datetime.fromisoformat("2018-01-01T03:30:00+00:00")
    assert late.old_urls == ["/2017/12/31/late-night.html"]
    assert late.guid == "https://lantern.example.org/journal/2017/12/31/late-night"


def test_unicode_names_keep_their_old_url(blog: SourceSite) -> None:
    post = doc(blog, "_posts/2019-02-03-été-à-paris.markdown")
    assert (post.slug, post.title, post.tags) == ("ete-a-paris", "Été à Paris — notes", ["Voyages"])
    assert post.old_urls == ["/voyages/2019/02/03/été-à-paris.html"]
    assert post.guid == (
        "https://lantern.example.org/journal/voyages/2019/02/03/%C3%A9t%C3%A9-%C3%A0-paris"
    )


def test_html_post_is_converted_to_markdown(blog: SourceSite) -> None:
    post = doc(blog, "_posts/2018-07-04-plain-html.html")
    assert post.body == (
        "Written by hand in *HTML*, long ago.\n\n- One\n- Two\n\n![A chart](/images/chart.svg)\n"
    )
    assert post.tags == ["html"]


def test_more_marks_survive_in_html_posts(tmp_path: Path) -> None:
    write(tmp_path, "_config.yml", "title: T\n")
    write(tmp_path, "_posts/2020-01-01-a.html", "---\n---\n<p>One.</p><!--more--><p>Two.</p>\n")
    assert jekyll.read(tmp_path).docs[0].body == "One.\n\n<!--more-->\n\nTwo.\n"


def test_category_folders_and_permalinks(blog: SourceSite) -> None:
    post = doc(blog, "essays/_posts/2016-03-10-on-waiting.md")
    assert post.tags == ["essays", "patience"]
    assert post.old_urls == ["/essays/waiting/"]
    assert post.guid == "https://lantern.example.org/journal/essays/on-waiting"
    # A link to another post's old URL becomes a link to its Markdown source.
    assert post.body == "Waiting is a skill. See [the first lamp](first-light.md) too.\n"


def test_drafts_unpublished_and_undated_posts(blog: SourceSite) -> None:
    hidden = doc(blog, "_posts/2020-01-01-hidden.md")
    assert (hidden.draft, hidden.old_urls, hidden.guid) == (True, [], "")
    idea = doc(blog, "_drafts/an-idea.md")
    assert (idea.draft, idea.date, idea.old_urls, idea.tags) == (True, None, [], ["ideas"])
    undated = doc(blog, "_posts/notes-without-date.md")
    assert (undated.draft, undated.date, undated.old_urls) == (True, None, [])
    assert notes_for(blog, undated.source) == [
        (
            None,
            "Jekyll publishes a post only when its file name starts with its date "
            "(YYYY-MM-DD-); imported as a draft — give it a date and set draft: false",
        )
    ]


def test_duplicate_slugs_are_told_apart(blog: SourceSite) -> None:
    first = doc(blog, "_posts/2015-06-01-repeat.md")
    second = doc(blog, "_posts/2016-06-01-repeat.md")
    assert (first.slug, second.slug) == ("repeat", "repeat-2")
    assert second.old_urls == ["/2016/06/01/repeat.html"]
    assert notes_for(blog, second.source) == [
        (
            None,
            "slug 'repeat' is also _posts/2015-06-01-repeat.md's; imported as 'repeat-2' "
            "(its old URLs still lead to it)",
        )
    ]


def test_broken_front_matter_keeps_the_body(blog: SourceSite) -> None:
    post = doc(blog, "_posts/2014-01-01-broken.md")
    assert (post.title, post.slug, post.body) == (
        "Broken",
        "broken",
        "The body survives broken front matter.\n",
    )
    assert post.date == datetime(2014, 1, 1, tzinfo=NEW_YORK)
    [(line, message)] = notes_for(blog, post.source)
    assert line == 3
    assert message.startswith("front matter not read (invalid YAML:")
    assert message.endswith(
        "imported with the title, date and slug of its file name — fix it and import "
        "again, or fill them in by hand"
    )


def test_tags_that_cannot_be_converted_are_flagged_with_their_lines(blog: SourceSite) -> None:
    post = doc(blog, "_posts/2014-02-02-leftovers.md")
    assert "{% include callout.html" in post.body
    assert "The day: February 2." in post.body  # the date filter is converted
    assert [line for line, _ in notes_for(blog, post.source)] == [6, 8, 10, 14]


def test_files_beside_a_post_make_a_bundle(blog: SourceSite) -> None:
    post = doc(blog, "_posts/2020-03-14-kite-day/2020-03-14-kite-day.md")
    assert [f.target for f in post.files] == ["kite.jpg"]
    assert post.body == "The kite, beside this post: ![kite](kite.jpg)\n"
    assert post.old_urls == ["/2020/03/14/kite-day.html"]


def test_pages(blog: SourceSite) -> None:
    about = doc(blog, "about.md")
    assert (about.kind, about.slug, about.title, about.old_urls) == (
        "page",
        "about",
        "About",
        ["/about.html"],
    )
    assert about.body == "I write about slow thoughts on making quiet software.\n"
    contact = doc(blog, "contact/index.md")
    # No title: the first heading is the title, as GitHub Pages' titles-from-headings did.
    assert (contact.slug, contact.title, contact.old_urls) == (
        "say-hello",
        "Say hello",
        ["/say-hello/"],
    )
    assert contact.body == "Write to ada@example.org.\n"
    assert {d.source for d in blog.docs if d.kind == "page"} == {"about.md", "contact/index.md"}


def test_pages_thoughtgen_makes_itself_are_skipped_with_a_note(blog: SourceSite) -> None:
    assert notes_for(blog, "index.html") == [
        (None, "the home page is not imported: thoughtgen makes its own")
    ]
    assert notes_for(blog, "404.html") == [
        (None, "the 'not found' page is not imported: thoughtgen makes its own")
    ]
    assert notes_for(blog, "archive.html") == [
        (None, "a list of posts, which thoughtgen makes itself; not imported")
    ]


def test_assets_and_referenced_files_are_copied_to_static(blog: SourceSite) -> None:
    assert sorted(f.target for f in blog.files) == [
        "content/static/assets/img/lamp.png",
        "content/static/downloads/wiring.pdf",
        "content/static/images/chart.svg",
    ]  # not assets/css/style.scss, which Jekyll compiled


def test_every_note_of_the_blog(blog: SourceSite) -> None:
    assert len(blog.notes) == 10
    assert all(isinstance(n, Note) and n.path and n.message for n in blog.notes)


def test_pretty_permalinks_and_a_feed_of_its_own() -> None:
    site = jekyll.read(FIXTURES / "pretty")
    assert (site.title, site.base_url) == ("Field Book", "")
    assert (site.post_permalink, site.page_permalink) == ("/:year/:month/:day/:slug/", "/:slug/")
    hello = doc(site, "_posts/2012-11-30-hello-world.md")
    assert hello.old_urls == ["/2012/11/30/hello-world/"]
    # feed.xml's guid is {{ post.url | prepend: site.baseurl | prepend: site.url }}, and the
    # site has no url: the id was site-relative.
    assert hello.guid == "/2012/11/30/hello-world/"
    assert site.feeds == {"/feed.xml": "rss"}
    assert hello.body == "Next up: [the second post](custom-name.md).\n"
    second = doc(site, "_posts/2012-12-01-second.md")
    assert (second.slug, second.old_urls) == ("custom-name", ["/2012/12/01/Custom-Name/"])
    assert doc(site, "about.md").old_urls == ["/about/"]
    assert doc(site, "docs/guide.md").old_urls == ["/docs/guide/"]
    assert notes_for(site, "_config.yml") == [
        (
            None,
            "has no url, so the old site's address is unknown: set base_url in "
            "thoughtgen.yaml (feed ids stay site-relative, as Jekyll's feed wrote them)",
        )
    ]


def test_an_empty_site() -> None:
    site = jekyll.read(FIXTURES / "empty")
    assert (site.title, site.docs, site.files) == ("Nothing Yet", [], [])
    assert notes_for(site, "_posts/") == [
        (None, "no posts or pages found (looked in _posts/, _drafts/ and pages)")
    ]


def test_not_a_folder_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(ThoughtgenError) as caught:
        jekyll.read(BLOG / "_config.yml")
    assert "a Jekyll site is a folder with _config.yml" in str(caught.value)


# --- Hostile and odd input -------------------------------------------------------------


def test_broken_config_and_bad_settings_are_notes(tmp_path: Path) -> None:
    write(tmp_path, "_config.yml", "title: [unclosed\n")
    write(tmp_path, "_posts/2020-01-01-a.md", "---\ntitle: A\n---\nText.\n")
    site = jekyll.read(tmp_path)
    assert [d.slug for d in site.docs] == ["a"]
    config_notes = notes_for(site, "_config.yml")
    assert config_notes[0][0] == 2  # where the YAML ran out
    assert config_notes[0][1].endswith("; the site settings were not read")
    write(tmp_path, "_config.yml", "url: ftp://x\ntimezone: Mars/Olympus\n")
    site = jekyll.read(tmp_path)
    found = notes_for(site, "_config.yml")
    assert (1, "url 'ftp://x' is not an http(s) address; ignored") in found
    assert (2, "unknown timezone 'Mars/Olympus'; used UTC") in found
    assert site.timezone == ""


def test_text_that_is_not_utf8_is_read_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, "_config.yml", "title: T\n")
    write(tmp_path, "_posts/2020-01-01-latin.md", b"---\ntitle: Caf\xe9\n---\nNa\xefve.\n")
    site = jekyll.read(tmp_path)
    post = site.docs[0]
    assert post.title == "Caf\ufffd"
    assert notes_for(site, "_posts/2020-01-01-latin.md") == [
        (
            2,
            "is not UTF-8; bytes that are not were replaced with U+FFFD — check the text "
            "from here on and save the file as UTF-8",
        )
    ]


def test_links_out_of_the_site_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.png", b"secret")
    root = tmp_path / "site"
    write(root, "_config.yml", "title: T\n")
    write(
        root,
        "_posts/2020-01-01-a.md",
        "---\ntitle: A\n---\n![x](../../outside/secret.png) {% link ../outside/secret.png %}\n"
        "[y](/../outside/other.png)\n",
    )
    (root / "assets").mkdir()
    (root / "assets" / "link.png").symlink_to(outside / "secret.png")
    site = jekyll.read(root)
    assert site.files == []
    assert site.docs[0].files == []
    assert notes_for(site, "_posts/2020-01-01-a.md") == [
        (
            4,
            "{% link ../outside/secret.png %}: no file '../outside/secret.png' in this "
            "export; replace it with a link",
        ),
        (
            4,
            "links to /2020/outside/secret.png, which is not in this export; the link is "
            "kept — copy the file into content/static/ if you have it",
        ),
        (
            5,
            "links to /../outside/other.png, which is not in this export; the link is "
            "kept — copy the file into content/static/ if you have it",
        ),
    ]


def test_redirect_from_on_another_host_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, "_config.yml", "url: https://ex.com\n")
    write(
        tmp_path,
        "_posts/2020-01-01-a.md",
        "---\nredirect_from: [https://other.org/x/, https://ex.com/y/, z.html]\n---\nA\n",
    )
    assert jekyll.read(tmp_path).docs[0].old_urls == ["/2020/01/01/a.html", "/y/", "/z.html"]


def test_other_front_matter_is_kept_unless_thoughtgen_reads_it_otherwise(tmp_path: Path) -> None:
    write(tmp_path, "_config.yml", "title: T\n")
    write(
        tmp_path,
        "_posts/2020-01-01-a.md",
        "---\nlayout: post\nauthor: {name: Ada, email: a@x}\nstatus: sketch\n"
        "modified: 2020-02-02\ncomments: true\nseries: Lamps\n---\nA\n",
    )
    assert jekyll.read(tmp_path).docs[0].extra == {
        "author": "Ada",
        "comments": True,
        "series": "Lamps",
    }


@pytest.mark.parametrize(
    ("style", "url", "pattern"),
    [
        ("date", "/travel/2020/03/04/a-b.html", "/:year/:month/:day/:slug.html"),
        ("pretty", "/travel/2020/03/04/a-b/", "/:year/:month/:day/:slug/"),
        ("ordinal", "/travel/2020/064/a-b.html", ""),
        ("weekdate", "/travel/2020/W10/WED/a-b.html", ""),
        ("none", "/travel/a-b.html", "/:slug.html"),
        ("/:year/:title/", "/2020/a-b/", "/:year/:slug/"),
        ("/:categories/:short_year-:i_month-:i_day/:slug", "/travel/20-3-4/a-b", ""),
    ],
)
def test_permalink_styles(tmp_path: Path, style: str, url: str, pattern: str) -> None:
    write(tmp_path, "_config.yml", f"permalink: {style}\nauthor: Ada\n")
    write(tmp_path, "_posts/2020-03-04-a-b.md", "---\ncategory: Travel\n---\nA\n")
    site = jekyll.read(tmp_path)
    assert (site.docs[0].old_urls, site.post_permalink, site.author) == ([url], pattern, "Ada")


def test_front_matter_defaults_and_custom_permalinks(tmp_path: Path) -> None:
    write(
        tmp_path,
        "_config.yml",
        "url: https://ex.com\npermalink: /blog/:year/:i_month/:title/\n"
        "defaults:\n  - scope: {path: _posts/old, type: posts}\n"
        "    values: {permalink: '/archive/:slug:output_ext'}\n",
    )
    write(tmp_path, "_posts/2020-03-04-New-Thing.md", "---\ntitle: N\n---\nN\n")
    write(tmp_path, "_posts/old/2009-01-02-old.md", "---\ntitle: O\n---\nO\n")
    site = jekyll.read(tmp_path)
    assert site.post_permalink == ""  # :i_month has no thoughtgen token: redirects keep URLs
    new, old = site.docs
    assert new.old_urls == ["/blog/2020/3/New-Thing/"]
    assert new.guid == "https://ex.com/blog/2020/3/New-Thing"
    assert old.old_urls == ["/archive/old.html"]


# --- Imported and built ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("jekyll")
    report, site_dir, public = import_and_build(BLOG, tmp, platform="jekyll")
    assert report.summary == (
        "Imported 11 posts, 2 pages, 3 drafts, 3 images, 1 other file; 10 need a look"
    )
    return site_dir, public


def test_every_old_url_is_served_after_the_build(
    blog: SourceSite, built: tuple[Path, Path]
) -> None:
    _site_dir, public = built
    base = "https://Lantern.example.org/journal/"
    for post in blog.docs:
        for url in post.old_urls:
            assert served(public, url, base) is not None, url
    assert served(public, "/2013/05/06/first-light.html", base) == (
        public / "2013/05/06/first-light.html"
    )
    assert served(public, "/lamp/", base) == public / "2013/05/06/first-light.html"
    assert (public / "assets/img/lamp.png").is_file()
    assert (public / "2020/03/14/kite-day/kite.jpg").is_file()


def test_feed_ids_are_the_old_ones(blog: SourceSite, built: tuple[Path, Path]) -> None:
    _site_dir, public = built
    assert feed_ids(public) == {post.guid for post in blog.docs if post.guid}


def test_written_front_matter(built: tuple[Path, Path]) -> None:
    site_dir, _public = built
    text = (site_dir / "content/posts/first-light.md").read_text(encoding="utf-8")
    head = yaml.safe_load(text.split("---\n")[1])
    assert head == {
        "title": "First light: a lamp for the desk",
        "slug": "first-light",
        "date": datetime(2013, 5, 6, tzinfo=NEW_YORK),
        "tags": ["notes", "workshop", "lamps", "Making"],
        "summary": "A small lamp, and why it took a year.",
        "aliases": ["/notes/workshop/2013/05/06/first-light.html", "/lamp/", "/2013/05/lamp.html"],
        "guid": "https://lantern.example.org/journal/notes/workshop/2013/05/06/first-light",
    }
    config = yaml.safe_load((site_dir / "thoughtgen.yaml").read_text(encoding="utf-8"))
    assert config["permalinks"] == {
        "posts": "/:year/:month/:day/:slug.html",
        "pages": "/:slug.html",
    }
    assert config["timezone"] == "America/New_York"


def test_a_second_import_writes_nothing_new(tmp_path: Path) -> None:
    site = tmp_path / "site"
    copy = tmp_path / "blog"
    shutil.copytree(BLOG, copy)
    first, _site_dir, _public = import_and_build(copy, tmp_path, platform="jekyll", site=site)
    second, _site_dir, _public = import_and_build(copy, tmp_path, platform="jekyll", site=site)
    assert first.written and not second.written and not second.conflicts


# --- Any text in a post reads without an error -------------------------------------------

_PIECES = st.sampled_from(
    [
        "---\n", "title: ", "date: ", "2020-13-45", "permalink: ", "/:year/:nope/", "[", "]",
        "{% highlight %}", "{% endhighlight %}", "{% raw %}", "{{ site.url }}", "{% post_url ",
        "%}", "![x](", "../", "/assets/", ")", "\n", "categories: ", "tags: {a: b}", "\x00",
        "redirect_from: ", "published: false\n", "<!--cut-->", "excerpt_separator: ", "é",
    ]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40))
def test_any_post_text_reads_without_error(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, "_config.yml", "url: https://ex.com\nexcerpt_separator: <!--cut-->\n")
        write(root, "_posts/2020-01-01-fuzz.md", "".join(pieces).encode("utf-8", "surrogatepass"))
        write(root, "fuzz-page.md", "---\n" + "".join(pieces))
        site = jekyll.read(root)
        assert {d.source for d in site.docs} <= {"_posts/2020-01-01-fuzz.md", "fuzz-page.md"}
        for item in site.docs:
            assert item.slug and not unsafe_slug_reason(item.slug)
            assert all(url.startswith("/") for url in item.old_urls)
