"""RSS and Atom feeds, read back by feedparser as a subscriber's reader would."""

from __future__ import annotations

import feedparser
from conftest import BASE_CONFIG, SiteMaker, post


def parse(site: SiteMaker, rel: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse((site.out / rel).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_feeds_carry_escaped_titles_absolute_links_and_stable_ids(site: SiteMaker) -> None:
    site.config(
        extra="feed:\n  limit: 2\n",
        base=site.root.joinpath("thoughtgen.yaml")
        .read_text()
        .replace("https://example.com/", "https://name.github.io/blog/"),
    )
    site.write("content/posts/old.md", post("Old", date="2024-01-01"))
    site.write("content/posts/mid.md", post("Mid", date="2024-02-01 10:00"))
    body = (
        "See [the other post](/posts/old/), [a relative one](../mid/), "
        "![pic](/images/p.png) and [outside](https://other.example/x).[^1]\n\n"
        "[^1]: A note.\n\nBell\x07char."
    )
    site.write(
        "content/posts/new.md",
        post('"<Tricky> & Co\'s \\x0bpost"', date="2024-03-01", body=body, tags="[Career Growth]"),
    )
    assert site.build().exit_code == 0
    for rel in ("feed.xml", "atom.xml"):
        feed = parse(site, rel)
        assert feed.feed.link == "https://name.github.io/blog/"  # the site, not the feed
        assert [e.title for e in feed.entries] == ["<Tricky> & Co's post", "Mid"]
        first = feed.entries[0]
        assert first.id == first.link == "https://name.github.io/blog/posts/new/"
        html = first.content[0].value
        assert 'href="https://name.github.io/blog/posts/old/"' in html
        assert 'href="https://name.github.io/blog/posts/mid/"' in html
        assert 'src="https://name.github.io/blog/images/p.png"' in html
        assert 'href="https://other.example/x"' in html
        assert 'href="https://name.github.io/blog/posts/new/#fn:1"' in html
        assert "\x07" not in html
        assert first.published_parsed[:3] == (2024, 2, 29)  # midnight Berlin is 23:00 UTC
    rss = (site.out / "feed.xml").read_text()
    assert "<pubDate>Fri, 01 Mar 2024 00:00:00 +0100</pubDate>" in rss
    assert '<guid isPermaLink="true">https://name.github.io/blog/posts/new/</guid>' in rss
    tag_feed = parse(site, "tags/career-growth/feed.xml")
    assert [e.title for e in tag_feed.entries] == ["<Tricky> & Co's post"]


def test_rebuild_keeps_ids_and_summary_mode(site: SiteMaker) -> None:
    site.config(extra="feed:\n  full_content: false\n")
    site.write("content/posts/a.md", post("A", summary="'Short & sweet'", body="Long body text."))
    assert site.build().exit_code == 0
    first = parse(site, "atom.xml").entries[0]
    assert site.build().exit_code == 0
    again = parse(site, "atom.xml").entries[0]
    assert first.id == again.id
    assert "content" not in again
    assert again.summary == "Short & sweet"


def test_summary_comes_from_more_marker_or_first_paragraph(site: SiteMaker) -> None:
    site.write(
        "content/posts/a.md", post("A", body="Intro *here*.\n\nMore intro.\n\n<!--more-->\n\nRest.")
    )
    site.write("content/posts/b.md", post("B", date="2024-03-06", body="First para.\n\nSecond."))
    assert site.build().exit_code == 0
    entries = {e.title: e for e in parse(site, "feed.xml").entries}
    assert entries["A"].summary == "Intro here. More intro."
    assert entries["B"].summary == "First para."


def test_every_page_links_to_both_feeds(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    assert site.build().exit_code == 0
    for page in site.out.rglob("*.html"):
        text = page.read_text()
        assert '<link rel="alternate" type="application/rss+xml"' in text
        assert '<link rel="alternate" type="application/atom+xml"' in text


ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def test_every_item_names_its_author_in_rss_atom_and_json(site: SiteMaker) -> None:
    import json

    from lxml import etree

    site.write("content/posts/mine.md", post("Mine", date="2024-03-01"))
    site.write("content/posts/guest.md", post("Guest", date="2024-03-02", author="Gwen Guest"))
    assert site.build().exit_code == 0
    rss = parse(site, "feed.xml")
    assert {e.title: e.author for e in rss.entries} == {
        "Mine": "Test Author",
        "Guest": "Gwen Guest",
    }
    items = etree.fromstring((site.out / "feed.xml").read_bytes()).iter("item")
    assert [[c.text for c in i.iter(DC_CREATOR)] for i in items] == [
        ["Gwen Guest"],
        ["Test Author"],
    ]
    assert "<author>" not in site.page("feed.xml")  # RSS <author> is an email: none configured
    atom = parse(site, "atom.xml")
    assert atom.feed.author_detail.name == "Test Author"
    assert {e.title: e.author_detail.name for e in atom.entries} == {
        "Mine": "Test Author",  # the feed's author, as RFC 4287 says
        "Guest": "Gwen Guest",
    }
    data = json.loads(site.page("feed.json"))
    assert data["authors"] == [{"name": "Test Author"}]
    assert {i["title"]: i["authors"] for i in data["items"]} == {
        "Mine": [{"name": "Test Author"}],
        "Guest": [{"name": "Gwen Guest"}],
    }


def test_rss_author_element_only_with_an_email_and_only_for_the_sites_author(
    site: SiteMaker,
) -> None:
    site.config(
        extra="",
        base=BASE_CONFIG.replace(
            "  name: Test Author\n",
            "  name: Test Author\n  email: me@example.com\n  url: https://me.example/\n",
        ),
    )
    site.write("content/posts/mine.md", post("Mine", date="2024-03-01"))
    site.write("content/posts/guest.md", post("Guest", date="2024-03-02", author="Gwen Guest"))
    assert site.build().exit_code == 0
    rss = site.page("feed.xml")
    assert rss.count("<author>") == 1
    assert "<author>me@example.com (Test Author)</author>" in rss
    entries = {e.title: e for e in parse(site, "feed.xml").entries}
    assert {t: e.author for t, e in entries.items()} == {
        "Mine": "Test Author",
        "Guest": "Gwen Guest",
    }
    assert entries["Mine"].author_detail.get("email") == "me@example.com"
    assert "email" not in entries["Guest"].author_detail
    detail = parse(site, "atom.xml").feed.author_detail
    assert (detail.name, detail.email, detail.href) == (
        "Test Author",
        "me@example.com",
        "https://me.example/",
    )


def test_without_an_author_name_the_feeds_name_the_site(site: SiteMaker) -> None:
    site.config(base=BASE_CONFIG.replace("author:\n  name: Test Author\n", ""))
    site.write("content/posts/a.md", post("A"))
    assert site.build().exit_code == 0
    assert parse(site, "feed.xml").entries[0].author == "Test Site"
    assert parse(site, "atom.xml").feed.author_detail.name == "Test Site"


def test_atom_lists_alternate_before_self_and_rss_links_the_site(site: SiteMaker) -> None:
    from lxml import etree

    site.write("content/posts/a.md", post("A", tags="[Ideas]"))
    assert site.build().exit_code == 0
    feed = etree.fromstring((site.out / "atom.xml").read_bytes())
    links = [(link.get("rel"), link.get("href")) for link in feed.findall(f"{ATOM}link")]
    assert links == [
        ("alternate", "https://example.com/"),
        ("self", "https://example.com/atom.xml"),
    ]
    assert parse(site, "atom.xml").feed.link == "https://example.com/"
    rss = etree.fromstring((site.out / "feed.xml").read_bytes())
    assert rss.findtext("channel/link") == "https://example.com/"
    self_link = rss.find(f"channel/{ATOM}link")
    assert self_link is not None
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "https://example.com/feed.xml")
    tag_rss = etree.fromstring((site.out / "tags/ideas/feed.xml").read_bytes())
    assert tag_rss.findtext("channel/link") == "https://example.com/tags/ideas/"
