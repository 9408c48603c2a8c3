"""``thoughtgen deploy setup HOST``."""

from __future__ import annotations

import click


@click.command("setup")
def setup_command() -> None:
    """Write the files a host needs to build and publish the site."""
    raise click.ClickException("not available yet")
