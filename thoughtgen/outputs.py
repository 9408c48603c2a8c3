"""What renderers return: files to write, as values. Only the writer touches the disk."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any


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
        if self.path.endswith(("feed.xml", "atom.xml", "feed.json")):
            return "feed"
        return "file"


@dataclass(frozen=True)
class Planned:
    """An output the build will have: its path, and how to make it when it must be made.

    ``key`` digests every input of the output; when the previous build wrote the same path
    with the same key, the file is kept as it is and ``produce`` is never called. Outputs
    that are cheap to make have no key and are made every time (and still only written when
    their bytes differ). ``keying`` is the key or how to compute it: a build with nothing to
    compare against computes it only where the output is made (in a worker process).
    """

    path: str
    origin: str
    keying: str | Callable[[], str] | None
    produce: Callable[[], OutputFile]
    # For an HTML page: the template, URL and context ``produce`` renders it from.
    page: tuple[str, str, Mapping[str, Any]] | None = None

    @property
    def keyed(self) -> bool:
        return self.keying is not None

    @cached_property
    def key(self) -> str | None:
        keying = self.keying
        return keying() if callable(keying) else keying

    @property
    def kind(self) -> str:
        return OutputFile(self.path).kind


def page_path(url: str) -> str:
    """The file a page URL is written to: ``a/b/`` → ``a/b/index.html``; ``a.html`` as is."""
    return url if url.endswith(".html") else f"{url}index.html"
