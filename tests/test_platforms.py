"""Linux and macOS: forked workers where that is safe, the serial path elsewhere, same bytes.

Windows is not supported, and thoughtgen says so at once instead of failing half-way. The
quick Markdown inline pass, which relies on Python-Markdown internals, runs only on the
releases it is tested against, can be switched off, and gives the stock pass's bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner
from conftest import NOW, REPO, SiteMaker, post, snapshot

from thoughtgen.cli import main
from thoughtgen.markup import MarkdownRenderer, markdown_settings, quick_inline_allowed
from thoughtgen.parallel import MIN_ITEMS_PER_WORKER, fork_available

WINDOWS = "thoughtgen runs on Linux and macOS; on Windows use WSL\n"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


# Run in a new interpreter: a thread another test left running here would keep this one
# from forking at all, which is the rule under test.
WORKERS_SCRIPT = f"""
import json, os, sys, threading
from thoughtgen.parallel import parallel_map
if sys.argv[1] == "beside a thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
found = set()
for _start, results in parallel_map(lambda _i: os.getpid(), range({2 * MIN_ITEMS_PER_WORKER}), 2):
    found.update(results)
print(json.dumps({{"parent": os.getpid(), "workers": sorted(found)}}))
"""


def pids(no_fork: str | None, beside_a_thread: bool = False) -> tuple[int, set[int]]:
    """The process that asked, and the processes that did the work."""
    env = {k: v for k, v in os.environ.items() if k != "THOUGHTGEN_NO_FORK"}
    if no_fork is not None:
        env["THOUGHTGEN_NO_FORK"] = no_fork
    how = "beside a thread" if beside_a_thread else "alone"
    result = subprocess.run(
        [sys.executable, "-c", WORKERS_SCRIPT, how],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    found = json.loads(result.stdout)
    return found["parent"], set(found["workers"])


@linux_only
def test_no_fork_runs_every_task_in_this_process() -> None:
    parent, workers = pids(None)
    assert parent not in workers  # forked workers did the work
    parent, workers = pids("1")
    assert workers == {parent}
    parent, workers = pids("0")
    assert workers != {parent}  # "0" means no, not yes


@linux_only
def test_a_process_running_other_threads_is_never_forked() -> None:
    """serve rebuilds beside its server and watcher threads: forking then could leave a
    lock held forever in the child, so the work stays in this process."""
    parent, workers = pids(None, beside_a_thread=True)
    assert workers == {parent}
    parent, workers = pids(None)
    assert parent not in workers


def test_fork_is_used_only_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THOUGHTGEN_NO_FORK", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not fork_available()  # fork beside threads is unsafe on macOS: serial path
    monkeypatch.setattr(sys, "platform", "linux")
    assert fork_available()
    monkeypatch.setenv("THOUGHTGEN_NO_FORK", "1")
    assert not fork_available()


def copy_starter(root: Path) -> Path:
    root.mkdir()
    for name in ("thoughtgen.yaml", "content", "themes"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    return root


def build_both_ways(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    """Clean builds of ``root`` with forked workers and without; each folder's bytes."""
    outputs = []
    monkeypatch.setenv("THOUGHTGEN_JOBS", "2")
    for no_fork in ("0", "1"):
        monkeypatch.setenv("THOUGHTGEN_NO_FORK", no_fork)
        out = root.parent / f"out-{no_fork}"
        result = CliRunner().invoke(
            main, ["build", "--source", str(root), "--output", str(out), "--now", NOW, "--clean"]
        )
        assert result.exit_code == 0, result.output
        files = snapshot(out)
        del files[".thoughtgen-manifest.json"]  # records the files' times: those always differ
        outputs.append(files)
    return outputs[0], outputs[1]


def test_the_starter_site_is_byte_identical_without_fork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked, serial = build_both_ways(copy_starter(tmp_path / "site"), monkeypatch)
    assert forked == serial and forked


@linux_only
def test_a_site_big_enough_to_fork_is_byte_identical_without_fork(
    site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(2 * MIN_ITEMS_PER_WORKER + 10):  # enough for two workers to start
        day = 1 + n % 28
        site.write(
            f"content/posts/p{n:03}.md",
            post(f"Post {n}", date=f"2024-03-{day:02} 09:00", tags=f"[t{n % 7}]", body=f"*{n}*"),
        )
    forked, serial = build_both_ways(site.root, monkeypatch)
    assert forked == serial and len(forked) > 2 * MIN_ITEMS_PER_WORKER


@pytest.mark.parametrize("platform", ["win32", "cygwin"])
def test_windows_stops_at_once_with_what_to_do(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    for args in (["build", "--source", str(tmp_path)], ["--help"], ["init", str(tmp_path / "s")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1
        assert result.stderr == WINDOWS and result.stdout == ""
    assert not (tmp_path / "s").exists()


def test_linux_and_macos_are_declared_and_documented() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for classifier in (
        "Operating System :: POSIX :: Linux",
        "Operating System :: MacOS",
        "Programming Language :: Python :: 3.11",
    ):
        assert f'"{classifier}"' in pyproject
    assert "Windows" not in pyproject
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Platforms" in readme and "WSL" in readme


MARKDOWN_SAMPLES = [
    *sorted((REPO / "content").rglob("*.md")),
    REPO / "tests" / "fixtures" / "markdown_edge.md",
]


@pytest.mark.parametrize("path", MARKDOWN_SAMPLES, ids=lambda p: p.name)
def test_quick_inline_on_and_off_give_identical_html(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    monkeypatch.setenv("THOUGHTGEN_QUICK_INLINE", "1")
    quick = MarkdownRenderer()
    assert quick.quick_inline is quick_inline_allowed(markdown.__version_info__)
    monkeypatch.setenv("THOUGHTGEN_QUICK_INLINE", "0")
    stock = MarkdownRenderer()
    assert not stock.quick_inline
    assert type(stock._md.treeprocessors["inline"]).__name__ == "InlineProcessor"
    assert quick.render(text) == stock.render(text)


def test_quick_inline_runs_only_on_tested_markdown_releases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("THOUGHTGEN_QUICK_INLINE", raising=False)
    assert quick_inline_allowed((3, 11, 0)) and quick_inline_allowed((3, 11, 3, "final", 0))
    assert not quick_inline_allowed((3, 10, 3)) and not quick_inline_allowed((3, 12, 0))
    assert not quick_inline_allowed((4, 0, 0))
    monkeypatch.setenv("THOUGHTGEN_QUICK_INLINE", "0")
    assert not quick_inline_allowed(markdown.__version_info__)


def test_the_markdown_settings_say_whether_quick_inline_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = {}
    try:
        for switch in ("1", "0"):
            monkeypatch.setenv("THOUGHTGEN_QUICK_INLINE", switch)
            markdown_settings.cache_clear()
            allowed = quick_inline_allowed(markdown.__version_info__)
            settings[switch] = (markdown_settings(), allowed)
    finally:
        monkeypatch.undo()
        markdown_settings.cache_clear()
    (on, tested), (off, _) = settings["1"], settings["0"]
    assert f"quick-inline={tested}" in on and "quick-inline=False" in off


def test_a_build_without_quick_inline_is_byte_identical(tmp_path: Path) -> None:
    root = copy_starter(tmp_path / "site")
    outputs = []
    for switch in ("", "0"):
        env = {k: v for k, v in os.environ.items() if k != "THOUGHTGEN_QUICK_INLINE"}
        if switch:
            env["THOUGHTGEN_QUICK_INLINE"] = switch
        out = tmp_path / f"out{switch}"
        args = ["build", "-q", "--source", str(root), "--output", str(out), "--now", NOW]
        subprocess.run(
            [sys.executable, "-m", "thoughtgen", *args],
            env=env,
            check=True,
            timeout=120,
        )
        files = snapshot(out)
        del files[".thoughtgen-manifest.json"]  # records the files' times: those always differ
        outputs.append(files)
    assert outputs[0] == outputs[1] and outputs[0]
