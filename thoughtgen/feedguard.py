"""The feed-id guard: would the feeds about to be published change the id of a post already out?

Feed readers and RSS-to-email services know a post by its feed id (``feeds.entry_id``). When
the id of a post they have seen changes — a new ``base_url``, a renamed slug — they deliver
the post again, to every subscriber. This module reads the entries of published feeds (RSS
2.0, Atom or JSON Feed), finds the post each entry was, and names the posts whose id would
change with the fix: pin the old id with ``guid:``.

A post whose id is still the id of a post of the site is fine wherever it is (dropping out of
the newest-N window of a feed re-sends nothing); so is a changed ``updated`` or a new post. An
old entry that matches no post any more has vanished: a deleted post is not sent again, so
that is only worth a warning.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from thoughtgen.errors import Problem, ThoughtgenError
from thoughtgen.feeds import entry_id, xml_safe
from thoughtgen.incremental.manifest import Manifest
from thoughtgen.model import Post, Site
from thoughtgen.outputs import Planned

MAX_FEED_BYTES = 64 * 1024 * 1024  # far above any feed thoughtgen writes
SHOWN_CHANGES = 20  # per-post lines before "… and N more"

_ATOM = "{http://www.w3.org/2005/Atom}"
_FEED_NAMES = ("feed.xml", "atom.xml", "feed.json")  # what feed files are called


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a published feed: the id readers know it by, its link and its title."""

    id: str
    link: str
    title: str


@dataclass(frozen=True)
class IdChange:
    """An entry of the old feeds whose id is no post's id now.

    ``post`` is the post it was, now known by ``new_id``; both are None when no post of the
    site is that entry any more (it vanished). ``fix`` says how to keep the old id.
    """

    old: FeedEntry
    post: Post | None
    new_id: str | None
    fix: str


# Reading feeds


def entries_in_feed(data: bytes) -> list[FeedEntry]:
    """The entries of an Atom, RSS 2.0 or JSON Feed document, in document order.

    Raises ValueError when ``data`` is none of them or cannot be read. XML is read without
    a document type declaration, so no entity is ever defined or fetched.
    """
    if len(data) > MAX_FEED_BYTES:
        raise ValueError(f"larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _json_entries(data)
    return _xml_entries(data)


def _json_entries(data: bytes) -> list[FeedEntry]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, RecursionError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise ValueError("not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise ValueError("a JSON Feed without an items list")
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        ident = _text_of(item.get("id"))
        link = _text_of(item.get("url"))
        if ident or link:
            found.append(FeedEntry(ident or link, link, _text_of(item.get("title"))))
    return found


def _text_of(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value).strip()
    return ""


class _NoDoctype(ET.TreeBuilder):
    """Refuses a DOCTYPE: feeds need none, and it is where entities are declared."""

    def doctype(self, name: str, pubid: str, system: str) -> None:
        raise ValueError("a document type declaration, which feeds do not need")


def _xml_entries(data: bytes) -> list[FeedEntry]:
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from None
    if root.tag == f"{_ATOM}feed":
        return [_atom_entry(entry) for entry in root.iter(f"{_ATOM}entry")]
    if root.tag == "rss":
        return [entry for item in root.iter("item") if (entry := _rss_entry(item)) is not None]
    raise ValueError(f"neither an Atom nor an RSS 2.0 feed (its root is {root.tag!r})")


def _child_text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return "".join(child.itertext()).strip() if child is not None else ""


def _atom_entry(entry: ET.Element) -> FeedEntry:
    link = ""
    for candidate in entry.findall(f"{_ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate":
            link = (candidate.get("href") or "").strip()
            break
    ident = _child_text(entry, f"{_ATOM}id")
    return FeedEntry(ident or link, link, _child_text(entry, f"{_ATOM}title"))


def _rss_entry(item: ET.Element) -> FeedEntry | None:
    link = _child_text(item, "link")
    ident = _child_text(item, "guid") or link
    if not ident:
        return None
    return FeedEntry(ident, link, _child_text(item, "title"))


# Comparing with the site


def id_changes(old: Iterable[FeedEntry], site: Site) -> list[IdChange]:
    """Entries of ``old`` whose id is no listed post's id now, with the post each one was.

    An entry is matched to a post by its link's path below the old site root (the post's
    URL or one of its ``aliases:``), else by its title. Entries repeated across feeds are
    looked at once.
    """
    unique: dict[str, FeedEntry] = {}
    for entry in old:
        unique.setdefault(entry.id, entry)
    entries = list(unique.values())
    pending = set(unique)
    for post in site.posts:  # newest first, as feeds hold them: usually over long before the end
        pending.discard(entry_id(site, post))
        if not pending:
            return []
    current = {entry_id(site, post): post for post in site.posts}
    missing = [entry for entry in entries if entry.id not in current]
    by_path = _posts_by_path(site)
    root = _old_root(entries, by_path)
    claimed = {current[entry.id].source for entry in entries if entry.id in current}
    found: dict[str, tuple[Post, str]] = {}  # old id → (post, its old site-relative path)
    for entry in missing:
        match = _by_link(entry, root, by_path)
        if match is not None and match[0].source not in claimed:
            found[entry.id] = match
            claimed.add(match[0].source)
    by_title: dict[str, list[Post]] = {}
    for post in site.posts:
        by_title.setdefault(xml_safe(post.title).strip(), []).append(post)
    for entry in missing:
        if entry.id in found:
            continue
        rel = _relative(entry, root)
        for post in by_title.get(entry.title.strip(), ()):
            if post.source not in claimed:
                found[entry.id] = (post, rel)
                claimed.add(post.source)
                break
    changes = []
    for entry in missing:
        if entry.id not in found:
            changes.append(IdChange(entry, None, None, _vanished_fix(entry)))
            continue
        post, rel = found[entry.id]
        changes.append(IdChange(entry, post, entry_id(site, post), _fix(entry, post, rel, site)))
    return changes


def _alias_paths(post: Post, site: Site) -> list[str]:
    base = site.config.base_path
    return [
        alias.request[len(base) :] if alias.request.startswith(base) else alias.request.lstrip("/")
        for alias in post.aliases
    ]


def _posts_by_path(site: Site) -> dict[str, Post]:
    """Every listed post by its URL and by each of its aliases (site-relative, no leading /)."""
    by_path: dict[str, Post] = {}
    for post in site.posts:
        by_path.setdefault(post.url, post)
    for post in site.posts:
        for path in _alias_paths(post, site):
            by_path.setdefault(path, post)
    return by_path


def _link_of(entry: FeedEntry) -> str:
    if entry.link:
        return entry.link
    return entry.id if urlsplit(entry.id).scheme in ("http", "https") else ""


def _splits(link: str) -> Iterable[tuple[str, str]]:
    """(root, rest) for each '/' of the link's path, the longest rest first: every way the
    link can be a site root followed by a path on that site."""
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return
    base = link.partition("#")[0].partition("?")[0]
    index = base.find("/", len(parts.scheme) + 3 + len(parts.netloc))
    while 0 <= index < len(base) - 1:
        yield base[: index + 1], base[index + 1 :]
        index = base.find("/", index + 1)


def _lookup(rest: str, by_path: dict[str, Post]) -> Post | None:
    return by_path.get(rest) or by_path.get(unquote(rest))


def _old_root(entries: Sequence[FeedEntry], by_path: dict[str, Post]) -> str | None:
    """The site root most old links are below, judged by which of them name a post."""
    votes: Counter[str] = Counter()
    for entry in entries:
        for root, rest in _splits(_link_of(entry)):
            if _lookup(rest, by_path) is not None:
                votes[root] += 1
    return votes.most_common(1)[0][0] if votes else None


def _by_link(
    entry: FeedEntry, root: str | None, by_path: dict[str, Post]
) -> tuple[Post, str] | None:
    link = _link_of(entry)
    if root is not None and link.startswith(root):
        rest = link[len(root) :]
        post = _lookup(rest, by_path)
        return (post, rest) if post is not None else None
    for _root, rest in _splits(link):  # longest path first: the most specific match
        post = _lookup(rest, by_path)
        if post is not None:
            return post, rest
    return None


def _relative(entry: FeedEntry, root: str | None) -> str:
    link = _link_of(entry)
    if root is not None and link.startswith(root):
        return link[len(root) :]
    return urlsplit(link).path.lstrip("/") if link else ""


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are valid YAML


def _fix(entry: FeedEntry, post: Post, rel: str, site: Site) -> str:
    fix = f"add 'guid: {_quoted(entry.id)}' to its front matter"
    kept = {post.url, *_alias_paths(post, site)}
    if rel and rel not in kept and unquote(rel) not in kept:
        fix += f", and 'aliases: [{_quoted('/' + unquote(rel))}]' so its old address keeps working"
    return fix


def _vanished_fix(entry: FeedEntry) -> str:
    return (
        f"if it was renamed and retitled rather than deleted, add 'guid: {_quoted(entry.id)}' "
        "to it so it is not sent again"
    )


# Reporting


def change_problems(changes: Sequence[IdChange], site_dir: Path) -> list[Problem]:
    """One ``path:line: message`` per post whose id would change (vanished entries are left
    to ``vanished_problems``), and one at ``base_url`` when the site root itself moved."""
    from thoughtgen.config import CONFIG_FILE
    from thoughtgen.frontmatter import front_matter_lines
    from thoughtgen.scaffold import config_line

    changed = [change for change in changes if change.post is not None]
    if not changed:
        return []
    problems: list[Problem] = []
    moves = Counter(move for change in changed if (move := _root_move(change)) is not None)
    if moves:
        (old_root, new_root), count = moves.most_common(1)[0]
        problems.append(
            Problem(
                CONFIG_FILE,
                config_line(site_dir, "base_url"),
                f"base_url changed from {old_root} to {new_root}, and with it the feed id of "
                f"every published post: {_posts(count)} in the published feeds would be sent "
                "again to every subscriber by feed readers and RSS-to-email services; keep "
                f"base_url {old_root}, add 'guid:' with its old id to each post (listed "
                "below), or build with --accept-new-ids if subscribers should get them again",
            )
        )
    line_of = front_matter_lines(site_dir)
    changed.sort(key=lambda change: change.post.source if change.post else "")
    for change in changed[:SHOWN_CHANGES]:
        post = change.post
        assert post is not None
        problems.append(
            Problem(
                post.source,
                line_of(post.source, "title"),
                f"the feed id of {_quoted(post.title)} would change from {change.old.id} to "
                f"{change.new_id}, so subscribers would get it again; {change.fix}",
            )
        )
    rest = changed[SHOWN_CHANGES:]
    if rest:
        folder = os.path.commonpath([PurePosixPath(c.post.source).parent for c in rest if c.post])
        problems.append(
            Problem(
                str(PurePosixPath(folder)) if folder else ".",
                None,
                f"… and {len(rest)} more {'post' if len(rest) == 1 else 'posts'} whose feed "
                "id would change (the same fix)",
            )
        )
    return problems


def _root_move(change: IdChange) -> tuple[str, str] | None:
    """(old root, new root) when the post kept its path but the site root changed."""
    post, new_id, link = change.post, change.new_id, _link_of(change.old)
    if post is None or new_id is None or post.guid or not link.endswith(post.url):
        return None
    if not new_id.endswith(post.url):
        return None
    old_root = link[: len(link) - len(post.url)]
    new_root = new_id[: len(new_id) - len(post.url)]
    return (old_root, new_root) if old_root != new_root else None


def _posts(count: int) -> str:
    return f"{count} post" if count == 1 else f"{count} posts"


def vanished_problems(changes: Sequence[IdChange], where: str) -> list[Problem]:
    """Warnings for old entries that are no post now (deleted, unpublished, or unrecognisable)."""
    gone = [change for change in changes if change.post is None]
    problems = [
        Problem(
            where,
            None,
            f"{_quoted(change.old.title or change.old.id)} ({change.old.id}) was in the "
            f"published feeds and is no post of the site now; {change.fix}",
        )
        for change in gone[:SHOWN_CHANGES]
    ]
    if len(gone) > SHOWN_CHANGES:
        problems.append(
            Problem(where, None, f"… and {len(gone) - SHOWN_CHANGES} more no longer in the site")
        )
    return problems


# The guard in a build


def previous_entries(
    output: Path, planned: Sequence[Planned], manifest: Manifest
) -> list[FeedEntry]:
    """Entries of the feeds in ``output`` that this build writes anew.

    Only feeds thoughtgen wrote there (listed in its ``manifest``) are read, and only those
    whose key differs from the planned one: a feed with the same key is kept byte for byte,
    so its ids cannot change. The feeds of one folder (RSS, Atom, JSON) carry the same
    entries, so one of them that reads is enough; JSON reads fastest. A feed that does not
    read is skipped.
    """
    feeds = [item for item in planned if item.path.endswith(_FEED_NAMES)]
    if not feeds or not output.is_dir():
        return []
    old = manifest.files
    folders: dict[str, list[str]] = {}
    for item in feeds:
        if item.path in old and (not item.keyed or old[item.path].key != item.key):
            folders.setdefault(item.path.rpartition("/")[0], []).append(item.path)
    found: list[FeedEntry] = []
    for paths in folders.values():
        paths.sort(key=lambda path: not path.endswith(".json"))
        for path in paths:
            try:
                found += entries_in_feed(_read_bounded(output / path))
            except (OSError, ValueError):
                continue
            break
    return found


def _read_bounded(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_FEED_BYTES + 1)
    return data


def guard_feed_ids(
    site: Site,
    planned: Sequence[Planned],
    output: Path,
    manifest: Manifest,
    site_dir: Path,
    shown: str,
) -> list[Problem]:
    """Raise ThoughtgenError when the planned feeds change ids of posts in ``output``'s feeds
    (``manifest`` is its manifest); return warnings for posts that left them. ``shown`` is
    the output folder as the user named it."""
    old = previous_entries(output, planned, manifest)
    if not old:
        return []
    changes = id_changes(old, site)
    problems = change_problems(changes, site_dir)
    if problems:
        problems.append(
            Problem(
                shown,
                None,
                "the feeds published here know these posts by their old ids; fix them as "
                "above, or build with --accept-new-ids to send them again as new posts",
            )
        )
        raise ThoughtgenError(problems)
    return vanished_problems(changes, shown)
