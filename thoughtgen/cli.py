"""The command line: thin Click commands over the library."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from thoughtgen import __version__
from thoughtgen.errors import ThoughtgenError


def _display(path: Path) -> str:
    try:
        shown = os.path.relpath(path)
    except ValueError:
        shown = str(path)
    shown = str(path) if shown.startswith("..") else shown
    return shown.rstrip("/") + "/"


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ThoughtgenError into ``path:line: message`` lines on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ThoughtgenError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            count = len(exc.problems)
            click.echo(
                f"Error: {count} problem{'s' if count != 1 else ''}; nothing was written.", err=True
            )
            raise SystemExit(1) from None

    return wrapper


def site_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--source",
        "-s",
        "source",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The site folder (holding thoughtgen.yaml and content/).",
    )(func)


def now_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--now",
        metavar="DATETIME",
        help="Build as if it were this moment, e.g. 2027-01-15 or 2027-01-15 09:00 "
        "(in the site timezone): preview when scheduled posts go live.",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="thoughtgen")
def main() -> None:
    """thoughtgen: a static site generator for people who build a reputation by writing.

    \b
    Example:
      thoughtgen build            # build ./content into ./public
    """


@main.command()
@site_option
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to build into (default: output_dir from thoughtgen.yaml).",
)
@click.option("--drafts", is_flag=True, help="Include drafts and ideas.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@click.option("--base-url", help="Override base_url, e.g. for a preview deploy.")
@now_option
@user_errors
def build(
    source: Path,
    output: Path | None,
    drafts: bool,
    future: bool,
    base_url: str | None,
    now: str | None,
) -> None:
    """Build the site into its output folder.

    The previous output is replaced only when the whole build succeeds.

    \b
    Examples:
      thoughtgen build
      thoughtgen build --drafts --future --output /tmp/preview
    """
    from thoughtgen.build import BuildOptions
    from thoughtgen.build import build as run_build

    result = run_build(
        BuildOptions(
            site_dir=source,
            output_dir=output,
            include_drafts=drafts,
            include_future=future,
            base_url=base_url,
            now=now,
        )
    )
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    for warning in result.report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"Built {result.pages} pages, {result.feeds} feeds in {result.seconds:.1f} s "
        f"→ {_display(result.output_dir)}"
    )
