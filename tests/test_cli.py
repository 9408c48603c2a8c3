"""The command line as a user meets it."""

from __future__ import annotations

import subprocess
import sys

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


def test_readme_documents_every_command_and_option() -> None:
    from conftest import REPO

    from thoughtgen.config import describe_options

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"thoughtgen {name}" in readme, name
    for option, default, _doc in describe_options():
        if default is not None:  # sections are documented by their options
            assert f"`{option}`" in readme, option
