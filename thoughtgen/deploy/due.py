"""What became public since the last deploy: the guard in front of a scheduled deploy.

A UTC cron runs at both of a slot's possible UTC times, and a daily build runs whether or
not anything is new. ``thoughtgen due --since LAST`` tells such a run whether a post went
from scheduled to published since the last deploy, so the run can skip the deploy when
nothing did.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from thoughtgen.dates import DateError, parse_datetime
from thoughtgen.errors import ThoughtgenError
from thoughtgen.model import Post, Site, Status

STAMP_LIMIT = 4096  # a deploy stamp is one line; anything longer is not one
STAMP_EXAMPLE = "2026-11-24T14:00:00Z"


def became_due(site: Site, since: datetime | None, now: datetime) -> list[Post]:
    """Posts public at ``now`` whose date is in (``since``, ``now``], oldest first.

    ``since`` None means the site was never deployed: every post public at ``now`` is due.
    Drafts and ideas are never due; pages have no dates and are not considered.
    """
    due = [
        post
        for post in site.all_posts
        if post.date is not None
        and post.status not in (Status.DRAFT, Status.IDEA)
        and post.date <= now
        and (since is None or post.date > since)
    ]
    return sorted(due, key=lambda post: (post.date or now, post.source))


def read_since(value: str, tz: tzinfo) -> datetime | None:
    """The moment ``--since`` names; None when it names a deploy stamp that does not exist.

    ``value`` is an ISO date or date-time (without an offset: in ``tz``), or ``@FILE``, a
    file holding one. A missing or empty file means "never deployed" and gives None.
    Raises ThoughtgenError naming ``--since`` or the file (and its line) when unreadable.
    """
    if value.startswith("@"):
        return read_stamp(value[1:], tz)
    try:
        return parse_datetime(value.strip(), tz)
    except DateError as exc:
        raise ThoughtgenError.single(
            "--since", None, f"{exc}, or @FILE for a file holding the last deploy's time"
        ) from None


def read_stamp(name: str, tz: tzinfo) -> datetime | None:
    """The moment in deploy stamp file ``name``; None when the file is missing or empty."""
    if not name:
        raise ThoughtgenError.single(
            "--since", None, "@ needs a file name, e.g. @.thoughtgen/last-deploy"
        )
    path = Path(name)
    try:
        with path.open("rb") as stream:
            data = stream.read(STAMP_LIMIT + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ThoughtgenError.single(
            name, None, "is a folder; give the file that holds the last deploy's time"
        ) from None
    except OSError as exc:
        raise ThoughtgenError.single(
            name, None, f"cannot be read ({exc.strerror or exc}); check its permissions"
        ) from None
    if len(data) > STAMP_LIMIT:
        raise ThoughtgenError.single(
            name, 1, f"is not a deploy stamp (it should hold one time, e.g. {STAMP_EXAMPLE})"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ThoughtgenError.single(
            name, 1, f"is not text; it should hold one time, e.g. {STAMP_EXAMPLE}"
        ) from None
    filled = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    filled = [(number, line) for number, line in filled if line]
    if not filled:
        return None
    if len(filled) > 1:
        raise ThoughtgenError.single(
            name,
            filled[1][0],
            "holds more than one time; keep only the last deploy's, e.g. " + STAMP_EXAMPLE,
        )
    number, line = filled[0]
    try:
        return parse_datetime(line, tz)
    except DateError as exc:
        raise ThoughtgenError.single(
            name,
            number,
            f"{exc}; or delete the file to count every published post as due",
        ) from None
