"""A small Python-Markdown extension: heading ids and a table of contents.

It does what thoughtgen needs of the bundled ``toc`` extension (ids that match its
slugs, a nested list of the headings) while only looking at top-level headings, which
makes it several times cheaper on long posts. Imported only when Markdown is rendered.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_STASH = re.compile("\x02wzxhzdk:\\d+\x03")


class _HeadingProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        used: set[str] = set()
        entries: list[tuple[int, str, str]] = []
        for element in root:
            level = HEADINGS.get(element.tag)
            if level is None:
                continue
            text = _STASH.sub("", "".join(element.itertext())).strip()
            anchor = element.get("id") or slugify(text, "-") or "section"
            base, n = anchor, 1
            while anchor in used:
                anchor = f"{base}_{n}"
                n += 1
            used.add(anchor)
            element.set("id", anchor)
            entries.append((level, anchor, text))
        md: Any = self.md
        md.thoughtgen_toc = (_toc_html(entries), len(entries))


def _toc_html(entries: list[tuple[int, str, str]]) -> str:
    """Nested lists of the headings: a deeper heading opens a list inside the one before."""
    if not entries:
        return ""
    parts = ['<div class="toc">\n<ul>\n']
    stack: list[int] = []
    for level, anchor, text in entries:
        if not stack:
            stack.append(level)
        elif level > stack[-1]:
            parts.append("\n<ul>\n")
            stack.append(level)
        else:
            parts.append("</li>\n")
            while len(stack) > 1 and level < stack[-1]:
                parts.append("</ul>\n</li>\n")
                stack.pop()
            stack[-1] = min(stack[-1], level)
        parts.append(f'<li><a href="#{html.escape(anchor)}">{html.escape(text)}</a>')
    parts.append("</li>\n")
    parts.extend("</ul>\n</li>\n" for _ in stack[1:])
    parts.append("</ul>\n</div>")
    return "".join(parts)


class HeadingsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.md = md
        # After attr_list (8), so an explicit {#id} is kept.
        md.treeprocessors.register(_HeadingProcessor(md), "thoughtgen_headings", 4)
        self.reset()

    def reset(self) -> None:
        self.md.thoughtgen_toc = ("", 0)  # type: ignore[attr-defined]


# Every character that can begin a match of a known inline pattern: backticks, escapes,
# links, images and footnotes, autolinks, raw HTML, entities, emphasis, line breaks.
_INLINE_TRIGGERS = re.compile(r"[`\\\[<&*_]|  \n")
KNOWN_INLINE_PATTERNS = frozenset(
    {
        "backtick",
        "escape",
        "reference",
        "link",
        "image_link",
        "image_reference",
        "short_reference",
        "short_image_ref",
        "autolink",
        "automail",
        "linebreak",
        "html",
        "entity",
        "em_strong",
        "footnote",
    }
)


class _QuickInlineProcessor(InlineProcessor):
    """The standard inline processor, which first checks that a pattern *can* match.

    Text with none of the characters that start an inline pattern is returned as it is,
    exactly as the full search over every pattern would return it, without that search.
    """

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if not isinstance(data, AtomicString) and _INLINE_TRIGGERS.search(data) is None:
            return data
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)  # type: ignore[attr-defined]


def use_quick_inline(md: Markdown) -> bool:
    """Install the quick check when the inline patterns are exactly the known ones."""
    patterns = md.inlinePatterns
    if len(patterns) != len(KNOWN_INLINE_PATTERNS) or not all(
        name in patterns for name in KNOWN_INLINE_PATTERNS
    ):
        return False
    md.treeprocessors.register(_QuickInlineProcessor(md), "inline", 20)
    return True
