"""Markdown to HTML with Python-Markdown, plus the text facts derived from it."""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from typing import Any

MORE_MARKER = "<!--more-->"
WORDS_PER_MINUTE = 230

# Measured on 900-word posts, each earns its cost; "smarty" (3-4 ms a post) and the bundled
# "toc" (replaced by thoughtgen.mdext, several times cheaper) do not.
EXTENSIONS = ["tables", "fenced_code", "codehilite", "footnotes", "attr_list"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "footnotes": {"BACKLINK_TEXT": "↩"},
}

# Python-Markdown releases whose private inline-processor internals the quick inline pass
# (thoughtgen.mdext) is tested against, as [first, past-last) (major, minor); the quick
# block pass goes with it. Outside it the library's own processors run: widen the range
# only after tests/test_markup.py passes there.
# (Releases before 3.11 register other emphasis patterns, so the pass would not apply.)
QUICK_INLINE_TESTED = ((3, 11), (3, 12))
QUICK_INLINE_SWITCH = "THOUGHTGEN_QUICK_INLINE"  # "0" turns both quick passes off


def quick_inline_allowed(version_info: tuple[int | str, ...]) -> bool:
    """Whether the quick inline pass may be used with this Python-Markdown version."""
    if os.environ.get(QUICK_INLINE_SWITCH, "").strip().lower() in ("0", "off", "no", "false"):
        return False
    first, past_last = QUICK_INLINE_TESTED
    return first <= tuple(version_info[:2]) < past_last


def _version_info(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)?[^>]*>")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "hr",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "table",
        "tr",
        "td",
        "th",
        "section",
    ]
)
_PARA_RE = re.compile(r"<p>(.*?)</p>", re.S)


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    toc_entries: int
    excerpt_text: str  # plain text: the part before <!--more-->, else the first paragraph
    word_count: int


class MarkdownRenderer:
    """One reusable Markdown instance (``reset()`` between documents is far cheaper than new)."""

    def __init__(self) -> None:
        import markdown  # here, so builds that find everything cached never import it

        from thoughtgen.mdext import (
            HeadingsExtension,
            use_quick_blocks,
            use_quick_inline,
            use_quick_tree,
        )

        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, HeadingsExtension()],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )
        self.quick_inline = use_quick_inline(self._md)
        if self.quick_inline:  # the same releases, the same switch
            use_quick_blocks(self._md)
            use_quick_tree(self._md)

    def render(self, text: str) -> Rendered:
        md = self._md.reset()
        md.thoughtgen_braces = "{" in text  # type: ignore[attr-defined]
        body_html = md.convert(text)
        toc_html, toc_entries = md.thoughtgen_toc  # type: ignore[attr-defined]
        head, marker, _ = body_html.partition(MORE_MARKER)
        if marker:
            excerpt_html = head
        else:
            match = _PARA_RE.search(body_html)
            excerpt_html = match.group(1) if match else ""
        return Rendered(
            html=body_html,
            toc_html=toc_html if toc_entries >= 2 else "",
            toc_entries=toc_entries,
            excerpt_text=collapse_space(strip_tags(excerpt_html)),
            word_count=count_words(body_html),
        )


@functools.cache
def markdown_settings() -> str:
    """Everything about the Markdown stage that can change its HTML, as one string.

    The quick inline pass is meant to change nothing, but whether it ran is part of the key
    all the same: switching it off must remake pages rather than trust it.
    """
    from importlib.metadata import version

    markdown_version = version("markdown")
    quick = quick_inline_allowed(_version_info(markdown_version))
    return repr(
        (
            EXTENSIONS,
            EXTENSION_CONFIGS,
            "headings-1",
            markdown_version,
            version("pygments"),
            f"quick-inline={quick}",
        )
    )


_ANY_TAG_RE = re.compile(r"<[^>]*>")


def count_words(fragment: str) -> int:
    """Words in an HTML fragment: the runs of text between spaces, outside tags."""
    return len(_ANY_TAG_RE.sub("", fragment).split())


def strip_tags(fragment: str) -> str:
    """Plain text of an HTML fragment (entities decoded); block tags separate words."""

    def replace(match: re.Match[str]) -> str:
        return " " if (match.group(2) or "").lower() in _BLOCK_TAGS else ""

    return html.unescape(_TAG_RE.sub(replace, fragment))


def collapse_space(text: str) -> str:
    return " ".join(text.split())


def reading_minutes(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE))
