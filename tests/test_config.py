"""thoughtgen.yaml: a typed schema whose problems are all reported together with lines."""

from __future__ import annotations

from conftest import SiteMaker, post

from thoughtgen.config import Config, describe_options, parse_config


def test_every_config_problem_is_reported_at_once(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.config(
        base="""\
title: [not, text]
base_url: /blog/
timezon: Europe/Paris
posts_per_page: ten
feed:
  limt: 5
  full_content: sometimes
calendar:
  cadence: hourly
  target: 0
  slots: ["tue 09:00", "someday noon"]
"""
    )
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "thoughtgen.yaml:1: 'title' must be text, got ['not', 'text']",
        "thoughtgen.yaml:2: base_url must be an absolute http(s) URL such as "
        "https://example.com/, got '/blog/'",
        "thoughtgen.yaml:3: unknown option 'timezon'; did you mean 'timezone'?",
        "thoughtgen.yaml:4: 'posts_per_page' must be a whole number, got 'ten'",
        "thoughtgen.yaml:6: unknown option 'feed.limt'; did you mean 'feed.limit'?",
        "thoughtgen.yaml:7: 'feed.full_content' must be true or false, got 'sometimes'",
        "thoughtgen.yaml:9: 'calendar.cadence' must be one of daily, weekly, biweekly, monthly; "
        "got 'hourly'",
        "thoughtgen.yaml:10: 'calendar.target' must be 1 or more",
        "thoughtgen.yaml:11: 'calendar.slots' cannot read slot 'someday noon'; write a weekday "
        "and a time, such as 'tue 09:00'",
        "Error: 9 problems; nothing was written.",
    ]
    assert not site.out.exists()


def test_missing_base_url_and_bad_timezone() -> None:
    import pytest

    from thoughtgen.errors import ThoughtgenError

    with pytest.raises(ThoughtgenError) as info:
        parse_config("title: x\ntimezone: Mars/Olympus\n")
    assert [str(p) for p in info.value.problems] == [
        "thoughtgen.yaml:1: 'base_url' is required",
        "thoughtgen.yaml:2: unknown timezone 'Mars/Olympus'; use an IANA name such as "
        "Europe/Berlin",
    ]


def test_broken_config_yaml_has_a_line(site: SiteMaker) -> None:
    site.config(base="title: x\nbase_url: https://e.com/\nauthor:\n  name: [a\n")
    result = site.build()
    assert result.stderr.startswith("thoughtgen.yaml:")
    assert "invalid YAML" in result.stderr
    assert result.exit_code == 1


def test_defaults_and_derived_values() -> None:
    config = parse_config("title: T\nbase_url: https://name.github.io/blog\n")
    assert config == Config(title="T", base_url="https://name.github.io/blog")
    assert config.base_path == "/blog/"
    assert config.site_url == "https://name.github.io/blog/"
    assert (config.language, config.timezone, config.posts_per_page) == ("en", "UTC", 10)
    assert (config.feed.limit, config.feed.full_content) == (20, True)
    assert config.calendar.cadence == "weekly"


def test_every_option_is_documented() -> None:
    rows = describe_options()
    names = [name for name, _default, _doc in rows]
    assert {"title", "base_url", "feed.limit", "author.email", "calendar.slots"} <= set(names)
    assert all(doc.strip() for _name, _default, doc in rows)
