"""Options several commands share, declared once (this module imports only click)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _site(*names: str) -> Decorator:
    return click.option(
        *names,
        "source",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The site folder (holding thoughtgen.yaml and content/).",
    )


site_option = _site("--source", "-s")
# The publishing commands also take --site, the name their documentation first used.
deploy_site_option = _site("--source", "--site", "-s")

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs (keys documented in README.md).",
)


def now_option_saying(what: str) -> Decorator:
    """``--now``, whose help begins with ``what`` ("Build", "Check") as if it were then."""
    return click.option(
        "--now",
        metavar="DATETIME",
        help=f"{what} as if it were this moment, e.g. 2027-01-15 or 2027-01-15 09:00 "
        "(in the site timezone).",
    )


now_option = click.option(
    "--now",
    metavar="DATETIME",
    help="Build as if it were this moment, e.g. 2027-01-15 or 2027-01-15 09:00 "
    "(in the site timezone): preview when scheduled posts go live.",
)
