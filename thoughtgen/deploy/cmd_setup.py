"""``thoughtgen deploy setup HOST``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from thoughtgen.cliopts import deploy_site_option, now_option_saying

HOST_NAMES = ("github-pages", "netlify", "cloudflare-pages", "rsync")  # = hosts.HOSTS

STATUS_WORDS = {
    "new": "wrote",
    "changed": "replaced",
    "added": "added the thoughtgen line to",
    "unchanged": "unchanged",
}


@click.command("setup")
@click.argument("host", type=click.Choice(HOST_NAMES), metavar="HOST")
@deploy_site_option
@click.option("--force", is_flag=True, help="Replace files whose content differs from ours.")
@click.option(
    "--print-schedule",
    is_flag=True,
    help="Only print the next publishing slots with their UTC times and the cron lines; "
    "write nothing.",
)
@now_option_saying("Work the schedule out")
@click.option(
    "--requirement",
    metavar="SPEC",
    help="The line requirements.txt installs thoughtgen by, e.g. 'thoughtgen==0.1.0' "
    "(default: the thoughtgen running now, pinned).",
)
def setup_command(
    host: str,
    source: Path,
    force: bool,
    print_schedule: bool,
    now: str | None,
    requirement: str | None,
) -> None:
    """Write the files HOST needs to build and publish the site on schedule.

    HOST is github-pages, netlify, cloudflare-pages or rsync. Scheduled builds run at the
    calendar's slots (calendar.slots, in the site's timezone) and once a day. A file that
    is there with other content is replaced only with --force; without it, the
    differences are shown and nothing is written. Then it says what to set up once by hand.

    \b
    Examples:
      thoughtgen deploy setup github-pages
      thoughtgen deploy setup netlify --print-schedule
      thoughtgen deploy setup rsync --requirement "thoughtgen==0.1.0"
    """
    from thoughtgen.cli import user_errors

    if print_schedule:
        user_errors(_print_schedule)(source, now)
        return
    user_errors(_setup)(host, source, force, now, requirement)


def _print_schedule(site_dir: Path, now: str | None) -> None:
    from thoughtgen.build import resolve_now
    from thoughtgen.config import load_config
    from thoughtgen.deploy.schedule import print_schedule

    config = load_config(site_dir)
    click.echo(print_schedule(config, resolve_now(now, config)), nl=False)


def _setup(
    host: str, site_dir: Path, force: bool, now: str | None, requirement: str | None
) -> None:
    from thoughtgen.deploy.setup import SetupOptions, setup

    result = setup(SetupOptions(site_dir, host, force, requirement, now))
    if not result.written:
        for change in result.conflicts:
            click.echo(change.diff(), nl=False)
        names = ", ".join(change.shown for change in result.conflicts)
        click.echo(
            f"Error: {names} {'is' if len(result.conflicts) == 1 else 'are'} there with other "
            f"content, so nothing was written; run again with --force to replace "
            f"{'it' if len(result.conflicts) == 1 else 'them'} with the above.",
            err=True,
        )
        raise SystemExit(1)
    for change in result.changes:
        word = STATUS_WORDS[change.status]
        if change.status == "changed" and change.old == change.new:
            word = "made executable"
        click.echo(f"  {word} {change.shown}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"\nThen, once, for {host}:")
    for number, step in enumerate(result.steps, 1):
        lead = f"  {number}. "
        click.echo(textwrap.fill(step, 92, initial_indent=lead, subsequent_indent=" " * len(lead)))
