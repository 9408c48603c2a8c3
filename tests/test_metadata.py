"""Page head metadata (Open Graph, Twitter, JSON-LD, canonical, feeds, icons), srcset
rewriting, the sitemap's canonical rule, and the build's set-up warnings."""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import html5lib
import pytest
from click.testing import CliRunner
from conftest import BASE_CONFIG, SiteMaker, html_files, post
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from thoughtgen.cli import main
from thoughtgen.links import (
    absolute_against,
    find_urls,
    rewrite_srcset,
    rewrite_urls,
    srcset_urls,
    under_base_path,
)

# ---------------------------------------------------------------------------------------
# srcset


def test_srcset_candidates_split_like_browsers() -> None:
    assert srcset_urls("a.jpg 1x, b.jpg 2x") == ["a.jpg", "b.jpg"]
    assert srcset_urls("a.jpg 1x,b.jpg 2x") == ["a.jpg", "b.jpg"]
    assert srcset_urls("img,v2.jpg 640w, big.jpg 1280w") == ["img,v2.jpg", "big.jpg"]
    assert srcset_urls("a.jpg,b.jpg") == ["a.jpg,b.jpg"]  # no space: one URL with a comma
    assert srcset_urls("a.jpg,, b.jpg") == ["a.jpg", "b.jpg"]
    assert srcset_urls("data:image/png;base64,iVBO 2x") == ["data:image/png;base64,iVBO"]
    assert srcset_urls(" x.jpg (a, b), y.jpg 3w ") == ["x.jpg", "y.jpg"]
    assert srcset_urls("\tx.jpg\n1x\f,\ry.jpg") == ["x.jpg", "y.jpg"]
    assert srcset_urls(",,, ") == [] and srcset_urls("") == []


def test_srcset_and_source_are_rewritten_under_a_base_path_and_in_feeds() -> None:
    fragment = (
        '<picture><source srcset="/img/a.webp 1x, /img/a@2x.webp 2x" type="image/webp">'
        '<img src="/img/a.png" srcset="/img/a.png 1x, /img/a,2.png 2x" alt=""></picture>'
    )
    on_page = rewrite_urls(fragment, under_base_path("/blog/"))
    assert 'srcset="/blog/img/a.webp 1x, /blog/img/a@2x.webp 2x"' in on_page
    assert 'srcset="/blog/img/a.png 1x, /blog/img/a,2.png 2x"' in on_page
    assert 'src="/blog/img/a.png"' in on_page
    in_feed = rewrite_urls(
        '<img srcset="/img/a.png 1x, pic.png 2x">',
        absolute_against("https://x.org/blog/posts/p/", "/blog/"),
    )
    assert in_feed == (
        '<img srcset="https://x.org/blog/img/a.png 1x, https://x.org/blog/posts/p/pic.png 2x">'
    )
    assert find_urls(fragment) == [
        "/img/a.webp",
        "/img/a@2x.webp",
        "/img/a.png",
        "/img/a.png",
        "/img/a,2.png",
    ]


def test_srcset_escaping_survives_the_rewrite() -> None:
    fragment = '<img srcset="/a.png?x=1&amp;y=2 1x, /b&quot;.png 2x">'
    out = rewrite_urls(fragment, under_base_path("/blog/"))
    assert out == '<img srcset="/blog/a.png?x=1&amp;y=2 1x, /blog/b&quot;.png 2x">'
    assert rewrite_urls(fragment, lambda u: u) == fragment


_url_char = st.characters(blacklist_characters=" \t\n\f\r", blacklist_categories=("Cs",))
_urls = st.text(_url_char, min_size=1, max_size=20).filter(
    lambda u: not u.startswith(",") and not u.endswith(",")
)
_descriptors = st.sampled_from(["", " 1x", " 2x", " 640w", " 1.5x", " 100w 2x", " (a, b)"])
_separators = st.sampled_from([", ", ",", " , ", ",\n", ",, ", "\t,"])


@st.composite
def srcsets(draw: st.DrawFn) -> tuple[str, list[str]]:
    urls = draw(st.lists(_urls, min_size=1, max_size=6))
    text = ""
    for index, url in enumerate(urls):
        descriptor = draw(_descriptors)
        if index:
            text += draw(_separators)
        text += url + descriptor
        if not descriptor and index + 1 < len(urls):
            text += " "  # a comma right after a bare URL would be part of the URL
    return draw(st.sampled_from(["", " ", "\n"])) + text, urls


@given(srcsets())
def test_srcset_parsing_finds_every_candidate(case: tuple[str, list[str]]) -> None:
    text, urls = case
    assert srcset_urls(text) == urls


@given(srcsets(), st.sampled_from(["/blog/", "https://cdn.example/x y/", ""]))
def test_srcset_rewrite_round_trips_and_never_drops_a_candidate(
    case: tuple[str, list[str]], prefix: str
) -> None:
    text, urls = case
    assert rewrite_srcset(text, lambda u: u) == text
    out = rewrite_srcset(text, lambda u: prefix + u)
    assert len(srcset_urls(out)) == len(urls)
    found = srcset_urls(out)
    assert [f.replace("%20", " ") for f in found] == [prefix + u for u in urls]


@given(st.text(max_size=60))
def test_any_srcset_text_rewrites_without_losing_anything(text: str) -> None:
    assert rewrite_srcset(text, lambda u: u) == text
    count = len(srcset_urls(text))
    assert len(srcset_urls(rewrite_srcset(text, lambda u: "/p/" + u))) == count
    tagged = f'<img srcset="{html_lib.escape(text)}">'
    assert rewrite_urls(tagged, lambda u: u) == tagged
    assert re.sub(r"\s+", "", "".join(find_urls(tagged))) == re.sub(
        r"\s+", "", "".join(srcset_urls(text))
    )


# ---------------------------------------------------------------------------------------
# Reading a page's head as a crawler does

XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Head:
    title: str
    h1: str | None
    meta: dict[str, list[str]] = field(default_factory=dict)  # property or name → contents
    links: list[dict[str, str]] = field(default_factory=list)
    ld: list[dict] = field(default_factory=list)
    scripts: int = 0

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]

    def link(self, rel: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for a in self.links
            if rel in a.get("rel", "").split() and all(a.get(k) == v for k, v in attrs.items())
        ]

    @property
    def posting(self) -> dict:
        found = [d for d in self.ld if d.get("@type") == "BlogPosting"]
        assert len(found) == 1, self.ld
        return found[0]


def read_head(page: Path) -> Head:
    tree = html5lib.parse(page.read_bytes(), treebuilder="etree")
    title = tree.find(f".//{XHTML}title")
    h1 = tree.find(f".//{XHTML}h1")
    head = Head(
        title=(title.text or "") if title is not None else "",
        h1="".join(h1.itertext()) if h1 is not None else None,
    )
    for meta in tree.iter(f"{XHTML}meta"):
        key = meta.get("property") or meta.get("name")
        if key and meta.get("content") is not None:
            head.meta.setdefault(key, []).append(meta.get("content"))
    head.links = [dict(link.attrib) for link in tree.iter(f"{XHTML}link")]
    for script in tree.iter(f"{XHTML}script"):
        head.scripts += 1
        if script.get("type") == "application/ld+json":
            head.ld.append(json.loads(script.text or ""))
    return head


def output_file(out: Path, url: str, site_url: str) -> Path:
    """The built file an absolute URL of the site (or a path from the host root) names."""
    host = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))
    if url.startswith("/"):
        url = host + url
    assert url.startswith(site_url), (url, site_url)
    rel = urlsplit(url).path[len(urlsplit(site_url).path) :]
    path = out / rel
    return path / "index.html" if rel.endswith("/") or rel == "" else path


def assert_exists(out: Path, url: str, site_url: str) -> Path:
    path = output_file(out, url, site_url)
    assert path.is_file(), f"{url} names {path}, which the build did not write"
    return path


STARTER_URL = "https://example.com/"


def _post_pages(out: Path) -> list[Path]:
    return sorted((out / "posts").glob("*/index.html"))


def test_every_starter_post_head_names_its_card_canonical_and_json_ld(starter_build: Path) -> None:
    out = starter_build
    pages = _post_pages(out)
    assert len(pages) >= 12
    for page in pages:
        head = read_head(page)
        url = STARTER_URL + page.parent.relative_to(out).as_posix() + "/"
        assert head.one("og:type") == "article"
        assert head.one("og:title") == head.h1 == head.one("twitter:title")
        assert (
            head.one("og:description") == head.one("twitter:description") == head.one("description")
        )
        assert [a["href"] for a in head.link("canonical")] == [url] == [head.one("og:url")]
        image = head.one("og:image")
        assert image == STARTER_URL + f"cards/{page.parent.relative_to(out).as_posix()}.png"
        assert head.one("twitter:image") == image
        assert head.one("twitter:card") == "summary_large_image"
        assert head.one("og:image:type") == "image/png"
        assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
        assert head.one("og:image:alt") == head.h1
        with Image.open(assert_exists(out, image, STARTER_URL)) as card:
            assert (card.format, card.size) == ("PNG", (1200, 630))

        ld = head.posting
        assert ld["headline"] == head.h1 and ld["image"] == image
        assert ld["url"] == url and ld["mainEntityOfPage"]["@id"] == url
        assert ld["author"] == {"@type": "Person", "name": "Jordan Avery"}
        publisher = ld["publisher"]
        assert publisher["@type"] == "Organization" and publisher["name"] == "Warm Introductions"
        logo = publisher["logo"]
        assert logo["@type"] == "ImageObject" and logo["url"].startswith(STARTER_URL)
        with Image.open(assert_exists(out, logo["url"], STARTER_URL)) as icon:
            assert icon.size == (logo["width"], logo["height"]) == (180, 180)
        assert ld["dateModified"] >= ld["datePublished"]


def test_every_starter_page_links_feeds_icons_and_a_site_card(starter_build: Path) -> None:
    out = starter_build
    for page in html_files(out):
        head = read_head(page)
        rel = page.relative_to(out).as_posix()
        for kind in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
            found = head.link("alternate", type=kind)
            assert found, (rel, kind)
            for link in found:
                assert_exists(out, link["href"], STARTER_URL)
        icons = {(a.get("type"), a.get("sizes")) for a in head.link("icon")}
        assert icons == {("image/png", "32x32"), ("image/svg+xml", None)}, rel
        for link in head.link("icon") + head.link("apple-touch-icon"):
            assert_exists(out, link["href"].split("?")[0], STARTER_URL)
        if rel == "404.html":
            assert not head.link("canonical") and "og:url" not in head.meta
            continue
        canonical = head.link("canonical")
        assert len(canonical) == 1 and canonical[0]["href"] == head.one("og:url"), rel
        assert_exists(out, canonical[0]["href"], STARTER_URL)
        image = head.one("og:image")
        assert_exists(out, image, STARTER_URL)
        assert head.one("twitter:card") == "summary_large_image"
        if not rel.startswith("posts/"):
            assert image == STARTER_URL + "cards/site.png", rel
            assert head.one("og:type") == "website"
    tag_page = read_head(next(out.glob("tags/*/index.html")))
    tag_json = [a["href"] for a in tag_page.link("alternate", type="application/feed+json")]
    assert len(tag_json) == 2 and tag_json[1].endswith("/feed.json")


def test_starter_posts_read_right_in_extruct_and_a_link_preview(starter_build: Path) -> None:
    import extruct
    from linkpreview import link_preview

    for page in _post_pages(starter_build):
        text = page.read_text(encoding="utf-8")
        url = STARTER_URL + page.parent.relative_to(starter_build).as_posix() + "/"
        head = read_head(page)
        data = extruct.extract(text, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
        (og,) = data["opengraph"]
        assert og["og:url"] == url and og["og:image"] == head.one("og:image")
        assert og["og:image:width"] == "1200" and og["@type"] == "article"
        (ld,) = data["json-ld"]
        assert ld["@type"] == "BlogPosting" and ld["url"] == url
        preview = link_preview(url, content=text)
        assert preview.title == head.h1
        assert preview.description == head.one("og:description")
        assert preview.absolute_image == head.one("og:image")


def test_the_home_page_describes_the_website(starter_build: Path) -> None:
    import extruct

    text = (starter_build / "index.html").read_text(encoding="utf-8")
    (site,) = extruct.extract(text, base_url=STARTER_URL, syntaxes=["json-ld"])["json-ld"]
    assert site["@type"] == "WebSite" and site["url"] == STARTER_URL
    assert site["name"] == "Warm Introductions"
    assert site["author"] == {"@type": "Person", "name": "Jordan Avery"}
    assert read_head(starter_build / "page/2/index.html").ld == []  # said once, on page 1


def test_the_series_posts_say_which_series_they_belong_to(starter_build: Path) -> None:
    parts = []
    for page in _post_pages(starter_build):
        ld = read_head(page).posting
        if "isPartOf" in ld:
            series = ld["isPartOf"]
            assert series["@type"] == "CreativeWorkSeries" and series["name"]
            assert_exists(starter_build, series["url"], STARTER_URL)
            parts.append(series["url"])
    assert len(parts) >= 2 and len(set(parts)) == 1


def test_icons_are_pngs_of_their_sizes(starter_build: Path) -> None:
    for name, size in (("favicon-32.png", 32), ("apple-touch-icon.png", 180)):
        with Image.open(starter_build / "theme" / name) as icon:
            assert (icon.format, icon.size) == ("PNG", (size, size))
            if name == "apple-touch-icon.png":
                assert icon.mode == "RGB"  # iOS shows transparency as black


# ---------------------------------------------------------------------------------------
# A site under a sub-path, with the writer's own pictures

SUB = "https://x.org/blog/"
PIXEL = Image.new("RGB", (8, 8), (11, 87, 164))


def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    PIXEL.save(path)


def test_a_site_under_a_sub_path_names_absolute_urls_that_exist(site: SiteMaker) -> None:
    site.config(base=BASE_CONFIG.replace("https://example.com/", SUB))
    site.write("content/posts/plain.md", post("Plain", tags="[one]", summary="'Short.'"))
    site.write(
        "content/posts/trip/index.md",
        post(
            "Trip",
            date="2024-03-06",
            image="cover.jpg",
            body="![Map](map.png)\n\n"
            '<img src="map.png" srcset="map.png 1x, /img/wide.png 2x" alt="">',
        ),
    )
    site.write("content/posts/trip/cover.jpg", b"")
    _png(site.root / "content/posts/trip/cover.jpg")
    _png(site.root / "content/posts/trip/map.png")
    _png(site.root / "content/static/img/wide.png")
    site.write("content/posts/rooted.md", post("Rooted", date="2024-03-07", image="/img/wide.png"))
    site.write(
        "content/posts/away.md",
        post("Away", date="2024-03-08", image="https://cdn.example/a.webp"),
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    robots = [line for line in result.stderr.splitlines() if "robots.txt" in line]
    assert robots == [
        "thoughtgen.yaml:3: base_url has a sub-path (/blog/): crawlers read robots.txt only at "
        "the host's root (https://x.org/robots.txt), so the one built here is ignored; put its "
        "Sitemap line (https://x.org/blog/sitemap.xml) in https://x.org/robots.txt instead"
    ]
    out = site.out
    expected = {
        "posts/trip/": (SUB + "posts/trip/cover.jpg", "image/jpeg"),
        "posts/rooted/": (SUB + "img/wide.png", "image/png"),
        "posts/away/": ("https://cdn.example/a.webp", "image/webp"),
        "posts/plain/": (SUB + "cards/posts/plain.png", "image/png"),
    }
    for rel, (image, kind) in expected.items():
        head = read_head(out / rel / "index.html")
        assert head.one("og:image") == head.one("twitter:image") == head.posting["image"] == image
        assert head.one("og:image:type") == kind
        assert ("og:image:width" in head.meta) == (rel == "posts/plain/")
        if image.startswith(SUB):
            assert_exists(out, image, SUB)
    for page in html_files(out):
        head = read_head(page)
        urls = [head.one("og:image"), *(head.meta.get("og:url", []))]
        urls += [a["href"] for a in head.links if a.get("rel") != "stylesheet"]
        for url in urls:
            if url == "https://cdn.example/a.webp":
                continue  # the one picture the writer keeps elsewhere
            assert url.startswith((SUB, "/blog/")), (page, url)
            assert_exists(out, url.split("?")[0], SUB)
    trip = (out / "posts/trip/index.html").read_text()
    assert 'srcset="/blog/posts/trip/map.png 1x, /blog/img/wide.png 2x"' in trip
    # feedparser sanitises srcset away, so the feeds are read as XML: the HTML is their text.
    atom = ElementTree.fromstring((out / "atom.xml").read_bytes())
    rss = ElementTree.fromstring((out / "feed.xml").read_bytes())
    a = "{http://www.w3.org/2005/Atom}"
    contents = {
        "atom.xml": [e.findtext(f"{a}content") or "" for e in atom.iter(f"{a}entry")],
        "feed.xml": [i.findtext("description") or "" for i in rss.iter("item")],
    }
    for name, texts in contents.items():
        content = next(t for t in texts if "map.png" in t)
        assert (
            'srcset="https://x.org/blog/posts/trip/map.png 1x, '
            'https://x.org/blog/img/wide.png 2x"' in content
        ), name


def test_no_share_image_gives_a_summary_card(site: SiteMaker) -> None:
    site.config("share_cards: false\n")
    site.write("content/posts/a.md", post("A"))
    assert site.build().exit_code == 0
    for page in ("posts/a/index.html", "index.html"):
        head = read_head(site.out / page)
        assert head.one("twitter:card") == "summary"
        assert "og:image" not in head.meta and "twitter:image" not in head.meta
    assert "image" not in read_head(site.out / "posts/a/index.html").posting
    site.config("share_cards: false\nimage: /card.png\nlogo: https://cdn.example/logo.svg\n")
    assert site.build().exit_code == 0
    head = read_head(site.out / "posts/a/index.html")
    assert head.one("og:image") == "https://example.com/card.png"
    assert head.one("twitter:card") == "summary_large_image"
    assert head.posting["publisher"]["logo"] == {
        "@type": "ImageObject",
        "url": "https://cdn.example/logo.svg",
    }


# ---------------------------------------------------------------------------------------
# Hostile front matter, canonical URLs elsewhere, the 404 page, counts

HOSTILE = """Q&A: "quotes" & 'apostrophes' <script>alert(1)</script> </script><!-- &amp;"""


def test_hostile_front_matter_is_escaped_in_every_meta_and_the_json_ld(site: SiteMaker) -> None:
    site.config(
        "logo: /logo.png\n",
        base=BASE_CONFIG.replace(
            "  name: Test Author\n", "  name: Test Author\n  url: https://ann.example/\n"
        ),
    )
    site.write(
        "content/posts/evil.md",
        post(
            json.dumps(HOSTILE),
            summary=json.dumps(HOSTILE),
            tags=f"[{json.dumps(HOSTILE)}]",
            series=json.dumps(HOSTILE),
            image=json.dumps('/a b/<x>&"q".png'),
        ),
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.out / "posts/evil/index.html"
    raw = page.read_text()
    head = read_head(page)
    assert raw.count("</script>") == head.scripts  # nothing in the text ended a script early
    assert raw.count("<script") == head.scripts
    for key in ("og:title", "twitter:title", "og:description", "twitter:description"):
        assert head.one(key) == HOSTILE, key
    assert head.one("og:image:alt") == head.one("twitter:image:alt") == HOSTILE
    assert head.one("article:tag") == HOSTILE
    assert head.title == f"{HOSTILE} · Test Site"
    ld = head.posting
    assert ld["headline"] == ld["description"] == HOSTILE
    assert ld["keywords"] == [HOSTILE]
    assert ld["isPartOf"]["name"] == HOSTILE
    assert ld["author"] == {"@type": "Person", "name": "Test Author", "url": "https://ann.example/"}
    assert ld["publisher"]["logo"]["url"] == "https://example.com/logo.png"
    assert head.one("og:image") == ld["image"]
    assert "<x>" not in raw.split("<body>")[0].replace(head.one("og:image"), "")


def test_canonical_elsewhere_is_used_everywhere_and_leaves_the_sitemap(site: SiteMaker) -> None:
    site.write(
        "content/posts/moved.md",
        post("Moved", canonical_url="https://medium.com/@ann/moved-123"),
    )
    site.write(
        "content/posts/own.md",
        post("Own", date="2024-03-06", canonical_url="HTTPS://EXAMPLE.com/posts/own"),
    )
    site.write("content/posts/home.md", post("Home", date="2024-03-07"))
    assert site.build().exit_code == 0
    head = read_head(site.out / "posts/moved/index.html")
    elsewhere = "https://medium.com/@ann/moved-123"
    assert [a["href"] for a in head.link("canonical")] == [elsewhere]
    assert head.one("og:url") == head.posting["url"] == elsewhere
    assert head.posting["mainEntityOfPage"]["@id"] == elsewhere
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    sitemap = ElementTree.fromstring((site.out / "sitemap.xml").read_bytes())
    locs = {loc.text for loc in sitemap.iter(f"{ns}loc")}
    assert "https://example.com/posts/moved/" not in locs
    assert {"https://example.com/posts/own/", "https://example.com/posts/home/"} <= locs
    assert (site.out / "posts/moved/index.html").is_file()  # still published, just not listed


def test_counts_say_1_post_not_1_posts(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A", tags="[solo, pair]"))
    site.write("content/posts/b.md", post("B", date="2024-03-06", tags="[pair]"))
    assert site.build().exit_code == 0
    for page in html_files(site.out):
        text = " ".join(
            "".join(html5lib.parse(page.read_bytes(), treebuilder="etree").itertext()).split()
        )
        head = read_head(page)
        for said in (text, *(v for values in head.meta.values() for v in values)):
            assert not re.search(r"(?<![\d.])1 posts\b", said), (page, said)
    solo = read_head(site.out / "tags/solo/index.html")
    assert solo.one("description").startswith("1 post tagged “solo”")
    assert read_head(site.out / "tags/pair/index.html").one("description").startswith("2 posts")
    tags = site.page("tags/index.html")
    assert "(1 post)" in tags and "(2 posts)" in tags


# ---------------------------------------------------------------------------------------
# The author placeholder from init


def test_init_writes_an_author_placeholder_that_build_warns_about(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "mysite"
    assert runner.invoke(main, ["init", str(folder)]).exit_code == 0
    config = folder / "thoughtgen.yaml"
    lines = config.read_text().splitlines()
    line = lines.index('  name: "Your Name"') + 1
    result = runner.invoke(main, ["build", "--source", str(folder)])  # the post is dated now
    assert result.exit_code == 0, result.output
    base_line = lines.index('base_url: "https://example.com/"') + 1
    base_url = (
        f"thoughtgen.yaml:{base_line}: base_url is "
        "still the placeholder https://example.com/ from 'thoughtgen init'; set it to your "
        "site's address (feeds, share cards and canonical links use it)"
    )
    assert result.stderr.splitlines() == [
        f'thoughtgen.yaml:{line}: author.name is still the placeholder "Your Name" from '
        "'thoughtgen init'; set it to your name, which posts, feeds and share cards show",
        base_url,
    ]
    config.write_text(config.read_text().replace('"Your Name"', '"Ann Lee"'))
    again = runner.invoke(main, ["build", "--source", str(folder)])
    assert again.exit_code == 0 and again.stderr.splitlines() == [base_url]
    ld = read_head(folder / "public/posts/hello-world/index.html").posting
    assert ld["author"]["name"] == "Ann Lee"


@pytest.mark.validator
def test_sub_path_and_hostile_pages_pass_the_nu_html_checker(site: SiteMaker) -> None:
    from validator import run_vnu

    site.config(base=BASE_CONFIG.replace("https://example.com/", SUB))
    site.write(
        "content/posts/evil.md",
        post(json.dumps(HOSTILE), summary=json.dumps(HOSTILE), tags=f"[{json.dumps(HOSTILE)}]"),
    )
    site.write(
        "content/posts/pic.md",
        post(
            "Pic", date="2024-03-06", body='<img src="/a.png" srcset="/a.png 1x, /b.png 2x" alt="">'
        ),
    )
    assert site.build().exit_code == 0
    assert run_vnu(html_files(site.out)) == []
