"""``thoughtgen due --since WHEN``: did anything become public since the last deploy?

The exit code is the answer a workflow's guard step reads: 0 yes (the posts are listed),
1 no, 2 the question could not be answered. Errors exit 2, not 1, so that a broken site or
a garbled stamp never looks like "nothing to deploy".
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from thoughtgen.cliopts import deploy_site_option, format_option, now_option_saying

EXIT_DUE, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2


@click.command("due")
@click.option(
    "--since",
    "since_text",
    required=True,
    metavar="WHEN",
    help="The last deploy: 2026-11-24T14:00:00Z, 2026-11-24 09:00 (site timezone), or @FILE "
    "for a file holding one (relative to the current folder; missing or empty = never "
    "deployed, so every published post is due).",
)
@deploy_site_option
@now_option_saying("Answer")
@format_option
def due_command(since_text: str, source: Path, now: str | None, fmt: str) -> None:
    """List the posts that became public after WHEN and up to now.

    A post is due when it is neither a draft nor an idea and its date is after WHEN and no
    later than now. Scheduled deploys run this first and deploy only when something is due.

    \b
    Exit codes:
      0  posts became due; each is listed as  date  title  URL
      1  nothing became due since WHEN
      2  an error (WHEN unreadable, the @FILE unreadable, the site does not read):
         never taken for "nothing to deploy"

    \b
    Examples:
      thoughtgen due --since 2026-11-24T14:00:00Z
      thoughtgen due --since @.thoughtgen/last-deploy --format json
      thoughtgen due --since "2026-11-17 09:00" --now "2026-11-24 10:00"
    """
    from thoughtgen.errors import ThoughtgenError

    try:
        code = _run(since_text, source, now, fmt)
    except ThoughtgenError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("Error: could not tell what became due (exit 2).", err=True)
        code = EXIT_ERROR
    except Exception:
        # A scheduled run reads exit 1 as "nothing to deploy": a defect must not say that.
        import traceback  # only on the way out of an unforeseen failure

        traceback.print_exc(file=sys.stderr)
        click.echo("Error: thoughtgen failed unexpectedly; please report this (exit 2).", err=True)
        code = EXIT_ERROR
    raise SystemExit(code)


def _run(since_text: str, source: Path, now_text: str | None, fmt: str) -> int:
    import json

    from thoughtgen.build import BuildOptions, read_site, resolve_now
    from thoughtgen.config import load_config
    from thoughtgen.dates import format_offset_datetime
    from thoughtgen.deploy.due import became_due, read_since

    config = load_config(source)
    since = read_since(since_text, config.tz)
    now = resolve_now(now_text, config)
    site = read_site(BuildOptions(site_dir=source, now=now))
    posts = became_due(site, since, now)
    tz = site.config.tz
    if fmt == "json":
        rows: list[dict[str, Any]] = [
            {
                "date": post.date.isoformat() if post.date else None,
                "title": post.title,
                "url": site.config.site_url + post.url,
                "source": post.source,
            }
            for post in posts
        ]
        document = {
            "since": since.isoformat() if since else None,
            "now": now.isoformat(timespec="seconds"),
            "due": rows,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif posts:
        for post in posts:
            when = f"{post.date.astimezone(tz):%Y-%m-%d %H:%M}" if post.date else ""
            click.echo(f"{when}  {post.title}  {site.config.site_url + post.url}")
    elif since is None:
        click.echo("nothing became due: no post is published yet (no earlier deploy recorded)")
    else:
        shown = format_offset_datetime(since.astimezone(tz))
        later = " (that is later than now)" if since > now else ""
        click.echo(f"nothing became due since {shown}{later}")
    return EXIT_DUE if posts else EXIT_NOTHING
