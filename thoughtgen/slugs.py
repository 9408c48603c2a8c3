"""Slugs: the URL-safe names of posts, pages and tags."""

from __future__ import annotations

import re
import unicodedata

from thoughtgen.errors import shown

_NON_WORD = re.compile(r"[^\w]+")
_SAFE_SLUG = re.compile(r"^[\w][\w.~-]*$")
# A slug names a folder; most file systems refuse names longer than this many bytes.
MAX_NAME_BYTES = 255


def slugify(text: str) -> str:
    """``"Career Growth"``, ``"career growth"`` and ``"career-growth"`` all give ``career-growth``.

    Accents are folded (``résumé`` → ``resume``); letters of other scripts are kept.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFC", folded).lower().replace("_", "-")
    return _NON_WORD.sub("-", folded).strip("-")


def unsafe_slug_reason(slug: str) -> str | None:
    """Why ``slug`` cannot be used as one URL segment, or None when it can."""
    if not slug:
        return "slug is empty"
    if "/" in slug or "\\" in slug:
        return f"slug {shown(slug)} contains a slash; a slug is one URL segment"
    if ".." in slug:
        return f"slug {shown(slug)} contains '..'"
    if not _SAFE_SLUG.match(slug):
        return (
            f"slug {shown(slug)} has unsafe characters; use letters, digits, '-', '.' or '~' "
            "and start with a letter or digit"
        )
    if name_too_long(slug):
        return (
            f"slug {shown(slug)} is longer than {MAX_NAME_BYTES} bytes, too long for a "
            "folder name; set a shorter 'slug:'"
        )
    return None


def name_too_long(slug: str) -> bool:
    """Whether ``slug`` is too long to be a file or folder name."""
    return len(slug.encode("utf-8")) > MAX_NAME_BYTES
