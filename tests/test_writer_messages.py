"""Everyday slips in front matter get plain words that say what to do, with the file's line."""

from __future__ import annotations

import pytest
from conftest import SiteMaker


def errors_of(site: SiteMaker, text: str) -> list[str]:
    site.write("content/posts/a.md", text)
    result = site.build()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr.splitlines()[:-1]


def test_tab_at_the_start_of_a_line(site: SiteMaker) -> None:
    text = "---\ntitle: Fine\ndate: 2024-01-01\ntags:\n\t- a\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:5: line 5 starts with a tab: indent with spaces"
    ]


def test_unquoted_colon_in_a_title(site: SiteMaker) -> None:
    text = "---\ntitle: Networking: a primer\ndate: 2024-01-01\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:2: quote the title: it contains ': ' "
        '(write title: "Networking: a primer")'
    ]


def test_unquoted_colon_in_a_value_with_double_quotes(site: SiteMaker) -> None:
    text = '---\ntitle: Fine\nsummary: Why "x": a story\ndate: 2024-01-01\n---\nx\n'
    assert errors_of(site, text) == [
        "content/posts/a.md:3: quote the summary: it contains ': ' "
        "(write summary: 'Why \"x\": a story')"
    ]


def test_front_matter_not_closed_before_a_horizontal_rule(site: SiteMaker) -> None:
    text = (
        "---\ntitle: Fine\ndate: 2024-01-01\n\n"
        "This is where the post begins, and it goes on.\n\nMore text.\n\n---\n\nAfter the rule.\n"
    )
    assert errors_of(site, text) == [
        "content/posts/a.md:5: front matter is not closed before line 5: "
        "add a '---' line after the last key"
    ]


def test_capitalised_key_is_named_in_the_missing_key_error(site: SiteMaker) -> None:
    text = "---\nTitle: Hello\ndate: 2024-01-01\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:1: missing 'title' ('Title' on line 2: keys are lower-case)"
    ]


def test_hints_are_shown_with_the_errors_of_a_failing_file(site: SiteMaker) -> None:
    text = "---\ntitle: Hello\nDate: 2024-01-01\ntag: career\ndraft: maybe\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:1: missing 'date' (e.g. date: 2024-03-05 09:00), "
        "or mark the post 'draft: true' ('Date' on line 3: keys are lower-case)",
        "content/posts/a.md:4: unknown key 'tag'; did you mean 'tags'?",
        "content/posts/a.md:5: 'draft' must be true or false, got 'maybe'",
    ]


def test_capitalised_key_alone_is_a_warning(site: SiteMaker) -> None:
    site.write("content/posts/a.md", "---\ntitle: Hi\ndate: 2024-01-01\nSummary: s\n---\nx\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert (
        "content/posts/a.md:4: keys are lower-case: did you mean 'summary' instead of 'Summary'?"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tags: #networking #careers", "write tags: [networking, careers]"),
        ("summary: #1 tip", 'write summary: "#1 tip"'),
    ],
)
def test_hash_starts_a_comment(site: SiteMaker, line: str, expected: str) -> None:
    text = f"---\ntitle: Fine\ndate: 2024-01-01\n{line}\n---\nx\n"
    assert errors_of(site, text) == [f"content/posts/a.md:4: '#' starts a YAML comment: {expected}"]


def test_hash_in_the_title(site: SiteMaker) -> None:
    text = "---\ntitle: #1 reason\ndate: 2024-01-01\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:2: '#' starts a YAML comment: write title: \"#1 reason\""
    ]


def test_hash_in_an_extra_key_is_a_warning(site: SiteMaker) -> None:
    site.write("content/posts/a.md", "---\ntitle: Hi\ndate: 2024-01-01\nmood: #happy\n---\nx\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert (
        "content/posts/a.md:4: '#' starts a YAML comment: write mood: \"#happy\" "
        "(or remove the key)" in result.stderr
    )


def test_a_real_comment_after_a_key_with_a_value_is_fine(site: SiteMaker) -> None:
    site.write("content/posts/a.md", "---\ntitle: Hi  # greeting\ndate: 2024-01-01\n---\nx\n")
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "comment" not in result.stderr


def test_duplicate_key(site: SiteMaker) -> None:
    text = "---\ntitle: One\ndate: 2024-01-01\ntags: [a]\ntitle: Two\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:5: 'title' appears twice (lines 2 and 5): keep one"
    ]


def test_duplicate_key_in_config(site: SiteMaker) -> None:
    site.config(extra="title: Again\n")
    site.write("content/posts/a.md", "---\ntitle: One\ndate: 2024-01-01\n---\nx\n")
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.startswith("thoughtgen.yaml:7: 'title' appears twice (lines 1 and 7)")


def test_unclosed_list(site: SiteMaker) -> None:
    text = "---\ntitle: Fine\ntags: [a, b\ndate: 2024-01-01\n---\nx\n"
    assert errors_of(site, text) == [
        "content/posts/a.md:3: the list opened with '[' on line 3 is not closed: "
        "add ']' after its last item"
    ]
