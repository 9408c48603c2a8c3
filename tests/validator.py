"""Running the Nu Html Checker (vnu.jar from npm's vnu-jar) over built pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def find_vnu() -> Path | None:
    candidates = [
        os.environ.get("VNU_JAR", ""),
        str(REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def require_vnu() -> tuple[str, Path]:
    """java and vnu.jar, or a skip locally; in CI (CI=true) their absence is a failure."""
    java, jar = shutil.which("java"), find_vnu()
    if java and jar:
        return java, jar
    missing = "java" if not java else "vnu.jar (run `npm ci`)"
    if os.environ.get("CI"):
        pytest.fail(f"the Nu Html Checker cannot run in CI: {missing} is missing")
    pytest.skip(f"the Nu Html Checker needs {missing}")


def run_vnu(pages: list[Path]) -> list[str]:
    """Every error and warning as 'file:line: message' (empty when all pages are valid)."""
    java, jar = require_vnu()
    assert pages, "no pages to check"
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, pages)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stderr or result.stdout)
    return [
        f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: "
        f"{m.get('type')}: {m.get('message')}"
        for m in report["messages"]
    ]
