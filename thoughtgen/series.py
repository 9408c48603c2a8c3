"""Series: listed posts that share a ``series:`` name, in reading order.

A series is found from the Site alone (names compared by their slug, so "Getting Started"
and "getting started" are one series). Parts are ordered by ``series_part``, then date
(oldest first), then source path; a post without ``series_part`` follows the numbered
ones. "Part 2 of 4" counts places in that order, not the numbers written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from thoughtgen.errors import Problem, ThoughtgenError, shown
from thoughtgen.frontmatter import LineFinder
from thoughtgen.model import Post
from thoughtgen.slugs import MAX_NAME_BYTES, name_too_long, slugify


@dataclass(frozen=True)
class Series:
    """A named run of posts, in reading order."""

    name: str
    slug: str
    parts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return f"series/{self.slug}/"


@dataclass(frozen=True)
class SeriesPlace:
    """Where one post stands in its series: what a post's page shows."""

    series: Series
    index: int  # 0-based place in ``series.parts``

    @property
    def name(self) -> str:
        return self.series.name

    @property
    def url(self) -> str:
        return self.series.url

    @property
    def parts(self) -> tuple[Post, ...]:
        return self.series.parts

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def total(self) -> int:
        return len(self.series.parts)

    @property
    def previous(self) -> Post | None:
        return self.series.parts[self.index - 1] if self.index > 0 else None

    @property
    def next(self) -> Post | None:
        parts = self.series.parts
        return parts[self.index + 1] if self.index + 1 < len(parts) else None


@dataclass(frozen=True)
class SeriesIndex:
    """Every series of a site, and each post's place in one."""

    series: tuple[Series, ...]  # sorted by name
    places: Mapping[str, SeriesPlace]  # by post source

    def places_of(self, posts: Sequence[Post]) -> list[SeriesPlace | None]:
        """Each post's place in its series, or None (a site without series looks up none)."""
        if not self.places:
            return [None] * len(posts)
        return [self.places.get(post.source) for post in posts]


def _reading_order(post: Post) -> tuple[bool, int, bool, float, str]:
    part = post.series_part
    stamp = post.date.timestamp() if post.date else 0.0
    return (part is None, part or 0, post.date is None, stamp, post.source)


def collect_series(posts: Sequence[Post], line_of: LineFinder | None = None) -> SeriesIndex:
    """The series of ``posts`` (the listed ones); raises ThoughtgenError naming every problem.

    ``line_of`` finds the line of a front matter key in a source, for messages; it is only
    called when something is wrong.
    """
    find = line_of or (lambda _source, _key: None)
    problems: list[Problem] = []
    groups: dict[str, list[Post]] = {}
    for post in posts:
        if not post.series:
            continue
        slug = slugify(post.series)
        if not slug:
            problems.append(
                Problem(
                    post.source,
                    find(post.source, "series"),
                    f"series {shown(post.series)} has no letters or digits to make its URL "
                    "from; give it a name with some",
                )
            )
        elif name_too_long(slug):
            problems.append(
                Problem(
                    post.source,
                    find(post.source, "series"),
                    f"series name {shown(post.series)} is longer than {MAX_NAME_BYTES} bytes "
                    "as a URL; give the series a shorter name",
                )
            )
        else:
            groups.setdefault(slug, []).append(post)
    found: list[Series] = []
    for slug, members in groups.items():
        parts = sorted(members, key=_reading_order)
        problems += _claimed_twice(parts, find)
        spellings = Counter(p.series for p in parts)
        name = max(spellings, key=lambda n: (spellings[n], -parts_index(parts, n)))
        found.append(Series(name, slug, tuple(parts)))
    if problems:
        raise ThoughtgenError(sorted(problems, key=lambda p: p.sort_key))
    found.sort(key=lambda s: (s.name.casefold(), s.slug))
    places = {
        post.source: SeriesPlace(series, index)
        for series in found
        for index, post in enumerate(series.parts)
    }
    return SeriesIndex(tuple(found), MappingProxyType(places))


def parts_index(parts: Sequence[Post], name: str) -> int:
    """The first place where a part spells the series ``name`` (ties go to the earliest)."""
    return next(i for i, p in enumerate(parts) if p.series == name)


def _claimed_twice(parts: Sequence[Post], find: LineFinder) -> list[Problem]:
    first: dict[int, Post] = {}
    problems = []
    for post in sorted(parts, key=lambda p: p.source):
        if post.series_part is None:
            continue
        other = first.setdefault(post.series_part, post)
        if other is not post:
            problems.append(
                Problem(
                    post.source,
                    find(post.source, "series_part"),
                    f"part {post.series_part} of series {shown(post.series)} is also "
                    f"{other.source}; give each part its own series_part",
                )
            )
    return problems
