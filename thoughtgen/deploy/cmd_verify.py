"""``thoughtgen deploy verify URL``."""

from __future__ import annotations

import click


@click.command("verify")
def verify_command() -> None:
    """Check that the live site shows what the sources say is due."""
    raise click.ClickException("not available yet")
