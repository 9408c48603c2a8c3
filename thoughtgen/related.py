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

import copy
import hashlib
import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from heapq import nsmallest
from itertools import chain
from operator import itemgetter
from typing import TypeVar

from thoughtgen.incremental.fingerprints import Memo
from thoughtgen.incremental.replaced import replaced
from thoughtgen.model import Post, Status
from thoughtgen.parallel import parallel_map, worker_count

T = TypeVar("T")

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


Features = tuple[frozenset[str], frozenset[str]]  # a post's (tags, words)
Described = list[Features]  # of posts in date order


def features(post: Post) -> Features:
    """(tags, words) of ``post``: tags as ``#slug``, words from title, summary and tag names."""
    tags = frozenset("#" + ref.slug for ref in post.tags)
    text = " ".join([post.title, post.summary, *(ref.name for ref in post.tags)])
    return tags, frozenset(words(text))


def _order(post: Post) -> tuple[float, str]:
    """Newest first, then by source: the order ties are broken in."""
    return (-post.date.timestamp() if post.date else math.inf, post.source)


def _in_order(posts: Sequence[Post], described: Sequence[Features]) -> tuple[list[Post], Described]:
    """``posts`` and their features, newest first (ties by source)."""
    order = sorted(range(len(posts)), key=lambda n: _order(posts[n]))
    return [posts[n] for n in order], [described[n] for n in order]


def related_posts(posts: Sequence[Post], count: int, jobs: int = 1) -> dict[str, tuple[Post, ...]]:
    """Up to ``count`` related published posts for each of ``posts``, by source.

    Only published posts are suggested (never a draft or scheduled post, even when the
    build shows them); a post is never related to itself. Posts listed with no related
    ones map to ``()``. The result depends only on the set of posts, not their order (nor
    on ``jobs``, the worker processes the choosing is spread over).
    """
    if count <= 0 or not posts:
        return {}
    index = _Index(*_in_order(posts, [features(post) for post in posts]), count)
    # Each post's choice reads the indexes only, so the posts are shared out among workers.
    picks: list[tuple[int, ...]] = []
    for _start, chosen in parallel_map(index.choose, range(len(index.ordered)), jobs, 512):
        picks += chosen
    return index.answer(picks)


class _Index:
    """The inverted indexes the choice reads, over posts in date order."""

    def __init__(
        self,
        ordered: list[Post],
        described: Described,
        count: int,
    ) -> None:
        self.ordered = ordered
        self.described = described
        published = [i for i, post in enumerate(ordered) if post.status is Status.PUBLISHED]
        self.total = len(published)
        self.frequency: Counter[str] = Counter()
        for i in published:
            tags, text = described[i]
            self.frequency.update(tags | text)
        self.weights = {
            feature: weight
            for feature, df in self.frequency.items()
            if (weight := self._weight(feature, df)) is not None
        }
        self._rank()
        self.kept = kept = [(tags, (tags | text) & self.weights.keys()) for tags, text in described]
        self.postings: dict[str, list[int]] = {feature: [] for feature in self.weights}
        postings = self.postings
        for i in published:  # ascending, so every posting list is in date order
            for feature in kept[i][1]:
                postings[feature].append(i)
        # Posts sharing two tags, looked up directly: among thousands of posts on one tag,
        # the date window alone would rarely find the few that share a second one.
        self.pairs = pairs = [_pairs(kept[i][0], self.frequency) for i in range(len(ordered))]
        self.paired: dict[tuple[str, str], list[int]] = {}
        for i in published:
            for pair in pairs[i]:
                self.paired.setdefault(pair, []).append(i)
        self.count = count
        self.rescored = count * RESCORED

    def _weight(self, feature: str, df: int) -> float | None:
        """A feature's weight; None for a word in so many posts that it says nothing."""
        total = self.total
        if feature[0] == "#" or df <= 2 or 2 * df <= total:
            return math.log(1 + total / df)
        return None

    def _rank(self) -> None:
        """Strongest first; a rank per feature lets each post sort its own with a C key."""
        weights = self.weights
        self.strength = {
            f: n for n, f in enumerate(sorted(weights, key=lambda f: (-weights[f], f)))
        }

    def reworded(
        self, ordered: list[Post], described: Described, swapped: list[int] | None = None
    ) -> tuple[_Index, list[int]]:
        """This index for the same posts in the same order, with the same dates, statuses
        and tags, where only words may differ (a title or summary edited); and the positions
        whose choice can differ: the edited posts, and every post with a word one of them
        gained or lost. Nothing else reads what changed: the weights, posting lists and kept
        features of every other word are as they were, and so are the tag pairs.
        ``swapped``, when known, names the only positions whose posts may differ.
        """
        index = copy.copy(self)
        index.ordered, index.described = ordered, described
        before = self.described
        if swapped is None:
            swapped = replaced(before, described)
        edited = [i for i in swapped if before[i][1] != described[i][1]]
        if not edited:
            return index, []
        changed = frozenset().union(*(before[i][1] ^ described[i][1] for i in edited))
        reached = sorted(
            {*edited, *(i for i, (_tags, text) in enumerate(described) if text & changed)}
        )
        index.frequency = frequency = self.frequency.copy()
        for i in edited:
            if ordered[i].status is Status.PUBLISHED:
                old, new = before[i][1], described[i][1]
                frequency.subtract(old - new)
                frequency.update(new - old)
        index.weights = weights = dict(self.weights)
        for feature in changed:
            df = frequency[feature]
            weight = index._weight(feature, df) if df > 0 else None
            if df <= 0:
                frequency.pop(feature, None)  # a fresh count holds only what posts have
            if weight is None:
                weights.pop(feature, None)
            else:
                weights[feature] = weight
        index._rank()
        index.kept = kept = list(self.kept)
        for i in reached:
            tags, text = described[i]
            kept[i] = (tags, (tags | text) & weights.keys())
        index.postings = postings = dict(self.postings)
        for feature in changed:
            if feature in weights:
                postings[feature] = [
                    i
                    for i in reached
                    if feature in kept[i][1] and ordered[i].status is Status.PUBLISHED
                ]
            else:
                postings.pop(feature, None)
        return index, reached

    def choose(self, i: int) -> tuple[int, ...]:
        """The positions of the posts related to the one at position ``i``."""
        kept, postings, weights = self.kept, self.postings, self.weights
        tags, mine = kept[i]
        strongest = sorted(mine - tags, key=self.strength.__getitem__)[:MAX_FEATURES]
        # Shared tags outrank shared words, as in the final order. Posts sharing a pair of
        # tags are looked for first, then (when those are too few) tag by tag.
        lists = [self.paired[pair] for pair in self.pairs[i] if pair in self.paired]
        tagged = Counter(chain.from_iterable(_nearest(p, i) for p in lists))
        if len(tagged) <= self.rescored:
            lists = [postings[f] for f in sorted(tags) if f in postings]
            tagged.update(chain.from_iterable(_nearest(p, i) for p in lists))
        found = Counter(dict(zip(tagged, map(TAG_HIT.__mul__, tagged.values()), strict=True)))
        found.update(chain.from_iterable(_nearest(postings[f], i) for f in strongest))
        found.pop(i, None)
        # Most shared strong features first; sorted() is stable, so ties keep the order they
        # were found in, which follows the sorted tags and words, never how a set iterates
        # (that changes from one process to the next).
        shortlist = sorted(found.items(), key=itemgetter(1), reverse=True)[: self.rescored]
        best = nsmallest(
            self.count,
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

    def answer(self, picks: Sequence[tuple[int, ...]]) -> dict[str, tuple[Post, ...]]:
        ordered = self.ordered
        return {
            ordered[i].source: tuple(ordered[j] for j in chosen) for i, chosen in enumerate(picks)
        }


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


class KeptRelated:
    """What the choice worked out, kept in this process between assemblies of one site
    (``serve``'s rebuilds). Models are frozen, and an unchanged post is the same object in
    the next assembly, so what follows from a post alone is kept by its identity.

    When the next assembly has the same posts in the same order, with the same dates,
    statuses and tags, and only words differ (a title or summary edited), only the posts
    that have one of those words, and the edited ones, choose again: every other post's
    choice reads none of what changed (its own features, their weights and posting lists,
    and what it shares with its candidates are all as they were). The answer is then the
    last one with just the entries that name an edited post made again; it goes into the
    memo at ``save`` (a quiet moment), not while the writer waits.
    """

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Post, str]] = {}
        self._features: dict[int, tuple[Post, Features]] = {}
        self._index: _Index | None = None
        self._picks: list[tuple[int, ...]] = []
        self._shape: list[tuple[object, ...]] = []
        self._handed: list[Post] = []  # the posts as they were last handed in, and
        self._order: list[int] = []  # which of them comes where in date order,
        self._place: list[int] = []  # and where in date order each of them comes
        self._answer: dict[str, tuple[Post, ...]] = {}
        self._chosen_by: list[set[int]] = []  # the positions that chose each position
        self._unsaved: tuple[Memo, int] | None = None  # a memo the choice is not yet in

    def row(self, post: Post) -> str:
        return _by_identity(self._rows, post, _row)

    def reworded(
        self, posts: Sequence[Post], count: int, memo: Memo | None
    ) -> dict[str, tuple[Post, ...]] | None:
        """``related_posts`` when only words changed since the kept choice (choosing again
        for the posts the change can reach); None when anything else did."""
        last = self._index
        if last is None or last.count != count:
            return None
        swapped = self._swapped(posts)
        if swapped is not None:  # the same posts in the same order, some of them edited
            ordered, described = list(last.ordered), list(last.described)
            shape = list(self._shape)
            for i in swapped:
                post = ordered[i] = posts[self._order[i]]
                described[i] = _by_identity(self._features, post, features)
                shape[i] = _shape(post, described[i])
                if shape[i] != self._shape[i]:
                    return None
        else:
            ordered, described = self._in_order(posts)
            shape = _shape_of(ordered, described)
            if shape != self._shape:
                return None
            at = {post.source: n for n, post in enumerate(posts)}
            self._order = [at[post.source] for post in ordered]
            self._place = _inverse(self._order)
        index, reached = last.reworded(ordered, described, swapped)
        picks = list(self._picks)
        for i in reached:
            picks[i] = index.choose(i)
        self._update(index, picks, reached, swapped)
        self._handed = list(posts)
        if memo is not None:
            self._unsaved = (memo, count)
        return self._answer

    def _swapped(self, posts: Sequence[Post]) -> list[int] | None:
        """Where in date order the posts that are other objects than last time come, when
        ``posts`` are the same sources in the same order as then; None otherwise."""
        handed = self._handed
        if len(posts) != len(handed):
            return None
        moved = replaced(handed, posts)
        if any(posts[n].source != handed[n].source for n in moved):
            return None
        return sorted(self._place[n] for n in moved)

    def related(self, posts: Sequence[Post], count: int, jobs: int) -> dict[str, tuple[Post, ...]]:
        """``related_posts``, kept to build on."""
        ordered, described = self._in_order(posts)
        index = _Index(ordered, described, count)
        picks: list[tuple[int, ...]] = []
        for _start, chosen in parallel_map(index.choose, range(len(ordered)), jobs, 512):
            picks += chosen
        self._keep(posts, index, picks)
        return self._answer

    def adopt(
        self, posts: Sequence[Post], count: int, found: Mapping[str, tuple[Post, ...]]
    ) -> None:
        """Keep ``found``, the choice for ``posts`` remembered elsewhere, to build on."""
        ordered, described = self._in_order(posts)
        index = _Index(ordered, described, count)
        at = {post.source: i for i, post in enumerate(ordered)}
        picks = [tuple(at[p.source] for p in found.get(post.source, ())) for post in ordered]
        self._keep(posts, index, picks)

    def save(self) -> None:
        """Put a choice made by ``reworded`` into its memo, for the next process."""
        if self._unsaved is None or self._index is None:
            return
        memo, count = self._unsaved
        self._unsaved = None
        memo.remember(_memo_key(self._index.ordered, count, self.row), _as_json(self._answer))

    def _in_order(self, posts: Sequence[Post]) -> tuple[list[Post], Described]:
        return _in_order(posts, [_by_identity(self._features, p, features) for p in posts])

    def _keep(self, posts: Sequence[Post], index: _Index, picks: list[tuple[int, ...]]) -> None:
        """Keep a choice made from scratch (or adopted)."""
        self._index, self._picks = index, picks
        self._shape = _shape_of(index.ordered, index.described)
        self._handed = list(posts)
        at = {post.source: n for n, post in enumerate(posts)}
        self._order = [at[post.source] for post in index.ordered]
        self._place = _inverse(self._order)
        self._answer = index.answer(picks)
        self._chosen_by = [set() for _ in picks]
        for i, chosen in enumerate(picks):
            for j in chosen:
                self._chosen_by[j].add(i)
        self._unsaved = None

    def _update(
        self,
        index: _Index,
        picks: list[tuple[int, ...]],
        reached: list[int],
        swapped: list[int] | None,
    ) -> None:
        """Keep a choice ``reworded`` made: the answer's entries that name a post that is
        another object now (at ``swapped``, when known), or whose choice was made again,
        are made again."""
        before, ordered = self._index, index.ordered
        assert before is not None
        chosen_by = self._chosen_by
        for i in reached:
            for j in self._picks[i]:
                chosen_by[j].discard(i)
            for j in picks[i]:
                chosen_by[j].add(i)
        if swapped is None:
            swapped = replaced(before.ordered, ordered)
        touched = set(reached)
        for j in swapped:
            touched.add(j)
            touched.update(chosen_by[j])
        answer = dict(self._answer)
        for i in touched:
            answer[ordered[i].source] = tuple(ordered[j] for j in picks[i])
        self._index, self._picks, self._answer = index, picks, answer


def _inverse(order: list[int]) -> list[int]:
    """The permutation that undoes ``order``."""
    inverse = [0] * len(order)
    for i, n in enumerate(order):
        inverse[n] = i
    return inverse


def _shape_of(ordered: Sequence[Post], described: Described) -> list[tuple[object, ...]]:
    """What must stay as it was for a kept index to be reworded: the posts, their order,
    dates, statuses and tags."""
    return [_shape(post, one) for post, one in zip(ordered, described, strict=True)]


def _shape(post: Post, described: Features) -> tuple[object, ...]:
    """``_shape_of`` one post."""
    return (post.source, post.date, post.status, described[0])


def _by_identity(kept: dict[int, tuple[Post, T]], post: Post, make: Callable[[Post], T]) -> T:
    """``make(post)``, remembered by the post's identity (the post is kept alive with it)."""
    found = kept.get(id(post))
    if found is not None and found[0] is post:
        return found[1]
    if len(kept) > 65536:  # many assemblies ago: start over
        kept.clear()
    value = make(post)
    kept[id(post)] = (post, value)
    return value


def _row(post: Post) -> str:
    """Exactly what the choice reads of a post, as one digest."""
    described = (
        post.source,
        post.date.isoformat() if post.date else "",
        str(post.status),
        post.title,
        post.summary,
        [(ref.slug, ref.name) for ref in post.tags],
    )
    text = repr(described)  # plain values: their repr tells them apart, and costs little
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def remembered_related(
    posts: Sequence[Post], count: int, memo: Memo | None, kept: KeptRelated | None = None
) -> dict[str, tuple[Post, ...]]:
    """``related_posts``, kept in ``memo`` (the build cache) by exactly what the choice reads,
    and in ``kept`` for the next assembly in this process.

    Editing a post's body leaves every post's tags, title, summary, date and status as they
    were, so the next build takes the answer from the memo instead of working it out again.
    """
    if count <= 0 or not posts or (memo is None and kept is None):
        return related_posts(posts, count, worker_count())
    if kept is not None:
        found = kept.reworded(posts, count, memo)
        if found is not None:
            return found
    key = _memo_key(posts, count, kept.row if kept is not None else _row)
    by_source = {post.source: post for post in posts}
    found = _from_json(memo.recall(key) if memo is not None else None, by_source)
    if found is not None:
        if kept is not None:
            kept.adopt(posts, count, found)
        return found
    if kept is not None:
        found = kept.related(posts, count, worker_count())
    else:
        found = related_posts(posts, count, worker_count())
    if memo is not None:
        memo.remember(key, _as_json(found))
    return found


def _memo_key(posts: Sequence[Post], count: int, row: Callable[[Post], str]) -> str:
    rows = sorted(row(post) for post in posts)
    digest = hashlib.blake2b(
        json.dumps([CHOICE_VERSION, count, rows]).encode(), digest_size=16
    ).hexdigest()
    return f"related {digest}"


def _as_json(found: Mapping[str, tuple[Post, ...]]) -> str:
    return json.dumps({source: [p.source for p in chosen] for source, chosen in found.items()})


def _by_sources(
    chosen: Mapping[str, list[str]], by_source: Mapping[str, Post]
) -> dict[str, tuple[Post, ...]]:
    return {source: tuple(by_source[s] for s in picks) for source, picks in chosen.items()}


def _from_json(
    text: str | None, by_source: Mapping[str, Post]
) -> dict[str, tuple[Post, ...]] | None:
    try:
        data = json.loads(text) if text is not None else None
        if not isinstance(data, dict):
            return None
        return _by_sources(data, by_source)
    except (ValueError, TypeError, KeyError):
        return None
