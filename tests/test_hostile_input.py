"""Hostile input: odd YAML, huge or deep values, extreme dates, over-long names.

Every case ends in exit 0 or exit 1 with ``path:line: message`` lines; never a traceback,
never a hang, never a message that repeats an unbounded value.
"""

from __future__ import annotations

import pytest
from click.testing import Result
from conftest import SiteMaker

from thoughtgen.cli import main

HEAD = "---\ntitle: Fine\ndate: 2024-01-01\n"
BOMB = 'a0: &a0 "lol"\n' + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
)


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


def failed_with(result: Result, prefix: str, *words: str) -> str:
    """The first error line; checks it starts with ``prefix`` and holds each of ``words``."""
    no_traceback(result)
    assert result.exit_code == 1, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(prefix), result.stderr
    for word in words:
        assert word in first, result.stderr
    return first


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("1: x\n", ["key 1 is not a name"]),
        ("null: x\n", ["key null is not a name"]),
        ("true: x\n", ["key true is not a name"]),
    ],
)
def test_keys_that_are_not_names(site: SiteMaker, extra: str, words: list[str]) -> None:
    site.write("content/posts/a.md", HEAD + extra + "---\nx\n")
    failed_with(site.build(), "content/posts/a.md:4: ", *words)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", ["'abc' is not a valid !!int"]),
        ("!!float abc", ["'abc' is not a valid !!float"]),
        ("!!bool maybe", ["'maybe' is not a valid !!bool"]),
        ("!!timestamp 2024-02-30", ["!!timestamp", "not supported"]),
        ('!!binary "***"', ["!!binary", "not supported"]),
        ("!!python/object:os.system {}", ["!!python/object:os.system", "not supported"]),
        ("!!set {a, b}", ["!!set", "not supported"]),
        ("!!omap [a: 1]", ["!!omap", "not supported"]),
        ("!custom x", ["!custom", "not supported"]),
    ],
)
def test_explicit_tags_with_bad_values(site: SiteMaker, value: str, words: list[str]) -> None:
    site.write("content/posts/a.md", HEAD + f"mood: {value}\n---\nx\n")
    failed_with(site.build(), "content/posts/a.md:4: ", *words)


def test_an_anchor_that_contains_itself(site: SiteMaker) -> None:
    site.write("content/posts/a.md", HEAD + "x: &y {k: *y}\n---\nx\n")
    failed_with(site.build(), "content/posts/a.md:4: ", "'*y'", "contains itself")


@pytest.mark.parametrize("key", ["bomb", "draft", "date", "tags", "title"])
def test_alias_bomb_is_refused_quickly(site: SiteMaker, key: str) -> None:
    lines = BOMB.replace("a9:", f"{key}:")
    text = "---\n" + ("" if key == "title" else "title: T\n") + lines + "---\nx\n"
    site.write("content/posts/a.md", text)
    line = 8 if key == "title" else 9  # where a6 = 9**6 values passes the limit
    first = failed_with(
        site.build(),
        f"content/posts/a.md:{line}: ",
        "too big: aliases such as '*a5' expand to more than 100,000 values",
    )
    assert len(first) < 200


def test_alias_bomb_in_config(site: SiteMaker) -> None:
    site.config(extra=BOMB.replace("a", "x"))
    failed_with(site.build(), "thoughtgen.yaml:", "aliases")


def test_deep_nesting_is_refused(site: SiteMaker) -> None:
    site.write("content/posts/a.md", HEAD + "deep: " + "[" * 250 + "]" * 250 + "\n---\nx\n")
    failed_with(site.build(), "content/posts/a.md:4: ", "nested more than 50 levels")


def test_very_deep_flow_nesting_is_refused(site: SiteMaker) -> None:
    site.write("content/posts/a.md", HEAD + "deep: " + "[" * 60000 + "\n---\nx\n")
    failed_with(site.build(), "content/posts/a.md:")


def test_huge_front_matter_is_refused(site: SiteMaker) -> None:
    filler = "".join(f"k{i}: {'v' * 60}\n" for i in range(5000))
    site.write("content/posts/a.md", HEAD + filler + "---\nx\n")
    failed_with(site.build(), "content/posts/a.md:1: ", "front matter is larger than 256 KiB")


def test_long_values_are_shortened_in_messages(site: SiteMaker) -> None:
    site.write(
        "content/posts/a.md", "---\ntitle: T\ndate: 2024-01-01\ndraft: " + "x" * 5000 + "\n---\n"
    )
    first = failed_with(site.build(), "content/posts/a.md:4: ", "'draft' must be true or false")
    assert len(first) < 200


def test_blank_title(site: SiteMaker) -> None:
    site.write("content/posts/a.md", '---\ntitle: " "\ndate: 2024-01-01\n---\nx\n')
    failed_with(site.build(), "content/posts/a.md:2: ", "'title' is empty")


CAL = "calendar:\n  page: true\n  ics: true\n"


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31 23:59", "0999-12-31", "9001-01-01"])
def test_dates_out_of_range(site: SiteMaker, date: str) -> None:
    site.config(extra=CAL)
    site.write("content/posts/a.md", f"---\ntitle: T\ndate: {date}\n---\nx\n")
    failed_with(
        site.build(),
        "content/posts/a.md:3: ",
        "is out of range; use a year between 1000 and 9000",
    )


@pytest.mark.parametrize("date", ["1000-01-01", "9000-12-31 23:59"])
def test_dates_at_the_edges_of_the_range_build(site: SiteMaker, date: str) -> None:
    site.config(extra=CAL)
    site.write("content/posts/a.md", f"---\ntitle: T\ndate: {date}\n---\nx\n")
    for now in ("1000-01-01", "2026-11-22 12:00", "9000-12-31 23:59"):
        result = site.build(now=now)
        no_traceback(result)
        assert result.exit_code == 0, result.output


def test_now_out_of_range(site: SiteMaker) -> None:
    site.config(extra=CAL)
    site.write("content/posts/a.md", HEAD + "---\nx\n")
    failed_with(site.build(now="0001-01-05"), "--now: ", "out of range")


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01"])
def test_calendar_today_out_of_range(site: SiteMaker, today: str) -> None:
    site.config(extra=CAL)
    site.write("content/posts/a.md", HEAD + "---\nx\n")
    result = site.runner.invoke(main, ["calendar", "--source", str(site.root), "--today", today])
    failed_with(result, "--today: ", "out of range")


def test_daily_calendar_over_a_thousand_years_is_quick(site: SiteMaker) -> None:
    site.config(extra="calendar:\n  cadence: daily\n  page: true\n  ics: true\n")
    for n in range(30):
        site.write(f"content/posts/p{n}.md", f"---\ntitle: T{n}\ndate: {1000 + n}-01-01\n---\nx\n")
    result = site.build()
    no_traceback(result)
    assert result.exit_code == 0, result.output


def test_slug_too_long_for_a_file_name(site: SiteMaker) -> None:
    site.write("content/posts/a.md", HEAD + "slug: " + "é" * 130 + "\n---\nx\n")
    failed_with(site.build(), "content/posts/a.md:4: ", "longer than 255 bytes")


def test_file_name_making_a_long_slug(site: SiteMaker) -> None:
    site.write("content/posts/" + "a" * 250 + ".md", HEAD + "---\nx\n")
    result = site.build()
    no_traceback(result)


def test_tag_too_long_for_a_file_name(site: SiteMaker) -> None:
    site.write("content/posts/a.md", HEAD + "tags: [" + "ж" * 200 + "]\n---\nx\n")
    failed_with(site.build(), "content/posts/a.md:4: ", "tag", "longer than")


@pytest.mark.parametrize("slug", ["feed.xml", "index.html", "tags", "sitemap.xml", "404.html"])
def test_pages_cannot_take_the_place_of_generated_files(site: SiteMaker, slug: str) -> None:
    site.write("content/posts/a.md", HEAD + "tags: [x]\n---\nx\n")
    site.write("content/pages/p.md", f"---\ntitle: P\nslug: {slug}\n---\nx\n")
    result = site.build()
    failed_with(result, "", f"/{slug}/")
    assert "content/pages/p.md" in result.stderr  # the page is named, not only its template


def test_static_folder_named_like_a_generated_file(site: SiteMaker) -> None:
    site.write("content/posts/a.md", HEAD + "---\nx\n")
    site.write("content/static/feed.xml/x.txt", "x")
    result = site.build()
    failed_with(result, "", "feed.xml")
