"""HTML to Markdown for the importers: exact Markdown for each construct, and properties.

Each case also goes through thoughtgen's own Markdown renderer where the point is what a
reader finally sees (an escape is right only if the renderer reads it back as text).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoughtgen.importers.html import html_to_markdown
from thoughtgen.markup import MarkdownRenderer

RENDERER = MarkdownRenderer()


def rendered(html: str) -> str:
    return RENDERER.render(html_to_markdown(html)).html


CASES = [
    ("<p>One.</p><p>Two.</p>", "One.\n\nTwo.\n"),
    (
        "<h2>Firing <em>schedules</em></h2><hr><h3>Next</h3>",
        "## Firing *schedules*\n\n---\n\n### Next\n",
    ),
    ("<h2>Learning C#</h2>", "## Learning C# ##\n"),
    (
        "<p><strong>Bold <em>and italic</em></strong> text<em> with space</em>.</p>",
        "**Bold *and italic*** text *with space*.\n",
    ),
    ("<p>Roses<br>violets<br />clay<br></p>", "Roses<br>\nviolets<br>\nclay\n"),
    (
        "<ol><li>Prepare<ul><li>clay</li><li>water<ol><li>cold</li></ol></li></ul></li>"
        "<li>Throw</li></ol>",
        "1. Prepare\n    - clay\n    - water\n        1. cold\n2. Throw\n",
    ),
    (
        "<ul><li><p>First point.</p><p>More on it.</p></li><li><p>Second.</p></li></ul>",
        "- First point.\n\n    More on it.\n\n- Second.\n",
    ),
    ("<ul><li>a</li></ul><ul><li>b</li></ul>", "- a\n\n<!-- -->\n\n- b\n"),
    ('<ol start="3"><li>c</li></ol>', '<ol start="3"><li>c</li></ol>\n'),
    (
        '<pre class="wp-block-code"><code class="language-python">def f():\n'
        "    return 1 * 2  # &lt;x&gt;\n\n\nf()</code></pre>",
        "```python\ndef f():\n    return 1 * 2  # <x>\n\n\nf()\n```\n",
    ),
    (
        '<pre class="brush: js; title: ; notranslate">a = 1;<br>b = `x`;</pre>',
        "```js\na = 1;\nb = `x`;\n```\n",
    ),
    ('<pre><code class="hljs ruby">puts 1</code></pre>', "```ruby\nputs 1\n```\n"),
    ("<pre>```\ninner\n```</pre>", "````\n```\ninner\n```\n````\n"),
    ("<p>Use <code>a*b_c</code> or <tt>x</tt>.</p>", "Use `a*b_c` or `x`.\n"),
    (
        '<p><img src="https://ex.org/up/kiln (1).jpg" alt="A kiln [lit]" '
        'title="Our &quot;new&quot; kiln"></p>',
        '![A kiln \\[lit\\]](<https://ex.org/up/kiln (1).jpg> "Our &quot;new&quot; kiln")\n',
    ),
    (
        '<img src="data:image/gif;base64,R0lGOD" data-src="https://ex.org/real.png" alt="">',
        "![](https://ex.org/real.png)\n",
    ),
    (
        '<p>See <a href="https://en.ex.org/wiki/Glaze_(ceramics)" title="Glaze">glazes</a>, '
        '<a href="https://ex.org/a_b">https://ex.org/a_b</a> and <a href="/x y)">odd</a>.</p>',
        'See [glazes](https://en.ex.org/wiki/Glaze_(ceramics) "Glaze"), <https://ex.org/a_b> '
        "and [odd](</x y)>).\n",
    ),
    (
        '<p><a href="https://ex.org"><img src="a.png" alt="A"></a></p>',
        "[![A](a.png)](https://ex.org)\n",
    ),
    ('<p><a id="top"></a>Start</p>', '<a id="top"></a>Start\n'),
    (
        "<p>AT&amp;T: 3 &lt; 4 &amp;&amp; 5 &gt; 2; write &lt;div&gt; or &amp;amp;. "
        "&copy;&nbsp;Me</p>",
        "AT&T: 3 < 4 && 5 > 2; write &lt;div> or &amp;amp;. ©\xa0Me\n",
    ),
    (
        "<p>E = mc<sup>2</sup>, H<sub>2</sub>O, <mark>note</mark>, <kbd>Ctrl</kbd>, "
        '<abbr title="World Wide Web" class="x">WWW</abbr>, <u>u</u>, <s>gone</s>.</p>',
        "E = mc<sup>2</sup>, H<sub>2</sub>O, <mark>note</mark>, `Ctrl`, "
        '<abbr title="World Wide Web">WWW</abbr>, <u>u</u>, <del>gone</del>.\n',
    ),
    (
        "<p>snake_case, 2 * 3, *stars*, _under_, [not a link](x), C:\\dir\\file, "
        "[^1], {: .c}, Wow!<a href='/x'>x</a></p>",
        "snake_case, 2 * 3, \\*stars\\*, \\_under\\_, [not a link\\](x), C:\\dir\\file, "
        "\\[^1], \\{: .c}, Wow\\![x](/x)\n",
    ),
    (
        "<p># not a heading</p><p>1986. A year.</p><p>- no</p><p>+ no</p><p>&gt; no</p>"
        "<p>[a]: b</p><p>===</p><p>`tick`</p>",
        "\\# not a heading\n\n1986\\. A year.\n\n\\- no\n\n\\+ no\n\n\\> no\n\n\\[a\\]: b\n\n"
        "&#61;==\n\n\\`tick\\`\n",
    ),
    ("<p>a<br># b</p>", "a<br>\n\\# b\n"),
    ("<ul><li>1. not nested</li></ul>", "- 1\\. not nested\n"),
    (
        '<figure class="wp-block-image"><img src="b.jpg" alt="Bowl"/></figure>',
        "![Bowl](b.jpg)\n",
    ),
    (
        '<figure><img src="b.jpg" alt="Bowl"/><figcaption>A <a href="/s">bowl</a></figcaption>'
        "</figure>",
        '<figure><img alt="Bowl" src="b.jpg"/><figcaption>A <a href="/s">bowl</a></figcaption>'
        "</figure>\n",
    ),
    (
        '<table><thead><tr><th style="text-align:right">A | b</th>'
        '<th class="has-text-align-center">C</th></tr></thead>'
        "<tbody><tr><td>1<br>2</td><td><code>x</code> <img src='i.png' alt='i'></td></tr>"
        "</tbody></table>",
        "| A \\| b | C |\n| ---: | :---: |\n| 1<br>2 | `x` ![i](i.png) |\n",
    ),
    (
        '<table><tr><td colspan="2">Q1</td></tr><tr><td>Jan</td><td>Feb</td></tr></table>',
        '<table><tr><td colspan="2">Q1</td></tr><tr><td>Jan</td><td>Feb</td></tr></table>\n',
    ),
    (
        "<blockquote><p>Make many pots.</p><p>Keep some.</p><cite>A potter</cite></blockquote>",
        "> Make many pots.\n>\n> Keep some.\n>\n> <cite>A potter</cite>\n",
    ),
    (
        "<blockquote><pre>code</pre></blockquote>",
        "<blockquote><pre>code</pre></blockquote>\n",
    ),
    (
        '<div class="wp-block-embed__wrapper"><iframe src="https://ex.org/e/1"></iframe></div>',
        '<iframe src="https://ex.org/e/1"></iframe>\n',
    ),
    (
        "<p>Before <video src='v.mp4'></video> after</p>",
        'Before <video src="v.mp4"></video> after\n',
    ),
    (
        "<dl><dt>Bisque</dt><dd>First firing.</dd></dl>",
        "<dl><dt>Bisque</dt><dd>First firing.</dd></dl>\n",
    ),
    ("<p>x <my-widget data-a='1'>w</my-widget> y</p>", 'x <my-widget data-a="1">w</my-widget> y\n'),
    ("<p>a <span style='color:red'>red</span> <font>b</font></p>", "a red b\n"),
    ("<p>Intro</p><!--more--><p>Rest</p><!-- a note -->", "Intro\n\n<!--more-->\n\nRest\n"),
    ("<p>&nbsp;</p><p></p>", "\n"),
    (
        '<p>Hot<sup data-fn="f1" class="fn"><a href="#f1" id="f1-link">1</a></sup>.</p>'
        '<ol class="wp-block-footnotes"><li id="f1">About 1200 °C. <a href="#f1-link">↩︎</a></li>'
        "</ol>",
        "Hot[^1].\n\n[^1]: About 1200 °C.\n",
    ),
    (
        '<p>Clay<a class="footnote-anchor" id="footnote-anchor-1" href="#footnote-1">1</a> '
        'shrinks.</p><div class="footnote"><a id="footnote-1" href="#footnote-anchor-1" '
        'class="footnote-number">1</a><div class="footnote-content"><p>By a tenth.</p>'
        "<p>More when wet.</p></div></div>",
        "Clay[^1] shrinks.\n\n[^1]: By a tenth.\n\n    More when wet.\n",
    ),
    (
        '<p><a href="#contents">Contents</a></p><h2 id="contents">C</h2>',
        "[Contents](#contents)\n\n## C\n",
    ),
]


@pytest.mark.parametrize(("html", "markdown"), CASES)
def test_converts_exactly(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>snake_case, 2 * 3, *stars*, a_b_c</p>", "<p>snake_case, 2 * 3, *stars*, a_b_c</p>"),
        ("<p>1986. A year.</p>", "<p>1986. A year.</p>"),
        ("<p>write &lt;div&gt; &amp;amp;</p>", "<p>write &lt;div&gt; &amp;amp;</p>"),
        ("<p>[x]: y</p><p>[x]</p>", "<p>[x]: y</p>\n<p>[x]</p>"),
        ("<p>Wow!<a href='/x'>x</a></p>", '<p>Wow!<a href="/x">x</a></p>'),
        ("<p>a<br># b</p>", "<p>a<br>\n# b</p>"),
        ("<ul><li>1. x</li></ul>", "<ul>\n<li>1. x</li>\n</ul>"),
    ],
)
def test_escapes_read_back_as_the_same_text(html: str, expected: str) -> None:
    assert rendered(html) == expected


def test_footnotes_render_as_footnotes() -> None:
    out = rendered(CASES[-3][0])
    assert 'class="footnote-ref"' in out
    assert '<li id="fn:1">' in out


def test_code_keeps_its_language_through_the_renderer() -> None:
    out = rendered('<pre><code class="language-python">def f(): pass</code></pre>')
    assert '<span class="k">def</span>' in out


def test_empty_and_odd_input() -> None:
    assert html_to_markdown("") == "\n"
    assert html_to_markdown("\ufdd0\ufdd1plain") == "plain\n"
    assert html_to_markdown("<p>unclosed <b>bold") == "unclosed **bold**\n"


def test_deep_nesting_keeps_the_words() -> None:
    html = "<div>" * 3000 + "deep words" + "</div>" * 3000
    assert "deep words" in html_to_markdown(html)
    html = "<em>" * 2000 + "x" + "</em>" * 2000
    assert "x" in html_to_markdown(html)


# -- properties ---------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "clay",
        "snake_case",
        "2",
        "*",
        "**",
        "_",
        "#",
        "1.",
        "-",
        "+",
        ">",
        "<",
        "&",
        "&amp;",
        "&lt;b&gt;",
        "[",
        "]",
        "](x)",
        "[^1]",
        "!",
        "`",
        "\\",
        "{: .c}",
        "|",
        "~~~",
        "===",
        "---",
        "é",
        "日本",
        "\u00a0",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
INLINE = ["em", "strong", "code", "sup", "span", "a", "u", "kbd"]
BLOCK = ["p", "div", "blockquote", "h2", "h6", "li", "pre", "td", "figure"]


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(args: tuple[str, list[str], str]) -> str:
        tag, parts, attr = args
        inner = "".join(parts)
        if tag == "a":
            return f'<a href="{attr}">{inner}</a>'
        if tag in ("ul", "ol"):
            return f"<{tag}>" + "".join(f"<li>{p}</li>" for p in parts) + f"</{tag}>"
        if tag == "table":
            head = "".join(f"<th>{p}</th>" for p in parts[:2])
            body = "".join(f"<td>{p}</td>" for p in parts[:2])
            return f"<table><thead><tr>{head}</tr></thead><tr>{body}</tr></table>"
        if tag == "img":
            return f'<img src="{attr}" alt="{inner[:10]}">'
        if tag == "br":
            return "<br>" + inner
        return f"<{tag}>{inner}</{tag}>"

    return st.tuples(
        st.sampled_from([*INLINE, *BLOCK, "ul", "ol", "table", "img", "br", "iframe", "dl"]),
        st.lists(children, max_size=3),
        st.sampled_from(["/x", "https://ex.org/a_(b)", "a b", ""]),
    ).map(build)


HTML = st.recursive(TEXT, lambda inner: _element(inner), max_leaves=12)
DOCUMENT = st.lists(HTML, min_size=1, max_size=4).map("".join)


def _text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_never_raises_and_keeps_every_visible_word(html: str) -> None:
    markdown = html_to_markdown(html)
    assert markdown.endswith("\n")
    before, after = _text(html), _text(RENDERER.render(markdown).html)
    # Every letter and digit is still there, and every word (inline tags may join words
    # that the input's text splits, so words are looked for in the joined-up output).
    assert not Counter(re.findall(r"[^\W_]", before)) - Counter(re.findall(r"[^\W_]", after))
    joined = "".join(re.findall(r"[^\W_]+", after))
    for word, count in Counter(re.findall(r"[^\W_]+", before)).items():
        assert joined.count(word) >= count, (markdown, word)


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("a <![ b", "a <![ b"),  # Python's parser refuses these marked sections
        ("<p><![foo]]> c</p>", "<![foo]]> c"),
        ("<p>[gallery ids=1] <![gallery</p>", "[gallery ids=1] <![gallery"),
        ("notes.html", "notes.html"),  # text, though it looks like a file name
    ],
)
def test_markup_the_parser_refuses_is_kept_as_text(html: str, shown: str) -> None:
    rendered = RENDERER.render(html_to_markdown(html)).html
    assert BeautifulSoup(rendered, "html.parser").get_text().strip() == shown


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_converts(text: str) -> None:
    assert html_to_markdown(text) == html_to_markdown(text)  # and never raises


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_plain_text_reads_back_unchanged(text: str) -> None:
    html = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
    out = BeautifulSoup(RENDERER.render(html_to_markdown(html)).html, "html.parser")
    assert out.get_text().strip() == BeautifulSoup(html, "html.parser").get_text().strip()
