"""``thoughtgen deploy verify URL``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from thoughtgen.cliopts import deploy_site_option, now_option_saying

if TYPE_CHECKING:
    from thoughtgen.deploy.verify import VerifyOptions


@click.command("verify")
@click.argument("url")
@deploy_site_option
@click.option(
    "--before",
    is_flag=True,
    help="Run in front of a deploy: check the site answers and that no published post's "
    "feed id would change.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up after this long; until then, what fails is tried again (a CDN can lag).",
)
@now_option_saying("Check")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests in flight at most.",
)
@click.option(
    "--base-url",
    help="With --before: the base_url the coming build uses, when it is not thoughtgen.yaml's "
    "(a build with --base-url).",
)
def verify_command(
    url: str,
    source: Path,
    before: bool,
    timeout: float,
    now: str | None,
    jobs: int,
    base_url: str | None,
) -> None:
    """Check that the live site shows what the sources say is due.

    After a deploy: every post due by now answers 200 with its title and canonical link,
    is in the RSS, Atom and JSON feeds with an unchanged id and in the sitemap; the CSS,
    theme files and share images load; no scheduled post is visible yet. Prints one line
    per problem and a summary; exits 1 when there is a problem. Posts seen live are
    marked in `thoughtgen calendar`.

    \b
    Examples:
      thoughtgen deploy verify https://you.github.io/blog/
      thoughtgen deploy verify --before https://example.org/ && ./deploy.sh
    """
    from thoughtgen.cli import user_errors
    from thoughtgen.deploy.verify import VerifyOptions

    user_errors(_verify)(VerifyOptions(url, source, before, timeout, now, jobs, base_url))


def _verify(options: VerifyOptions) -> None:
    from thoughtgen.deploy.live import write_live
    from thoughtgen.deploy.verify import verify

    before, source = options.before, options.site_dir
    report = verify(options)
    for problem in report.problems:
        click.echo(str(problem))
    for note in report.notes:
        click.echo(f"note: {note}")
    if not before:
        write_live(source, report.live_state())
    click.echo(f"{report.summary()} ({report.seconds:.1f} s)")
    if not report.ok:
        raise SystemExit(1)
