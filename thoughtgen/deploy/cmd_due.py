"""``thoughtgen due --since WHEN``."""

from __future__ import annotations

import click


@click.command("due")
def due_command() -> None:
    """List the posts that became public since a moment."""
    raise click.ClickException("not available yet")
