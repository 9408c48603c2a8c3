"""Keeping old addresses and ids: permalinks, aliases, guids, filename dates, bundles, links."""

from __future__ import annotations

import feedparser
import html5lib
import pytest
from conftest import SiteMaker, assert_same_as_clean, post
from hypothesis import given
from hypothesis import strategies as st
from import_support import served
from validator import run_vnu

from thoughtgen.addresses import _alias
from thoughtgen.parse import alias_problem


def test_filename_dates_give_date_and_slug(site: SiteMaker) -> None:
    site.write("content/posts/2013-05-06-first-steps.md", "---\ntitle: First steps\n---\nHi.\n")
    site.write("content/posts/2021-9-1-short.md", "---\ntitle: Short\n---\nHi.\n")
    site.write(
        "content/posts/2020-01-02-named.md",
        "---\ntitle: Named\ndate: 2020-02-03 10:00\nslug: own\n---\nHi.\n",
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    feed = feedparser.parse(site.out.joinpath("atom.xml").read_bytes())
    published = {e.link: e.published[:10] for e in feed.entries}
    assert published == {
        "https://example.com/posts/first-steps/": "2013-05-06",
        "https://example.com/posts/short/": "2021-09-01",
        "https://example.com/posts/own/": "2020-02-03",  # front matter wins over the name
    }


def test_a_filename_date_that_does_not_exist_is_named(site: SiteMaker) -> None:
    site.write("content/posts/2021-13-40-nope.md", "---\ntitle: Nope\n---\nHi.\n")
    result = site.build()
    assert result.exit_code == 1
    assert "content/posts/2021-13-40-nope.md:1: the date in the name" in result.output
    assert "add a 'date:'" in result.output


def test_permalink_patterns_place_posts_and_pages(site: SiteMaker) -> None:
    site.config("permalinks:\n  posts: /:year/:month/:day/:slug.html\n  pages: /:slug.html\n")
    site.write("content/posts/a.md", post("A", date="2013-05-06 23:30"))
    site.write("content/pages/about.md", "---\ntitle: About\n---\nMe.\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert (site.out / "2013/05/06/a.html").is_file()  # the date in Europe/Berlin
    assert (site.out / "about.html").is_file()
    sitemap = site.page("sitemap.xml")
    assert "https://example.com/2013/05/06/a.html" in sitemap
    assert "https://example.com/about.html" in sitemap
    assert 'href="/2013/05/06/a.html"' in site.page("index.html")


def test_two_posts_on_one_permalink_are_an_error(site: SiteMaker) -> None:
    site.config("permalinks:\n  posts: /:year/:slug/\n")
    site.write("content/posts/one/x.md", post("X", date="2020-01-01"))
    site.write("content/posts/two/x.md", post("X", date="2020-06-01"))
    result = site.build()
    assert result.exit_code == 1
    assert "/2020/x/ is also the URL of content/posts/two/x.md" in result.output


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("posts/:slug/", "must start with '/'"),
        ("/:year/:slug", "must end with '/' or '.html'"),
        ("/:year/:month/", "must contain :slug"),
        ("/:yr/:slug/", "unknown token ':yr'"),
        ("/a b/:slug/", "may hold only letters"),
        ("/../:slug/", "may hold only letters"),
    ],
)
def test_bad_permalink_patterns_are_explained(site: SiteMaker, pattern: str, message: str) -> None:
    site.config(f'permalinks:\n  posts: "{pattern}"\n')
    result = site.build()
    assert result.exit_code == 1
    assert "thoughtgen.yaml:8: 'permalinks.posts'" in result.output
    assert message in result.output


def test_aliases_redirect_everywhere(site: SiteMaker) -> None:
    site.config(base="title: T\nbase_url: https://example.com/blog/\n")
    site.write(
        "content/posts/new-name.md",
        post(
            "New <name>",
            aliases="[/2013/05/06/old-name.html, /old/, /old-dir, "
            "https://example.com/blog/full/, /post.php]",
        ),
    )
    site.write("content/static/_redirects", "/home / 302")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "alias /blog/post.php is redirected only by hosts that read _redirects" in result.output
    for old in ("2013/05/06/old-name.html", "old/", "old-dir", "full/"):
        landed = served(site.out, old, "https://example.com/blog/")
        assert landed == site.out / "posts/new-name/index.html", old
    page = site.page("old/index.html")
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    assert tree.find(".//meta[@name='robots']").get("content") == "noindex"
    assert tree.find(".//link[@rel='canonical']").get("href") == (
        "https://example.com/blog/posts/new-name/"
    )
    assert tree.find(".//a").text == "New <name>"
    assert "<script" not in page
    assert site.page("_redirects").splitlines() == [
        "/home / 302",
        "/blog/2013/05/06/old-name.html /blog/posts/new-name/ 301!",
        "/blog/old/ /blog/posts/new-name/ 301!",
        "/blog/old-dir /blog/posts/new-name/ 301!",
        "/blog/full/ /blog/posts/new-name/ 301!",
        "/blog/post.php /blog/posts/new-name/ 301!",
    ]
    assert "old" not in site.page("sitemap.xml")


@pytest.mark.validator
def test_redirect_pages_are_valid_html(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A & B", aliases="[/old/, /x.html]"))
    assert site.build().exit_code == 0
    assert run_vnu([site.out / "old/index.html", site.out / "x.html"]) == []


def test_an_alias_taken_twice_or_taking_a_page_is_an_error(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", aliases="[/old/]"))
    site.write("content/posts/b.md", post("B", aliases="\n  - /old/\n  - /posts/a/"))
    result = site.build()
    assert result.exit_code == 1
    taken = "content/posts/b.md:4: alias /old/ is already an alias of content/posts/a.md"
    assert taken in result.output
    assert "content/posts/b.md:4: alias /posts/a/ is already the URL of content/posts/a.md" in (
        result.output
    )


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("https://elsewhere.org/old/", "is not on this site (https://example.com/)"),
        ("/?p=12", "has a query or fragment"),
        ("/a/../b/", "must not contain '.' or '..' segments"),
        ("/", "is the site's home page"),
        ("ftp://example.com/x", "must be a path such as"),
    ],
)
def test_bad_aliases_are_explained(site: SiteMaker, alias: str, message: str) -> None:
    site.write("content/posts/a.md", post("A", aliases=f'["{alias}"]'))
    result = site.build()
    assert result.exit_code == 1
    assert "content/posts/a.md:4: alias" in result.output
    assert message in result.output


@given(st.text(max_size=40))
def test_an_accepted_alias_never_leaves_the_output(text: str) -> None:
    if alias_problem(text) is not None or "://" in text:
        return
    alias = _alias(text.lstrip("/"), "/")
    assert not alias.path.startswith("/")
    assert ".." not in alias.path.split("/")
    assert alias.request.startswith("/")


def test_guid_pins_feed_ids(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", guid="https://old.example.org/?p=12"))
    site.write("content/posts/b.md", post("B", date="2024-03-06"))
    assert site.build().exit_code == 0
    atom = feedparser.parse(site.out.joinpath("atom.xml").read_bytes())
    rss = feedparser.parse(site.out.joinpath("feed.xml").read_bytes())
    assert {e.id for e in atom.entries} == {
        "https://old.example.org/?p=12",
        "https://example.com/posts/b/",
    }
    assert {e.id for e in rss.entries} == {e.id for e in atom.entries}
    assert '<guid isPermaLink="false">https://old.example.org/?p=12</guid>' in site.page("feed.xml")
    assert '<guid isPermaLink="true">https://example.com/posts/b/</guid>' in site.page("feed.xml")


def test_page_bundles_publish_their_files(site: SiteMaker) -> None:
    site.write(
        "content/posts/trip/index.md",
        post("Trip", body="![map](map.png) and ![b](img/b.jpg) and [notes](notes.pdf#p2)"),
    )
    site.write("content/posts/trip/map.png", b"png")
    site.write("content/posts/trip/img/b.jpg", b"jpg")
    site.write("content/posts/trip/notes.pdf", b"pdf")
    assert site.build().exit_code == 0
    assert site.out.joinpath("posts/trip/map.png").read_bytes() == b"png"
    assert site.out.joinpath("posts/trip/img/b.jpg").read_bytes() == b"jpg"
    page = site.page("posts/trip/index.html")
    assert 'src="/posts/trip/map.png"' in page
    assert 'href="/posts/trip/notes.pdf#p2"' in page


def test_bundle_files_follow_an_html_permalink(site: SiteMaker) -> None:
    site.config("permalinks:\n  posts: /:year/:slug.html\n")
    site.write("content/posts/trip/index.md", post("Trip", body="![map](map.png)"))
    site.write("content/posts/trip/map.png", b"png")
    assert site.build().exit_code == 0
    assert site.out.joinpath("2024/trip/map.png").read_bytes() == b"png"
    assert 'src="/2024/trip/map.png"' in site.page("2024/trip.html")


def test_draft_bundles_publish_nothing(site: SiteMaker) -> None:
    site.write("content/posts/secret/index.md", post("Secret", date=None, draft="true"))
    site.write("content/posts/secret/plan.png", b"png")
    assert site.build().exit_code == 0
    assert not (site.out / "posts/secret").exists()


def test_links_to_sources_become_urls(site: SiteMaker) -> None:
    site.config("permalinks:\n  posts: /:year/:slug/\n")
    site.write(
        "content/posts/a.md",
        post(
            "A",
            body="[b](b.md), [b again](./b.md#part), [about](../pages/about.md), "
            "[trip](trip.md), [gone](gone.md)",
        ),
    )
    site.write("content/posts/b.md", post("B", date="2023-01-01"))
    site.write("content/posts/trip/index.md", post("Trip", date="2022-01-01"))
    site.write("content/pages/about.md", "---\ntitle: About\n---\nMe.\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "content/posts/a.md:5: the link to gone.md names no post or page" in result.output
    page = site.page("2024/a/index.html")
    for href in ('href="/2023/b/"', 'href="/2023/b/#part"', 'href="/about/"', 'href="/2022/trip/"'):
        assert href in page
    feed = site.page("atom.xml")
    assert "https://example.com/2023/b/" in feed
    check = site.runner.invoke(main_cli(), ["check", "--source", str(site.root)])
    assert check.exit_code == 1
    assert "broken link gone.md" in check.output


def test_renaming_a_link_target_updates_the_linking_page(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", body="[b](b.md)"))
    site.write("content/posts/b.md", post("B", date="2023-01-01"))
    assert site.build().exit_code == 0
    assert 'href="/posts/b/"' in site.page("posts/a/index.html")
    site.write("content/posts/b.md", post("B", date="2023-01-01", slug="bee"))
    assert site.build("--accept-new-ids").exit_code == 0  # B's feed id follows its URL
    assert 'href="/posts/bee/"' in site.page("posts/a/index.html")
    site.write("content/posts/a.md", post("A", body="[b](b.md)", aliases="[/old-a/]"))
    assert site.build().exit_code == 0
    assert_same_as_clean(site)


def test_foreign_template_tags_are_warned_about_with_lines(site: SiteMaker) -> None:
    body = (
        "Intro.\n\n{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n"
        "```\n{% raw %}kept in code{% endraw %}\n```\n\n"
        "A `{{< inline >}}` span and {{< youtube abc >}} and {{ site.baseurl }}/x.\n"
    )
    site.write("content/posts/a.md", post("A", body=body))
    result = site.build()
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if "template syntax" in line]
    assert [line.split(" is ")[0] for line in lines] == [
        "content/posts/a.md:7: {% highlight ruby %}",
        "content/posts/a.md:9: {% endhighlight %}",
        "content/posts/a.md:15: {{< youtube abc >}}",
        "content/posts/a.md:15: {{ site.baseurl }}",
    ]


def main_cli():  # type: ignore[no-untyped-def]
    from thoughtgen.cli import main

    return main


def test_old_feed_addresses_serve_copies(site: SiteMaker) -> None:
    site.config("feed:\n  rss_copies: [/index.xml]\n  atom_copies: [/feeds/all.atom.xml]\n")
    site.write("content/posts/a.md", post("A", guid="tag:old,2013:/a"))
    assert site.build().exit_code == 0
    rss = feedparser.parse(site.out.joinpath("feed.xml").read_bytes())
    for copy in ("index.xml", "feeds/all.atom.xml"):
        parsed = feedparser.parse(site.out.joinpath(copy).read_bytes())
        assert not parsed.bozo
        assert [e.id for e in parsed.entries] == [e.id for e in rss.entries] == ["tag:old,2013:/a"]
    assert parsed.version == "atom10"


def test_a_feed_copy_must_be_a_file_path(site: SiteMaker) -> None:
    site.config("feed:\n  rss_copies: [/feed/]\n")
    result = site.build()
    assert result.exit_code == 1
    assert "'feed.rss_copies' must be file paths such as /index.xml; got '/feed/'" in result.output


def test_encoded_and_unicode_aliases(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", aliases="[/web%20dev/it%27s.html, /été/]"))
    assert site.build().exit_code == 0
    assert served(site.out, "web dev/it's.html") == site.out / "posts/a/index.html"
    assert served(site.out, "été/") == site.out / "posts/a/index.html"
    assert site.page("_redirects").splitlines() == [
        "/web%20dev/it's.html /posts/a/ 301!",
        "/%C3%A9t%C3%A9/ /posts/a/ 301!",
    ]
