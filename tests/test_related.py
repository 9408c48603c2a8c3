"""Related posts: which posts are chosen, how they show, and the invariants over random sites."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from conftest import SiteMaker, assert_same_as_clean, post
from hypothesis import event, given, settings
from hypothesis import strategies as st

import thoughtgen.related as related_module
from thoughtgen.model import Body, Post, Status, TagRef
from thoughtgen.related import (
    MAX_FEATURES,
    RESCORED,
    WINDOW,
    KeptRelated,
    features,
    related_posts,
    remembered_related,
)


def related_titles(site: SiteMaker, slug: str) -> list[str]:
    page = lxml.html.fromstring(site.page(f"posts/{slug}/index.html"))
    return [a.text for a in page.xpath(".//section[contains(@class, 'related')]//li/a")]


def tagged(title: str, date: str, tags: str, **fields: object) -> str:
    return post(title, date, tags=tags, **fields)


def test_never_itself_a_draft_or_a_scheduled_post(site: SiteMaker) -> None:
    site.write("content/posts/a.md", tagged("Alpha", "2024-01-01 09:00", "[hiring]"))
    site.write("content/posts/b.md", tagged("Beta", "2024-01-02 09:00", "[hiring]"))
    site.write("content/posts/d.md", tagged("Draft", "2024-01-03 09:00", "[hiring]", draft="true"))
    site.write("content/posts/s.md", tagged("Later", "2030-01-01 09:00", "[hiring]"))
    for args in ((), ("--drafts", "--future")):
        result = site.build(*args)
        assert result.exit_code == 0, result.output
        assert related_titles(site, "a") == ["Beta"]
        assert related_titles(site, "b") == ["Alpha"]
    assert related_titles(site, "d") == ["Beta", "Alpha"]  # a draft's own page may show some
    assert related_titles(site, "s") == ["Beta", "Alpha"]


def test_shared_tags_rank_first_then_newest(site: SiteMaker) -> None:
    site.write("content/posts/me.md", tagged("Salary talks for engineers", "2024-05-01", "[pay]"))
    site.write("content/posts/old.md", tagged("Gardening", "2024-01-01", "[pay]"))
    site.write("content/posts/new.md", tagged("Cooking", "2024-03-01", "[pay]"))
    site.write(
        "content/posts/words.md",
        tagged("Salary talks for engineers, again", "2024-04-01", "[other]"),
    )
    site.write("content/posts/none.md", tagged("Unrelated", "2024-04-02", "[misc]"))
    assert site.build().exit_code == 0
    assert related_titles(site, "me") == [
        "Cooking",
        "Gardening",
        "Salary talks for engineers, again",
    ]
    assert related_titles(site, "none") == []
    page = lxml.html.fromstring(site.page("posts/none/index.html"))
    assert page.xpath(".//section[contains(@class, 'related')]") == []


def test_each_related_post_shows_a_link_and_a_date(site: SiteMaker) -> None:
    site.write("content/posts/a.md", tagged("Alpha <&>", "2024-01-01 09:00", "[hiring]"))
    site.write("content/posts/b.md", tagged("Beta", "2024-01-02 09:00", "[hiring]"))
    assert site.build().exit_code == 0
    page = lxml.html.fromstring(site.page("posts/b/index.html"))
    (section,) = page.xpath(".//section[contains(@class, 'related')]")
    assert section.xpath(".//h2")[0].text == "Related posts"
    (item,) = section.xpath(".//li")
    link = item.xpath(".//a")[0]
    assert link.text == "Alpha <&>" and link.get("href") == "/posts/a/"
    assert (site.out / "posts/a/index.html").is_file()
    assert item.xpath(".//time")[0].get("datetime") == "2024-01-01T09:00:00+01:00"


def test_the_count_is_configurable_and_zero_turns_it_off(site: SiteMaker) -> None:
    for n in range(6):
        site.write(f"content/posts/p{n}.md", tagged(f"Post {n}", f"2024-01-0{n + 1}", "[hiring]"))
    assert site.build().exit_code == 0
    assert len(related_titles(site, "p0")) == 3
    site.config("related_posts: 1\n")
    assert site.build().exit_code == 0
    assert related_titles(site, "p0") == ["Post 5"]
    assert_same_as_clean(site)
    site.config("related_posts: 0\n")
    assert site.build().exit_code == 0
    assert "Related posts" not in site.page("posts/p0/index.html")
    assert_same_as_clean(site)


def test_a_negative_count_is_a_config_error(site: SiteMaker) -> None:
    site.config("related_posts: -1\n")
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.startswith("thoughtgen.yaml:")


def test_pages_follow_changes_to_their_related_posts(site: SiteMaker) -> None:
    site.write("content/posts/a.md", tagged("Alpha", "2024-01-01 09:00", "[hiring]"))
    site.write("content/posts/b.md", tagged("Beta", "2024-01-02 09:00", "[hiring]"))
    site.write("content/posts/c.md", tagged("Gamma", "2024-01-03 09:00", "[cooking]"))
    assert site.build().exit_code == 0
    site.write("content/posts/b.md", tagged("Beta Renamed", "2024-01-05 09:00", "[hiring]"))
    assert site.build().exit_code == 0
    assert related_titles(site, "a") == ["Beta Renamed"]
    assert_same_as_clean(site)
    site.write("content/posts/c.md", tagged("Gamma", "2024-01-03 09:00", "[hiring, cooking]"))
    assert site.build().exit_code == 0
    assert related_titles(site, "a") == ["Beta Renamed", "Gamma"]
    assert_same_as_clean(site)


def test_every_starter_post_shows_related_posts(starter_build: Path) -> None:
    pages = sorted((starter_build / "posts").glob("*/index.html"))
    assert len(pages) > 10
    for path in pages:
        page = lxml.html.fromstring(path.read_text(encoding="utf-8"))
        links = page.xpath(".//section[contains(@class, 'related')]//li/a")
        assert 1 <= len(links) <= 3, path
        for link in links:
            assert (starter_build / link.get("href").strip("/") / "index.html").is_file()
            assert link.get("href") != "/" + path.parent.relative_to(starter_build).as_posix() + "/"


# The property: random small sites, checked against every invariant and, where the bounded
# search must see every candidate, against a brute-force ranking of all pairs.

WORDS = ["salary", "hiring", "mentor", "remote", "network", "résumé", "面接", "offer", "team"]
TAGS = ["pay", "jobs", "people", "writing"]
START = datetime(2024, 1, 1, tzinfo=UTC)


@st.composite
def sites(draw: st.DrawFn) -> list[Post]:
    count = draw(st.integers(0, 24))
    posts = []
    for n in range(count):
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
        title = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=4)))
        days = draw(st.integers(0, 6))  # few dates: plenty of ties to break
        status = draw(st.sampled_from(list(Status)))
        date = START + timedelta(days=days) if status is not Status.IDEA else None
        summary = draw(st.sampled_from(["", "A note on offers.", "Team notes"]))
        posts.append(listed(n, title, date, status, tags, summary))
    return posts


def listed(
    n: int, title: str, date: datetime | None, status: Status, tags: list[str], summary: str = ""
) -> Post:
    """Post number ``n``, with what the related choice reads and nothing else."""
    return Post(
        source=f"content/posts/p{n}.md",
        slug=f"p{n}",
        title=title,
        date=date,
        updated=None,
        status=status,
        tags=tuple(TagRef(t.title(), t) for t in tags),
        summary=summary,
        body=Body(""),
        toc_html="",
        word_count=10,
        reading_minutes=1,
        author="",
        canonical_url="",
        image="",
        series="",
    )


def brute_force(posts: list[Post], count: int) -> dict[str, tuple[Post, ...]]:
    """Every pair scored: the ranking the bounded search approximates."""
    published = [p for p in posts if p.status is Status.PUBLISHED]
    frequency: dict[str, int] = {}
    for p in published:
        tags, text = features(p)
        for f in tags | text:
            frequency[f] = frequency.get(f, 0) + 1
    total = len(published)
    weights = {
        f: math.log(1 + total / df)
        for f, df in frequency.items()
        if f.startswith("#") or df <= 2 or 2 * df <= total
    }

    def order(p: Post) -> tuple[float, str]:
        return (-p.date.timestamp() if p.date else math.inf, p.source)

    found = {}
    for p in posts:
        tags, text = features(p)
        ranked = []
        for q in published:
            if q is p:
                continue
            qtags, qtext = features(q)
            shared = ((tags | text) & (qtags | qtext)) & weights.keys()
            if shared:
                weight = math.fsum(weights[f] for f in shared)
                ranked.append((-len(tags & qtags), -weight, order(q), q))
        ranked.sort(key=lambda r: r[:3])
        found[p.source] = tuple(r[3] for r in ranked[:count])
    return found


@settings(max_examples=300, deadline=None)
@given(sites(), st.integers(0, 5), st.randoms(use_true_random=False))
def test_related_posts_hold_every_invariant(
    posts: list[Post], count: int, rnd: random.Random
) -> None:
    result = related_posts(posts, count)
    shuffled = posts[:]
    rnd.shuffle(shuffled)
    assert related_posts(shuffled, count) == result  # stable: order of input does not matter
    if count == 0:
        assert result == {}
        return
    assert set(result) == {p.source for p in posts}
    oracle = brute_force(posts, count)
    for p in posts:
        chosen = result[p.source]
        assert len(chosen) <= count
        assert len({q.source for q in chosen}) == len(chosen)
        tags, text = features(p)
        shared_tags = []
        for q in chosen:
            assert q.source != p.source
            assert q.status is Status.PUBLISHED
            qtags, qtext = features(q)
            assert (tags | text) & (qtags | qtext), "related posts share something"
            shared_tags.append(len(tags & qtags))
        assert shared_tags == sorted(shared_tags, reverse=True)
        candidates = sum(
            1
            for q in posts
            if q.source != p.source
            and q.status is Status.PUBLISHED
            and (tags | text) & set().union(*features(q))
        )
        if (
            len(posts) <= WINDOW
            and len(tags | text) <= MAX_FEATURES
            and candidates <= count * RESCORED
        ):
            event("compared with brute force")
            assert chosen == oracle[p.source]  # nothing the bounded search could miss


class DictMemo:
    """A memo like the build cache's, counting what it is asked."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.hits = 0

    def recall(self, key: str) -> str | None:
        found = self.values.get(key)
        self.hits += found is not None
        return found

    def remember(self, key: str, value: str) -> None:
        self.values[key] = value


@settings(max_examples=60, deadline=None)
@given(sites(), st.integers(1, 4))
def test_remembered_choice_equals_a_fresh_one_and_follows_every_change(
    posts: list[Post], count: int
) -> None:
    memo = DictMemo()
    fresh = related_posts(posts, count)
    assert remembered_related(posts, count, memo) == fresh
    assert remembered_related(list(reversed(posts)), count, memo) == fresh
    assert memo.hits == (1 if posts else 0)
    if posts:
        # A body edit keeps the answer; a title edit asks again.
        edited = [replace(posts[0], body=Body("changed")), *posts[1:]]
        assert remembered_related(edited, count, memo) == related_posts(edited, count)
        assert memo.hits == 2
        retitled = [replace(posts[0], title=posts[0].title + " offer"), *posts[1:]]
        assert remembered_related(retitled, count, memo) == related_posts(retitled, count)
        assert memo.hits == 2


@settings(max_examples=30, deadline=None)
@given(sites(), st.sampled_from(['{"content/posts/gone.md": ["x"]}', "not json", "[1, 2]"]))
def test_a_damaged_memo_is_worked_out_again(posts: list[Post], damage: str) -> None:
    memo = DictMemo()
    remembered_related(posts, 3, memo)
    memo.values = dict.fromkeys(memo.values, damage)
    assert remembered_related(posts, 3, memo) == related_posts(posts, 3)


def random_site(rng: random.Random, count: int, hours: int) -> list[Post]:
    """``count`` posts over ``hours``, one in ten a draft, with up to three tags each."""
    return [
        listed(
            n,
            " ".join(rng.choices(WORDS, k=rng.randint(1, 5))),
            START + timedelta(hours=rng.randint(0, hours)),
            Status.PUBLISHED if rng.random() < 0.9 else Status.DRAFT,
            rng.sample(TAGS, rng.randint(0, 3)),
        )
        for n in range(count)
    ]


def test_workers_choose_what_one_process_chooses() -> None:
    """A big site's choice is shared out among forked workers; the answer is the same."""
    posts = random_site(random.Random(7), 1200, hours=5000)
    alone = related_posts(posts, 3, jobs=1)
    assert related_posts(posts, 3, jobs=2) == alone
    assert sum(1 for chosen in alone.values() if chosen) > 1000


def edited(posts: list[Post], rng: random.Random, n: int) -> list[Post]:
    """``posts`` after one change a writer makes: mostly titles and summaries (what the kept
    choice redoes in part), sometimes tags, dates, statuses, or a post added or removed."""
    posts = list(posts)
    kind = rng.choice(["title"] * 5 + ["summary"] * 2 + ["tags", "date", "status", "add", "drop"])
    if kind == "add" or not posts:
        date = START + timedelta(hours=rng.randint(0, 500))
        words = " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))
        posts.append(listed(n, words, date, Status.PUBLISHED, rng.sample(TAGS, rng.randint(0, 3))))
        return posts
    at = rng.randrange(len(posts))
    one = posts[at]
    if kind == "title":
        posts[at] = replace(one, title=" ".join(rng.choices(WORDS, k=rng.randint(0, 4))))
    elif kind == "summary":
        posts[at] = replace(one, summary=rng.choice(["", "A note on offers.", "Team notes"]))
    elif kind == "tags":
        tags = rng.sample(TAGS, rng.randint(0, 3))
        posts[at] = replace(one, tags=tuple(TagRef(t.title(), t) for t in tags))
    elif kind == "date":
        posts[at] = replace(one, date=START + timedelta(hours=rng.randint(0, 500)))
    elif kind == "status":
        posts[at] = replace(one, status=rng.choice([Status.PUBLISHED, Status.DRAFT]))
    else:
        posts.pop(at)
    return posts


def assert_index_is_fresh(kept: KeptRelated, posts: list[Post], count: int) -> None:
    """The index ``kept`` holds, reworded or not, is the one a fresh choice builds."""
    index = kept._index
    assert index is not None
    fresh = related_module._Index(
        *related_module._in_order(posts, [features(p) for p in posts]), count
    )
    assert vars(index) == vars(fresh)


@settings(max_examples=30, deadline=None)
@given(sites(), st.integers(1, 4), st.randoms(use_true_random=False))
def test_a_kept_choice_redone_in_part_equals_a_fresh_one_after_every_edit(
    posts: list[Post], count: int, rng: random.Random
) -> None:
    kept = KeptRelated()
    memo = DictMemo()
    for step in range(12):
        fresh = related_posts(posts, count)
        handed = posts if step % 3 else rng.sample(posts, len(posts))  # any order will do
        assert remembered_related(handed, count, None, kept) == fresh, f"step {step}"
        if posts:  # (no posts: nothing to choose, the kept choice waits for some)
            assert_index_is_fresh(kept, posts, count)
        assert remembered_related(posts, count, memo, kept) == fresh, f"step {step}"
        if rng.random() < 0.5:
            kept.save()  # what serve does at a quiet moment: the next process finds it
            hits = memo.hits
            assert remembered_related(posts, count, memo) == fresh, f"step {step}"
            assert memo.hits == hits + bool(posts)
        posts = edited(posts, rng, 100 + step)


def test_a_kept_choice_follows_title_edits_on_a_site_with_long_posting_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hundreds of posts: posting lists longer than the date window, words common enough to
    be dropped, or to cross the line where they are, as titles change one by one."""
    rng = random.Random(3)
    posts = random_site(rng, 400, hours=3000)
    kept = KeptRelated()
    kept.related(posts, 3, 1)
    chosen = []
    choose = related_module._Index.choose
    monkeypatch.setattr(
        related_module._Index, "choose", lambda self, i: chosen.append(i) or choose(self, i)
    )
    for step in range(40):
        at = rng.randrange(len(posts))
        title = " ".join([*rng.choices(WORDS[:6], k=rng.randint(0, 3)), f"word{step}"])
        posts[at] = replace(posts[at], title=title)
        chosen.clear()
        found = remembered_related(posts, 3, None, kept)
        assert found == related_posts(posts, 3), f"step {step}"
        assert_index_is_fresh(kept, posts, 3)
        redone = len(chosen) - len(posts)  # related_posts chose for every post
        assert 1 <= redone < len(posts), f"step {step}: chose again for {redone} posts"


@settings(max_examples=25, deadline=None)
@given(sites(), st.integers(1, 4), st.randoms(use_true_random=False))
def test_a_kept_choice_taken_from_the_memo_is_built_on_correctly(
    posts: list[Post], count: int, rng: random.Random
) -> None:
    """serve goes back and forth (an edit undone): the answer then comes from the memo, and
    the next edit builds on it."""
    states = [posts]
    for step in range(5):
        states.append(edited(states[-1], rng, 200 + step))
    kept, memo = KeptRelated(), DictMemo()
    for visit in range(14):
        posts = rng.choice(states)
        assert remembered_related(posts, count, memo, kept) == related_posts(posts, count), visit
        if rng.random() < 0.5:
            kept.save()
