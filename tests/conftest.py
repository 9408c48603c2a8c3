"""Shared fixtures: real sites written into tmp_path and built through the real CLI."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM_FLAGS, chromium_path, missing
from click.testing import CliRunner, Result

from thoughtgen.cli import main

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-22 12:00"  # every fixture build pins "now" so results never drift with the calendar

BASE_CONFIG = """\
title: Test Site
description: A site for tests.
base_url: https://example.com/
timezone: Europe/Berlin
author:
  name: Test Author
"""


def post(
    title: str,
    date: str | None = "2024-03-05 09:00",
    body: str = "Hello **world**.",
    **fields: object,
) -> str:
    """Markdown source of a post with the given front matter."""
    lines = ["---", f"title: {title}"]
    if date is not None:
        lines.append(f"date: {date}")
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", body]
    return "\n".join(lines) + "\n"


class SiteMaker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(
                textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8"
            )
        return path

    def config(self, extra: str = "", base: str = BASE_CONFIG) -> None:
        self.write("thoughtgen.yaml", base + extra)

    def build(self, *args: str, now: str = NOW) -> Result:
        return self.runner.invoke(main, ["build", "--source", str(self.root), "--now", now, *args])

    @property
    def out(self) -> Path:
        return self.root / "public"

    def page(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")


# An archive template whose listing of each month's posts is ``{body}``.
ARCHIVE = """\
{{% extends "base.html" %}}
{{% block content %}}
{{% for year, months in years %}}{{% for month, posts in months %}}
{body}
{{% endfor %}}{{% endfor %}}
{{% endblock %}}
"""


def write_blog(site: SiteMaker) -> None:
    """Four tagged posts, a page and a static file: a small site for incremental tests."""
    for n in range(1, 5):
        site.write(
            f"content/posts/p{n}.md",
            post(f"Post {n}", date=f"2026-0{n}-0{n} 09:00", tags="[alpha]", body=f"Body {n}."),
        )
    site.write("content/pages/about.md", "---\ntitle: About\n---\nAbout me.\n")
    site.write("content/static/notes.txt", "first version\n")


def _settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if every file had sat still for longer than the racy window: files are trusted by
    their stat (files written by a test are always fresh, known by their bytes otherwise)."""
    import thoughtgen.incremental.cache
    import thoughtgen.incremental.stamp

    monkeypatch.setattr(thoughtgen.incremental.cache, "RACY_NS", 0)
    monkeypatch.setattr(thoughtgen.incremental.stamp, "RACY_NS", 0)


@pytest.fixture(params=["racy window", "settled"])
def trust(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run with the racy window, and as if every file had sat still for longer than it (only
    then is a file trusted by its stat, and only its ctime tells a ``cp -p`` apart)."""
    if request.param == "settled":
        _settle(monkeypatch)
    return str(request.param)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    _settle(monkeypatch)


@pytest.fixture
def site(tmp_path: Path) -> SiteMaker:
    maker = SiteMaker(tmp_path / "site")
    maker.root.mkdir()
    maker.config()
    return maker


@pytest.fixture(scope="session")
def starter_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's starter site, copied and built once for the whole session."""
    root = tmp_path_factory.mktemp("starter") / "site"
    root.mkdir()
    for name in ("thoughtgen.yaml", "content", "themes"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy2(src, root / name)
    result = CliRunner().invoke(main, ["build", "--source", str(root), "--now", NOW])
    assert result.exit_code == 0, result.output
    return root / "public"


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def output_files(folder: Path, *, with_git: bool = False) -> dict[str, bytes]:
    """What a build left in ``folder``: every file with its bytes, the manifest aside (it
    records file times), and a ``.git`` worktree only when asked for."""
    from thoughtgen.incremental.manifest import MANIFEST

    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.name == MANIFEST:
            continue
        if not with_git and rel.parts[0] == ".git":
            continue
        found[rel.as_posix()] = path.read_bytes()
    return found


def assert_same_as_clean(site: SiteMaker, *args: str, now: str = NOW) -> None:
    """The site's output equals a --clean build of the same sources into another folder."""
    clean_out = site.root.parent / "clean-out"
    result = site.build("--clean", "--output", str(clean_out), *args, now=now)
    assert result.exit_code == 0, result.output
    assert output_files(site.out) == output_files(clean_out)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to prove nothing changed."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# One browser for the whole session: Playwright's sync API cannot start a second one while
# the first runs, so every browser test shares this.
@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        except Exception as exc:  # the browser must start in CI, so say why it did not
            missing(f"Chromium at {executable} did not start: {exc}")
        yield launched
        launched.close()
