"""Shared fixtures: real sites written into tmp_path and built through the real CLI."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
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


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to prove nothing changed."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
