"""HTML to Markdown for platforms that store posts as HTML (WordPress, Substack, Medium)."""

from __future__ import annotations

from markdownify import MarkdownConverter


def html_to_markdown(html: str) -> str:
    """Clean Markdown for an HTML fragment; what Markdown cannot say stays HTML."""
    text = MarkdownConverter(heading_style="ATX", bullets="-", code_language="").convert(html)
    return text.strip() + "\n"
