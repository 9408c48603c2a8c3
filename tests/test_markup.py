"""Markdown rendering: thoughtgen's speed-ups must not change a byte of the HTML."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.markup import EXTENSION_CONFIGS, EXTENSIONS, MarkdownRenderer
from thoughtgen.mdext import HeadingsExtension

SAMPLES = [
    *sorted((REPO / "content").rglob("*.md")),
    Path(__file__).parent / "fixtures" / "markdown_edge.md",
]


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


def standard_markdown() -> markdown.Markdown:
    """The library as it comes, with the same extensions and none of thoughtgen's quick passes."""
    return markdown.Markdown(
        extensions=[*EXTENSIONS, HeadingsExtension()],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )


def quick_renderer(monkeypatch: pytest.MonkeyPatch) -> MarkdownRenderer:
    monkeypatch.setenv("THOUGHTGEN_QUICK_INLINE", "1")  # these tests are about the quick passes
    quick = MarkdownRenderer()
    assert type(quick._md.treeprocessors["inline"]).__name__ == "_QuickInlineProcessor"
    assert quick._md.parser.parseBlocks.__name__ == "parse_blocks"
    return quick


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_quick_passes_and_the_standard_library_give_identical_html(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = quick_renderer(monkeypatch)
    text = body(path)
    assert quick.render(text).html == standard_markdown().convert(text)


# Lines that start or end every kind of block the parser knows, and the characters the
# quick block pass looks for in places where they start nothing.
BLOCK_LINES = [
    "Plain words and more words.",
    "# Heading",
    "### Closed heading ###",
    "A #hashtag in a sentence",
    "Setext title",
    "===",
    "---",
    "- - -",
    "***",
    "___",
    "a-b_c*d",
    "* star item",
    "+ plus item",
    "- dash item",
    "  - nested dash item",
    "1. first",
    "12. twelfth",
    " 2. one space in",
    "   3. three spaces in",
    "  * two spaces in",
    "2024 was a year.",
    "3.5 is not a list",
    "> quoted",
    ">no space quote",
    "a > b in text",
    "| a | b |",
    "|---|:-:|",
    "a | b",
    "--- | ---",
    "[^1]: a footnote",
    "Text with a note[^1].",
    '[ref]: https://example.com/x "Title"',
    "[ref] and a:colon]: text",
    "    indented code",
    "\tcode by tab",
    "```",
    "```python",
    "~~~",
    "<div>raw html</div>",
    "<!--more-->",
    "Closing {: #id .cls }",
    "## Heading with an id {#own-id}",
    "- item with a class {: .c }",
    "*emphasis*{: .inline } then text",
    "Braces { in prose } and `{code}`",
    "Escapes: \\*not emphasis\\*, \\{, \\[x\\] and \\\\",
    'A [link](https://example.com/a_b "t") and ![alt](/i.png)',
    "",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(BLOCK_LINES), max_size=24))
def test_quick_passes_match_the_library_on_any_mix_of_blocks(lines: list[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        quick = quick_renderer(patch)
    text = "\n".join(lines)
    assert quick.render(text).html == standard_markdown().convert(text)


def test_headings_get_ids_and_a_nested_toc() -> None:
    rendered = MarkdownRenderer().render(
        "## One two\n\ntext\n\n### Sub *x*\n\n## One two\n\n## Custom {#mine}\n"
    )
    assert '<h2 id="one-two">' in rendered.html and '<h2 id="one-two_1">' in rendered.html
    assert '<h2 id="mine">Custom</h2>' in rendered.html
    assert rendered.toc_html == (
        '<div class="toc">\n<ul>\n<li><a href="#one-two">One two</a>\n<ul>\n'
        '<li><a href="#sub-x">Sub x</a></li>\n</ul>\n</li>\n'
        '<li><a href="#one-two_1">One two</a></li>\n'
        '<li><a href="#mine">Custom</a></li>\n</ul>\n</div>'
    )
    assert rendered.toc_entries == 4


def test_summary_and_words() -> None:
    rendered = MarkdownRenderer().render("First *para*.\n\n<!--more-->\n\nSecond para here.")
    assert rendered.excerpt_text == "First para."
    assert rendered.word_count == 5
