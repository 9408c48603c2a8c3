"""Lighthouse (mobile preset) scores every page type of the starter site at 95 or more."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import REPO, chromium_path, missing, node_module, static_server

pytestmark = pytest.mark.browser


def load_runner():
    spec = importlib.util.spec_from_file_location(
        "lighthouse_runner", REPO / "bench" / "lighthouse.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUNNER = load_runner()


@pytest.fixture(scope="module")
def served(starter_build: Path) -> Iterator[str]:
    chromium_path()
    node_module("lighthouse", "cli", "index.js")
    if shutil.which("node") is None:
        missing("node is not installed")
    with static_server(starter_build) as url:
        yield url


@pytest.mark.parametrize("name", list(RUNNER.PAGES))
def test_lighthouse_scores(served: str, name: str) -> None:
    from browser_support import ARTIFACTS

    report = ARTIFACTS / "lighthouse" / f"{name.replace(' ', '-')}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    scores = RUNNER.run_lighthouse(served + RUNNER.PAGES[name], report)
    low = {category: score for category, score in scores.items() if score < RUNNER.MINIMUM}
    assert low == {}, f"{name}: {scores} (full report: {report})"
