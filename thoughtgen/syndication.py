"""Recording where a post was also published: one URL added to its ``syndication:`` list.

Only one line of the source changes (or one line is added); the byte-order mark, the line
endings, comments and every other byte stay as they were. The new text must read back
through the real parser with the URL in place, or nothing is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from thoughtgen.config import web_url_problem
from thoughtgen.errors import ThoughtgenError

BOM = b"\xef\xbb\xbf"
KEY = "syndication"

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")
# ``syndication: <value>  # comment`` split into its parts (the comment needs a space before #).
_KEY_LINE = re.compile(
    rf"^(?P<head>{KEY}[ \t]*:[ \t]*)(?P<value>[^\r\n]*?)(?P<comment>[ \t]+#[^\r\n]*|)"
    r"(?P<eol>\r\n|\n|\r|)$"
)
_FLOW = re.compile(r"^\[(?P<inner>.*)\](?P<space>[ \t]*)$")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-(?:[ \t]|$)")
_PLAIN_IN_FLOW = re.compile(r"^[^,\[\]{}\"'\s#]+$")


@dataclass(frozen=True)
class Recorded:
    rel: str  # the post's source, relative to the site
    line: int  # the line that holds the URL now
    changed: bool  # False when the URL was there already


def record_syndication(site_dir: Path, ref: str, url: str, now: str | None = None) -> Recorded:
    """Add ``url`` to the ``syndication:`` front matter of the post ``ref`` (path or slug)."""
    from thoughtgen.build import BuildOptions, open_site
    from thoughtgen.errors import ProblemLog
    from thoughtgen.share import _readable_post

    url = url.strip()
    reason = web_url_problem(url) if url else "is empty; give the address where you posted it"
    if reason:
        raise ThoughtgenError.single("--record", None, f"the URL {reason}")
    log = ProblemLog()
    with open_site(BuildOptions(site_dir=site_dir, now=now), log, lenient=True) as site:
        pass
    post = _readable_post(site, site_dir, ref, log)
    path = site_dir / post.source
    data = path.read_bytes()
    new, line = with_url(data, url, post.source, site.config.tz)
    if new is None:
        return Recorded(post.source, line, False)
    from thoughtgen.output.atomic import write_file_atomically

    write_file_atomically(path, new)
    return Recorded(post.source, line, True)


def with_url(data: bytes, url: str, rel: str, tz: tzinfo) -> tuple[bytes | None, int]:
    """The file's bytes with ``url`` added, and the line it is on; None when it was there."""
    from thoughtgen.parse import ParsedItem, parse_source, shared_renderer

    before = parse_source(rel, "post", data, tz, shared_renderer())
    if not isinstance(before, ParsedItem):
        raise ThoughtgenError(before)
    bom = BOM if data.startswith(BOM) else b""
    text = data[len(bom) :].decode("utf-8")
    lines = _LINES.findall(text)
    key_line = _key_line(lines)
    if url in before.syndication:
        return None, key_line or 1
    new_lines, changed_line = _edited(lines, key_line, url)
    new = bom + "".join(new_lines).encode("utf-8")
    after = parse_source(rel, "post", new, tz, shared_renderer())
    if not isinstance(after, ParsedItem) or after.syndication != (*before.syndication, url):
        where = key_line or 1
        raise ThoughtgenError.single(
            rel,
            where,
            f"could not add {url} to 'syndication:' by changing one line; "
            f"add it by hand (e.g. {KEY}: [{url}])",
        )
    return new, changed_line


def _key_line(lines: list[str]) -> int | None:
    """The 1-based line of the top-level ``syndication:`` key, if the front matter has one."""
    for index in range(1, _closing(lines)):
        if lines[index].startswith(KEY) and _KEY_LINE.match(lines[index]):
            return index + 1
    return None


def _closing(lines: list[str]) -> int:
    """The index of the line that closes the front matter."""
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in ("---", "..."):
            return index
    return len(lines)


def _newline(lines: list[str]) -> str:
    first = lines[0]
    return first[len(first.rstrip("\r\n")) :] or "\n"


def _yaml_item(url: str) -> str:
    """``url`` as an item of a YAML flow list: plain when it can be, else double-quoted."""
    return url if _PLAIN_IN_FLOW.match(url) else json.dumps(url)


def _edited(lines: list[str], key_line: int | None, url: str) -> tuple[list[str], int]:
    close = _closing(lines)
    newline = _newline(lines)
    if key_line is None:  # no key: one new line at the end of the front matter
        added = f"{KEY}: [{_yaml_item(url)}]{newline}"
        return [*lines[:close], added, *lines[close:]], close + 1
    index = key_line - 1
    match = _KEY_LINE.match(lines[index])
    assert match is not None
    head, value, comment, eol = match.group("head", "value", "comment", "eol")
    value = value.rstrip(" \t")
    if not value:
        found = _last_item(lines, index, close)
        if found is not None:  # a block list: one new item after its last one
            item, end = found
            indent = _ITEM.match(lines[item]).group("indent")  # type: ignore[union-attr]
            ending = lines[end][len(lines[end].rstrip("\r\n")) :] or newline
            added = f"{indent}- {url}{ending}"
            return [*lines[: end + 1], added, *lines[end + 1 :]], end + 2
        rewritten = f"[{_yaml_item(url)}]"
    elif flow := _FLOW.match(value):
        inner = flow.group("inner")
        kept = inner.rstrip(" \t")
        joined = f"{kept}, {_yaml_item(url)}" if kept.strip() else _yaml_item(url)
        rewritten = f"[{joined}{inner[len(kept) :]}]{flow.group('space')}"
    else:  # one URL written alone: it becomes a flow list of two
        rewritten = f"[{value}, {_yaml_item(url)}]"
    new_line = f"{head}{rewritten}{comment}{eol or newline}"
    return [*lines[:index], new_line, *lines[index + 1 :]], key_line


def _last_item(lines: list[str], key_index: int, close: int) -> tuple[int, int] | None:
    """The last ``- item`` line of a block list under the key, and the item's last line."""
    last = end = None
    for index in range(key_index + 1, close):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _ITEM.match(line):
            last = end = index
        elif line[:1] in (" ", "\t") and last is not None:
            end = index  # the item goes on over this line
        else:
            break
    return None if last is None or end is None else (last, end)
