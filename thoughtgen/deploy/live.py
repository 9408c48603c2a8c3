"""``.thoughtgen/live.json``: which posts the last ``deploy verify`` saw live, where and when.

``thoughtgen calendar`` reads it to mark posts confirmed live.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from thoughtgen.model import Post
from thoughtgen.output.atomic import write_file_atomically

LIVE_FILE = Path(".thoughtgen") / "live.json"
VERSION = 1


@dataclass(frozen=True)
class LiveState:
    url: str  # the site's address that was checked
    checked_at: datetime
    posts: tuple[tuple[str, str], ...]  # (source, the post's URL path then), confirmed live

    def live_sources(self, posts: Iterable[Post]) -> frozenset[str]:
        """Sources of ``posts`` confirmed live at the address they have now (a post whose
        slug changed since has not been seen at its new address)."""
        seen = dict(self.posts)
        return frozenset(p.source for p in posts if seen.get(p.source) == p.url)


def write_live(site_dir: Path, state: LiveState) -> Path:
    path = site_dir / LIVE_FILE
    data = {
        "version": VERSION,
        "url": state.url,
        "checked_at": state.checked_at.isoformat(timespec="seconds"),
        "posts": [{"source": source, "path": url} for source, url in state.posts],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file_atomically(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    return path


def read_live(site_dir: Path) -> LiveState | None:
    """The last verify's state; None when there was none, or the file is not one this
    version wrote (it is rewritten by the next verify)."""
    path = site_dir / LIVE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    try:
        posts = tuple((str(p["source"]), str(p["path"])) for p in data["posts"])
        return LiveState(str(data["url"]), datetime.fromisoformat(data["checked_at"]), posts)
    except (KeyError, TypeError, ValueError):
        return None
