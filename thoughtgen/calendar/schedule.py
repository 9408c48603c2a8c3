"""Setting a post's date by editing only the ``date`` line of its front matter.

Every other byte (comments, key order, quoting, line endings, the body) stays as it was.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from thoughtgen.frontmatter import FrontMatterError, split_front_matter
from thoughtgen.sources import decode_newlines

_DATE_LINE = re.compile(r"^date\s*:(?P<value>[^#\r\n]*?)(?P<comment>\s+#[^\r\n]*)?(?P<eol>\r?\n)?$")
_DRAFT_LINE = re.compile(r"^draft\s*:\s*(?:true|True|TRUE|yes|on)\s*(?:#[^\r\n]*)?\r?\n?$")
_STATUS_LINE = re.compile(
    r"""^status\s*:\s*['"]?(?:draft|idea)['"]?\s*(?:#[^\r\n]*)?\r?\n?$""", re.I
)


class ScheduleError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def format_date(value: datetime, tz: tzinfo) -> str:
    """``2026-11-24 09:00`` when in the site timezone, else with its offset."""
    local = value.astimezone(tz)
    if local.utcoffset() == value.utcoffset():
        value = local
        seconds = f":{value:%S}" if value.second else ""
        return f"{value:%Y-%m-%d %H:%M}{seconds}"
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def set_date(text: str, new_date: str, publish: bool = False) -> str:
    """The file ``text`` with its front-matter date set to ``new_date``.

    With ``publish``, a ``draft: true`` line and a ``status: draft``/``idea`` line are removed.
    Raises ScheduleError when the front matter does not parse.
    """
    try:
        split_front_matter(decode_newlines(text.removeprefix("\ufeff")))
    except FrontMatterError as exc:
        raise ScheduleError(exc.line, f"not changed: {exc.message}") from None
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    close = next(
        i for i in range(1, len(lines)) if lines[i].rstrip("\r\n").rstrip() in ("---", "...")
    )
    out = [lines[0]]
    found = False
    for line in lines[1:close]:
        match = _DATE_LINE.match(line)
        if match and not found:
            found = True
            out.append(f"date: {new_date}{match.group('comment') or ''}{match.group('eol') or ''}")
        elif publish and (_DRAFT_LINE.match(line) or _STATUS_LINE.match(line)):
            continue
        else:
            out.append(line)
    if not found:
        if not out[-1].endswith(("\n", "\r")):
            out[-1] += newline
        out.append(f"date: {new_date}{newline}")
    return "".join(out + lines[close:])
