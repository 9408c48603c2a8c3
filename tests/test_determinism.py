"""The same sources give the same site in every process.

Python salts the hashes of strings per process, so anything that iterates a set of
strings (tags, words, features) can order its results differently from one run to the
next. Builds run with different hash seeds must agree byte for byte, or an incremental
build (which keeps pages an earlier process made) would differ from a clean one.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

from output_support import build_command, tree
from test_kill import make_site

REPO = Path(__file__).resolve().parent.parent


def clean_build(site: Path, output: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [*build_command(site, "--clean"), "--output", str(output)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return tree(output)


def test_builds_in_processes_with_different_hash_seeds_are_identical(tmp_path: Path) -> None:
    generated = make_site(tmp_path / "generated", 160, random.Random("seeds"))
    starter = tmp_path / "starter"
    starter.mkdir()
    shutil.copy(REPO / "thoughtgen.yaml", starter)
    shutil.copytree(REPO / "content", starter / "content")
    for site in (generated, starter):
        first = clean_build(site, tmp_path / f"{site.name}-0", "0")
        assert any(path.startswith("cards/") for path in first)
        for seed in ("1", "2", "3"):
            other = clean_build(site, tmp_path / f"{site.name}-{seed}", seed)
            differing = sorted(
                path for path in first.keys() | other.keys() if first.get(path) != other.get(path)
            )
            assert not differing, f"{site.name}, hash seed {seed}: {differing[:5]}"
