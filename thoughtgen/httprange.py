"""Which bytes of a file an HTTP ``Range`` header asks for (RFC 9110, section 14).

Browsers ask for parts of audio and video files to seek in them (Safari will not play a
video whose server ignores ranges), and download managers resume with them. One range is
answered; a header the server may ignore (another unit, several ranges, bad syntax) means
the whole file, as the RFC allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One range: "first-last", "first-" or "-suffix", each number a run of digits.
_ONE = re.compile(r"bytes=[ \t]*(\d*)-(\d*)[ \t]*", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """Bytes ``start`` up to, not including, ``stop`` of a file of ``size`` bytes."""

    start: int
    stop: int
    size: int

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.stop - 1}/{self.size}"


class Unsatisfiable:
    """A range that lies wholly past the end of the file: answered 416."""


UNSATISFIABLE = Unsatisfiable()


def requested_range(header: str | None, size: int) -> Part | Unsatisfiable | None:
    """The part of a ``size``-byte file that ``header`` asks for; None for the whole file."""
    if header is None:
        return None
    match = _ONE.fullmatch(header.strip())
    if match is None:
        return None  # another unit, several ranges, or not a range at all: ignored
    first, last = match.group(1), match.group(2)
    if not first:
        if not last:
            return None  # "bytes=-": not a range
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return Part(max(0, size - suffix), size, size)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: the RFC says to ignore it
    if start >= size:
        return UNSATISFIABLE
    stop = size if not last else min(int(last) + 1, size)
    return Part(start, stop, size)
