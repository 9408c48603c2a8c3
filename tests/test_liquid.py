"""The Liquid/Nunjucks converter shared by the Jekyll and Eleventy readers.

What has a meaning without a template engine is converted; every other tag stays where
it was and is reported with its file line. Property tests: any text converts without an
error, text without tags comes back unchanged, and words outside tags are never lost.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from thoughtgen.foreign import find_foreign_tags
from thoughtgen.importers.liquid import (
    LiquidSettings,
    convert_liquid,
    finish_literal_text,
    outside_code,
)
from thoughtgen.importers.liquid_sites import rewrite_targets

SITE = LiquidSettings(
    values={"site.title": "Lantern Notes", "page.title": "First light", "site.author.name": "Ada"},
    addresses={"site.baseurl": "/", "site.url": "https://ex.com"},
    link=lambda tag, arg: {"2010-07-21-kite": "kite.md", "about.md": "../pages/about.md"}.get(arg),
)


def convert(text: str, first_line: int = 1, with_settings: LiquidSettings = SITE) -> str:
    return convert_liquid(text, first_line, with_settings).text


def problems(text: str, first_line: int = 1, with_settings: LiquidSettings = SITE) -> list:
    return convert_liquid(text, first_line, with_settings).problems


def test_highlight_becomes_a_fenced_block_and_drops_line_numbers() -> None:
    text = "Code:\n\n{% highlight ruby linenos %}\ndef x\n  1\nend\n{% endhighlight %}\n\nAfter."
    assert convert(text) == "Code:\n\n```ruby\ndef x\n  1\nend\n```\n\nAfter."


def test_highlight_in_a_list_keeps_the_indent_and_inline_ones_get_lines_of_their_own() -> None:
    indented = "- item\n\n  {% highlight sh %}\n  ls\n  {% endhighlight %}\n"
    assert convert(indented) == "- item\n\n  ```sh\n  ls\n  ```\n"
    inline = "see {% highlight js %}a(){% endhighlight %} here"
    assert convert(inline) == "see \n```js\na()\n```\n here"


def test_highlight_fence_is_longer_than_any_backticks_in_the_code() -> None:
    text = "{% highlight md %}\n```\ninner\n```\n{% endhighlight %}"
    assert convert(text) == "````md\n```\ninner\n```\n````"


def test_eleventy_highlight_takes_the_language_from_its_quoted_argument() -> None:
    assert convert('{% highlight "js 1,3" %}\nx()\n{% endhighlight %}') == "```js\nx()\n```"
    assert convert("{% highlight 'py' %}\nx\n{% endhighlight %}") == "```py\nx\n```"
    assert convert("{% highlight {{bad}} %}\nx\n{% endhighlight %}").startswith("```\n")


def test_values_inside_highlight_are_converted_as_the_engine_did() -> None:
    text = '{% highlight ruby %}\nputs "{{ page.title }}"\n{% endhighlight %}'
    assert convert(text) == '```ruby\nputs "First light"\n```'


def test_unclosed_highlight_is_kept_and_flagged() -> None:
    text = "a\n{% highlight ruby %}\nx"
    assert convert(text) == text
    assert problems(text, 10) == [
        (
            11,
            "{% highlight ruby %} is never closed with {% endhighlight %}; close it, or "
            "turn it into a ``` fenced code block",
        )
    ]


def test_raw_keeps_its_text_literal_and_protects_it_from_the_tag_finder() -> None:
    text = "Write {% raw %}{{ page.title }}{% endraw %} in a layout."
    done = finish_literal_text(convert(text))
    assert done == "Write &#123;{ page.title }} in a layout."
    assert find_foreign_tags(done) == []
    assert problems(text) == []


def test_raw_inside_code_keeps_plain_braces() -> None:
    text = "`{% raw %}{{ x }}{% endraw %}`\n\n```\n{% raw %}{% if a %}{% endraw %}\n```"
    assert finish_literal_text(convert(text)) == "`{{ x }}`\n\n```\n{% if a %}\n```"


def test_unclosed_raw_keeps_the_rest_as_text() -> None:
    text = "a {% raw %}{{ b }}"
    assert finish_literal_text(convert(text)) == "a &#123;{ b }}"
    assert problems(text) == [
        (1, "{% raw %} is never closed with {% endraw %}; the rest is kept as text")
    ]


def test_comments_are_removed_and_nunjucks_comments_only_for_nunjucks() -> None:
    assert convert("a{% comment %} secret {% endcomment %}b") == "ab"
    assert convert("a {# note #} b") == "a {# note #} b"
    nunjucks = LiquidSettings(engine="Nunjucks", comments=True)
    assert convert("a {# note #} b", with_settings=nunjucks) == "a  b"
    assert convert("a {#- note -#} b", with_settings=nunjucks) == "ab"


def test_post_url_and_link_become_links_to_markdown_sources() -> None:
    text = "[kite]({{ site.baseurl }}{% post_url 2010-07-21-kite %}) [me]({% link about.md %})"
    assert convert(text) == "[kite](kite.md) [me](../pages/about.md)"
    full = "[kite]({{ site.url }}{{ site.baseurl }}{% post_url 2010-07-21-kite %})"
    assert convert(full) == "[kite](kite.md)"


def test_unknown_post_url_and_computed_targets_are_flagged() -> None:
    text = "{% post_url 2001-01-01-gone %}\n{% link {{ page.other }} %}"
    assert convert(text) == text
    assert problems(text, 4) == [
        (
            4,
            "{% post_url 2001-01-01-gone %}: no post '2001-01-01-gone' in this export; "
            "replace it with a link",
        ),
        (
            5,
            "{% link {{ page.other }} %} names its target with a template value; replace "
            "it with a link to the post",
        ),
    ]


def test_site_address_is_dropped_before_a_path_and_kept_alone() -> None:
    assert convert("![x]({{ site.baseurl }}/a.png)") == "![x](/a.png)"
    assert convert("![x]({{ site.url }}{{ site.baseurl }}/a.png)") == "![x](/a.png)"
    assert convert("[home]({{ site.baseurl }})") == "[home](/)"
    assert convert("Visit {{ site.url }}.") == "Visit https://ex.com."


def test_known_values_and_filters() -> None:
    assert convert("{{ site.title }} by {{ site.author.name | upcase }}") == "Lantern Notes by ADA"
    assert convert("{{ '/a.png' | relative_url }} {{ 'b.png' | absolute_url }}") == "/a.png /b.png"
    assert convert('{{ "https://ex.com/x/" | relative_url }}') == "/x/"
    assert convert('{{ page.none | default: "n/a" }}') == '{{ page.none | default: "n/a" }}'
    assert convert('{{ page.title | default: "n/a" }}') == "First light"
    dated = LiquidSettings(values={"page.date": "2014-02-02T09:30:00-05:00"})
    assert convert('{{ page.date | date: "%B %-d, %Y" }}', with_settings=dated) == (
        "February 2, 2014"
    )
    assert convert("{{ site.title | escape }}") == "Lantern Notes"


def test_values_that_cannot_be_worked_out_are_kept_and_flagged() -> None:
    text = "a\n{{ page.views | plus: 1 }} {{ post.title }}"
    assert convert(text) == text
    assert problems(text, 7) == [
        (
            8,
            "{{ page.views | plus: 1 }} is a Liquid value thoughtgen cannot work out; "
            "replace it with the text it showed",
        ),
        (
            8,
            "{{ post.title }} is a Liquid value thoughtgen cannot work out; replace it "
            "with the text it showed",
        ),
    ]


def test_other_tags_are_kept_and_flagged_with_their_lines() -> None:
    text = (
        "{% include note.html text='x' %}\n"
        "{% if page.title %}\nyes\n{% endif %}\n"
        "{% youtube abc %}\n"
        "{% render 'card' %}"
    )
    assert convert(text) == text
    found = problems(text, 20)
    assert [line for line, _ in found] == [20, 21, 23, 24, 25]
    assert found[0][1] == (
        "{% include note.html text='x' %} pulls in a Liquid include, which thoughtgen does "
        "not have; paste the HTML it produced here, or remove it"
    )
    assert found[1][1] == (
        "{% if page.title %} is Liquid logic, which thoughtgen does not run; keep the text "
        "you want and remove the tags"
    )
    assert found[2][1] == (
        "{% endif %} closes or continues the Liquid block above; remove it together with "
        "its opening tag"
    )
    assert found[3][1] == (
        "{% youtube abc %} is a Liquid tag thoughtgen does not know (a plugin or shortcode); "
        "replace it with Markdown or HTML that shows the same thing"
    )


def test_unclosed_tag_is_kept_and_flagged() -> None:
    assert convert("a {{ site.title") == "a {{ site.title"
    assert problems("a\n{% if x") == [
        (2, "{% if x is never closed with '%}'; finish or remove the tag (it stays as text)")
    ]


def test_whitespace_control_trims_around_converted_tags() -> None:
    assert convert("a  \n{{- site.title -}}\n  b") == "aLantern Notesb"
    assert convert("a\n{%- comment -%} x {%- endcomment -%}\nb") == "ab"


def test_gist_and_eleventy_image_shortcode() -> None:
    assert convert("{% gist ada/1234abc notes.md %}") == (
        '<script src="https://gist.github.com/ada/1234abc.js?file=notes.md"></script>'
    )
    images = LiquidSettings(image_shortcode=True)
    text = '{% image "./cat.jpg", "A [small] cat" %}'
    assert convert(text, with_settings=images) == "![A (small) cat](./cat.jpg)"
    assert problems('{% image src, "x" %}', with_settings=images) != []


def test_outside_code_leaves_fences_inline_code_and_indented_blocks_alone() -> None:
    text = "a x\n\n```\nx\n```\n\n    x\n`x` x"
    assert outside_code(text, lambda s: s.replace("x", "Y")) == "a Y\n\n```\nx\n```\n\n    x\n`x` Y"


def test_rewrite_targets_reaches_links_images_references_and_html() -> None:
    text = '[a](/a) ![b](<b c.png> "t") <img src="/d.png">\n[ref]: /e\n`[x](/f)`'
    done = rewrite_targets(text, lambda url: url.upper())
    assert done == '[a](/A) ![b](<B C.PNG> "t") <img src="/D.PNG">\n[ref]: /E\n`[x](/f)`'


# --- Properties ------------------------------------------------------------------------

_TAGS = [
    "{% include x.html %}",
    "{% if a %}",
    "{% endif %}",
    "{{ site.title }}",
    "{{ page.unknown }}",
    "{% raw %}{{ r }}{% endraw %}",
    "{% highlight py %}\ncode\n{% endhighlight %}",
    "{% post_url 2010-07-21-kite %}",
    "{{ site.baseurl }}",
    "{% comment %}c{% endcomment %}",
    "{%",
    "{{",
    "}}",
    "%}",
]
_BLOCKS = {"raw", "endraw", "comment", "endcomment", "highlight", "endhighlight"}
_WORD = st.from_regex(r"[a-z]{3,8}", fullmatch=True).filter(lambda w: w not in _BLOCKS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_converts_without_error(text: str) -> None:
    result = convert_liquid(text, 1, SITE)
    assert isinstance(result.text, str)
    assert all(line >= 1 for line, _ in result.problems)
    finish_literal_text(result.text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="{"), max_size=300))
def test_text_without_tags_comes_back_unchanged(text: str) -> None:
    assert convert(text) == text
    assert problems(text) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORD, st.sampled_from(_TAGS)), max_size=30), st.sampled_from(" \n"))
def test_words_outside_tags_are_never_lost(pieces: list[str], space: str) -> None:
    text = space.join(pieces)
    # The words a reader saw: the pieces that are words, in order; tags may add words.
    words = [p for p in pieces if re.fullmatch(r"[a-z]+", p)]
    out = convert(text)
    found = re.findall(r"[a-z]+", out)
    position = 0
    for word in words:
        while position < len(found) and found[position] != word:
            position += 1
        assert position < len(found), (word, text, out)
        position += 1
