"""Related posts: for each post, the published posts most like it, found in about O(N·k).

A post is described by its tags and the words of its title, summary and tag names (bodies
are left out: they are read from the build cache one page at a time, and reading them all
would cost more than every other part of this). Each feature weighs its inverse document
frequency, so a rare shared tag or word says more than a common one; words found in more
than half the posts say nothing and are dropped.

Candidates come from an inverted index. A post looks up only its strongest features, and
in a long posting list (a tag on thousands of posts) only the posts nearest to it in date,
so the work per post is bounded whatever the site's size. The best few candidates are then
scored exactly: posts sharing more tags first, then by the summed weight of what they share,
then newest, then by source path. A post that shares nothing gets no related posts rather
than arbitrary ones.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from heapq import nsmallest

from thoughtgen.model import Post, Status

# Per post: how many of its features are looked up, and how many postings of each.
MAX_FEATURES = 16
WINDOW = 32
RESCORED = 4  # candidates scored exactly, per related post wanted

_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    """
    about above after again against all also and any are because been before being below
    between both but can could did does doing down during each few for from further had has
    have having her here hers him his how into its itself just more most not now off once
    only other our ours out over own same she should some such than that the their theirs
    them then there these they this those through too under until very was were what when
    where which while who whom why will with would you your yours yourself
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def words(text: str) -> set[str]:
    """The words of ``text`` that can tell posts apart: folded, without common short words."""
    found = set()
    for token in _WORD.findall(text.casefold()):
        if token.isdigit() or token in _STOPWORDS or (len(token) < 3 and token.isascii()):
            continue
        if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]  # "networks" and "network" are one word
        found.add(token)
    return found


def features(post: Post) -> tuple[frozenset[str], frozenset[str]]:
    """(tags, words) of ``post``: tags as ``#slug``, words from title, summary and tag names."""
    tags = frozenset("#" + ref.slug for ref in post.tags)
    text = " ".join([post.title, post.summary, *(ref.name for ref in post.tags)])
    return tags, frozenset(words(text))


def _order(post: Post) -> tuple[float, str]:
    """Newest first, then by source: the order ties are broken in."""
    return (-post.date.timestamp() if post.date else math.inf, post.source)


def related_posts(posts: Sequence[Post], count: int) -> dict[str, tuple[Post, ...]]:
    """Up to ``count`` related published posts for each of ``posts``, by source.

    Only published posts are suggested (never a draft or scheduled post, even when the
    build shows them); a post is never related to itself. Posts listed with no related
    ones map to ``()``. The result depends only on the set of posts, not their order.
    """
    if count <= 0 or not posts:
        return {}
    ordered = sorted(posts, key=_order)
    described = [features(post) for post in ordered]
    published = [i for i, post in enumerate(ordered) if post.status is Status.PUBLISHED]
    total = len(published)
    frequency: dict[str, int] = {}
    for i in published:
        tags, text = described[i]
        for feature in tags | text:
            frequency[feature] = frequency.get(feature, 0) + 1
    weights = {
        feature: round(math.log(1 + total / df), 9)
        for feature, df in frequency.items()
        if feature[0] == "#" or df <= 2 or 2 * df <= total
    }
    postings: dict[str, list[int]] = {feature: [] for feature in weights}
    for i in published:  # ascending, so every posting list is in date order
        tags, text = described[i]
        for feature in tags | text:
            if feature in weights:
                postings[feature].append(i)

    related: dict[str, tuple[Post, ...]] = {}
    for i, post in enumerate(ordered):
        tags, text = described[i]
        mine = [f for f in tags | text if f in weights]
        strongest = nsmallest(MAX_FEATURES, mine, key=lambda f: (-weights[f], f))
        rough: dict[int, float] = {}
        for feature in strongest:
            weight = weights[feature]
            for j in _nearest(postings[feature], i):
                rough[j] = rough.get(j, 0.0) + weight
        rough.pop(i, None)
        shortlist = nsmallest(count * RESCORED, rough, key=lambda j: (-rough[j], j))
        exact = [(_score(tags, text, described[j], weights), j) for j in shortlist]
        best = nsmallest(count, exact, key=lambda s: (-s[0][0], -s[0][1], s[1]))
        related[post.source] = tuple(ordered[j] for _score_of, j in best)
    return related


def _nearest(posting: list[int], i: int) -> Iterable[int]:
    """The whole posting list when short, else the WINDOW entries nearest ``i`` in date."""
    if len(posting) <= WINDOW:
        return posting
    at = bisect_left(posting, i)
    start = min(max(0, at - WINDOW // 2), len(posting) - WINDOW)
    return posting[start : start + WINDOW]


def _score(
    tags: frozenset[str],
    text: frozenset[str],
    other: tuple[frozenset[str], frozenset[str]],
    weights: Mapping[str, float],
) -> tuple[int, float]:
    """(shared tags, summed weight of every shared feature) between two posts."""
    shared_tags = tags & other[0]
    shared = shared_tags | (text & other[1])
    return len(shared_tags), round(sum(weights.get(f, 0.0) for f in sorted(shared)), 9)
