"""``thoughtgen deploy setup HOST``: write the files a host needs, never over the writer's own.

Every file is planned and compared with what is there before any is written: a file with
other content is replaced only with ``force``, and otherwise nothing at all is written and
the differences are shown. Writes are atomic.
"""

from __future__ import annotations

import difflib
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Literal

from thoughtgen.config import CONFIG_FILE, Config, load_config
from thoughtgen.deploy.hosts import (
    GIVES_ADDRESS,
    HOSTS,
    READS_REDIRECTS,
    HostFile,
    SetupContext,
    host_plan,
)
from thoughtgen.deploy.requirement import (
    REQUIREMENTS_FILE,
    merge_requirements,
    run_git,
    thoughtgen_line,
    thoughtgen_requirement,
)
from thoughtgen.errors import ThoughtgenError
from thoughtgen.output.atomic import current_umask, write_file_atomically
from thoughtgen.scaffold import PLACEHOLDERS, config_line

PLACEHOLDER_URL = PLACEHOLDERS["base_url"]  # what `thoughtgen init` writes
DEFAULT_BRANCH = "main"

Status = Literal["new", "unchanged", "changed", "added"]


@dataclass(frozen=True)
class SetupOptions:
    site_dir: Path = Path(".")
    host: str = "github-pages"
    force: bool = False  # replace files whose content differs
    requirement: str | None = None  # the thoughtgen line for requirements.txt; default: pinned
    now: datetime | str | None = None  # the moment the schedule is worked out from


@dataclass(frozen=True)
class FileChange:
    """One file of the setup, compared with what is on disk."""

    path: Path
    shown: str  # the path as printed
    old: bytes | None  # None: there is no such file yet
    new: bytes
    executable: bool = False
    additive: bool = False  # only adds a line (requirements.txt without a thoughtgen line)

    @property
    def status(self) -> Status:
        if self.old is None:
            return "new"
        if self.old == self.new:
            return "unchanged" if self._mode_ok() else "changed"
        return "added" if self.additive else "changed"

    @property
    def needs_force(self) -> bool:
        return self.status == "changed" and self.old != self.new

    def diff(self) -> str:
        """A unified diff from the file on disk to the one setup would write."""
        if self.old == self.new:
            return f"{self.shown}: would be made executable\n"
        old = (self.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = self.new.decode("utf-8").splitlines(keepends=True)
        lines = difflib.unified_diff(
            old, new, f"{self.shown} (yours)", f"{self.shown} (thoughtgen deploy setup)"
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def _mode_ok(self) -> bool:
        return not self.executable or os.access(self.path, os.X_OK)


@dataclass(frozen=True)
class SetupResult:
    host: str
    changes: tuple[FileChange, ...]
    written: bool  # False: some file differs and force was not given; nothing was written
    steps: tuple[str, ...]  # what to do once, by hand
    notes: tuple[str, ...]  # what the writer should know (the pin, redirects)

    @property
    def conflicts(self) -> tuple[FileChange, ...]:
        return tuple(change for change in self.changes if change.needs_force)


def setup(options: SetupOptions) -> SetupResult:
    """Plan the host's files, then write them all, or none when one differs without force."""
    result = plan_setup(options)
    if result.conflicts and not options.force:
        return result
    for change in result.changes:
        if change.status != "unchanged":
            _write(change)
    return SetupResult(result.host, result.changes, True, result.steps, result.notes)


def plan_setup(options: SetupOptions) -> SetupResult:
    """The files ``setup`` would write, each compared with the disk; nothing is written."""
    from thoughtgen.build import resolve_now
    from thoughtgen.deploy.schedule import schedule_for

    if options.host not in HOSTS:
        raise ThoughtgenError.single(
            "HOST", None, f"unknown host {options.host!r}; choose one of {', '.join(HOSTS)}"
        )
    site_dir = options.site_dir.resolve()
    config = load_config(site_dir)
    if options.host not in GIVES_ADDRESS:
        refuse_placeholder(site_dir, config, options.host)
    now = resolve_now(options.now, config)
    requirement = thoughtgen_requirement(options.requirement)
    repo = repository_root(site_dir)
    ctx = SetupContext(
        config=config,
        schedule=schedule_for(config, now),
        site_in_repo=_posix(site_dir, repo),
        output_in_site=_posix((site_dir / config.output_dir).resolve(), site_dir),
        branch=publishing_branch(repo),
        requirement=requirement.line,
        site_abspath=str(site_dir),
    )
    plan = host_plan(options.host, ctx)
    roots = {"repo": repo, "site": site_dir}
    changes = [_compare(roots[f.root] / f.path, f) for f in plan.files]
    changes.append(_requirements_change(site_dir / REQUIREMENTS_FILE, requirement.line))
    notes = list(requirement.notes)
    if options.host in READS_REDIRECTS:
        notes.append(redirects_note(site_dir, config, now))
    return SetupResult(options.host, tuple(changes), False, plan.steps, tuple(notes))


def refuse_placeholder(site_dir: Path, config: Config, host: str) -> None:
    """Stop when base_url is still init's placeholder and ``host`` does not give the address."""
    if config.site_url != PLACEHOLDER_URL:
        return
    raise ThoughtgenError.single(
        CONFIG_FILE,
        config_line(site_dir, "base_url"),
        f"base_url is still the placeholder {PLACEHOLDER_URL}, and {host} does not tell the "
        "build where the site is served; set base_url to the site's address (feeds, share "
        "cards and canonical links use it) and run this again",
    )


def repository_root(site_dir: Path) -> Path:
    """The git repository holding ``site_dir`` (a folder with ``.git``), else the site itself."""
    for folder in (site_dir, *site_dir.parents):
        if (folder / ".git").exists():
            return folder
    return site_dir


def publishing_branch(repo: Path) -> str:
    """The branch whose pushes publish: origin's default, else the one checked out, else main."""
    if not (repo / ".git").exists():
        return DEFAULT_BRANCH
    remote_head = run_git(["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], repo)
    if remote_head and "/" in remote_head:
        return remote_head.split("/", 1)[1]
    return run_git(["symbolic-ref", "--short", "HEAD"], repo) or DEFAULT_BRANCH


def redirects_note(site_dir: Path, config: Config, now: datetime) -> str:
    """What ``thoughtgen build`` writes to ``_redirects`` for this site, said in one sentence."""
    from thoughtgen.build import BuildOptions, open_site
    from thoughtgen.errors import ProblemLog

    output = f"{config.output_dir.rstrip('/')}/_redirects"
    with open_site(BuildOptions(site_dir=site_dir, now=now), ProblemLog(), lenient=True) as site:
        count = sum(len(post.aliases) for post in site.posts)
        count += sum(len(page.aliases) for page in site.pages)
    own = (site_dir / "content" / "static" / "_redirects").is_file()
    if count:
        text = (
            f"`thoughtgen build` writes {output} with {count} redirect"
            f"{'s' if count != 1 else ''} from aliases:"
            + (" after your own rules from content/static/_redirects" if own else "")
            + "; the host answers them with a 301, so no separate _redirects is written here"
        )
    elif own:
        text = f"`thoughtgen build` copies content/static/_redirects to {output}"
    else:
        text = (
            "no post has aliases: yet; once one does, `thoughtgen build` writes "
            f"{output} and the host answers it with a 301"
        )
    return text + "."


def _requirements_change(path: Path, line: str) -> FileChange:
    old = _read(path)
    text = old.decode("utf-8", "replace") if old is not None else None
    new = merge_requirements(text, line).encode("utf-8")
    additive = old is not None and thoughtgen_line(text) is None
    return FileChange(path, _shown(path), old, new, additive=additive)


def _compare(path: Path, file: HostFile) -> FileChange:
    return FileChange(path, _shown(path), _read(path), file.text.encode("utf-8"), file.executable)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ThoughtgenError.single(
            _shown(path), None, "is a folder; move it away so the file can be written here"
        ) from None
    except OSError as exc:
        raise ThoughtgenError.single(
            _shown(path), None, f"cannot be read ({exc.strerror})"
        ) from None


def _write(change: FileChange) -> None:
    try:
        if change.old != change.new:
            write_file_atomically(change.path, change.new)
        if change.executable:
            mode = stat.S_IMODE(change.path.stat().st_mode)
            change.path.chmod(mode | (0o111 & ~current_umask()))
    except OSError as exc:
        raise ThoughtgenError.single(
            change.shown, None, f"cannot be written ({exc.strerror})"
        ) from None


def _posix(path: Path, start: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(path, start))).as_posix()


def _shown(path: Path) -> str:
    try:
        shown = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if shown.startswith("..") else shown
