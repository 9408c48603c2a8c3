"""A small Python-Markdown extension: heading ids and a table of contents.

It does what thoughtgen needs of the bundled ``toc`` extension (ids that match its
slugs, a nested list of the headings) while only looking at top-level headings, which
makes it several times cheaper on long posts. Imported only when Markdown is rendered.
"""

from __future__ import annotations

import html
import re
import types
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

import markdown
from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.treeprocessors import InlineProcessor, Treeprocessor, UnescapeTreeprocessor
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
# For each known pattern, text it cannot match without (any one of them suffices).
PATTERN_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "footnote": ("[^",),
}


class _QuickInlineProcessor(InlineProcessor):
    """The standard inline processor, which skips the patterns that cannot match.

    A pattern is only tried on text that contains the characters any match of it must
    begin with, so the result is what trying every pattern gives, and text with none of
    them is returned at once. Patterns are still tried in the registry's order, through
    the library's own matching method.
    """

    triggers: tuple[tuple[str, ...], ...] = ()

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString) or _INLINE_TRIGGERS.search(data) is None:
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns, triggers = self.inlinePatterns, self.triggers
        start = 0
        while patternIndex < len(patterns):
            needed = triggers[patternIndex]
            if needed[0] not in data and (
                len(needed) == 1 or not any(text in data for text in needed[1:])
            ):
                patternIndex, start = patternIndex + 1, 0  # as a failed match leaves them
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def use_quick_inline(md: Markdown) -> bool:
    """Install the quick inline processor when it is allowed and the patterns are the known ones.

    It overrides private methods of Python-Markdown's InlineProcessor, so it is used only
    with the releases it is tested against (see ``quick_inline_allowed``), and not at all
    when THOUGHTGEN_QUICK_INLINE=0. Its patterns are a tuple in the registry's priority
    order: the processor only takes their number and indexes them, and the registry
    re-checks its order on every index.
    """
    from thoughtgen.markup import quick_inline_allowed

    if not quick_inline_allowed(markdown.__version_info__):
        return False
    registry = md.inlinePatterns
    if len(registry) != len(PATTERN_TRIGGERS) or not all(
        name in registry for name in PATTERN_TRIGGERS
    ):
        return False
    if not all(
        hasattr(InlineProcessor, f"_InlineProcessor__{name}")
        for name in ("handleInline", "applyPattern")
    ):
        return False  # another Python-Markdown inside: keep its own processor
    names = sorted(PATTERN_TRIGGERS, key=registry.get_index_for_name)
    processor = _QuickInlineProcessor(md)
    processor.inlinePatterns = tuple(registry[name] for name in names)  # type: ignore[assignment]
    processor.triggers = tuple(PATTERN_TRIGGERS[name] for name in names)
    md.treeprocessors.register(processor, "inline", 20)
    return True


# For each known block processor, a test its block must pass before the processor's own
# test (a regular expression searched over the whole block) can succeed: the characters
# its pattern cannot match without. Processors not named here are always tried.
BlockCheck = Callable[[str], bool]
BLOCK_NEEDS: dict[str, BlockCheck] = {
    "table": lambda block: "|" in block,
    "hashheader": lambda block: "#" in block,
    "setextheader": lambda block: "\n=" in block or "\n-" in block,
    "hr": lambda block: "-" in block or "_" in block or "*" in block,
    "olist": lambda block: block.lstrip(" ")[:1].isdigit(),
    "ulist": lambda block: block.lstrip(" ")[:1] in ("*", "+", "-"),
    "quote": lambda block: ">" in block,
    "footnote": lambda block: "]:" in block,  # its run() looks for a "[^label]:" line
    "reference": lambda block: "]:" in block,  # and this one for a "[label]: url" line
}


def use_quick_blocks(md: Markdown) -> None:
    """Make the block parser skip processors whose pattern cannot match the block.

    Python-Markdown tries every block processor on every block, in priority order, until
    one takes it; most blocks are paragraphs, which only the last one takes. Here each
    processor is tried only on blocks that pass its check in ``BLOCK_NEEDS`` (a necessary
    condition of its own test), still in priority order and through its own ``test`` and
    ``run``, so the same processor takes every block. The processors are listed once, as
    the registry orders them after every extension has registered its own. The check of
    block-level tags uses a set of the same names instead of a list.
    """
    parser = md.parser
    registry = parser.blockprocessors
    checks = {id(registry[name]): check for name, check in BLOCK_NEEDS.items() if name in registry}
    steps = tuple((processor, checks.get(id(processor))) for processor in registry)

    def parse_blocks(self: BlockParser, parent: etree.Element, blocks: list[str]) -> None:
        while blocks:
            for processor, needs in steps:
                if needs is not None and not needs(blocks[0]):
                    continue
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break

    parser.parseBlocks = types.MethodType(parse_blocks, parser)  # type: ignore[method-assign]
    levels = frozenset(md.block_level_elements)

    def is_block_level(tag: Any) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in levels

    md.is_block_level = is_block_level  # type: ignore[method-assign]


def use_quick_tree(md: Markdown) -> None:
    """Skip two tree passes where they cannot change anything.

    ``attr_list`` only acts on text holding a "{" (every pattern it has starts with one),
    and no element can hold text its source lacks, so it is skipped for sources without
    one (``MarkdownRenderer`` says which, before each document). ``unescape`` turns the
    placeholders of backslash escapes back into characters: text without the placeholder's
    opening character is returned as it is instead of being searched.
    """
    if "attr_list" in md.treeprocessors:
        attrs = md.treeprocessors["attr_list"]
        run_attrs = attrs.run

        def run_if_braces(root: etree.Element) -> None:
            if getattr(md, "thoughtgen_braces", True):
                run_attrs(root)

        attrs.run = run_if_braces  # type: ignore[method-assign]
    if "unescape" in md.treeprocessors:
        unescaper: Any = md.treeprocessors["unescape"]
        if isinstance(unescaper, UnescapeTreeprocessor):
            unescape = unescaper.unescape
            start = markdown.util.STX

            def quick_unescape(text: str) -> str:
                return unescape(text) if start in text else text

            unescaper.unescape = quick_unescape  # type: ignore[method-assign]
