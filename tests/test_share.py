"""`thoughtgen share`: text per network within its limit, warnings, --record, and the links.

Lengths are checked with counters that are not ours: uniseg for graphemes (Bluesky, and
Mastodon once its links are replaced by 23 characters as the server does), and X's own
twitter-text (parseTweet, run through node) for X.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest
import regex
import uniseg.graphemecluster
import uniseg.wordbreak
from click.testing import CliRunner
from conftest import BASE_CONFIG, NOW, REPO, SiteMaker, post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.cli import main
from thoughtgen.parse import ParsedItem, parse_source, shared_renderer
from thoughtgen.share import NETWORKS, compose, hashtag, network

URL = "https://blog.example.net/posts/give-before-you-ask/"
OTHER_CONFIG = BASE_CONFIG.replace("https://example.com/", "https://writer.example.org/")


# --------------------------------------------------------------------------------------
# Real counters


def uniseg_graphemes(text: str) -> int:
    return len(list(uniseg.graphemecluster.grapheme_clusters(text)))


def mastodon_length(text: str, url: str) -> int:
    """What Mastodon's server counts for a text ending in the link ``url``: graphemes, with
    every link as 23 (a title may hold a link of its own, such as http://a.co/x)."""
    assert text.endswith(url)
    return uniseg_graphemes(re.sub(r"https?://\S+", "x" * 23, text))


class TwitterText:
    """X's own counter (the npm twitter-text package) in one long-running node process."""

    SCRIPT = (
        "const t=require('twitter-text');const rl=require('readline').createInterface("
        "{input:process.stdin});rl.on('line',l=>{const r=t.parseTweet(JSON.parse(l));"
        "process.stdout.write(JSON.stringify(r.weightedLength)+'\\n');});"
    )

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", "-e", self.SCRIPT],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def weighted_length(self, text: str) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(text) + "\n")
        self.process.stdin.flush()
        return int(json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def twitter() -> Iterator[TwitterText]:
    if shutil.which("node") is None or not (REPO / "node_modules" / "twitter-text").is_dir():
        pytest.skip("needs node and `npm ci` (twitter-text)")
    counter = TwitterText()
    assert counter.weighted_length("Hello https://example.com/x 👍") == 6 + 23 + 1 + 2
    yield counter
    counter.close()


# --------------------------------------------------------------------------------------
# Helpers


def share(site: SiteMaker, *args: str, now: str = NOW) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, ["share", *args, "--source", str(site.root), "--now", now])
    return result.exit_code, result.stdout, result.stderr


def share_json(site: SiteMaker, ref: str, *args: str) -> list[dict[str, object]]:
    code, out, err = share(site, ref, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def starter(tmp_path: Path) -> SiteMaker:
    root = tmp_path / "starter"
    root.mkdir()
    shutil.copy2(REPO / "thoughtgen.yaml", root / "thoughtgen.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return SiteMaker(root)


def grapheme_cuts(text: str) -> set[int]:
    cuts, at = {0}, 0
    for cluster in uniseg.graphemecluster.grapheme_clusters(text):
        at += len(cluster)
        cuts.add(at)
    return cuts


def word_cuts(text: str) -> set[int]:
    cuts, at = {0}, 0
    for word in uniseg.wordbreak.words(text):
        at += len(word)
        cuts.add(at)
    return cuts


def assert_whole_or_cut(shown: str, original: str) -> None:
    """``shown`` is ``original``, or a start of it cut where a word and a grapheme end."""
    if shown == original:
        return
    assert shown.endswith("…"), (shown, original)
    kept = shown[:-1]
    assert kept and original.startswith(kept), (shown, original)
    assert len(kept) in grapheme_cuts(original), f"cut inside a grapheme: {shown!r}"
    assert len(kept) in word_cuts(original), f"cut inside a word: {shown!r}"


# --------------------------------------------------------------------------------------
# The starter site: every post, every network, within every limit


def test_every_starter_post_fits_every_network(starter: SiteMaker, twitter: TwitterText) -> None:
    assert starter.build().exit_code == 0
    sources = sorted((starter.root / "content" / "posts").glob("*.md"))
    assert len(sources) >= 10
    for source in sources:
        rel = source.relative_to(starter.root).as_posix()
        code, out, err = share(starter, str(source), "--to", "all", "--format", "json")
        assert code == 0, f"{rel}: {err}"
        rows = {row["network"]: row for row in json.loads(out)}
        assert list(rows) == ["linkedin", "bluesky", "mastodon", "x"]
        url = f"https://example.com/posts/{source.stem}/"
        for row in rows.values():
            text = str(row["text"])
            assert text.endswith("\n" + url), rel
            assert text.startswith(text.split("\n", 1)[0]) and "\n\n" in text
            assert int(str(row["length"])) <= int(str(row["limit"])), (rel, row)
        assert len(str(rows["linkedin"]["text"]).encode("utf-16-le")) // 2 <= 3000
        assert rows["linkedin"]["length"] == len(str(rows["linkedin"]["text"]))
        bluesky = str(rows["bluesky"]["text"])
        assert rows["bluesky"]["length"] == uniseg_graphemes(bluesky) <= 300
        mastodon = str(rows["mastodon"]["text"])
        assert rows["mastodon"]["length"] == mastodon_length(mastodon, url) <= 500
        x_text = str(rows["x"]["text"])
        assert rows["x"]["length"] == twitter.weighted_length(x_text) <= 280, rel
        # the base_url of the starter site is the placeholder init writes
        assert "base_url is still the placeholder https://example.com/" in err


def test_text_output_names_each_network_with_count_and_limit(starter: SiteMaker) -> None:
    code, out, err = share(starter, "give-before-you-ask")
    assert code == 0, err
    assert "── LinkedIn: " in out and " of 3000 characters ──" in out
    assert " of 300 graphemes ──" in out
    assert " of 500 characters, links as 23 ──" in out
    assert " of 280 weighted characters, links as 23 ──" in out
    assert "#Networking #Generosity\nhttps://example.com/posts/give-before-you-ask/" in out
    assert out.index("LinkedIn") < out.index("Bluesky") < out.index("Mastodon") < out.index("X:")


def test_json_output_for_chosen_networks(starter: SiteMaker) -> None:
    rows = share_json(
        starter, "content/posts/give-before-you-ask.md", "--to", "x", "--to", "bluesky"
    )
    assert [row["network"] for row in rows] == ["x", "bluesky"]
    for row in rows:
        assert set(row) == {"network", "text", "length", "limit"}
        assert isinstance(row["text"], str) and isinstance(row["length"], int)
    assert rows[0]["limit"] == 280 and rows[1]["limit"] == 300


# --------------------------------------------------------------------------------------
# Shortening


LONG_SUMMARY = " ".join(["Generosity compounds over a career, one small favour at a time."] * 12)


def test_long_summary_is_shortened_at_a_word_with_an_ellipsis() -> None:
    tags = ["networking", "career growth", "2024", "iOS"]
    for target in NETWORKS:
        text = compose("Give Before You Ask", LONG_SUMMARY, tags, URL, target)
        assert text.fits and text.text.endswith(URL)
        title, *rest = text.text.split("\n\n")
        assert title == "Give Before You Ask"
        if target.key == "linkedin":
            assert LONG_SUMMARY in text.text
            assert "#Networking #CareerGrowth #iOS\n" in text.text  # no all-digit tag
        else:
            assert_whole_or_cut(rest[0], LONG_SUMMARY)
            assert rest[0].endswith("time…") or rest[0].endswith("favour…") or " " in rest[0]


def test_hashtags_go_before_the_summary_is_lost() -> None:
    """With room for a good part of the summary, the hashtags stay."""
    text = compose("Title", LONG_SUMMARY, ["networking", "careers"], URL, network("bluesky"))
    assert "#Networking #Careers\n" in text.text
    # a title that leaves almost no room: hashtags go, the summary keeps what fits
    title = " ".join(["Word"] * 50)
    text = compose(title, LONG_SUMMARY, ["networking", "careers"], URL, network("x"))
    assert text.fits and "#Networking" not in text.text


def test_a_title_too_long_alone_is_shortened_and_the_link_stays() -> None:
    title = " ".join(["Unforgettable"] * 60)
    for target in NETWORKS[1:]:
        text = compose(title, "Summary.", ["tag"], URL, target)
        assert text.fits and text.text.endswith(URL)
        assert_whole_or_cut(text.text.split("\n\n")[0], title)
    one_word = "A" * 400
    text = compose(one_word, "", [], URL, network("bluesky"))
    assert text.text == URL  # never cut inside a word: the word goes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("networking", "#Networking"),
        ("remote work", "#RemoteWork"),
        ("career-growth", "#CareerGrowth"),
        ("open_source", "#OpenSource"),
        ("iOS", "#iOS"),
        ("Résumé tips", "#RésuméTips"),
        ("日本 語", "#日本語"),
        ("web3", "#Web3"),
        ("2024", None),
        ("!!!", None),
        ("x" * 65, None),
    ],
)
def test_hashtag_forms(name: str, expected: str | None) -> None:
    assert hashtag(name) == expected


# --------------------------------------------------------------------------------------
# Property: arbitrary text never exceeds a limit, never splits a grapheme or a word

ZWJ_EMOJI = ["👩‍👩‍👧", "🧑‍🤝‍🧑", "❤️‍🔥", "👍🏽", "🫱🏽‍🫲🏿", "🇩🇪", "#️⃣", "©️", "☺️", "🏴󠁧󠁢󠁥󠁮󠁧󠁿"]
PIECES = st.one_of(
    st.sampled_from(ZWJ_EMOJI),
    st.sampled_from(
        ["e\u0301", "a\u0308\u0323", "한국어", "日本語のテキスト", "ภาษาไทย", "…", "—"]
    ),
    st.sampled_from([" ", " ", "  ", ", ", ". ", "-", "x.com", "http://a.co/x", "e.g."]),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Co", "Cn", "Cc")),
        max_size=8,
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=30, max_size=120),  # long words
)
TEXT = st.lists(PIECES, max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=TEXT.filter(lambda t: t.strip()),
    summary=TEXT,
    tags=st.lists(TEXT, max_size=6),
)
def test_any_text_fits_and_is_cut_only_between_words(
    twitter: TwitterText, title: str, summary: str, tags: list[str]
) -> None:
    from thoughtgen.share import plain

    for target in NETWORKS:
        shared = compose(title, summary, tags, URL, target)
        text = shared.text
        if target.key == "bluesky" and uniseg_graphemes(URL) <= 300:
            assert shared.length == uniseg_graphemes(text)
        assert shared.fits, (target.key, shared.length, text)
        assert text.endswith(URL)
        if target.key == "x":
            assert twitter.weighted_length(text) <= shared.length <= 280
        if target.key == "mastodon":
            assert mastodon_length(text, URL) <= shared.length <= 500
        if target.key == "linkedin":
            assert len(text.encode("utf-16-le")) // 2 <= 3000
        blocks = text.split("\n\n")
        end = blocks.pop()
        for line in end.split("\n")[:-1]:
            for tag in line.split(" "):
                assert regex.fullmatch(r"#[\p{L}\p{M}\p{Nd}]*\p{L}[\p{L}\p{M}\p{Nd}]*", tag), tag
        if blocks:
            assert_whole_or_cut(blocks[0], plain(title))
        if len(blocks) > 1:
            assert_whole_or_cut(blocks[1], plain(summary))


# --------------------------------------------------------------------------------------
# Finding the post


def test_post_by_path_or_slug_and_helpful_errors(site: SiteMaker) -> None:
    site.config("permalinks:\n  posts: /:year/:slug/\n")
    site.write("content/posts/hello.md", post("Hello", date="2024-03-05 09:00"))
    site.write("content/posts/old/hello.md", post("Hello again", date="2023-03-05 09:00"))
    site.write("content/posts/networking.md", post("Networking"))
    code, _out, err = share(site, "hello")
    assert code == 1
    assert "2 posts have the slug 'hello'" in err
    assert "content/posts/hello.md, content/posts/old/hello.md" in err and "give the path" in err
    assert "Traceback" not in err
    code, _out, err = share(site, "netwrking")
    assert code == 1 and "did you mean networking?" in err
    code, out, err = share(site, str(site.root / "content/posts/old/hello.md"), "--to", "x")
    assert code == 0, err
    assert "https://example.com/2023/hello/" in out
    code, out, err = share(site, "content/posts/missing.md")
    assert code == 1 and "content/posts/missing.md: no post with this path or slug" in err


# --------------------------------------------------------------------------------------
# Warnings


def test_draft_idea_and_scheduled_posts_warn_but_still_print(site: SiteMaker) -> None:
    site.write("content/posts/draft.md", post("A draft", date=None, status="draft"))
    site.write("content/posts/idea.md", post("An idea", date=None, status="idea"))
    site.write("content/posts/later.md", post("Later", date="2027-01-12 09:00"))
    code, out, err = share(site, "draft", "--to", "x")
    assert code == 0 and "https://example.com/posts/draft/" in out
    assert "content/posts/draft.md: is a draft, so https://example.com/posts/draft/" in err
    assert "thoughtgen schedule content/posts/draft.md --next --publish" in err
    code, out, err = share(site, "idea", "--to", "x")
    assert code == 0 and "is an idea" in err
    code, out, err = share(site, "later", "--to", "x")
    assert code == 0 and out
    assert (
        "is scheduled: https://example.com/posts/later/ goes live at 2027-01-12 09:00 +01:00" in err
    )
    code, out, err = share(site, "later", "--to", "x", now="2027-02-01")
    assert "is scheduled:" not in err


def test_placeholder_base_url_and_unbuilt_site_warn(site: SiteMaker) -> None:
    site.write("content/posts/hello.md", post("Hello"))
    code, _out, err = share(site, "hello")
    assert code == 0
    assert "thoughtgen.yaml: base_url is still the placeholder https://example.com/" in err
    assert "is not in the built site" in err and "run `thoughtgen build`" in err
    site.config(base=OTHER_CONFIG)
    assert site.build().exit_code == 0
    code, out, err = share(site, "hello")
    assert code == 0 and "https://writer.example.org/posts/hello/" in out
    assert "placeholder" not in err and "not in the built site" not in err
    card = site.out / "cards" / "posts" / "hello.png"
    card.unlink(missing_ok=True)
    code, _out, err = share(site, "hello")
    assert "its share card " in err and "cards/posts/hello.png is not built yet" in err


def test_own_image_counts_when_built(site: SiteMaker) -> None:
    site.config("share_cards: false\n", base=OTHER_CONFIG)
    site.write("content/posts/hello.md", post("Hello", image="/images/hello.png"))
    site.write("content/static/images/hello.png", b"\x89PNG\r\n\x1a\n")
    assert site.build().exit_code == 0
    code, _out, err = share(site, "hello")
    assert code == 0 and err == "", err
    (site.out / "images" / "hello.png").unlink()
    code, _out, err = share(site, "hello")
    assert "its share image" in err and "images/hello.png is not built yet" in err
    site.write("content/posts/bare.md", post("Bare"))
    assert site.build().exit_code == 0
    code, _out, err = share(site, "bare")
    assert "shares without a picture" in err


def test_canonical_url_elsewhere_is_the_link(site: SiteMaker) -> None:
    site.write(
        "content/posts/hello.md", post("Hello", canonical_url="https://medium.com/@me/hello-1")
    )
    rows = share_json(site, "hello", "--to", "mastodon")
    assert str(rows[0]["text"]).endswith("\nhttps://medium.com/@me/hello-1")


# --------------------------------------------------------------------------------------
# --record


def record(site: SiteMaker, rel: str, url: str) -> tuple[int, str, str, bytes, bytes]:
    path = site.root / rel
    before = path.read_bytes()
    code, out, err = share(site, rel, "--record", url)
    return code, out, err, before, path.read_bytes()


def changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines removed and the lines added, byte for byte."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed, added = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def syndication_of(site: SiteMaker, rel: str) -> tuple[str, ...]:
    data = (site.root / rel).read_bytes()
    item = parse_source(rel, "post", data, site_tz(), shared_renderer())
    assert isinstance(item, ParsedItem), item
    return item.syndication


def site_tz():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


NEW = "https://bsky.app/profile/me.example/post/3kx"


def test_record_into_a_flow_list_rewrites_that_line_only(site: SiteMaker) -> None:
    rel = "content/posts/flow.md"
    site.write(rel, post("Flow", syndication="[https://www.linkedin.com/posts/me-1]  # where else"))
    code, out, err, before, after = record(site, rel, NEW)
    assert code == 0, err
    assert f"{rel}:4: added {NEW} to syndication" in out
    removed, added = changed_lines(before, after)
    assert removed == [b"syndication: [https://www.linkedin.com/posts/me-1]  # where else\n"]
    assert added == [
        f"syndication: [https://www.linkedin.com/posts/me-1, {NEW}]  # where else\n".encode()
    ]
    assert syndication_of(site, rel) == ("https://www.linkedin.com/posts/me-1", NEW)


def test_record_into_a_block_list_adds_one_line_after_its_last_item(site: SiteMaker) -> None:
    rel = "content/posts/block.md"
    text = (
        "---\ntitle: Block\ndate: 2024-03-05 09:00\nsyndication:\n"
        "  - https://a.example/1\n  # a comment\n  - https://b.example/2\ntags: [x]\n---\nBody\n"
    )
    site.write(rel, text)
    code, out, _err, before, after = record(site, rel, NEW)
    assert code == 0 and f"{rel}:8: added" in out
    removed, added = changed_lines(before, after)
    assert removed == [] and added == [f"  - {NEW}\n".encode()]
    assert after.decode().splitlines()[7] == f"  - {NEW}"
    assert syndication_of(site, rel) == ("https://a.example/1", "https://b.example/2", NEW)


def test_record_without_the_key_adds_it_at_the_end_of_the_front_matter(site: SiteMaker) -> None:
    rel = "content/posts/none.md"
    site.write(rel, post("None", tags="[a, b]", body="---\n\nA rule above, not front matter.\n"))
    code, _out, _err, before, after = record(site, rel, "https://dev.to/me/none-1a2b?x=1,2")
    assert code == 0
    removed, added = changed_lines(before, after)
    assert removed == [] and added == [b'syndication: ["https://dev.to/me/none-1a2b?x=1,2"]\n']
    assert after.index(added[0]) < after.index(b"---\nBody") if b"---\nBody" in after else True
    assert syndication_of(site, rel) == ("https://dev.to/me/none-1a2b?x=1,2",)


def test_record_a_url_already_there_changes_nothing(site: SiteMaker) -> None:
    rel = "content/posts/dup.md"
    site.write(rel, post("Dup", syndication=NEW))
    code, out, _err, before, after = record(site, rel, NEW)
    assert code == 0 and after == before
    assert f"{NEW} is already in syndication; not changed" in out


def test_record_onto_a_single_url_makes_a_list(site: SiteMaker) -> None:
    rel = "content/posts/one.md"
    site.write(rel, post("One", syndication="https://a.example/1"))
    code, _out, _err, before, after = record(site, rel, NEW)
    assert code == 0
    removed, added = changed_lines(before, after)
    assert added == [f"syndication: [https://a.example/1, {NEW}]\n".encode()] and len(removed) == 1
    assert syndication_of(site, rel) == ("https://a.example/1", NEW)


@pytest.mark.parametrize("shape", ["flow", "block", "absent"])
def test_record_keeps_bom_and_crlf(site: SiteMaker, shape: str) -> None:
    rel = f"content/posts/{shape}.md"
    value = {
        "flow": ["syndication: [https://a.example/1]"],
        "block": ["syndication:", "- https://a.example/1"],
        "absent": [],
    }[shape]
    lines = ["---", "title: Windows", "date: 2024-03-05 09:00", *value, "tags: [x]", "---", "Body"]
    data = b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n"
    site.write(rel, data)
    code, _out, err, before, after = record(site, rel, NEW)
    assert code == 0, err
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert after.count(b"\n") == after.count(b"\r\n")  # no bare LF crept in
    removed, added = changed_lines(before, after)
    assert len(added) == 1 and len(removed) == (1 if shape == "flow" else 0)
    assert added[0].endswith(b"\r\n")
    if shape == "block":
        assert added == [f"- {NEW}\r\n".encode()]
    assert syndication_of(site, rel)[-1] == NEW


def test_record_refuses_a_bad_url_and_writes_nothing(site: SiteMaker) -> None:
    rel = "content/posts/bad.md"
    site.write(rel, post("Bad"))
    for url in ("ftp://files.example/x", "not a url", "https://a.example/<script>"):
        code, _out, err, before, after = record(site, rel, url)
        assert code == 1 and after == before
        assert err.startswith("--record: the URL must") and "Traceback" not in err


# --------------------------------------------------------------------------------------
# The links on the built page


def test_syndication_links_on_the_post_page(site: SiteMaker) -> None:
    links = [
        "https://www.linkedin.com/posts/me_hello-activity-1",
        "https://bsky.app/profile/me.example/post/3kx",
        "https://mastodon.social/@me/111",
        "https://twitter.com/me/status/2",
        "https://me.substack.com/p/hello?a=1&b=2",
    ]
    site.write("content/posts/hello.md", post("Hello", syndication=json.dumps(links)))
    site.write("content/posts/plain.md", post("Plain"))
    assert site.build().exit_code == 0
    html = site.page("posts/hello/index.html")
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    anchors = [a for a in doc.iter("a") if "syndication" in (a.get("rel") or "").split()]
    assert [a.get("href") for a in anchors] == links
    assert all("u-syndication" in a.get("class", "").split() for a in anchors)
    assert ["".join(a.itertext()) for a in anchors] == [
        "LinkedIn",
        "Bluesky",
        "mastodon.social",
        "X",
        "Substack",
    ]
    aside = next(el for el in doc.iter("aside") if "syndication" in el.get("class", ""))
    assert " ".join("".join(aside.itertext()).split()) == (
        "Also on LinkedIn · Bluesky · mastodon.social · X · Substack"
    )
    assert 'href="https://me.substack.com/p/hello?a=1&amp;b=2"' in html
    assert "u-syndication" not in site.page("posts/plain/index.html")


def test_syndication_links_read_as_microformats(site: SiteMaker) -> None:
    from extruct import extract

    links = ["https://www.linkedin.com/posts/me-1", "https://bsky.app/profile/me/post/3"]
    site.write("content/posts/hello.md", post("Hello", syndication=json.dumps(links)))
    assert site.build().exit_code == 0
    data = extract(
        site.page("posts/hello/index.html"),
        base_url="https://example.com/posts/hello/",
        syntaxes=["microformat"],
        uniform=False,
    )
    entries = [item for item in data["microformat"] if "h-entry" in item.get("type", [])]
    assert entries, "the post is no h-entry"
    assert entries[0]["properties"]["syndication"] == links
