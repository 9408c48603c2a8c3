"""The built site: URL layout, page contents, escaping, drafts and scheduling, tags."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import html5lib
from conftest import BASE_CONFIG, SiteMaker, html_files, post


def parse_html(text: str):
    """Parse strictly as HTML5: any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


def links(doc, tag: str = "a", attr: str = "href") -> list[str]:
    return [el.get(attr) for el in doc.iter(tag) if el.get(attr) is not None]


def test_url_layout_and_pagination(site: SiteMaker) -> None:
    site.config(extra="posts_per_page: 2\n")
    for day in range(1, 6):
        site.write(
            f"content/posts/p{day}.md", post(f"Post {day}", date=f"2024-0{day}-01", tags="[alpha]")
        )
    site.write("content/pages/about.md", "---\ntitle: About me\n---\nHi.\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Built 15 pages, 5 feeds in \d+\.\d s → .*public/\n", result.stdout)
    expected = {
        "index.html",
        "page/2/index.html",
        "page/3/index.html",
        "about/index.html",
        "archive/index.html",
        "tags/index.html",
        "tags/alpha/index.html",
        "tags/alpha/page/2/index.html",
        "tags/alpha/page/3/index.html",
        "404.html",
        *(f"posts/p{d}/index.html" for d in range(1, 6)),
    }
    assert {p.relative_to(site.out).as_posix() for p in html_files(site.out)} == expected
    home = parse_html(site.page("index.html"))
    assert "/posts/p5/" in links(home) and "/posts/p4/" in links(home)
    assert "/posts/p3/" not in links(home)
    assert "/page/2/" in links(home)
    page3 = parse_html(site.page("page/3/index.html"))
    assert "/posts/p1/" in links(page3) and "/page/2/" in links(page3)


def test_post_page_has_everything_a_reader_and_a_crawler_need(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("Older", date="2024-03-01"))
    site.write(
        "content/posts/b.md",
        post(
            "Middle",
            date="2024-03-05T14:30:00+02:00",
            updated="2024-04-01 10:00",
            tags="Career Growth, networking",
            canonical_url="https://elsewhere.example/b",
            body=(
                "## One\n\ntext\n\n## Two\n\n```python\nprint('hi')\n```\n\n"
                "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                "Note.[^n]\n\n[^n]: Foot.\n\nPara\n{: .special }"
            ),
        ),
    )
    site.write("content/posts/c.md", post("Newer", date="2024-03-09"))
    assert site.build().exit_code == 0
    text = site.page("posts/b/index.html")
    doc = parse_html(text)
    assert doc.find(".//h1").text == "Middle"
    times = [t.get("datetime") for t in doc.iter("time")]
    assert times == ["2024-03-05T14:30:00+02:00", "2024-04-01T10:00:00+02:00"]
    assert '<link rel="canonical" href="https://elsewhere.example/b">' in text
    assert '<meta property="og:type" content="article">' in text
    assert '<meta name="twitter:card" content="summary_large_image">' in text
    assert "/tags/career-growth/" in links(doc) and "/tags/networking/" in links(doc)
    assert "/posts/a/" in links(doc) and "/posts/c/" in links(doc)  # older and newer
    assert '<div class="highlight"><pre>' in text and "<table>" in text
    assert 'class="footnote"' in text and 'class="special"' in text
    assert 'href="#one"' in text  # table of contents
    ld = json.loads(
        next(s.text for s in doc.iter("script") if s.get("type") == "application/ld+json")
    )
    assert ld["@type"] == "BlogPosting" and ld["headline"] == "Middle"
    assert ld["datePublished"] == "2024-03-05T14:30:00+02:00"
    assert ld["author"]["name"] == "Test Author"
    assert re.search(r"\d+ min read", text)


def test_front_matter_text_is_escaped_everywhere(site: SiteMaker) -> None:
    evil = "</script><script>alert('x')</script> & \"quotes\""
    site.write(
        "content/posts/x.md",
        post(
            json.dumps(evil),
            tags=json.dumps(["<b>bold</b>"]),
            summary=json.dumps(evil),
            body="Raw <em>html</em> ok.",
        ),
    )
    assert site.build().exit_code == 0
    for page in html_files(site.out):
        text = page.read_text()
        assert "<script>alert" not in text, page
        assert "<b>bold</b>" not in text, page
        parse_html(text)
    post_page = parse_html(site.page("posts/x/index.html"))
    assert post_page.find(".//h1").text == evil
    ld = next(s.text for s in post_page.iter("script") if s.get("type") == "application/ld+json")
    assert json.loads(ld)["headline"] == evil
    assert "<em>html</em>" in site.page("posts/x/index.html")  # the body is trusted
    ET.fromstring((site.out / "sitemap.xml").read_bytes())
    assert (site.out / "tags" / "b-bold-b" / "index.html").is_file()


def test_drafts_ideas_and_scheduled_posts(site: SiteMaker) -> None:
    site.config(base=BASE_CONFIG.replace("https://example.com/", "https://blog.example.org/"))
    site.write("content/posts/live.md", post("Live", date="2024-01-01"))
    site.write("content/posts/draft.md", post("Draft", date=None, draft="true"))
    site.write("content/posts/idea.md", post("Idea", date=None, status="idea"))
    site.write("content/posts/soon.md", post("Soon", date="2027-01-05 09:00"))
    result = site.build()
    assert result.exit_code == 0
    assert result.stderr == (
        "content/posts/soon.md: scheduled for 2027-01-05 09:00 +01:00, not published yet\n"
    )
    assert not (site.out / "posts" / "soon").exists()
    assert not (site.out / "posts" / "draft").exists()
    feed = (site.out / "feed.xml").read_text()
    assert "Soon" not in feed and "Draft" not in feed

    result = site.build("--drafts", "--future")
    assert result.exit_code == 0
    assert result.stderr == ""
    for slug in ("soon", "draft", "idea", "live"):
        assert (site.out / "posts" / slug / "index.html").is_file()
    assert "scheduled" in site.page("posts/soon/index.html")

    result = site.build(now="2027-01-06")
    assert (site.out / "posts" / "soon" / "index.html").is_file()
    assert result.stderr == ""


def test_tags_are_normalised_to_one_url_and_one_spelling(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", tags="[Career Growth]", date="2024-01-01"))
    site.write("content/posts/b.md", post("B", tags="[career growth]", date="2024-01-02"))
    site.write("content/posts/c.md", post("C", tags="career-growth, Résumé", date="2024-01-03"))
    site.write("content/posts/d.md", post("D", tags="[Career Growth]", date="2024-01-04"))
    assert site.build().exit_code == 0
    assert sorted(p.name for p in (site.out / "tags").iterdir()) == [
        "career-growth",
        "index.html",
        "resume",
    ]
    tags_page = parse_html(site.page("tags/index.html"))
    items = [
        "".join(li.itertext()).split()
        for li in tags_page.iter("li")
        if li.find("a") is not None and "/tags/" in li.find("a").get("href")
    ]
    assert ["Career", "Growth", "(4", "posts)"] in items
    for slug in "abcd":
        assert ">Career Growth</a>" in site.page(f"posts/{slug}/index.html")


def test_base_url_with_a_path_prefixes_every_internal_link(site: SiteMaker) -> None:
    site.config(
        base=site.root.joinpath("thoughtgen.yaml")
        .read_text()
        .replace("https://example.com/", "https://name.github.io/blog")
    )
    site.write("content/posts/a.md", post("A", tags="[t]", body="[B](/posts/b/) ![i](/img/x.png)"))
    site.write("content/posts/b.md", post("B", date="2024-03-06"))
    site.write("content/pages/about.md", "---\ntitle: About\n---\n[home](/)\n")
    assert site.build().exit_code == 0
    for page in html_files(site.out):
        doc = parse_html(page.read_text())
        for url in links(doc) + links(doc, "link") + links(doc, "img", "src"):
            if url.startswith("#"):
                continue
            assert url.startswith(("/blog/", "https://name.github.io/blog/")), (page, url)
            if url.startswith("/blog/") and "?" not in url:
                target = site.out / url.removeprefix("/blog/")
                assert target.exists() or (target / "index.html").exists() or "img" in url, url
    sitemap = ET.fromstring((site.out / "sitemap.xml").read_bytes())
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://name.github.io/blog/posts/a/" in locs
    assert all(loc.startswith("https://name.github.io/blog/") for loc in locs)
    assert (
        "Sitemap: https://name.github.io/blog/sitemap.xml" in (site.out / "robots.txt").read_text()
    )


def test_archive_groups_by_year_and_month(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("Jan 2023", date="2023-01-10"))
    site.write("content/posts/b.md", post("Mar 2024", date="2024-03-10"))
    site.write("content/posts/c.md", post("Also Mar 2024", date="2024-03-20"))
    assert site.build().exit_code == 0
    doc = parse_html(site.page("archive/index.html"))
    headings = [h.text for h in doc.iter() if h.tag in ("h2", "h3")]
    assert headings == ["2024", "March", "2023", "January"]


def test_draft_pages_and_an_empty_site(site: SiteMaker) -> None:
    site.write("content/pages/wip.md", "---\ntitle: Work in progress\ndraft: true\n---\nSoon.\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert not (site.out / "wip").exists()
    assert "Nothing published yet." in site.page("index.html")
    assert site.build("--drafts").exit_code == 0
    assert (site.out / "wip" / "index.html").is_file()
