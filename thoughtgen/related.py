"""Related posts: for each post, the published posts most like it, found in about O(N·k).

A post is described by its tags and the words of its title, summary and tag names. Bodies
are left out: reading them all from the build cache is quick, but splitting some 60 MB of
HTML into words (at 10,000 posts) would cost more than everything else here together.
Each feature weighs its inverse document frequency, so a rare shared tag or word says more
than a common one; words found in more than half the posts say nothing and are dropped.

Candidates come from inverted indexes: of tag pairs, of tags, of words. A post looks up
its tag pairs (tags only when those find too few), and its strongest words; in a long
posting list (a tag on thousands of posts) it reads only the posts nearest to it in date,
so the work per post is bounded whatever the site's size. The best few candidates are then
scored exactly: posts sharing more tags first, then by the summed weight of what they share,
then newest, then by source path. A post that shares nothing gets no related posts rather
than arbitrary ones.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from heapq import nsmallest
from itertools import chain
from operator import itemgetter

from thoughtgen.incremental.fingerprints import Memo
from thoughtgen.model import Post, Status
from thoughtgen.parallel import parallel_map, worker_count

# Per post: how many of its features are looked up, and how many postings of each.
MAX_FEATURES = 12
WINDOW = 32
PAIRED_TAGS = 4
TAG_HIT = 1000  # a tag shared outweighs any number of words in the first, rough count
RESCORED = 4  # candidates scored exactly, per related post wanted

_WORD = re.compile(r"\w{3,}")  # shorter words rarely tell posts apart
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
    for token in set(_WORD.findall(text.casefold())) - _STOPWORDS:
        if token.isdigit():
            continue
        if len(token) > 4 and token[-1] == "s" and token[-2] != "s":
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


def related_posts(posts: Sequence[Post], count: int, jobs: int = 1) -> dict[str, tuple[Post, ...]]:
    """Up to ``count`` related published posts for each of ``posts``, by source.

    Only published posts are suggested (never a draft or scheduled post, even when the
    build shows them); a post is never related to itself. Posts listed with no related
    ones map to ``()``. The result depends only on the set of posts, not their order (nor
    on ``jobs``, the worker processes the choosing is spread over).
    """
    if count <= 0 or not posts:
        return {}
    ordered = sorted(posts, key=_order)
    described = [features(post) for post in ordered]
    published = [i for i, post in enumerate(ordered) if post.status is Status.PUBLISHED]
    total = len(published)
    frequency: Counter[str] = Counter()
    for i in published:
        tags, text = described[i]
        frequency.update(tags | text)
    weights = {
        feature: math.log(1 + total / df)
        for feature, df in frequency.items()
        if feature[0] == "#" or df <= 2 or 2 * df <= total
    }
    # Strongest first; a rank per feature lets each post sort its own with a C key.
    strength = {f: n for n, f in enumerate(sorted(weights, key=lambda f: (-weights[f], f)))}
    kept = [(tags, (tags | text) & weights.keys()) for tags, text in described]
    postings: dict[str, list[int]] = {feature: [] for feature in weights}
    for i in published:  # ascending, so every posting list is in date order
        for feature in kept[i][1]:
            postings[feature].append(i)

    # Posts sharing two tags, looked up directly: among thousands of posts on one tag, the
    # date window alone would rarely find the few that share a second one.
    pairs = [_pairs(kept[i][0], frequency) for i in range(len(ordered))]
    paired: dict[tuple[str, str], list[int]] = {}
    for i in published:
        for pair in pairs[i]:
            paired.setdefault(pair, []).append(i)

    rescored = count * RESCORED

    def choose(i: int) -> tuple[int, ...]:
        tags, mine = kept[i]
        strongest = sorted(mine - tags, key=strength.__getitem__)[:MAX_FEATURES]
        # Shared tags outrank shared words, as in the final order. Posts sharing a pair of
        # tags are looked for first, then (when those are too few) tag by tag.
        lists = [paired[pair] for pair in pairs[i] if pair in paired]
        tagged = Counter(chain.from_iterable(_nearest(p, i) for p in lists))
        if len(tagged) <= rescored:
            lists = [postings[f] for f in sorted(tags) if f in postings]
            tagged.update(chain.from_iterable(_nearest(p, i) for p in lists))
        found = Counter(dict(zip(tagged, map(TAG_HIT.__mul__, tagged.values()), strict=True)))
        found.update(chain.from_iterable(_nearest(postings[f], i) for f in strongest))
        found.pop(i, None)
        # Most shared strong features first; sorted() is stable, so ties keep the order they
        # were found in, which follows the sorted tags and words, never how a set iterates
        # (that changes from one process to the next).
        shortlist = sorted(found.items(), key=itemgetter(1), reverse=True)[:rescored]
        best = nsmallest(
            count,
            (
                (
                    -len(tags & kept[j][0]),
                    -math.fsum(map(weights.__getitem__, mine & kept[j][1])),
                    j,
                )
                for j, _shared in shortlist
            ),
        )
        return tuple(j for _tags, _weight, j in best)

    # Each post's choice reads the indexes only, so the posts are shared out among workers.
    related: dict[str, tuple[Post, ...]] = {}
    for start, chosen in parallel_map(choose, range(len(ordered)), jobs, chunk_size=512):
        for i, picks in enumerate(chosen, start):
            related[ordered[i].source] = tuple(ordered[j] for j in picks)
    return related


def _pairs(tags: frozenset[str], frequency: Mapping[str, int]) -> list[tuple[str, str]]:
    """Every pair of the post's PAIRED_TAGS rarest tags (a post with many tags has few pairs)."""
    rarest = sorted(tags, key=lambda t: (frequency.get(t, 0), t))[:PAIRED_TAGS]
    return [(a, b) for n, a in enumerate(sorted(rarest)) for b in sorted(rarest)[n + 1 :]]


def _nearest(posting: list[int], i: int) -> Iterable[int]:
    """The whole posting list when short, else the WINDOW entries nearest ``i`` in date."""
    if len(posting) <= WINDOW:
        return posting
    at = bisect_left(posting, i)
    start = min(max(0, at - WINDOW // 2), len(posting) - WINDOW)
    return posting[start : start + WINDOW]


# Bump when the choice changes, so results remembered by an older version are not reused.
CHOICE_VERSION = "1"


def remembered_related(
    posts: Sequence[Post], count: int, memo: Memo | None
) -> dict[str, tuple[Post, ...]]:
    """``related_posts``, kept in ``memo`` (the build cache) by exactly what the choice reads.

    Editing a post's body leaves every post's tags, title, summary, date and status as they
    were, so the next build takes the answer from the memo instead of working it out again.
    """
    jobs = worker_count()
    if memo is None or count <= 0 or not posts:
        return related_posts(posts, count, jobs)
    described = sorted(
        (
            post.source,
            post.date.isoformat() if post.date else "",
            str(post.status),
            post.title,
            post.summary,
            [(ref.slug, ref.name) for ref in post.tags],
        )
        for post in posts
    )
    digest = hashlib.blake2b(
        json.dumps([CHOICE_VERSION, count, described], ensure_ascii=False).encode(),
        digest_size=16,
    ).hexdigest()
    key = f"related {digest}"
    by_source = {post.source: post for post in posts}
    found = _from_json(memo.recall(key), by_source)
    if found is None:
        found = related_posts(posts, count, jobs)
        memo.remember(
            key,
            json.dumps({source: [p.source for p in chosen] for source, chosen in found.items()}),
        )
    return found


def _from_json(
    text: str | None, by_source: Mapping[str, Post]
) -> dict[str, tuple[Post, ...]] | None:
    try:
        data = json.loads(text) if text is not None else None
        if not isinstance(data, dict):
            return None
        return {source: tuple(by_source[s] for s in chosen) for source, chosen in data.items()}
    except (ValueError, TypeError, KeyError):
        return None
