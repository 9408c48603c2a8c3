"""Page head metadata (Open Graph, Twitter, JSON-LD, canonical, feeds, icons), srcset
rewriting, the sitemap's canonical rule, and the build's set-up warnings."""

from __future__ import annotations

import html as html_lib
import re

from hypothesis import given
from hypothesis import strategies as st

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
