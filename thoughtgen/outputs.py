"""What renderers return: files to write, as values. Only the writer touches the disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: its path below the output root and its bytes or source file."""

    path: str  # POSIX, relative, e.g. "posts/hello/index.html"
    data: bytes | None = None
    source: Path | None = None  # copied as is when data is None
    origin: str = ""  # what produced it, for collision messages

    @property
    def kind(self) -> str:
        if self.path.endswith(".html"):
            return "page"
        if self.path.endswith(("feed.xml", "atom.xml")):
            return "feed"
        return "file"
