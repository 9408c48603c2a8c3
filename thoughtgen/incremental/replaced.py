"""Where a list of the next assembly holds other objects than the same list of the last.

Models are frozen, and an unchanged post is the very same object in the next assembly, so
``serve`` finds what an edit touched in a list of ten thousand posts by identity alone, in
one pass at C speed, and works out again only what stands there.
"""

from __future__ import annotations

from collections.abc import Sequence


def replaced(before: Sequence[object], now: Sequence[object]) -> list[int]:
    """The positions where ``now`` holds another object than ``before`` (the same length)."""
    return [i for i, (was, one) in enumerate(zip(before, now, strict=True)) if was is not one]
