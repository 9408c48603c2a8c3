"""The command line: thin Click commands over the library."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from thoughtgen import __version__
from thoughtgen.cliopts import format_option, now_option, site_option
from thoughtgen.errors import Problem, ThoughtgenError
from thoughtgen.importers.platforms import DISPLAY_NAMES, PLATFORMS


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


def report_unreadable(problems: Sequence[Problem]) -> None:
    """Name the files a showing command had to leave out, then exit 1 (after its output)."""
    if not problems:
        return
    for problem in problems:
        click.echo(str(problem), err=True)
    count = len({problem.path for problem in problems})
    files = "1 file" if count == 1 else f"{count} files"
    click.echo(
        f"Error: {files} could not be read and {'is' if count == 1 else 'are'} left out; "
        "fix the lines named above and run again.",
        err=True,
    )
    raise SystemExit(1)


UNSUPPORTED_PLATFORM = "thoughtgen runs on Linux and macOS; on Windows use WSL"


def on_windows() -> bool:
    return sys.platform in ("win32", "cygwin")


class ThoughtgenGroup(click.Group):
    """The command group, which refuses Windows before reading any argument."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Output, locking and the dev server rely on POSIX file semantics (fcntl locks,
        # renaming over open files); failing half-way through a build would be worse.
        if on_windows():
            click.echo(UNSUPPORTED_PLATFORM, err=True)
            sys.exit(1)
        return super().main(*args, **kwargs)


@click.group(cls=ThoughtgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="thoughtgen")
def main() -> None:
    """thoughtgen: a static site generator for people who build a reputation by writing.

    \b
    Example:
      thoughtgen build            # build ./content into ./public
    """


def run() -> NoReturn:
    """The ``thoughtgen`` program: ``main``, then an exit that leaves freeing memory to the
    system.

    A build of ten thousand posts holds a large model, and the interpreter's usual exit
    takes it apart object by object: about a quarter of a second after the work is done.
    Exit handlers still run and the output is flushed first. Should any other thread be
    alive, the usual exit is taken, which waits for it.
    """
    try:
        main()
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    if threading.active_count() > 1:
        sys.exit(status)  # type: ignore[arg-type]
    if status is None:
        code = 0
    elif isinstance(status, int):
        code = status
    else:  # as sys.exit("message") does
        print(status, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (| head): nothing to add
            code = code or 120  # the status the interpreter gives then
    os._exit(code)


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
@click.option(
    "--clean",
    is_flag=True,
    help="Ignore the build cache and the previous output; make every file anew.",
)
@click.option(
    "--accept-new-ids",
    is_flag=True,
    help="Build even though feed ids of published posts change (feed readers and "
    "RSS-to-email services will send those posts again).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing unless the build fails.")
@click.option("--verbose", "-v", is_flag=True, help="List every file written.")
@user_errors
def build(
    source: Path,
    output: Path | None,
    drafts: bool,
    future: bool,
    base_url: str | None,
    now: str | None,
    clean: bool,
    accept_new_ids: bool,
    quiet: bool,
    verbose: bool,
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
    from thoughtgen.parallel import tune_gc_for_batch
    from thoughtgen.progress import TerminalProgress

    tune_gc_for_batch()

    progress = TerminalProgress(enabled=False if quiet else None)
    options = BuildOptions(
        site_dir=source,
        output_dir=output,
        include_drafts=drafts,
        include_future=future,
        base_url=base_url,
        now=now,
        clean=clean,
        accept_new_ids=accept_new_ids,
        progress=progress,
        notice=lambda message: click.echo(f"notice: {message}", err=True),
    )
    try:
        result = run_build(options)
    finally:
        progress.finish()
    if verbose:
        for path in sorted(result.paths):
            click.echo(f"  {path}")
        for path in result.report.kept_foreign:
            click.echo(f"  kept (not written by thoughtgen): {path}")
    if quiet:
        return
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    for note in result.report.warnings:
        click.echo(f"warning: {note}", err=True)
    click.echo(
        f"Built {result.pages} pages, {result.feeds} feeds in {result.seconds:.1f} s "
        f"→ {_display(result.output_dir)}"
    )


@main.command()
@site_option
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Report as of the end of this day instead of now.",
)
@format_option
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the last completed period missed the goal (for cron or CI).",
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write an iCalendar file of scheduled posts and what is due.",
)
@user_errors
def calendar(source: Path, today: datetime | None, fmt: str, check: bool, ics: Path | None) -> None:
    """Show how consistently you publish: streaks, gaps, a heatmap and what is due.

    \b
    Examples:
      thoughtgen calendar
      thoughtgen calendar --format json --today 2026-12-31
      thoughtgen calendar --check || echo "Time to write!"
      thoughtgen calendar --ics ~/publishing.ics
    """
    import json

    from thoughtgen.calendar.ics import render_ics
    from thoughtgen.calendar.jsonout import report_to_json
    from thoughtgen.calendar.report import BEHIND
    from thoughtgen.calendar.text import render_text
    from thoughtgen.output.atomic import write_file_atomically
    from thoughtgen.service import calendar_report

    site, report, problems = calendar_report(source, today.date() if today else None)
    if ics is not None:
        write_file_atomically(ics, render_ics(report, site.config))
    if fmt == "json":
        click.echo(json.dumps(report_to_json(report, site.config.site_url), indent=2))
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_text(report, colour=colour), nl=False)
        if ics is not None:
            click.echo(f"Wrote {ics}")
    report_unreadable(problems)
    if check and report.status == BEHIND:
        raise SystemExit(1)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@site_option
@click.option(
    "--date",
    "when",
    metavar="DATETIME",
    help="The new date, e.g. 2027-01-05 09:00 (site timezone) or with an offset.",
)
@click.option(
    "--next",
    "next_slot",
    is_flag=True,
    help="Use the first free slot in the earliest period still below target.",
)
@click.option(
    "--publish",
    is_flag=True,
    help="Also clear draft: true and status: draft/idea, so the post goes out.",
)
@user_errors
def schedule(path: Path, source: Path, when: str | None, next_slot: bool, publish: bool) -> None:
    """Set a post's date, changing only the date line of its front matter.

    \b
    Examples:
      thoughtgen schedule content/posts/my-draft.md --next --publish
      thoughtgen schedule content/posts/launch.md --date "2027-01-05 09:00"
    """
    from thoughtgen.dates import format_offset_datetime
    from thoughtgen.service import schedule_post

    if bool(when) == next_slot:
        raise click.UsageError("give either --date DATETIME or --next")
    done = schedule_post(source, path, when, publish)
    click.echo(f"{done.rel}: {done.status.value}, dated {format_offset_datetime(done.when)}")
    if done.status.value in ("draft", "idea"):
        article = "an" if done.status.value == "idea" else "a"
        click.echo(
            f"{done.rel}: still {article} {done.status.value}; add --publish to let it go out",
            err=True,
        )


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@user_errors
def init(directory: Path) -> None:
    """Create a new site in DIRECTORY (which must be new or empty), ready to build.

    \b
    Example:
      thoughtgen init mysite && cd mysite && thoughtgen serve
    """
    from thoughtgen.service import init_site

    files = init_site(directory)
    for path in files:
        click.echo(f"  created {path}")
    click.echo(f'New site in {directory}/. Next: cd {directory} && thoughtgen new "My first post"')


@main.command()
@click.argument("title")
@site_option
@click.option("--tags", default="", metavar="A,B", help="Comma-separated tags.")
@click.option("--draft", "status", flag_value="draft", help="Create it as a draft (the default).")
@click.option("--idea", "status", flag_value="idea", help="Create it as an idea for the backlog.")
@click.option(
    "--publish",
    "status",
    flag_value="published",
    help="Create it published, dated now: the next build puts it online.",
)
@click.option(
    "--schedule",
    metavar="next|DATETIME",
    help="Date it for the next free calendar slot, or for DATETIME, and let it go out then.",
)
@user_errors
def new(title: str, source: Path, tags: str, status: str | None, schedule: str | None) -> None:
    """Create a draft post with complete front matter and print its path.

    The post starts as a draft with placeholder text, so no build publishes it until you
    say so: with --publish or --schedule here, or later with `thoughtgen schedule
    --publish`. A build warns about a published post that still has the placeholder.

    \b
    Examples:
      thoughtgen new "Give before you ask" --tags networking,generosity
      thoughtgen new "Notes on mentoring" --idea
      thoughtgen new "Year in review" --schedule next
      thoughtgen new "Launch day" --publish
    """
    from thoughtgen.service import new_post

    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    if status is None:
        status = "published" if schedule else "draft"
    path = new_post(source, title, tag_list, status, schedule)
    click.echo(os.path.relpath(path))


@main.command(name="import")
@click.argument("export", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "platform",
    type=click.Choice(sorted(PLATFORMS)),
    help="What EXPORT comes from (default: told from its files).",
)
@click.option(
    "--site",
    "site",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The thoughtgen site to import into, or an empty folder to make one in.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@user_errors
def import_command(export: Path, platform: str | None, site: Path, dry_run: bool) -> None:
    """Import posts, pages and images from another platform, keeping every old URL.

    EXPORT is a Jekyll, Hugo, Pelican or Eleventy site folder, an unzipped Substack or
    Medium export, a WordPress export (WXR .xml), or the .zip a platform gave you. Old URLs
    that change get redirects (aliases:) and each post keeps its old feed id (guid:), so
    links and subscribers carry over. No file that is there already is replaced.

    \b
    Examples:
      thoughtgen import ~/old-blog --site newsite       # a Jekyll or Hugo checkout
      thoughtgen import wordpress-export.xml --dry-run  # see the plan first
      thoughtgen import substack-export.zip --from substack
    """
    from thoughtgen.importers import import_site

    report = import_site(export, site, platform=platform, dry_run=dry_run)
    if report.detected:
        click.echo(
            f"{_display_export(export)} looks like a {DISPLAY_NAMES[report.platform]} export."
        )
    if report.created_site:
        click.echo(f"{'Would make' if dry_run else 'Made'} a new site in {_display(site)}")
    verb = "would write" if dry_run else "wrote"
    for planned in report.written:
        if dry_run:
            click.echo(f"  {verb} {planned.path}")
    for planned in report.conflicts:
        click.echo(
            f"{planned.path}: is there already and differs; kept yours "
            "(move it away and run again to import it)",
            err=True,
        )
    for note in report.notes:
        click.echo(_note_line(export, note), err=True)
    click.echo(report.summary + ".")
    extras = []
    if report.identical:
        extras.append(f"{len(report.identical)} already there and identical")
    if report.redirects:
        extras.append(
            f"{report.redirects} old URL{'s' if report.redirects != 1 else ''} redirected"
        )
    extras += [f"{count} {why} skipped" for why, count in sorted(report.skipped.items())]
    if extras:
        click.echo("  (" + "; ".join(extras) + ")")
    if report.conflicts:
        raise SystemExit(1)


def _display_export(path: Path) -> str:
    return _display(path) if path.is_dir() else str(path)


def _note_line(export: Path, note: Any) -> str:
    """A note's ``path:line`` as the writer can open it: inside the export folder or zip."""
    if export.is_dir():
        where = os.path.join(_display(export), note.path)
    elif note.path in ("", export.name, str(export)):
        where = str(export)
    else:
        where = f"{export}/{note.path}"
    return f"{where}:{note.line}: {note.message}" if note.line else f"{where}: {note.message}"


@main.command(name="list")
@site_option
@click.option(
    "--status",
    type=click.Choice(["published", "scheduled", "draft", "idea"]),
    help="Only posts with this status.",
)
@click.option("--tag", metavar="TAG", help="Only posts with this tag (any spelling).")
@format_option
@user_errors
def list_command(source: Path, status: str | None, tag: str | None, fmt: str) -> None:
    """List posts: status, date, title, tags and path, newest first.

    \b
    Examples:
      thoughtgen list
      thoughtgen list --status draft
      thoughtgen list --tag networking --format json
    """
    import json

    from thoughtgen.service import list_posts

    posts, problems = list_posts(source, status, tag)
    if fmt == "json":
        rows = [
            {
                "status": p.status.value,
                "date": p.date.isoformat(timespec="seconds") if p.date else None,
                "title": p.title,
                "tags": [t.name for t in p.tags],
                "path": p.source,
            }
            for p in posts
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        report_unreadable(problems)
        return
    for p in posts:
        when = f"{p.date:%Y-%m-%d %H:%M}" if p.date else "-"
        tags_text = ", ".join(t.name for t in p.tags)
        click.echo(f"{p.status.value:<9}  {when:<16}  {p.title}  [{tags_text}]  {p.source}")
    if not posts and not problems:
        click.echo("No posts match.", err=True)
    report_unreadable(problems)  # the first line on stderr names a file, for people and tools


@main.command()
@site_option
@click.option("--drafts", is_flag=True, help="Include drafts and ideas.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@user_errors
def check(source: Path, drafts: bool, future: bool) -> None:
    """Find broken internal links and images, and front matter worth a second look.

    Renders the site in memory (nothing is written) and exits 1 when a link is broken.

    \b
    Examples:
      thoughtgen check
      thoughtgen check --drafts --future
    """
    from thoughtgen.build import BuildOptions
    from thoughtgen.check import check_site

    report = check_site(BuildOptions(site_dir=source, include_drafts=drafts, include_future=future))
    for problem in report.broken:
        click.echo(str(problem))
    for problem in report.warnings:
        click.echo(f"warning: {problem}", err=True)
    count = len(report.broken)
    click.echo(
        f"Checked {report.pages} pages: {count} broken link{'s' if count != 1 else ''}, "
        f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}."
    )
    report_unreadable(report.unreadable)
    if report.broken:
        raise SystemExit(1)


@main.command()
@click.argument("post")
@click.option(
    "--to",
    "targets",
    type=click.Choice(["linkedin", "bluesky", "mastodon", "x", "all"]),
    multiple=True,
    help="The network to write for (repeat for several); default: all.",
)
@format_option
@site_option
@now_option
@click.option(
    "--record",
    metavar="URL",
    help="Instead: add URL (where you posted it) to the post's syndication: front matter.",
)
@user_errors
def share(
    post: str, targets: tuple[str, ...], fmt: str, source: Path, now: str | None, record: str | None
) -> None:
    """Print ready-to-paste text announcing POST (a path or slug), within each network's limit.

    Title, summary, tags as hashtags and the post's link; shortened at a word boundary
    when a network's limit needs it. Warnings (a draft, a placeholder base_url, a missing
    share card) go to stderr.

    \b
    Examples:
      thoughtgen share give-before-you-ask
      thoughtgen share content/posts/give-before-you-ask.md --to bluesky --to x
      thoughtgen share give-before-you-ask --format json
      thoughtgen share give-before-you-ask --record https://bsky.app/profile/me/post/3k
    """
    import json

    if record is not None:
        from thoughtgen.syndication import record_syndication

        done = record_syndication(source, post, record)
        if done.changed:
            click.echo(f"{done.rel}:{done.line}: added {record} to syndication")
        else:
            click.echo(f"{done.rel}:{done.line}: {record} is already in syndication; not changed")
        return

    from thoughtgen.share import NETWORK_KEYS, share_post

    keys = NETWORK_KEYS if not targets or "all" in targets else tuple(dict.fromkeys(targets))
    shared = share_post(source, post, keys, now)
    for warning in shared.warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        rows = [text.as_json() for text in shared.texts]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for index, text in enumerate(shared.texts):
        net = text.network
        if index:
            click.echo()
        click.echo(f"── {net.name}: {text.length} of {net.limit} {net.unit} ──")
        click.echo(text.text)


@main.command()
@site_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 shows the site to your network.",
)
@click.option(
    "--port",
    "-p",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option("--drafts", is_flag=True, help="Include drafts and ideas.")
@click.option("--future", is_flag=True, help="Include posts dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in your browser.")
@user_errors
def serve(
    source: Path, host: str, port: int, drafts: bool, future: bool, open_browser: bool
) -> None:
    """Build, serve the site locally, and rebuild and reload pages as you edit.

    Watches content/, themes/ and thoughtgen.yaml. A failed build shows its error in the
    terminal and over the page, and the last good site keeps being served.

    \b
    Examples:
      thoughtgen serve
      thoughtgen serve --drafts --future --open
      thoughtgen serve --port 8080
    """
    import signal

    from thoughtgen.config import load_config
    from thoughtgen.parallel import tune_gc_for_batch
    from thoughtgen.serve import DevServer, PortInUse

    load_config(source)  # no site here: say so before binding a port
    # Ctrl-C stops the server even when whatever started it ignores interrupts (a script's
    # background job does), as it would for any server run from a terminal.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tune_gc_for_batch()  # the first build reads every source, as `build` does
    server = DevServer(
        source, host, port, drafts, future, echo=lambda line: click.echo(line, err=True)
    )
    try:
        server.bind()
    except PortInUse as exc:
        raise click.ClickException(str(exc)) from None
    start = server.starting()
    server.build()
    click.echo(f"Serving {server.url} (Ctrl-C to stop)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(start)
    click.echo("Stopped.", err=True)


@main.group()
def deploy() -> None:
    """Publish the site: set up a host, and check what went live.

    \b
    Examples:
      thoughtgen deploy setup github-pages
      thoughtgen deploy verify https://you.github.io/blog/
    """


def _add_publishing_commands() -> None:
    # Each command lives beside the code it drives; their modules import only click.
    from thoughtgen.deploy.cmd_due import due_command
    from thoughtgen.deploy.cmd_setup import setup_command
    from thoughtgen.deploy.cmd_verify import verify_command

    deploy.add_command(setup_command)
    deploy.add_command(verify_command)
    main.add_command(due_command)


_add_publishing_commands()
