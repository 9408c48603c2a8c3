"""/feed.json and tags/<slug>/feed.json: JSON Feed 1.1, with the Atom feed's items."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import feedparser
from conftest import BASE_CONFIG, SiteMaker, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

VERSION = "https://jsonfeed.org/version/1.1"
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)",
)
# Top-level and item fields of JSON Feed 1.1; anything else must start with "_" (extensions).
FEED_FIELDS = {
    "version",
    "title",
    "home_page_url",
    "feed_url",
    "description",
    "user_comment",
    "next_url",
    "icon",
    "favicon",
    "authors",
    "author",
    "language",
    "expired",
    "hubs",
    "items",
}
ITEM_FIELDS = {
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "date_published",
    "date_modified",
    "authors",
    "author",
    "tags",
    "language",
    "attachments",
}
FEED_URLS = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
ITEM_URLS = ("url", "external_url", "image", "banner_image")


def spec_problems(doc: Any) -> list[str]:
    """Where ``doc`` breaks the JSON Feed 1.1 specification (its MUSTs and field types)."""
    found: list[str] = []

    def url(where: str, value: Any) -> None:
        if not isinstance(value, str) or not re.match(r"https?://[^\s/]+", value):
            found.append(f"{where} is not an absolute URL: {value!r}")

    def authors(where: str, value: Any) -> None:
        if not isinstance(value, list) or not value:
            found.append(f"{where}.authors must be a non-empty array")
            return
        for person in value:
            # An author object has name, url or avatar, at least one of them.
            if not isinstance(person, dict) or not {"name", "url", "avatar"} & set(person):
                found.append(f"{where}.authors has an empty author: {person!r}")
            elif not all(isinstance(v, str) for v in person.values()):
                found.append(f"{where}.authors has a field that is not a string")

    if not isinstance(doc, dict):
        return ["the feed is not an object"]
    if doc.get("version") != VERSION:
        found.append(f"version must be {VERSION}")
    if not isinstance(doc.get("title"), str):
        found.append("title is required")
    found += [f"unknown field {k}" for k in doc if k not in FEED_FIELDS and not k.startswith("_")]
    for key in FEED_URLS:
        if key in doc:
            url(key, doc[key])
    for key in ("description", "language"):
        if key in doc and not isinstance(doc[key], str):
            found.append(f"{key} must be a string")
    if "authors" in doc:
        authors("feed", doc["authors"])
    items = doc.get("items")
    if not isinstance(items, list):
        return [*found, "items is required and must be an array"]
    for n, item in enumerate(items):
        where = f"items[{n}]"
        if not isinstance(item, dict):
            found.append(f"{where} is not an object")
            continue
        if not isinstance(item.get("id"), str) or not item["id"]:
            found.append(f"{where}.id is required (a string)")
        if not isinstance(item.get("content_html", item.get("content_text")), str):
            found.append(f"{where} needs content_html or content_text")
        found += [f"{where}: unknown field {k}" for k in item if k not in ITEM_FIELDS]
        for key in ITEM_URLS:
            if key in item:
                url(f"{where}.{key}", item[key])
        for key in ("title", "summary", "content_html", "content_text", "language"):
            if key in item and not isinstance(item[key], str):
                found.append(f"{where}.{key} must be a string")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC3339.fullmatch(str(item[key])):
                found.append(f"{where}.{key} is not RFC 3339: {item[key]!r}")
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            found.append(f"{where}.tags must be an array of strings")
        if "authors" in item:
            authors(where, item["authors"])
    return found


def read(site: SiteMaker, rel: str = "feed.json") -> dict[str, Any]:
    doc = json.loads((site.out / rel).read_bytes().decode("utf-8"))
    assert spec_problems(doc) == [], rel
    return doc


def atom(site: SiteMaker) -> feedparser.FeedParserDict:
    feed = feedparser.parse((site.out / "atom.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_the_validator_catches_what_the_spec_forbids() -> None:
    good = {"version": VERSION, "title": "T", "items": [{"id": "1", "content_text": ""}]}
    assert spec_problems(good) == []
    assert spec_problems({**good, "version": "https://jsonfeed.org/version/1"})
    assert spec_problems({k: v for k, v in good.items() if k != "title"})
    assert spec_problems({**good, "items": [{"id": "1"}]})  # no content
    assert spec_problems({**good, "items": [{"content_html": "x"}]})  # no id
    assert spec_problems({**good, "authors": [{}]})
    assert spec_problems({**good, "icon": "/relative.png"})
    item = {"id": "1", "content_text": "", "date_published": "2024-03-01 10:00"}
    assert spec_problems({**good, "items": [item]})


def test_json_feed_carries_the_atom_feeds_items(site: SiteMaker) -> None:
    site.config(
        extra="feed:\n  limit: 3\n",
        base=BASE_CONFIG.replace("https://example.com/", "https://name.github.io/blog/"),
    )
    body = (
        "See [the other](/posts/old/), ![pic](pic.png) and [out](https://x.example/).[^1]"
        "\n\n[^1]: A note."
    )
    site.write("content/posts/old.md", post("Old", date="2024-01-01", tags="[Craft]"))
    site.write("content/posts/oldest.md", post("Oldest", date="2023-01-01"))
    site.write(
        "content/posts/new.md",
        post(
            '"<Tricky> & Co\'s post"',
            date="2024-03-01 10:00",
            updated="2024-03-04 08:00",
            body=body,
            tags="[Career Growth, Craft]",
            summary='"A summary with <b>markup</b> & more."',
        ),
    )
    site.write(
        "content/posts/moved.md",
        post("Moved", date="2024-02-01", canonical_url="https://medium.example/@me/moved-1"),
    )
    assert site.build().exit_code == 0
    doc = read(site)
    assert doc["title"] == "Test Site"
    assert doc["home_page_url"] == "https://name.github.io/blog/"
    assert doc["feed_url"] == "https://name.github.io/blog/feed.json"
    assert doc["description"] == "A site for tests."
    assert doc["language"] == "en"
    assert doc["authors"] == [{"name": "Test Author"}]
    items = doc["items"]
    entries = atom(site).entries
    assert len(items) == len(entries) == 3  # feed.limit
    raw = etree.fromstring((site.out / "atom.xml").read_bytes())
    raw_content = {
        e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}content") for e in raw.iter(f"{ATOM}entry")
    }
    for item, entry in zip(items, entries, strict=True):
        assert item["id"] == entry.id
        assert item["url"] == entry.link
        assert item["title"] == entry.title
        assert item["content_html"] == raw_content[entry.id]  # feedparser reformats HTML
        assert item["summary"] == entry.summary
        assert item.get("tags", []) == [t.term for t in entry.get("tags", [])]
        for key, parsed in (("date_published", "published"), ("date_modified", "updated")):
            when = datetime.fromisoformat(item[key]).utctimetuple()[:6]
            assert when == tuple(entry[f"{parsed}_parsed"][:6]), key
    new = items[0]
    assert new["title"] == "<Tricky> & Co's post"
    assert new["date_published"] == "2024-03-01T10:00:00+01:00"
    assert new["date_modified"] == "2024-03-04T08:00:00+01:00"
    html = new["content_html"]
    assert 'href="https://name.github.io/blog/posts/old/"' in html
    assert 'src="https://name.github.io/blog/posts/new/pic.png"' in html
    assert 'href="https://name.github.io/blog/posts/new/#fn:1"' in html
    assert new["image"] == "https://name.github.io/blog/cards/posts/new.png"
    assert "external_url" not in new
    moved = items[1]
    assert moved["external_url"] == "https://medium.example/@me/moved-1"
    assert moved["url"] == "https://name.github.io/blog/posts/moved/"
    tag = read(site, "tags/craft/feed.json")
    assert tag["title"] == "Test Site: Craft"
    assert tag["home_page_url"] == "https://name.github.io/blog/tags/craft/"
    assert tag["feed_url"] == "https://name.github.io/blog/tags/craft/feed.json"
    assert [i["title"] for i in tag["items"]] == ["<Tricky> & Co's post", "Old"]
    assert (site.out / "tags/career-growth/feed.json").is_file()


def test_every_address_the_json_feed_names_is_served(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write("content/posts/b.md", post("B", date="2024-03-06", image="/images/b.png"))
    site.write("content/static/images/b.png", b"\x89PNG\r\n\x1a\n")
    assert site.build().exit_code == 0
    doc = read(site)
    named = [doc[k] for k in ("icon", "favicon") if k in doc]
    named += [item["image"] for item in doc["items"]] + [item["url"] for item in doc["items"]]
    assert "https://example.com/images/b.png" in named
    # A post without its own picture shows its share card (drawn by thoughtgen.cards).
    assert "https://example.com/cards/posts/a.png" in named
    for url in named:
        rel = url.removeprefix("https://example.com/")
        if rel.startswith("cards/"):
            continue  # the cards' own tests check they are drawn
        path = site.out / (rel + "index.html" if rel.endswith("/") else rel)
        assert path.is_file(), url


def test_summaries_only_and_rebuilds_give_the_same_bytes(site: SiteMaker) -> None:
    site.config(extra="feed:\n  full_content: false\n")
    site.write("content/posts/a.md", post("A", summary="'Short & sweet'", body="Long body."))
    assert site.build().exit_code == 0
    first = (site.out / "feed.json").read_bytes()
    item = read(site)["items"][0]
    assert "content_html" not in item
    assert item["content_text"] == item["summary"] == "Short & sweet"
    assert atom(site).entries[0].summary == "Short & sweet"
    assert site.build("--clean").exit_code == 0
    assert (site.out / "feed.json").read_bytes() == first


def test_feed_json_counts_as_a_feed(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", tags="[x]"))
    result = site.build()
    assert result.exit_code == 0
    assert "2 pages" not in result.stdout
    assert re.search(r", 5 feeds in ", result.stdout), result.stdout  # RSS, Atom, JSON, tag ×2


# Pieces that break naive feeds: XML's CDATA end, a script end, JavaScript's line
# separators, C0 controls, a lone surrogate's neighbours in the astral plane, quotes.
HOSTILE_PIECES = [
    "]]>",
    "</script>",
    "<script>alert(1)</script>",
    "<!--",
    "\u2028",
    "\u2029",
    "\x07",
    "\x0b",
    "\x1b[31m",
    "😀",
    "👩🏽‍💻",
    "&amp;",
    "&",
    '"',
    "'",
    "\\",
    "{{ x }}",
    "é",
    "\u200d",
    "\ufeff",
]
piece = st.one_of(
    st.sampled_from(HOSTILE_PIECES),
    # C1 controls aside: feedparser reads them in RSS as Windows-1252 (U+0080 as "€").
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=4),
)
hostile = st.lists(piece, min_size=1, max_size=5).map("".join)
visible = hostile.filter(lambda t: re.search(r"[0-9A-Za-z]", t) is not None)


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _shown(text: str) -> str:
    """The text as every feed carries it: controls XML forbids dropped, spacing aside."""
    from thoughtgen.sources import clean_text

    return " ".join(clean_text(text).split())


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=visible, summary=hostile, tag=visible)
def test_hostile_text_round_trips_through_every_feed(
    site: SiteMaker, title: str, summary: str, tag: str
) -> None:
    text = post(
        _yaml("T " + title), summary=_yaml(summary), tags=f"[{_yaml('t ' + tag)}]", body="Body."
    )
    site.write("content/posts/a.md", text)
    result = site.build()
    if result.exit_code != 0:  # refused with a message, never a traceback
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        return
    raw = (site.out / "feed.json").read_bytes()
    assert b"</script" not in raw.lower() and "\u2028".encode() not in raw
    doc = read(site)
    item = doc["items"][0]
    rss = feedparser.parse((site.out / "feed.xml").read_bytes())
    atom_feed = feedparser.parse((site.out / "atom.xml").read_bytes())
    for feed in (rss, atom_feed):
        assert not feed.bozo, feed.get("bozo_exception")
        entry = feed.entries[0]
        assert _shown(entry.title) == _shown(item["title"]) == _shown("T " + title)
        assert [_shown(t.term) for t in entry.tags] == [_shown(t) for t in item["tags"]]
    assert _shown(item["tags"][0]) == _shown("t " + tag)
    assert atom_feed.entries[0].summary == item.get("summary", "")
    if _shown(summary):  # else the summary is the body's first paragraph
        assert _shown(item["summary"]) == _shown(summary)
    assert item["id"] == atom_feed.entries[0].id


def test_json_feed_is_utf8_and_readable_as_it_is(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post('"Ünïcødé 😀 </script>\\u2028end"'))
    assert site.build().exit_code == 0
    raw = (site.out / "feed.json").read_bytes()
    assert "Ünïcødé 😀".encode() in raw  # not \\u-escaped
    assert b"<\\/script>" in raw and b"\\u2028" in raw
    assert read(site)["items"][0]["title"] == "Ünïcødé 😀 </script>\u2028end"
