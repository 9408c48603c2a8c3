#!/usr/bin/env python3
"""Lighthouse scores of the default theme, one row per page type of the starter site.

    python bench/lighthouse.py            # writes bench/lighthouse.md

It builds the starter site, serves it on a local port, and runs Lighthouse (npm
``lighthouse``, mobile preset, its default) in Debian's Chromium (``CHROME_PATH``, default
/usr/bin/chromium) for every page type. The test suite runs the same function and fails
below the minimum score.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser_support import CHROMIUM_FLAGS, PAGES, static_server  # noqa: E402

LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = 95


def chrome_path() -> str:
    return os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def run_lighthouse(url: str, report: Path | None = None) -> dict[str, int]:
    """The four category scores (0-100) of one page, mobile preset."""
    with tempfile.TemporaryDirectory() as scratch:
        out = report or Path(scratch) / "report.json"
        env = {**os.environ, "CHROME_PATH": chrome_path()}
        subprocess.run(
            [
                "node",
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={out}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
                "--max-wait-for-load=30000",
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        data = json.loads(out.read_text(encoding="utf-8"))
    return {name: round((data["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def table(scores: dict[str, dict[str, int]]) -> str:
    lines = ["| page | " + " | ".join(CATEGORIES) + " |", "|---|" + "---|" * len(CATEGORIES)]
    for page, row in scores.items():
        lines.append(f"| {page} | " + " | ".join(str(row[c]) for c in CATEGORIES) + " |")
    return "\n".join(lines)


def main() -> None:
    from click.testing import CliRunner

    from thoughtgen.cli import main as cli

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "public"
        result = CliRunner().invoke(
            cli,
            [
                "build",
                "--source",
                str(REPO),
                "--output",
                str(out),
                "--now",
                "2026-11-22 12:00",
                "--quiet",
            ],
        )
        if result.exit_code != 0:
            raise SystemExit(result.output)
        with static_server(out) as url:
            scores = {page: run_lighthouse(url + path) for page, path in PAGES.items()}
    version = subprocess.run(
        ["node", str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    chrome = subprocess.run(
        [chrome_path(), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    text = "\n".join(
        [
            "# Lighthouse scores of the default theme",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python bench/lighthouse.py`: "
            f"Lighthouse {version}, mobile preset, in {chrome}, on the starter site served "
            "from a local static server. Every score must be at least "
            f"{MINIMUM}; `tests/test_lighthouse.py` checks the same in CI.",
            "",
            table(scores),
            "",
        ]
    )
    (REPO / "bench" / "lighthouse.md").write_text(text, encoding="utf-8")
    print(text)
    low = [(p, c, s) for p, row in scores.items() for c, s in row.items() if s < MINIMUM]
    if low:
        raise SystemExit(f"below {MINIMUM}: {low}")


if __name__ == "__main__":
    main()
