"""Hugo shortcodes: built-in ones rewritten as Markdown or HTML, the rest flagged by line."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thoughtgen.importers.shortcodes import MISSING, convert_shortcodes

UNKNOWN = "is not one thoughtgen can convert; left it as written: replace it with Markdown or HTML"


def convert(text: str, **kw: object) -> str:
    result = convert_shortcodes(text, 1, **kw)  # type: ignore[arg-type]
    assert result.problems == [], result.problems
    return result.text


def test_text_without_shortcodes_is_returned_as_it_is() -> None:
    text = "Plain {text} with {{ braces }} and <b>HTML</b>.\n"
    assert convert_shortcodes(text).text == text


# figure ---------------------------------------------------------------------------------


def test_a_plain_figure_is_a_markdown_image() -> None:
    assert convert('{{< figure src="cat.jpg" alt="A cat" >}}') == "![A cat](cat.jpg)"
    assert convert("{{< figure src=/img/a.png >}}") == "![](/img/a.png)"


def test_a_figure_with_a_link_is_a_linked_image() -> None:
    text = '{{< figure src="a.png" alt="Chart" link="https://example.com/data" >}}'
    assert convert(text) == "[![Chart](a.png)](https://example.com/data)"


def test_a_figure_with_a_caption_is_figure_html_with_the_caption_rendered() -> None:
    text = 'Above.\n{{< figure src="a b.png" title="Q3" caption="Sales *up*" class="wide" >}}\n'
    text += "Below."
    assert convert(text) == (
        "Above.\n\n"
        '<figure class="wide"><img src="a b.png"><figcaption><strong>Q3</strong> '
        "Sales <em>up</em></figcaption></figure>\n\nBelow."
    )


def test_figure_attributes_are_escaped_and_credits_linked() -> None:
    text = (
        '{{< figure src="x.png" alt="5 > 4 & \\"quotes\\"" width="300" link="/big.png" '
        'target="_blank" attr="Photo: Ana" attrlink="https://example.com/ana" >}}'
    )
    assert convert(text) == (
        '<figure><a href="/big.png" target="_blank"><img src="x.png" '
        'alt="5 &gt; 4 &amp; &quot;quotes&quot;" width="300"></a><figcaption>'
        '<a href="https://example.com/ana">Photo: Ana</a></figcaption></figure>'
    )


def test_a_figure_without_src_is_flagged() -> None:
    result = convert_shortcodes('x\n{{< figure alt="none" >}}', 10)
    assert result.text == 'x\n{{< figure alt="none" >}}'
    assert result.problems == [(11, "figure without a src; left as written")]


# highlight ------------------------------------------------------------------------------


def test_highlight_becomes_a_fenced_block_with_its_highlighted_lines() -> None:
    text = (
        'Code:\n{{< highlight go "linenos=table,hl_lines=2 4-5,linenostart=199" >}}\n'
        "a\nb\nc\nd\ne\n{{< /highlight >}}\nAfter."
    )
    assert convert(text) == 'Code:\n```go hl_lines="2 4 5"\na\nb\nc\nd\ne\n```\nAfter.'


def test_highlight_fences_are_longer_than_any_backticks_inside() -> None:
    text = "{{< highlight md >}}\n```\ninner\n```\n{{< /highlight >}}"
    assert convert(text) == "````md\n```\ninner\n```\n````"


def test_highlight_in_the_percent_form_without_a_language() -> None:
    assert convert("{{% highlight %}}x = 1{{% /highlight %}}") == "```\nx = 1\n```"


def test_highlight_mid_line_starts_its_fence_on_a_line_of_its_own() -> None:
    text = "See {{< highlight sh >}}ls{{< /highlight >}} here"
    assert convert(text) == "See \n```sh\nls\n```\n here"


def test_highlight_inside_a_list_item_keeps_the_item_indentation() -> None:
    text = "- step\n\n    {{< highlight sh >}}\n    make\n    {{< /highlight >}}\n"
    assert convert(text) == "- step\n\n    ```sh\n    make\n    ```\n"


def test_shortcodes_inside_highlight_are_shown_as_written_when_escaped() -> None:
    text = '{{< highlight md >}}\n{{</* figure src="a.png" */>}}\n{{< /highlight >}}'
    assert convert(text) == '```md\n{{< figure src="a.png" >}}\n```'


# embeds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "markdown"),
    [
        (
            "{{< youtube w7Ft2ymGmfc >}}",
            "[Watch on YouTube](https://www.youtube.com/watch?v=w7Ft2ymGmfc)",
        ),
        (
            '{{< youtube id="abc_D-1" title="A [short] talk" start="90" >}}',
            "[A \\[short\\] talk (video on YouTube)](https://www.youtube.com/watch?v=abc_D-1&t=90s)",
        ),
        ("{{< vimeo 146022717 >}}", "[Watch on Vimeo](https://vimeo.com/146022717)"),
        (
            '{{< vimeo id="55" title="Tour" >}}',
            "[Tour (video on Vimeo)](https://vimeo.com/55)",
        ),
        (
            "{{< tweet 877500564405444608 >}}",
            "[Post on X](https://x.com/i/status/877500564405444608)",
        ),
        (
            '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}',
            "[Post by @SanDiegoZoo on X](https://x.com/SanDiegoZoo/status/1453110110599868418)",
        ),
        ('{{< x user="a_b" id="12" >}}', "[Post by @a_b on X](https://x.com/a_b/status/12)"),
        ("{{< twitter_simple user 99 >}}", "[Post by @user on X](https://x.com/user/status/99)"),
        (
            "{{< instagram BWNjjyYFxVx hidecaption >}}",
            "[Post on Instagram](https://www.instagram.com/p/BWNjjyYFxVx/)",
        ),
        (
            "{{< gist spf13 7896402 >}}",
            "[Gist by spf13](https://gist.github.com/spf13/7896402)",
        ),
        (
            '{{< gist spf13 7896402 "img.html" >}}',
            "[img.html (gist by spf13)](https://gist.github.com/spf13/7896402#file-img-html)",
        ),
    ],
)
def test_embeds_become_plain_links(tag: str, markdown: str) -> None:
    assert convert(f"Before {tag} after.") == f"Before {markdown} after."


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("{{< youtube >}}", "youtube shortcode without a video id; left as written"),
        ('{{< youtube id="a b" >}}', "youtube shortcode without a video id; left as written"),
        ("{{< vimeo >}}", "vimeo shortcode without a video id; left as written"),
        ('{{< tweet user="x" >}}', "tweet shortcode without a post id; left as written"),
        ("{{< gist onlyuser >}}", "gist shortcode without a user and an id; left as written"),
        ("{{< instagram >}}", "instagram shortcode without a post id; left as written"),
    ],
)
def test_embeds_without_their_ids_are_flagged(tag: str, message: str) -> None:
    result = convert_shortcodes(f"a\n\n{tag}", 5)
    assert result.text == f"a\n\n{tag}"
    assert result.problems == [(7, message)]


# param, ref and relref ------------------------------------------------------------------


def lookup(name: str) -> object:
    values = {"version": "2.4", "beta": True, "count": 3, "list": [1, 2], "site.name": "Notes"}
    return values.get(name, MISSING)


def test_param_gives_the_value_from_the_lookup() -> None:
    text = 'v{{< param "version" >}}, {{< param beta >}}, {{% param count %}}, '
    text += "{{< param site.name >}}"
    assert convert(text, param=lookup) == "v2.4, true, 3, Notes"


def test_a_param_that_is_not_found_or_not_text_is_flagged() -> None:
    result = convert_shortcodes('{{< param "nope" >}}\n{{< param list >}}', 3, param=lookup)
    assert result.text == '{{< param "nope" >}}\n{{< param list >}}'
    assert result.problems == [
        (
            3,
            "param 'nope' is in neither the front matter nor the site's params; "
            "left as written: type the value in",
        ),
        (4, "param 'list' is a list, not text; left as written: type the value in"),
    ]


def test_ref_and_relref_link_to_what_the_lookup_finds() -> None:
    def ref(target: str) -> str | None:
        return {"other.md": "other.md", "/posts/b#x": "../b/index.md#x"}.get(target)

    text = '[A]({{< ref "other.md" >}}) and [B]({{% relref path="/posts/b#x" %}})'
    assert convert(text, ref=ref) == "[A](other.md) and [B](../b/index.md#x)"


def test_a_ref_to_nothing_known_is_flagged() -> None:
    result = convert_shortcodes('[A]({{< ref "missing" >}})', 2, ref=lambda target: None)
    assert result.text == '[A]({{< ref "missing" >}})'
    assert result.problems == [
        (
            2,
            "ref target 'missing' is not a post or page of this import; left as written: "
            "link to the page's new URL instead",
        )
    ]


# details and comment --------------------------------------------------------------------


def test_details_becomes_html_with_its_text_rendered() -> None:
    text = 'Intro.\n{{< details summary="See *more*" open=true >}}\n'
    text += "Hidden **text**.\n{{< /details >}}"
    assert convert(text) == (
        "Intro.\n\n<details open>\n<summary>See <em>more</em></summary>\n"
        "<p>Hidden <strong>text</strong>.</p>\n</details>"
    )


def test_comment_is_kept_out_of_sight() -> None:
    assert convert("a {{% comment %}} note to self {{% /comment %}} b") == (
        "a <!-- note to self --> b"
    )
    assert convert("a {{< comment >}}x -- y{{< /comment >}} b") == "a  b"


# Reading tags ---------------------------------------------------------------------------


def test_multi_line_tags_with_named_and_raw_parameters() -> None:
    text = '{{< figure\n    src="a.png"\n    alt=`a "quoted" word`\n>}}'
    assert convert(text) == '![a "quoted" word](a.png)'


def test_self_closing_tags() -> None:
    assert convert("{{< youtube abc />}}") == (
        "[Watch on YouTube](https://www.youtube.com/watch?v=abc)"
    )


def test_unknown_shortcodes_are_left_and_flagged_at_their_lines() -> None:
    text = (
        "Intro.\n\n{{< notice warning >}}\nBe **careful** {{< youtube abc >}}.\n"
        '{{< /notice >}}\n\n{{% callout type="x" %}}\n{{< partials/box />}}'
    )
    result = convert_shortcodes(text, 20)
    assert result.text == (
        "Intro.\n\n{{< notice warning >}}\nBe **careful** "
        "[Watch on YouTube](https://www.youtube.com/watch?v=abc).\n"
        '{{< /notice >}}\n\n{{% callout type="x" %}}\n{{< partials/box />}}'
    )
    assert result.problems == [
        (
            22,
            "shortcode 'notice' is not one thoughtgen can convert; left its tags and the text "
            "between them as written: replace it with Markdown or HTML",
        ),
        (26, f"shortcode 'callout' {UNKNOWN}"),
        (27, f"shortcode 'partials/box' {UNKNOWN}"),
    ]


def test_stray_closing_tags_unclosed_pairs_and_broken_tags_are_flagged() -> None:
    text = '{{< /notice >}}\n{{< highlight go >}}\ncode\n{{< figure src="a.png\n{{< x %}}'
    result = convert_shortcodes(text, 1)
    assert result.text == text
    assert result.problems == [
        (1, "closing tag {{< /notice >}} has no opening tag; left as written"),
        (2, "{{< highlight go >}} has no closing tag; left as written"),
        (4, "could not read this shortcode (is it closed?); left as written"),
        (5, "could not read this shortcode (is it closed?); left as written"),
    ]


def test_escaped_shortcodes_show_as_written() -> None:
    text = "Write `{{</* youtube id */>}}`:\n\n```\n{{%/* note */%}}\n```\n\nOr {{</* x */>}}."
    assert convert(text) == (
        "Write `{{< youtube id >}}`:\n\n```\n{{% note %}}\n```\n\nOr &#123;&#123;< x >}}."
    )


def test_protect_receives_every_piece_written_for_a_tag() -> None:
    pieces: list[str] = []

    def protect(piece: str) -> str:
        pieces.append(piece)
        return f"@{len(pieces)}@"

    result = convert_shortcodes(
        "<p>{{< youtube a >}} {{< unknown >}} {{< notice >}}in{{< /notice >}}</p>",
        1,
        protect=protect,
    )
    assert result.text == "<p>@1@ @2@ @3@in@4@</p>"
    assert pieces == [
        "[Watch on YouTube](https://www.youtube.com/watch?v=a)",
        "{{< unknown >}}",
        "{{< notice >}}",
        "{{< /notice >}}",
    ]


# Properties -----------------------------------------------------------------------------

TAGS = st.sampled_from(
    [
        "{{< youtube abc >}}",
        '{{< figure src="a.png" >}}',
        "{{< unknown a=1 >}}",
        "{{% param x %}}",
        '{{< ref "p" >}}',
        "{{< /stray >}}",
        "{{< notice >}}inner{{< /notice >}}",
        "{{< highlight go >}}\ncode\n{{< /highlight >}}",
        "{{</* escaped */>}}",
        "{{< broken",
    ]
)
PLAIN = st.text(st.characters(blacklist_characters="{}<>%"), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_and_lines_stay_in_the_text(text: str) -> None:
    result = convert_shortcodes(text, 7, param=lambda name: "v", ref=lambda target: "t.md")
    last = 7 + text.count("\n")
    assert all(7 <= line <= last for line, _ in result.problems)
    if "{{" not in text:
        assert result.text == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PLAIN, TAGS), max_size=8), PLAIN)
def test_text_between_tags_is_never_lost(pairs: list[tuple[str, str]], tail: str) -> None:
    text = "".join(plain + tag for plain, tag in pairs) + tail
    result = convert_shortcodes(text, 1, param=lambda name: "v", ref=lambda target: "t.md")
    position = 0
    for plain in [p for p, _ in pairs] + [tail]:
        found = result.text.find(plain, position)
        assert found >= 0, (plain, result.text)
        position = found + len(plain)


def test_many_unfinished_tags_are_read_quickly() -> None:
    hostile = ('{{< a "' + "x" * 50 + " ") * 4000 + "{{</* " * 4000 + "{{< b c=d e f " * 4000
    start = time.perf_counter()
    result = convert_shortcodes(hostile, 1)
    assert time.perf_counter() - start < 5
    assert result.text == hostile


def test_deeply_nested_pairs_are_read_quickly_and_kept() -> None:
    hostile = "{{< box >}}" * 20000 + "text" + "{{< /box >}}" * 20000
    start = time.perf_counter()
    result = convert_shortcodes(hostile, 1)
    assert time.perf_counter() - start < 5
    assert result.text == hostile
