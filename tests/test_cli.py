"""The command line as a user meets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from thoughtgen import __version__
from thoughtgen.cli import main


def all_commands() -> list[tuple[str, click.Command]]:
    found = [("thoughtgen", main)]
    for name, command in main.commands.items():
        found.append((name, command))
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=lambda v: getattr(v, "name", v))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    args = [] if command is main else [name]
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert command.help and len(command.help.strip()) > 20
    assert "Example" in result.output, f"{name} --help shows no example"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and param.name != "help":
            assert param.help, f"{name} {param.opts[0]} has no help text"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"thoughtgen, version {__version__}\n"


def test_python_dash_m_is_the_same_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "thoughtgen", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == f"thoughtgen, version {__version__}\n"


def test_the_program_exits_with_its_status_output_flushed_and_handlers_run(
    tmp_path: Path,
) -> None:
    """``thoughtgen`` leaves freeing memory to the system, but not what a user sees."""
    root = tmp_path / "site"
    (root / "content/posts").mkdir(parents=True)
    (root / "thoughtgen.yaml").write_text("title: T\nbase_url: https://blog.example.org/\n")
    (root / "content/posts/a.md").write_text("---\ntitle: A\ndate: 2024-03-05\n---\nHi.\n")
    command = [sys.executable, "-m", "thoughtgen", "build", "--source", str(root)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert (
        built.stdout.startswith("Built 5 pages") and (root / "public/posts/a/index.html").exists()
    )
    (root / "content/posts/a.md").write_text("---\ntitle: [A\n---\n")
    broken = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert "content/posts/a.md:2:" in broken.stderr and "Traceback" not in broken.stderr
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('handler ran', flush=True))\n"
        "sys.argv = ['thoughtgen', '--version']\n"
        "from thoughtgen.cli import run\n"
        "run()\n"
    )
    handled = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert handled.returncode == 0
    assert handled.stdout == f"thoughtgen, version {__version__}\nhandler ran\n"


def test_readme_documents_every_command_and_option() -> None:
    from conftest import REPO

    from thoughtgen.config import describe_options

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"thoughtgen {name}" in readme, name
    for option, default, _doc in describe_options():
        if default is not None:  # sections are documented by their options
            assert f"`{option}`" in readme, option
