"""The writer's loop: init, new, list, check, and build's terminal output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SiteMaker, post

from thoughtgen.cli import main
from thoughtgen.progress import TerminalProgress


def invoke(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


def test_init_makes_a_site_that_builds_and_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path / "mysite"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "mysite"
    config = (site / "thoughtgen.yaml").read_text()
    for option in (
        "title:",
        "base_url:",
        "timezone:",
        "feed:",
        "  limit: 20",
        "calendar:",
        '  cadence: "weekly"',
    ):
        assert option in config
    assert config.count("# ") >= 20  # every option explained
    assert (site / ".gitignore").read_text().startswith("# Built site")
    assert (site / "content/pages/about.md").is_file()
    build = invoke("build", "--source", str(site))
    assert build.exit_code == 0, build.output
    assert (site / "public/posts/hello-world/index.html").is_file()
    again = invoke("init", str(site))
    assert again.exit_code == 1
    assert "not empty; thoughtgen init only fills a new or empty folder" in again.stderr


def test_new_and_list_round_trip(site: SiteMaker) -> None:
    site.config(extra="calendar:\n  slots: ['wed 10:00']\n")
    site.write("content/posts/old.md", post("Old one", date="2026-11-18 10:00", tags="[x]"))
    result = invoke(
        "new", "Give before you ask: <notes>", "--tags", "Networking, Career Growth", cwd=site.root
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "content/posts/give-before-you-ask-notes.md\n"
    text = (site.root / "content/posts/give-before-you-ask-notes.md").read_text()
    assert text.startswith('---\ntitle: "Give before you ask: <notes>"\ndate: ')
    assert 'tags: ["Networking", "Career Growth"]' in text
    assert invoke("new", "Later idea", "--idea", cwd=site.root).exit_code == 0
    assert invoke("new", "Scheduled one", "--schedule", "next", cwd=site.root).exit_code == 0
    scheduled = (site.root / "content/posts/scheduled-one.md").read_text()
    assert " 10:00\n" in scheduled.split("date: ")[1].split("\n")[0] + "\n"

    duplicate = invoke("new", "Give before you ask: notes", cwd=site.root)
    assert duplicate.exit_code == 1
    assert "content/posts/give-before-you-ask-notes.md: already exists" in duplicate.stderr
    site.write("content/posts/2024/other.md", post("Other", slug="old-friends"))
    clash = invoke("new", "Old friends", cwd=site.root)
    assert clash.exit_code == 1
    assert "/posts/old-friends/ is already the URL of content/posts/2024/other.md" in clash.stderr

    listed = json.loads(invoke("list", "--format", "json", "--source", str(site.root)).stdout)
    by_title = {row["title"]: row for row in listed}
    assert by_title["Give before you ask: <notes>"]["tags"] == ["Networking", "Career Growth"]
    assert by_title["Later idea"]["status"] == "idea"
    assert by_title["Scheduled one"]["status"] == "scheduled"
    ideas = invoke("list", "--status", "idea", "--source", str(site.root)).stdout.splitlines()
    assert len(ideas) == 1 and ideas[0].startswith("idea ") and "Later idea" in ideas[0]
    tagged = invoke("list", "--tag", "career-growth", "--source", str(site.root)).stdout
    assert "Give before you ask" in tagged and "Old one" not in tagged


def test_check_finds_planted_broken_links(site: SiteMaker) -> None:
    site.write(
        "content/posts/a.md",
        post(
            "A",
            summary="'Has one'",
            body="[b](/posts/b/) [gone](/posts/gone/) "
            "![x](/images/missing.png) [top](#nowhere) "
            "[ext](https://elsewhere.example/)",
        ),
    )
    site.write("content/posts/b.md", post("B", date="2024-03-06", tittle="x"))
    site.write("content/posts/i.md", post("Old idea", date="2024-01-01", status="idea"))
    result = invoke("check", "--source", str(site.root))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "content/posts/a.md: broken link #nowhere",
        "content/posts/a.md: broken link /images/missing.png",
        "content/posts/a.md: broken link /posts/gone/",
        "Checked 6 pages: 3 broken links, 3 warnings.",
    ]
    assert "content/posts/b.md:4: unknown key 'tittle'; did you mean 'title'?" in result.stderr
    assert "content/posts/b.md: no summary" in result.stderr
    assert "content/posts/i.md: idea waiting for" in result.stderr
    assert not (site.root / "public").exists()  # check writes nothing


def test_check_passes_on_the_starter_site() -> None:
    result = invoke("check", "--source", str(REPO))
    assert result.exit_code == 0, result.output
    assert " 0 broken links" in result.stdout


def test_build_quiet_verbose_and_progress(site: SiteMaker) -> None:
    site.write("content/posts/a.md", post("A"))
    site.write("content/posts/soon.md", post("Soon", date="2099-01-01"))
    quiet = site.build("--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""
    (site.out / "CNAME").write_text("blog.example.com\n")
    site.write("content/posts/a.md", post("A changed"))
    verbose = site.build("--verbose")
    assert "  posts/a/index.html\n" in verbose.stdout and "  feed.xml\n" in verbose.stdout
    assert "  kept (not written by thoughtgen): CNAME\n" in verbose.stdout
    assert "Built " in verbose.stdout


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_appears_only_on_a_terminal_after_a_second() -> None:
    pipe = io.StringIO()
    progress = TerminalProgress(pipe)
    progress.started -= 5
    progress("Rendering", 5, 10)
    assert pipe.getvalue() == ""
    terminal = FakeTerminal()
    progress = TerminalProgress(terminal)
    progress("Rendering", 1, 10)
    assert terminal.getvalue() == ""  # quick work stays quiet
    progress.started = time.monotonic() - 2
    progress("Rendering", 10, 10)
    assert "Rendering" in terminal.getvalue() and "10/10" in terminal.getvalue()
    progress.finish()
    assert terminal.getvalue().endswith("\r\x1b[K")


@pytest.mark.slow
def test_installed_package_runs_init_and_build_anywhere(tmp_path: Path) -> None:
    """A wheel installed with pip (not editable) carries the default theme with it."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    site_packages = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Dependencies come from the test environment; thoughtgen itself only from the wheel.
    Path(site_packages, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("thoughtgen-*.whl"))
    subprocess.run(
        [py, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    exe = venv / "bin" / "thoughtgen"
    where = subprocess.run(
        [py, "-c", "import thoughtgen; print(thoughtgen.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=elsewhere,
    ).stdout
    assert where.startswith(site_packages)
    subprocess.run([exe, "init", "blog"], check=True, cwd=elsewhere, capture_output=True)
    built = subprocess.run([exe, "build"], cwd=elsewhere / "blog", capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (elsewhere / "blog/public/theme/style.css").is_file()
    assert (elsewhere / "blog/public/posts/hello-world/index.html").is_file()
