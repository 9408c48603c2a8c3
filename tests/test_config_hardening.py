"""Config values that could reach outside the site or break an output are refused or cleaned."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE_CONFIG, SiteMaker, post

from thoughtgen.config import parse_config
from thoughtgen.errors import ThoughtgenError


def _problems(text: str) -> list[str]:
    with pytest.raises(ThoughtgenError) as caught:
        parse_config(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("theme", ["../../../../", "/etc", "a/b", "..", "Mine", ".hidden", ""])
def test_theme_is_a_folder_name_never_a_path(theme: str) -> None:
    assert _problems(f"{BASE_CONFIG}theme: '{theme}'\n") == [
        f"thoughtgen.yaml:7: 'theme' must be the name of a folder in themes/ (lowercase "
        f"letters, digits, '.', '_' and '-'), got {theme!r}"
    ]


def test_a_theme_path_reads_nothing_outside_the_site(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.config("theme: ../../../../\n")
    result = site.build()
    assert result.exit_code == 1
    assert "thoughtgen.yaml:7: 'theme' must be the name of a folder in themes/" in result.stderr
    assert not site.out.exists()


def test_good_theme_names_are_accepted() -> None:
    for name in ("default", "my-theme", "v2.1", "a_b"):
        assert parse_config(f"{BASE_CONFIG}theme: {name}\n").theme == name


def test_control_characters_are_stripped_from_display_text(site: SiteMaker) -> None:
    site.config(
        base='title: "Bell\\aand\\0null"\n'
        'description: "Line\\x1bescape"\n'
        "base_url: https://example.com/\n"
        "author:\n"
        '  name: "Ann\\x08e"\n'
    )
    site.write("content/posts/a.md", post("A", tags="[x]"))
    result = site.build()
    assert result.exit_code == 0, result.output
    index = site.page("index.html")
    assert "<title>Bellandnull</title>" in index
    assert "Lineescape" in index
    import feedparser

    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((site.out / name).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.feed.title == "Bellandnull"
        assert parsed.feed.author_detail.name == "Anne" if name == "atom.xml" else True


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("language", '"en\\0"', "'language' contains a control character; remove it"),
        ("timezone", '"UTC\\n"', "'timezone' contains a control character; remove it"),
        ("output_dir", '"pub\\0lic"', "'output_dir' contains a control character; remove it"),
    ],
)
def test_control_characters_in_codes_and_paths_are_errors(
    key: str, value: str, message: str
) -> None:
    problems = _problems(f"title: T\nbase_url: https://example.com/\n{key}: {value}\n")
    assert problems == [f"thoughtgen.yaml:3: {message}"]


@pytest.mark.parametrize("language", ["en", "en-GB", "de-CH-1996", "zh-Hant"])
def test_language_codes(language: str) -> None:
    assert parse_config(f"{BASE_CONFIG}language: {language}\n").language == language


def test_a_language_that_is_not_a_code_is_an_error() -> None:
    assert _problems(f"{BASE_CONFIG}language: 'en\" onload=\"x'\n") == [
        "thoughtgen.yaml:7: 'language' must be a language code such as en or en-GB, "
        "got 'en\" onload=\"x'"
    ]


@pytest.mark.parametrize(
    "url",
    [
        'https://example.com/"><script>alert(1)</script>',
        "https://example.com/\r\nDisallow: /",
        "https://example.com/a b/",
        "https://example.com/<x>/",
        "https://example.com\\evil/",
        "https://example.com/'x'/",
        "https://exa\x00mple.com/",
    ],
)
def test_base_url_with_characters_that_break_out_is_an_error(url: str) -> None:
    escaped = url.encode("unicode_escape").decode().replace('"', '\\"')
    problems = _problems(f'title: T\nbase_url: "{escaped}"\n')
    assert problems == [
        "thoughtgen.yaml:2: base_url must not contain spaces, quotes, <, >, backslashes or "
        f"control characters; got {url!r}"
    ]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)//", "ftp://example.com/", "https:///path", "//example.com/"]
)
def test_base_url_needs_http_and_a_host(url: str) -> None:
    assert _problems(f"title: T\nbase_url: '{url}'\n") == [
        "thoughtgen.yaml:2: base_url must be an absolute http(s) URL such as "
        f"https://example.com/, got {url!r}"
    ]


def test_a_crlf_base_url_from_the_command_line_never_reaches_robots_txt(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    result = site.build("--base-url", "https://example.com/\nDisallow: /")
    assert result.exit_code == 1
    assert "base_url must not contain" in result.stderr
    assert not (site.out / "robots.txt").exists()


@pytest.mark.parametrize(
    ("key", "value"), [("url", "javascript:alert(1)"), ("url", 'https://a.b/"x'), ("email", "a b")]
)
def test_author_links_are_checked(key: str, value: str) -> None:
    problems = _problems(f"{BASE_CONFIG}  {key}: '{value}'\n")
    assert len(problems) == 1 and problems[0].startswith(f"thoughtgen.yaml:7: 'author.{key}'")


def test_robots_and_sitemap_use_the_checked_base_url(site: SiteMaker, tmp_path: Path) -> None:
    site.config(base=BASE_CONFIG.replace("https://example.com/", "https://example.com/a&b/"))
    site.write("content/posts/a.md", post("A"))
    result = site.build()
    assert result.exit_code == 0, result.output
    robots = site.page("robots.txt").splitlines()
    assert robots[-1] == "Sitemap: https://example.com/a&b/sitemap.xml"
    from xml.etree import ElementTree

    root = ElementTree.fromstring((site.out / "sitemap.xml").read_bytes())
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.com/a&b/" in locs
