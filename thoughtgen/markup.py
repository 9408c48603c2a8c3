"""Markdown to HTML with Python-Markdown, plus the text facts derived from it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown

MORE_MARKER = "<!--more-->"
WORDS_PER_MINUTE = 230

EXTENSIONS = ["tables", "fenced_code", "codehilite", "footnotes", "toc", "attr_list"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
    "footnotes": {"BACKLINK_TEXT": "↩"},
}

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
_WORD_RE = re.compile(r"\w+")


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
        self._md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )

    def render(self, text: str) -> Rendered:
        md = self._md.reset()
        body_html = md.convert(text)
        toc_tokens = getattr(md, "toc_tokens", [])
        toc_html = getattr(md, "toc", "") if _count(toc_tokens) >= 2 else ""
        head, marker, _ = text.partition(MORE_MARKER)
        if marker:
            excerpt_html = md.reset().convert(head)
            md.reset()
        else:
            match = _PARA_RE.search(body_html)
            excerpt_html = match.group(1) if match else ""
        plain = strip_tags(body_html)
        return Rendered(
            html=body_html,
            toc_html=toc_html,
            toc_entries=_count(toc_tokens),
            excerpt_text=collapse_space(strip_tags(excerpt_html)),
            word_count=len(_WORD_RE.findall(plain)),
        )


def _count(tokens: list[dict]) -> int:
    return sum(1 + _count(t.get("children", [])) for t in tokens)


def strip_tags(fragment: str) -> str:
    """Plain text of an HTML fragment (entities decoded); block tags separate words."""

    def replace(match: re.Match[str]) -> str:
        return " " if (match.group(2) or "").lower() in _BLOCK_TAGS else ""

    return html.unescape(_TAG_RE.sub(replace, fragment))


def collapse_space(text: str) -> str:
    return " ".join(text.split())


def reading_minutes(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE))
