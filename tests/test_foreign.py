"""Finding other generators' template tags: right lines, never inside code, never slow."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from thoughtgen.foreign import find_foreign_tags
from thoughtgen.mdcode import blank_code_spans, code_ranges, prose_lines


def test_code_spans_are_blanked_like_markdown_reads_them() -> None:
    assert blank_code_spans("a `{{< x >}}` b") == "a " + " " * 11 + " b"
    assert blank_code_spans("``a ` b`` c") == " " * 9 + " c"
    assert blank_code_spans("` never closed {% x %}") == "` never closed {% x %}"


@given(st.text(alphabet="`ab{%} <>", max_size=300))
def test_blanking_keeps_length_and_text_outside_spans(line: str) -> None:
    blanked = blank_code_spans(line)
    assert len(blanked) == len(line)
    assert all(b in (c, " ") for b, c in zip(blanked, line, strict=True))


def test_a_line_of_many_backticks_is_quick() -> None:
    # Each of these once took seconds to minutes with a backtracking pattern.
    for line in ("`" * 5000 + " {% x %}", "` a " * 20000, "``" + "`a" * 20000):
        find_foreign_tags(line)
    assert [t.text for t in find_foreign_tags("x " + "`" * 3000 + " {% if x %}")] == ["{% if x %}"]


def test_many_unclosed_tags_on_one_line_are_quick() -> None:
    for opener in ("{{< a ", "{{% a ", "{% a ", "{{ site.a "):
        find_foreign_tags("x " + opener * 20000)


@given(st.text(alphabet="`~ ab\n\t{}", max_size=120))
def test_code_ranges_are_ordered_and_cover_exactly_the_code(text: str) -> None:
    ranges = code_ranges(text, indented_code=True)
    assert all(start < end <= len(text) for start, end in ranges)
    assert all(a[1] < b[0] for a, b in pairwise(ranges))
    lines = text.split("\n")
    prose = set(prose_lines(lines))
    offset = 0
    for index, line in enumerate(lines):
        inside = [any(start <= offset + i < end for start, end in ranges) for i in range(len(line))]
        if index in prose:  # exactly the blanked characters of the line are code
            blanked = blank_code_spans(line, "\x00")
            assert inside == [c == "\x00" != line[i] for i, c in enumerate(blanked)]
        else:
            assert all(inside)
        offset += len(line) + 1
