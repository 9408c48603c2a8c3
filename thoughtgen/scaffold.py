"""What ``thoughtgen init`` and ``thoughtgen new`` write. Pure: returns file texts."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from thoughtgen.config import CONFIG_FILE, Config, describe_options
from thoughtgen.errors import Problem

GITIGNORE = """\
# Built site and thoughtgen's working files
/public/
/.public.*
.thoughtgen/
"""

ABOUT = """\
---
title: "About"
---
Say who you are, what you write about and who it is for. Readers who find one useful post
come here next to decide whether to subscribe, so tell them what to expect and how often.
"""

WELCOME = """\
---
title: "Hello, world"
date: {date}
tags: [meta]
summary: "The first post on this site, and a few notes on how to write the next one."
---
This site is built with thoughtgen. Each post is a Markdown file in `content/posts/` with a
little YAML at the top, like this one.

<!--more-->

## Writing the next post

Run `thoughtgen new "My next post"` to create a draft, then `thoughtgen serve --drafts` to
watch it in the browser while you write: the page reloads every time you save. When it is
ready, `thoughtgen schedule content/posts/my-next-post.md --next --publish` lets it go out.

## Keeping a rhythm

The `calendar:` section of `thoughtgen.yaml` holds your publishing goal. `thoughtgen calendar`
shows your streak, the gaps, and when the next post is due; `thoughtgen schedule` dates a
draft for the next free slot.
"""

# The author's name goes on every post, feed and share card; init asks for nothing, so it
# writes this and the build warns until the writer replaces it.
AUTHOR_PLACEHOLDER = "Your Name"
# The address init writes; feeds, share cards and canonical links are wrong until it changes.
BASE_URL_PLACEHOLDER = "https://example.com/"

PLACEHOLDERS: dict[str, Any] = {
    "title": "My thoughtgen site",
    "base_url": BASE_URL_PLACEHOLDER,
    "description": "What this site is about, in one sentence.",
    "author.name": AUTHOR_PLACEHOLDER,
}


def yaml_value(value: Any) -> str:
    """A scalar or list as YAML flow text (JSON is valid YAML and quotes safely)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def config_text(values: dict[str, Any] | None = None) -> str:
    """A commented thoughtgen.yaml listing every option with its default."""
    values = {**PLACEHOLDERS, **(values or {})}
    lines = [
        "# thoughtgen site configuration: every option, with its default and what it does.",
        "# Options you leave out take the default shown here.",
        "",
    ]
    for name, default, doc in describe_options():
        depth = name.count(".")
        indent = "  " * depth
        key = name.rsplit(".", 1)[-1]
        if depth == 0 and lines[-1]:
            lines.append("")
        lines.append(f"{indent}# {doc}")
        if default is None:  # a section
            lines.append(f"{indent}{key}:")
        else:
            lines.append(f"{indent}{key}: {yaml_value(values.get(name, default))}")
    return "\n".join(lines) + "\n"


def init_files(now: datetime) -> dict[str, str]:
    """Relative path → text of every file a new site starts with."""
    return {
        "thoughtgen.yaml": config_text(),
        ".gitignore": GITIGNORE,
        "content/posts/hello-world.md": WELCOME.format(date=f"{now:%Y-%m-%d %H:%M}"),
        "content/pages/about.md": ABOUT,
    }


def setup_warnings(site_dir: Path, config: Config) -> list[Problem]:
    """What a build warns about until the site is set up: an author name or a base_url still
    the placeholder from init, and a robots.txt that crawlers will never read.

    A base_url given on the command line (``--base-url``) replaces the file's, so the
    placeholder left in the file is not what this build publishes.
    """
    from thoughtgen.sitemap import robots_problem

    found: list[tuple[str, str]] = []
    if config.author.name == AUTHOR_PLACEHOLDER:
        found.append(
            (
                "author.name",
                f"author.name is still the placeholder {json.dumps(AUTHOR_PLACEHOLDER)} from "
                "'thoughtgen init'; set it to your name, which posts, feeds and share cards show",
            )
        )
    if config.site_url == BASE_URL_PLACEHOLDER:
        found.append(
            (
                "base_url",
                f"base_url is still the placeholder {BASE_URL_PLACEHOLDER} from 'thoughtgen "
                "init'; set it to your site's address (feeds, share cards and canonical links "
                "use it)",
            )
        )
    if robots := robots_problem(config):
        found.append(("base_url", robots))
    if not found:
        return []
    lines = config_lines(site_dir)
    return [Problem(CONFIG_FILE, lines.get(key), message) for key, message in found]


def config_line(site_dir: Path, key: str) -> int | None:
    """The line of ``key`` (dotted for nested keys) in the site's thoughtgen.yaml, if known."""
    return config_lines(site_dir).get(key)


def config_lines(site_dir: Path) -> dict[str, int]:
    """The line of each key in thoughtgen.yaml (it has been read once already and is valid)."""
    from thoughtgen.yamlio import YamlSyntaxError, parse_yaml

    try:
        text = (site_dir / CONFIG_FILE).read_bytes().decode("utf-8-sig")
        return parse_yaml(text.replace("\r\n", "\n")).key_lines
    except (OSError, UnicodeDecodeError, YamlSyntaxError):  # changed since: lines unknown
        return {}


# The first line of every post ``thoughtgen new`` writes. Parsing looks for it (however the
# writer's editor re-wraps it) to warn before a stub goes out: change it only together
# with PLACEHOLDER_PATTERN, and keep it a sentence no finished post would contain.
PLACEHOLDER_MARKER = "Replace this placeholder text from thoughtgen new with your post."
PLACEHOLDER_PATTERN = re.compile(r"\s+".join(map(re.escape, PLACEHOLDER_MARKER.split())))
PLACEHOLDER_WARNING = (
    "still has the placeholder text from 'thoughtgen new'; "
    "write the post or mark it 'status: draft'"
)


def placeholder_line(body: str, body_line: int) -> int | None:
    """The file line where ``body`` (starting on ``body_line``) has the placeholder, if it does."""
    match = PLACEHOLDER_PATTERN.search(body)
    if match is None:
        return None
    return body_line + body.count("\n", 0, match.start())


def new_post_text(title: str, date: str | None, tags: Sequence[str], status: str) -> str:
    """Front matter and placeholder text for ``thoughtgen new``.

    ``status`` is "draft", "idea" or "published" (scheduled posts are published ones with a
    future date).
    """
    lines = ["---", f"title: {yaml_value(title)}"]
    if date:
        lines.append(f"date: {date}")
    lines.append(f"tags: [{', '.join(yaml_value(t) for t in tags)}]")
    lines.append('summary: ""')
    if status in ("draft", "idea"):
        lines.append(f"status: {status}")
    lines += [
        "---",
        PLACEHOLDER_MARKER,
        "",
        "The first paragraph becomes the summary unless you fill in `summary` above or put",
        "`<!--more-->` after your introduction.",
    ]
    if status in ("draft", "idea"):
        lines += [
            "",
            f"This {status} is not published. When it is ready, run `thoughtgen schedule` on",
            "this file with `--next --publish` to date it for the next free slot.",
        ]
    return "\n".join([*lines, ""])
