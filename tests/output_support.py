"""Helpers for tests that run real build processes and look at the output folder from outside."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import NOW, output_files

from thoughtgen.output.atomic import TEMP_SUFFIX


def build_command(site: Path, *args: str, now: str = NOW) -> list[str]:
    return [
        sys.executable,
        "-m",
        "thoughtgen",
        "build",
        "--quiet",
        "--source",
        str(site),
        "--now",
        now,
        *args,
    ]


def run_build(
    site: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        build_command(site, *args),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes (``.git`` included), the manifest aside."""
    return output_files(folder, with_git=True)


def leftovers(parent: Path, output_name: str = "public") -> list[str]:
    """Temporary files or folders anywhere beside or inside the output, and its spare."""
    found = []
    for entry in parent.iterdir():
        name = entry.name
        if name.startswith(f".{output_name}.") and name not in (
            f".{output_name}.previous",
            f".{output_name}.lock",
        ):
            found.append(name)
    for folder in (parent / output_name, parent / f".{output_name}.previous"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.name.endswith(TEMP_SUFFIX) or path.name.endswith(".tmp"):
                    found.append(str(path.relative_to(parent)))
    return sorted(found)


SAFETY_CONFIG = "title: Safety\nbase_url: https://example.com/\ntimezone: UTC\nauthor:\n  name: S\n"


def make_site(root: Path, posts: int = 30) -> Path:
    """A small site in ``root``/site: ``posts`` posts, each with a long body, and a static file."""
    site = root / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "content" / "static").mkdir()
    (site / "content" / "static" / "note.txt").write_text("static\n")
    (site / "thoughtgen.yaml").write_text(SAFETY_CONFIG)
    for number in range(posts):
        edit(site, number, "first")
    return site


def edit(site: Path, number: int, word: str) -> None:
    (site / "content" / "posts" / f"p{number}.md").write_text(
        f"---\ntitle: Post {number} {word}\ndate: 2025-03-{1 + number % 28:02d} 09:00\n"
        f"tags: [t{number % 4}]\n---\nBody {word} " + "words " * 200 + "\n"
    )
