"""Markdown rendering: thoughtgen's speed-ups must not change a byte of the HTML."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from conftest import REPO

from thoughtgen.markup import EXTENSION_CONFIGS, EXTENSIONS, MarkdownRenderer
from thoughtgen.mdext import HeadingsExtension

SAMPLES = [
    *sorted((REPO / "content").rglob("*.md")),
    Path(__file__).parent / "fixtures" / "markdown_edge.md",
]


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_quick_inline_and_pattern_snapshot_give_identical_html(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THOUGHTGEN_QUICK_INLINE", "1")  # this test is about the quick pass
    standard = markdown.Markdown(
        extensions=[*EXTENSIONS, HeadingsExtension()],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    quick = MarkdownRenderer()
    assert type(quick._md.treeprocessors["inline"]).__name__ == "_QuickInlineProcessor"
    text = body(path)
    assert quick.render(text).html == standard.convert(text)


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
