"""What importers of unpacked exports share: reading one text file, with a note for anything
amiss, and pointing links to the writer's own posts at the imported sources."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from thoughtgen.importers.model import ImportedDoc, SourceSite


def read_export_text(
    root: Path,
    path: Path,
    source: str,
    site: SourceSite,
    limit: int,
    *,
    note_missing: bool = True,
    check: str = "check the text",
) -> str | None:
    """The text of ``path`` (``source`` in notes), or None when it cannot be imported.

    A file reached through a link out of ``root``, one larger than ``limit`` bytes or one
    that cannot be read is left out with a note (a missing one too, when ``note_missing``);
    text that is not UTF-8 is read with U+FFFD for the bad bytes, and the note says to
    ``check`` it.
    """
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside:
        site.note(source, None, "points outside the export: not read")
        return None
    if not path.is_file():
        if note_missing:
            site.note(source, None, "is not a file: not read")
        return None
    try:
        if path.stat().st_size > limit:
            site.note(source, None, f"larger than {limit // 2**20} MB: not read")
            return None
        data = path.read_bytes()
    except OSError as exc:
        site.note(source, None, f"cannot be read ({exc.strerror}): not imported")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        site.note(source, line, f"is not UTF-8; unreadable characters became '\ufffd': {check}")
        return data.decode("utf-8", errors="replace")


# A Markdown link's target or an autolink, to an http(s) address.
_MARKDOWN_LINK = re.compile(r"(?<=\])\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
_MARKDOWN_SPECIAL = re.compile(r"[\\\[\]*_`]")


def link_own_posts(docs: list[ImportedDoc], target_of: Callable[[str], ImportedDoc | None]) -> None:
    """Point links to the writer's own posts on the old platform at the imported sources.

    ``target_of`` maps an address to the imported post it was, or None. A link becomes
    ``(<slug>.md)``, which the build turns into the post's new address; an autolink, which
    showed the address, becomes a link showing the post's title.
    """

    def replace(match: re.Match[str]) -> str:
        target = target_of(match.group(1) or match.group(2))
        if target is None:
            return match.group(0)
        if match.group(2):
            title = _MARKDOWN_SPECIAL.sub(r"\\\g<0>", target.title)
            return f"[{title}]({target.slug}.md)"
        return f"({target.slug}.md)"

    for doc in docs:
        doc.body = _MARKDOWN_LINK.sub(replace, doc.body)
