"""Eleventy sites: what the reader finds in the fixture sites, and the site they import into.

``fixtures/import/eleventy/starter`` is shaped like today's starter blog (ESM config with
``content/`` as input, JavaScript data, the RSS plugin's feed); ``classic`` like an older
one (CommonJS config, ``src/``, JSON data, a directory data file with a permalink);
``empty`` has a config and nothing else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from import_support import doc_from as doc
from import_support import feed_ids, import_and_build, served, write_files

from thoughtgen.errors import ThoughtgenError
from thoughtgen.importers import eleventy
from thoughtgen.importers.model import SourceSite
from thoughtgen.slugs import unsafe_slug_reason

FIXTURES = Path(__file__).parent / "fixtures" / "import" / "eleventy"
# The undated posts get their file's modification time; pin it so results are exact.
FILE_TIME = datetime(2023, 10, 10, 12, 0, tzinfo=UTC)
UNDATED = ("content/blog/third.md", "content/blog/fifth.md", "src/posts/broken.md")


def copied(name: str, tmp: Path) -> Path:
    root = tmp / name
    shutil.copytree(FIXTURES / name, root)
    for rel in UNDATED:
        if (root / rel).is_file():
            os.utime(root / rel, (FILE_TIME.timestamp(), FILE_TIME.timestamp()))
    return root


@pytest.fixture(scope="module")
def starter_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copied("starter", tmp_path_factory.mktemp("eleventy"))


@pytest.fixture(scope="module")
def classic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copied("classic", tmp_path_factory.mktemp("eleventy"))


@pytest.fixture(scope="module")
def starter(starter_root: Path) -> SourceSite:
    return eleventy.read(starter_root)


@pytest.fixture(scope="module")
def classic(classic_root: Path) -> SourceSite:
    return eleventy.read(classic_root)


def notes_for(site: SourceSite, path: str) -> list[tuple[int | None, str]]:
    return [(n.line, n.message) for n in site.notes if n.path == path]


def test_detects_eleventy_sites_only() -> None:
    assert eleventy.detect(FIXTURES / "starter")
    assert eleventy.detect(FIXTURES / "classic")
    assert eleventy.detect(FIXTURES / "empty")
    assert not eleventy.detect(FIXTURES.parent / "jekyll" / "blog")
    assert not eleventy.detect(FIXTURES / "starter" / "package.json")


def test_site_settings_from_javascript_data_read_as_text(starter: SourceSite) -> None:
    assert (starter.platform, starter.title, starter.base_url) == (
        "eleventy",
        "Quill and Lamp",
        "https://quill.example.net/",
    )
    assert (starter.description, starter.language, starter.author) == (
        "Notes from a small press.",
        "en",
        "Noor Vale",
    )
    assert (starter.post_permalink, starter.page_permalink) == ("/blog/:slug/", "/:slug/")
    assert starter.feeds == {"/feed/feed.xml": "atom"}  # the feed plugin's outputPath
    assert notes_for(starter, "_data/metadata.js") == [
        (
            None,
            "a JavaScript data file, read as text and not run: took author.email, "
            "author.name, description, language, title, url as written; anything it "
            "computes is not imported",
        )
    ]


def test_a_post_dated_by_its_file_name(starter: SourceSite) -> None:
    post = doc(starter, "content/blog/2023-04-05-first-post.md")
    assert (post.kind, post.slug, post.title) == ("post", "first-post", "The first proof")
    assert post.date == datetime(2023, 4, 5, tzinfo=UTC)
    assert post.tags == ["printing"]  # "posts" (from the folder's data file) is a collection
    assert post.summary == "Setting type by hand, once."
    # Eleventy's default URL keeps the date; its feed id is that URL made absolute.
    assert post.old_urls == ["/blog/2023-04-05-first-post/"]
    assert post.guid == "https://quill.example.net/blog/2023-04-05-first-post/"
    assert post.body == (
        "We pulled the first proof today in Quill and Lamp.\n"
        "\n"
        "```js\n"
        'const ink = "black";\n'
        "```\n"
        "\n"
        "Next time: more ink.\n"
    )


def test_a_post_in_a_folder_with_its_image(starter: SourceSite) -> None:
    post = doc(starter, "content/blog/second-post/index.md")
    assert (post.slug, post.tags, post.old_urls) == (
        "second-post",
        ["animals", "printing"],
        ["/blog/second-post/"],
    )
    assert post.date == datetime(2023, 5, 1, tzinfo=UTC)
    assert [f.target for f in post.files] == ["possum.png"]
    assert post.body == (
        "![A possum asleep on the paper stack](./possum.png)\n"
        "\n"
        "It found [the first proof](../first-post.md) comfortable.\n"
    )


def test_javascript_front_matter_is_flagged(starter: SourceSite) -> None:
    post = doc(starter, "content/blog/third.md")
    assert (post.title, post.date, post.old_urls) == ("Third", FILE_TIME, ["/blog/third/"])
    assert notes_for(starter, "content/blog/third.md") == [
        (
            1,
            "JavaScript front matter (---js) cannot be read without running it; imported "
            "without it (title and date from the file) — write its values as YAML",
        ),
        (
            None,
            "no date in the front matter or the file name: Eleventy used the file's time, "
            "which an export does not keep; used the file's modification time — check it "
            "and set date:",
        ),
    ]


def test_file_time_dates_and_template_tags_are_flagged(starter: SourceSite) -> None:
    post = doc(starter, "content/blog/fifth.md")
    assert post.date == FILE_TIME
    assert post.body == (
        '{% set colour = "red" %}\n'
        "This page belongs to Quill and Lamp.\n"
        "\n"
        '{% include "partials/signup.njk" %}\n'
    )
    assert notes_for(starter, "content/blog/fifth.md") == [
        (
            3,
            "date: Last Modified is the file's own time, which an export does not keep; "
            "used the file's modification time — check it and set date:",
        ),
        (
            6,
            '{% set colour = "red" %} is Nunjucks logic, which thoughtgen does not run; '
            "keep the text you want and remove the tags",
        ),
        (
            9,
            '{% include "partials/signup.njk" %} pulls in a Nunjucks include, which '
            "thoughtgen does not have; paste the HTML it produced here, or remove it",
        ),
    ]


def test_drafts_unwritten_and_excluded_templates(starter: SourceSite) -> None:
    draft = doc(starter, "content/blog/fourth.md")
    assert (draft.kind, draft.draft, draft.old_urls, draft.guid) == ("post", True, [], "")
    unwritten = doc(starter, "content/blog/off.md")  # permalink: false
    assert (unwritten.draft, unwritten.old_urls, unwritten.guid) == (True, [], "")
    # Out of the collections: still published at its URL, but in no list and no feed.
    unlisted = doc(starter, "content/blog/unlisted.md")
    assert (unlisted.kind, unlisted.old_urls, unlisted.guid) == ("page", ["/blog/unlisted/"], "")


def test_pages_and_what_is_not_imported(starter: SourceSite) -> None:
    about = doc(starter, "content/about/index.md")
    assert (about.kind, about.slug, about.title, about.old_urls) == (
        "page",
        "about",
        "About the press",
        ["/about/"],
    )
    assert about.body == "![Our banner](/img/banner.png)\n\nA two-person press in a shed.\n"
    assert [f.target for f in starter.files] == ["content/static/img/banner.png"]
    assert notes_for(starter, "content/index.njk") == [
        (
            None,
            "a template in another language, not imported: if it is a page you want, copy "
            "its text into a Markdown page",
        )
    ]
    assert notes_for(starter, "content/404.md") == [
        (None, "the 'not found' page is not imported: thoughtgen makes its own")
    ]
    assert len(starter.docs) == 8


def test_json_data_and_directory_permalinks(classic: SourceSite) -> None:
    assert (classic.title, classic.base_url, classic.language, classic.author) == (
        "Slow Roast",
        "https://classic.example.com/",
        "fr",
        "Inès Moreau",
    )
    assert classic.post_permalink == "/articles/:slug/"
    assert classic.feeds == {"/feed/rss.xml": "rss"}  # a feed template of its own
    assert notes_for(classic, "src/feed/feed.njk") == []
    post = doc(classic, "src/posts/2019-10-02-café-notes.md")
    assert (post.slug, post.title, post.tags) == ("cafe-notes", "Café notes", ["Coffee"])
    assert post.old_urls == ["/articles/café-notes/"]
    assert post.guid == "https://classic.example.com/articles/caf%C3%A9-notes/"
    assert post.body == (
        "Written for Slow Roast.\n"
        "\n"
        "![cup](/images/cup.jpg)\n"
        "\n"
        "Template text shown as it is: &#123;{ not_a_var }}\n"
        "\n"
        '{% youtube "dQw4w9WgXcQ" %}\n'
    )
    assert notes_for(classic, post.source) == [
        (
            11,
            '{% youtube "dQw4w9WgXcQ" %} is a Liquid tag thoughtgen does not know (a plugin '
            "or shortcode); replace it with Markdown or HTML that shows the same thing",
        )
    ]
    assert [f.target for f in classic.files] == ["content/static/images/cup.jpg"]


def test_permalinks_made_from_the_title(classic: SourceSite) -> None:
    post = doc(classic, "src/posts/titled.md")
    assert post.date == datetime(2020, 2, 2, 8, 30, tzinfo=UTC)  # no offset: UTC, as Eleventy
    assert (post.slug, post.old_urls) == (
        "my-great-roast-and-grind",
        ["/articles/my-great-roast-and-grind/"],
    )


def test_broken_front_matter_duplicates_and_ignored_files(classic: SourceSite) -> None:
    broken = doc(classic, "src/posts/broken.md")
    assert (broken.title, broken.body, broken.old_urls) == (
        "Broken",
        "Broken front matter, body kept.\n",
        ["/articles/broken/"],
    )
    assert notes_for(classic, "src/posts/broken.md")[0][0] == 3
    assert [doc(classic, f"src/{x}/same.md").slug for x in "ab"] == ["same", "same-2"]
    assert doc(classic, "src/b/same.md").old_urls == ["/b/same/"]
    sources = {d.source for d in classic.docs}
    assert "src/drafts/ignored.md" not in sources  # .eleventyignore
    assert "README.md" not in sources  # outside the input folder


def test_an_empty_site() -> None:
    site = eleventy.read(FIXTURES / "empty")
    assert (site.docs, site.files, site.title) == ([], [], "")
    assert notes_for(site, ".") == [(None, "no Markdown or HTML templates found")]


def test_not_a_folder_is_a_clean_error() -> None:
    with pytest.raises(ThoughtgenError) as caught:
        eleventy.read(FIXTURES / "empty" / "eleventy.config.js")
    assert "an Eleventy site is a folder" in str(caught.value)


# --- Odd and hostile input -------------------------------------------------------------


def write(root: Path, rel: str, data: str | bytes) -> None:
    write_files(root, {rel: data})


def test_input_folder_from_package_scripts_and_markdown_without_templates(tmp_path: Path) -> None:
    write(tmp_path, "package.json", '{"scripts": {"build": "eleventy --input=site"}, '
          '"devDependencies": {"@11ty/eleventy": "^2"}}')  # fmt: skip
    write(tmp_path, ".eleventy.js", "module.exports = () => ({ markdownTemplateEngine: false });")
    write(tmp_path, "site/_data/site.json", '{"title": "T", "url": "https://t.example/"}')
    write(tmp_path, "site/notes/2022-02-02-plain.md", "---\ntags: post\n---\nShow {{ braces }}.\n")
    site = eleventy.read(tmp_path)
    [post] = site.docs
    assert (post.source, post.old_urls) == (
        "site/notes/2022-02-02-plain.md",
        ["/notes/2022-02-02-plain/"],
    )
    assert post.body == "Show {{ braces }}.\n"  # Markdown was not run through Liquid
    assert site.notes == []


def test_broken_data_and_computed_permalinks_are_notes(tmp_path: Path) -> None:
    write(tmp_path, "eleventy.config.js", "export default function () {}\n")
    write(tmp_path, "_data/metadata.json", '{"title": "T",\n  "url": }')
    write(tmp_path, "posts/posts.11tydata.json", "[1, 2")
    write(
        tmp_path,
        "posts/a.md",
        "---\ntitle: A\ndate: 2020-01-01\npermalink: '/{{ page.date | readableDate }}/'\n---\nA\n",
    )
    site = eleventy.read(tmp_path)
    [post] = site.docs
    assert post.old_urls == [] and post.guid == ""
    found = {n.path: n for n in site.notes}
    assert found["_data/metadata.json"].line == 2
    assert found["posts/posts.11tydata.json"].message.startswith("invalid JSON")
    assert found["posts/a.md"].line == 4
    assert found["posts/a.md"].message == (
        "permalink '/{{ page.date | readableDate }}/' uses values thoughtgen cannot work out; "
        "the old URL is unknown — add it to the post's aliases by hand"
    )


def test_template_data_files_beside_a_page(tmp_path: Path) -> None:
    write(tmp_path, "eleventy.config.js", "")
    write(tmp_path, "about.json", '{"permalink": "/who/", "title": "Who"}')
    write(tmp_path, "about.md", "Text.\n")
    [page] = eleventy.read(tmp_path).docs
    assert (page.kind, page.title, page.slug, page.old_urls) == ("page", "Who", "who", ["/who/"])


def test_deeply_nested_json_is_a_note(tmp_path: Path) -> None:
    write(tmp_path, "eleventy.config.js", "")
    write(tmp_path, "_data/site.json", "[" * 100_000)
    write(tmp_path, "posts/posts.json", '{"a":' * 50_000 + "1" + "}" * 50_000)
    write(tmp_path, "posts/a.md", "---\ndate: 2020-01-01\n---\nA\n")
    site = eleventy.read(tmp_path)
    assert [d.old_urls for d in site.docs] == [["/posts/a/"]]
    assert {n.path for n in site.notes} >= {"_data/site.json", "posts/posts.json"}


def test_files_outside_the_export_are_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.png", b"secret")
    root = tmp_path / "site"
    write(root, "eleventy.config.js", 'export const config = { dir: { input: "../outside" } };\n')
    write(root, "posts/a.md", "---\ndate: 2020-01-01\n---\n![x](../../outside/secret.png)\n")
    site = eleventy.read(root)
    assert [d.source for d in site.docs] == ["posts/a.md"]
    assert site.files == [] and site.docs[0].files == []
    assert notes_for(site, "eleventy.config.js") == [
        (None, "the input folder '../outside' is not in the export; read the whole folder")
    ]


# --- Imported and built ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "base"),
    [("starter", "https://quill.example.net/"), ("classic", "https://classic.example.com/")],
)
def test_old_urls_are_served_and_feed_ids_kept(name: str, base: str, tmp_path: Path) -> None:
    root = copied(name, tmp_path)
    found = eleventy.read(root)
    _report, _site_dir, public = import_and_build(root, tmp_path, platform="eleventy")
    for item in found.docs:
        for url in item.old_urls:
            assert served(public, url, base) is not None, url
    assert feed_ids(public) == {item.guid for item in found.docs if item.guid}
    for old_feed in found.feeds:  # subscribers' old feed address still gives the feed
        assert feed_ids(public, old_feed.lstrip("/")) == feed_ids(public), old_feed


def test_written_bundle_and_config(starter_root: Path, tmp_path: Path) -> None:
    report, site_dir, public = import_and_build(starter_root, tmp_path, platform="eleventy")
    assert report.summary == "Imported 4 posts, 2 pages, 2 drafts, 2 images; 9 need a look"
    text = (site_dir / "content/posts/second-post/index.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1]) == {
        "title": "A possum in the press room",
        "slug": "second-post",
        "date": datetime(2023, 5, 1, tzinfo=UTC),
        "tags": ["animals", "printing"],
        "guid": "https://quill.example.net/blog/second-post/",
    }
    assert (site_dir / "content/posts/second-post/possum.png").is_file()
    assert served(public, "/blog/2023-04-05-first-post/", "https://quill.example.net/") == (
        public / "blog/first-post/index.html"
    )
    config = yaml.safe_load((site_dir / "thoughtgen.yaml").read_text(encoding="utf-8"))
    assert config["permalinks"] == {"posts": "/blog/:slug/", "pages": "/:slug/"}


# --- Any text in a template reads without an error ---------------------------------------

_PIECES = st.sampled_from(
    [
        "---\n", "---js\n", "title: ", "date: ", "Last Modified", "permalink: ", "false",
        "'/{{ title | slugify }}/'", "{{ page.fileSlug }}", "tags: ", "[posts, x]", "{# ",
        "#}", "{% image \"./a.png\", \"a\" %}", "{%- set a = 1 -%}", "![x](", "../", ")",
        "\n", "eleventyExcludeFromCollections: true\n", "draft: true\n", "\x00", "é",
    ]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40))
def test_any_template_text_reads_without_error(pieces: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(
            root, "eleventy.config.js", 'export const config = { markdownTemplateEngine: "njk" };'
        )
        write(root, "_data/metadata.json", '{"url": "https://ex.com/"}')
        text = "".join(pieces).encode("utf-8", "surrogatepass")
        write(root, "blog/2020-01-01-fuzz.md", text)
        write(root, "blog/blog.11tydata.json", text)
        site = eleventy.read(root)
        for item in site.docs:
            assert item.slug and not unsafe_slug_reason(item.slug)
            assert all(url.startswith("/") for url in item.old_urls)
