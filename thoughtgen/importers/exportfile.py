"""Reading one text file of an unpacked export, with a note for anything amiss."""

from __future__ import annotations

from pathlib import Path

from thoughtgen.importers.model import SourceSite


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
