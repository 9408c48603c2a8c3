"""Builds killed with SIGKILL at random moments: the live site stays whole, the next build
is exact, and nothing temporary is left anywhere.

Each round changes a few sources, starts a real build process, kills it after a random
delay, then checks that ``public/`` is exactly the previous site or exactly the new one
(with the files thoughtgen did not write), that the next build equals a ``--clean`` build
of the same sources, and that no temporary file or folder remains. Rounds mix incremental,
``--clean`` and first builds. ``THOUGHTGEN_KILLS=N`` runs N rounds (CI runs a few).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from output_support import build_command, leftovers, run_build, tree

from thoughtgen.output.swap import FORCE_RENAMES

KILLS = int(os.environ.get("THOUGHTGEN_KILLS", "16"))
TAGS = ["networking", "careers", "mentors", "hiring", "writing", "habits", "teams"]
WORDS = [
    "reach",
    "out",
    "early",
    "keep",
    "in",
    "touch",
    "follow",
    "up",
    "share",
    "credit",
    "ask",
    "listen",
    "offer",
    "help",
]


def write_post(site: Path, number: int, rng: random.Random, version: int = 0) -> None:
    tags = ", ".join(rng.sample(TAGS, 2))
    body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(4))
    text = (
        f"---\ntitle: Note {number} v{version}\ndate: 2025-{1 + number % 12:02d}-"
        f"{1 + number % 28:02d} 09:{number % 60:02d}\ntags: [{tags}]\n---\n{body}\n"
    )
    path = site / "content" / "posts" / f"note-{number}.md"
    path.write_text(text, encoding="utf-8")


def make_site(root: Path, posts: int, rng: random.Random) -> Path:
    site = root / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "content" / "static").mkdir()
    (site / "content" / "static" / "logo.txt").write_text("logo\n")
    (site / "thoughtgen.yaml").write_text(
        "title: Kill Test\nbase_url: https://example.com/\ntimezone: UTC\n"
        "author:\n  name: K\nposts_per_page: 5\n"
    )
    for number in range(posts):
        write_post(site, number, rng)
    return site


def add_foreign(public: Path) -> dict[str, bytes]:
    (public / ".git").mkdir(exist_ok=True)
    (public / ".git" / "HEAD").write_bytes(b"ref: refs/heads/gh-pages\n")
    (public / "CNAME").write_bytes(b"blog.example.com\n")
    (public / "posts" / "mine.txt").write_bytes(b"mine\n")
    return {
        ".git/HEAD": b"ref: refs/heads/gh-pages\n",
        "CNAME": b"blog.example.com\n",
        "posts/mine.txt": b"mine\n",
    }


def clean_tree(site: Path, scratch: Path) -> dict[str, bytes]:
    out = scratch / "clean"
    if out.exists():
        shutil.rmtree(out)
    result = run_build(site, "--clean", "--output", str(out))
    assert result.returncode == 0, result.stderr
    return tree(out)


@pytest.mark.parametrize("swap", ["exchange", "renames"])
def test_killed_builds_leave_a_whole_site_and_the_next_build_exact(
    tmp_path: Path, swap: str
) -> None:
    rng = random.Random(f"kill-{swap}")
    site = make_site(tmp_path, 160, rng)
    env = {FORCE_RENAMES: "1"} if swap == "renames" else {}
    first = run_build(site, env=env)
    assert first.returncode == 0, first.stderr
    public = site / "public"
    foreign = add_foreign(public)
    started = time.perf_counter()
    assert run_build(site, env=env).returncode == 0
    typical = max(0.3, time.perf_counter() - started)
    kills = KILLS if swap == "exchange" else max(4, KILLS // 3)
    whole_old = whole_new = 0
    for round_number in range(kills):
        previous = tree(public)
        for number in rng.sample(range(160), 3):
            write_post(site, number, rng, version=round_number + 1)
        mode = rng.choice(["incremental", "incremental", "clean", "first"])
        args = ["--clean"] if mode == "clean" else []
        if mode == "first":  # the output folder is gone: the killed build is a first build
            shutil.rmtree(public)
            previous = {}
        process = subprocess.Popen(
            build_command(site, *args),
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.0, typical * 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        expected = {**clean_tree(site, tmp_path), **(foreign if mode != "first" else {})}
        if public.exists() or swap == "exchange":
            live = tree(public) if public.exists() else {}
            # The live site is the whole previous site or the whole new one.
            assert live in (previous, expected), f"round {round_number}: half a site"
            whole_old += live == previous
            whole_new += live == expected
        result = run_build(site, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        if mode == "first":
            foreign = add_foreign(public)
            assert run_build(site, env=env).returncode == 0
            expected = {**expected, **foreign}
        assert tree(public) == expected, f"round {round_number} ({mode}): not a clean build"
        assert leftovers(site) == [], f"round {round_number} ({mode})"
    assert whole_old + whole_new > 0
