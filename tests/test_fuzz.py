"""Fuzzed sites: whatever the input, every command ends with exit 0, or exit 1 and a message.

Random tiny sites (front matter mixing sensible and hostile YAML, odd Markdown bodies, odd
file names, random config lines) go through the real CLI in-process. A run fails on a
traceback, an exit code other than 0 or 1, an exit 1 whose first line names no file, a
hang, or output that does not parse (XML feeds and sitemap, JSON, iCalendar).

THOUGHTGEN_FUZZ_EXAMPLES=N runs N examples (default 150); runs are derandomised, so a
failure found once is found again.
"""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from thoughtgen.cli import main
from thoughtgen.frontmatter import KNOWN_KEYS

# Hypothesis keeps caches and failure patches in its home folder: not in the repository.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "thoughtgen-hypothesis"))

EXAMPLES = int(os.environ.get("THOUGHTGEN_FUZZ_EXAMPLES", "150"))
SECONDS_PER_EXAMPLE = 20  # a hang, not a slow machine: examples take well under a second

BASE_CONFIG = (
    "title: Fuzz\ndescription: d\nbase_url: https://example.com/blog/\n"
    "timezone: Europe/Berlin\nauthor:\n  name: A\n"
)
BOMB = 'b0: &b0 "lol"\n' + "".join(
    f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]\n" for i in range(1, 10)
)
NASTY_TEXT = [
    "",
    " ",
    "plain words",
    "Networking: a primer",
    "#networking #careers",
    "a, b, , c",
    '" "',
    "'it''s'",
    "[a, b]",
    "[a, [b, [c]]]",
    "{a: 1, b: [2]}",
    "[a, b",
    "{a: 1",
    "true",
    "maybe",
    "null",
    "~",
    "-1",
    "1e400",
    ".nan",
    "0x1F",
    "1" * 5000,
    "=",
    "!!int abc",
    "!!float x",
    "!!bool maybe",
    "!!timestamp 2024-02-30",
    '!!binary "***"',
    "!!python/object:os.system {}",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom x",
    "!!str 12",
    "&y {k: *y}",
    "&z [1, *z]",
    "*nowhere",
    "[" * 60 + "]" * 60,
    "[" * 3000,
    "- - - - x",
    "|\n  a block\n  of text",
    ">\n  folded",
    '"line\\nbreak \\u202e \\x00"',
    "a" * 300,
    "ж" * 200,
    "résumé",
    "feed.xml",
    "index.html",
    "tags",
    "posts",
    "calendar",
    "404.html",
    "..",
    "a/b",
    "-dash",
    "<script>alert(1)</script>",
    "]]>",
    "&amp; & <b>",
    "{{ site.title }}",
    "{% raw %}",
    "\u0001\u0002",
    "\ufeff",
    "\u2028x\u2029",
]
DATES = [
    "2024-03-05",
    "2024-03-05 09:00",
    "2024-03-05T09:00:00+14:00",
    "2024-03-05 09:00:00 -1200",
    "2027-01-05 09:00",
    "1000-01-01",
    "9000-12-31 23:59",
    "0001-01-01",
    "9999-12-31 23:59",
    "2024-02-30",
    "2024-13-01",
    "2024-01-01 25:00",
    "2024-01-01 10:00 +99:00",
    "next tuesday",
]
KEYS = [
    *KNOWN_KEYS,
    "Title",
    "Date",
    "tag",
    "categories",
    "description",
    "mood",
    "1",
    "null",
    "true",
    "x y",
    "<<",
    '"quoted key"',
    "? complex",
]
WHOLE_LINES = [
    "\tfoo: bar",
    "  indented: odd",
    "- a list item",
    "just some prose that is not yaml",
    "# a comment",
    "...",
    "%YAML 1.1",
    "<<: {merged: yes}",
    "<<: *nowhere",
    "title: again",
    BOMB.rstrip("\n"),
]
BODY_PIECES = [
    "Hello **world**.",
    "# Heading\n",
    "---\n",
    "***",
    "[link](/blog/posts/missing/)",
    "[self](/blog/)",
    "![img](missing.png)",
    "<div>unclosed",
    "<script>x</script>",
    "<!-- comment",
    "```\ncode without end",
    "    indented code",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[^1]\n\n[^1]: note",
    "&nbsp; &bogus; &#0; &#x110000;",
    "\x00\x01\x0b\x0c\x7f",
    "\u202e\u200b\ufeff",
    "{{ site }} {% if %}",
    "<![CDATA[ ]]>",
    "\r\n\r",
    "a" * 2000,
]
CONFIG_LINES = [
    "calendar: {page: true, ics: true}",  # the first three are sound
    "calendar: {cadence: daily, page: true, ics: true, target: 3}",
    "calendar: {cadence: monthly, week_start: sunday, ics: true}",
    "calendar: {cadence: fortnightly}",
    "calendar: {slots: [tue 09:00, someday]}",
    "posts_per_page: 1",
    "posts_per_page: 0",
    "posts_per_page: !!int abc",
    "timezone: Mars/Olympus",
    "timezone: Pacific/Kiritimati",
    "base_url: ftp://x",
    "title: 'a & b <c> ]]>'",
    'description: "\\x01"',
    "unknown_option: 1",
    "author: {name: Жанна, email: x}",
    "author: [a]",
    "title: again",
    "- a list",
    "\tfoo: 1",
    "x: &y {k: *y}",
    BOMB.rstrip("\n"),
]
NOW = ["2026-11-22 12:00", "2024-03-05 09:00", "1000-01-01", "9000-12-31 23:59", "0001-01-05"]
TODAY = ["2026-11-22", "1000-01-01", "9000-12-31", "9999-12-31", "0001-01-01"]

odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF), max_size=30
)


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back as exactly ``text``."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F or 0xA0 <= code < 0xD800 or 0xE000 <= code <= 0xFFFD:
            out.append(ch)
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


# Any text at all, written so that YAML reads it back as that text.
quoted_text = odd_text.map(yaml_quoted)
title_text = odd_text.filter(lambda t: t.strip() and len(t.encode()) < 200).map(yaml_quoted)
words = st.sampled_from(["Post", "Hello world", "résumé", "C++ & <b>", "日本語", "a b c"])
good_date = st.sampled_from(DATES[:7])


def rarely(
    strategy: st.SearchStrategy[str], good: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Mostly ``good``, one time in eight ``strategy``: most sites must build to test outputs.

    The odd one out is a middle value: Hypothesis favours 0 and the bounds.
    """
    return one_in(8).flatmap(lambda odd: strategy if odd else good)


def one_in(n: int) -> st.SearchStrategy[bool]:
    return st.integers(0, n - 1).map(lambda i: i == n // 2)


hostile_value = st.one_of(st.sampled_from(NASTY_TEXT), st.sampled_from(DATES), odd_text)
key = st.one_of(st.sampled_from(KEYS), st.text(alphabet="abcXYZ_-1 ", min_size=1, max_size=8))
hostile_line = st.one_of(
    st.tuples(key, hostile_value).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.sampled_from(WHOLE_LINES),
)
extra_line = st.one_of(
    st.tuples(st.sampled_from(["mood", "series", "author", "image", "summary"]), quoted_text).map(
        lambda kv: f"{kv[0]}: {kv[1]}"
    ),
    st.sampled_from(["draft: true", "status: idea", "status: published", "slug: my-slug"]),
    st.lists(st.one_of(words, quoted_text), max_size=3).map(lambda t: f"tags: [{', '.join(t)}]"),
    st.lists(quoted_text, max_size=2).map(lambda v: f"extra: {{a: [{', '.join(v)}]}}"),
)


@st.composite
def source_file(draw: st.DrawFn) -> bytes:
    lines = [
        f"title: {draw(st.one_of(words, title_text))}",
        f"date: {draw(rarely(st.sampled_from(DATES), good_date))}",
    ]
    lines += draw(st.lists(extra_line, max_size=3, unique_by=lambda line: line.split(":")[0]))
    if draw(one_in(6)):
        lines += draw(st.lists(hostile_line, min_size=1, max_size=3))
    front = "\n".join(lines)
    closing = draw(rarely(st.sampled_from(["...\n", ""]), st.just("---\n")))
    pieces = st.one_of(st.sampled_from(BODY_PIECES), odd_text)
    body = "\n\n".join(draw(st.lists(pieces, max_size=4)))
    text = body if draw(one_in(32)) else f"---\n{front}\n{closing}{body}\n"
    data = text.encode("utf-8", "surrogatepass")
    if draw(one_in(64)):
        data = data.replace(b"e", b"\xe9", 1)  # latin-1 where UTF-8 is expected
    if draw(one_in(8)):
        data = data.replace(b"\n", b"\r\n")
    return data


file_name = rarely(
    st.sampled_from([b"caf\xe9.md", b"\xff\xfe.md", b".hidden.md", b"a" * 250 + b".md", b"-.md"]),
    st.tuples(st.sampled_from("abcéж"), st.text(alphabet="abcé ж-_.#%?!'\"&~", max_size=12)).map(
        lambda parts: os.fsencode("".join(parts) + ".md")
    ),
)


@st.composite
def fuzz_site(draw: st.DrawFn) -> dict[str, object]:
    config = BASE_CONFIG
    if draw(st.booleans()):
        config += draw(st.sampled_from(CONFIG_LINES[:3])) + "\n"
    if draw(one_in(8)):
        config += draw(st.sampled_from(CONFIG_LINES[3:])) + "\n"
    files = draw(
        st.lists(
            st.tuples(
                st.sampled_from([b"posts", b"posts/2024", b"pages"]), file_name, source_file()
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda f: (f[0], f[1]),
        )
    )
    statics = draw(
        rarely(
            st.sampled_from(["feed.xml/x.txt", "tags/x.txt", "robots.txt", "posts/x/index.html"]),
            st.just("img/a.png"),
        )
    )
    command = draw(
        st.sampled_from(
            [
                ["list"],
                ["list", "--format", "json"],
                ["calendar", "--format", "json"],
                ["calendar"],
                ["check", "--drafts", "--future"],
            ]
        )
    )
    if command[0] == "calendar" and draw(st.booleans()):
        command += ["--today", draw(rarely(st.sampled_from(TODAY), st.just("2026-11-22")))]
    return {
        "config": config,
        "files": files,
        "static": [statics],
        "now": draw(rarely(st.sampled_from(NOW[2:]), st.sampled_from(NOW[:2]))),
        "command": command,
    }


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that Click's runner does not swallow it."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def alarm(_signum: int, _frame: object) -> None:
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


MESSAGE = re.compile(r"^(?!Error\b|Traceback\b|warning: |notice: )\S[^\n]*?(?::\d+)?: \S")


def assert_clean(result: Result, what: str) -> None:
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{what}: {result.exception!r}\n{output}"
    )
    assert result.exit_code in (0, 1), f"{what}: exit {result.exit_code}\n{output}"
    assert "Traceback" not in output, f"{what}:\n{output}"
    if result.exit_code == 1:
        # Problems go to stderr; `check` lists broken links on stdout. Warnings and notices
        # may come first.
        notes = ("warning: ", "notice: ")
        errs = [line for line in result.stderr.splitlines() if not line.startswith(notes)]
        if not errs or (errs[0].startswith("Error: ") and not MESSAGE.match(errs[0])):
            errs = result.stdout.splitlines()
        assert errs and MESSAGE.match(errs[0]), f"{what}: exit 1 without path:line\n{output}"


def assert_outputs_parse(out: Path) -> None:
    for path in out.rglob("*"):
        if path.suffix == ".xml" and path.is_file():
            ET.parse(path)  # raises on XML that is not well-formed
        elif path.suffix == ".json" and path.is_file():
            json.loads(path.read_bytes())
        elif path.suffix == ".ics" and path.is_file():
            from icalendar import Calendar

            Calendar.from_ical(path.read_bytes())


def write_site(root: Path, site: dict[str, object]) -> None:
    (root / "thoughtgen.yaml").write_text(str(site["config"]), encoding="utf-8")
    for folder, name, data in site["files"]:  # type: ignore[attr-defined]
        target = os.path.join(os.fsencode(root), b"content", folder, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
    for rel in site["static"]:  # type: ignore[attr-defined]
        path = root / "content" / "static" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    deadline=None,  # the alarm below is the time limit; a busy machine must not fail the run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(fuzz_site())
def test_any_site_gives_exit_0_or_1_with_a_message(site: dict[str, object]) -> None:
    runner = CliRunner(env={"THOUGHTGEN_JOBS": "1"})  # tiny sites: worker processes only cost
    with tempfile.TemporaryDirectory(prefix="thoughtgen-fuzz-") as folder:
        root = Path(folder) / "site"
        root.mkdir()
        write_site(root, site)
        with time_limit(SECONDS_PER_EXAMPLE):
            built = runner.invoke(main, ["build", "--source", str(root), "--now", str(site["now"])])
            assert_clean(built, "build")
            if built.exit_code == 0:
                assert_outputs_parse(root / "public")
            command = [*site["command"], "--source", str(root)]  # type: ignore[misc]
            other = runner.invoke(main, command)
            assert_clean(other, " ".join(command[:-2]))
            if other.exit_code == 0 and "json" in command:
                json.loads(other.stdout)
