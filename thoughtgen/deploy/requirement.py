"""The pinned requirement a host installs thoughtgen by, and the ``requirements.txt`` holding it.

A build on a host must run the thoughtgen the writer runs. Installed from a release, that
is ``thoughtgen==<version>``. Installed from a checkout (``pip install -e .`` or from a local
folder or a git URL; pip records which in ``direct_url.json``, PEP 610), it is a git URL of
that checkout's ``origin`` at its current commit, which the host can fetch once the commit
is pushed.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from thoughtgen.errors import ThoughtgenError

REQUIREMENTS_FILE = "requirements.txt"
GIT_TIMEOUT = 20  # seconds; git answers these questions at once unless something is wrong

# A requirement line naming thoughtgen: `thoughtgen==1.0`, `thoughtgen @ git+…`,
# `thoughtgen[extra]>=1`, or an editable/VCS line ending in `#egg=thoughtgen`.
_NAME_LINE = re.compile(r"^\s*thoughtgen\s*(\[[^\]]*\])?\s*(===?|[<>!~]=?|@|;|$)", re.IGNORECASE)
_EGG_LINE = re.compile(r"#egg=thoughtgen(\[[^\]]*\])?\s*$", re.IGNORECASE)
# user@host:path, git's short form of an SSH address
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/).+)$")


@dataclass(frozen=True)
class Requirement:
    """The line to install thoughtgen by, and what the writer should know about it."""

    line: str
    source: str  # "release", "checkout", "vcs", "archive" or "given"
    notes: tuple[str, ...] = ()


def run_git(args: list[str], cwd: Path) -> str | None:
    """``git <args>`` in ``cwd``: its output stripped, or None when git fails or is missing."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def thoughtgen_requirement(given: str | None = None) -> Requirement:
    """How a host should install the thoughtgen that is running now.

    ``given`` (``--requirement``) wins. Raises ThoughtgenError when thoughtgen runs from a
    checkout the host could not fetch (no ``origin`` remote, or one on this machine only).
    """
    if given is not None:
        return _given(given)
    try:
        dist = metadata.distribution("thoughtgen")
    except metadata.PackageNotFoundError:
        raise _cannot_pin(
            "thoughtgen is not installed as a package here, so there is no version to pin"
        ) from None
    direct = _direct_url(dist)
    if direct is None:
        return Requirement(f"thoughtgen=={dist.version}", "release")
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return Requirement(f"thoughtgen @ git+{url}@{vcs['commit_id']}", "vcs")
    if "archive_info" in direct and urlsplit(url).scheme in ("http", "https"):
        return Requirement(f"thoughtgen @ {url}", "archive")
    local = _local_path(url)
    if local is None or "archive_info" in direct:
        raise _cannot_pin(f"thoughtgen was installed from {url}, which a host cannot fetch")
    return checkout_requirement(local)


def checkout_requirement(checkout: Path) -> Requirement:
    """``thoughtgen @ git+<origin>@<HEAD>`` for a git checkout of thoughtgen."""
    root = run_git(["rev-parse", "--show-toplevel"], checkout)
    if root is None:
        raise _cannot_pin(
            f"thoughtgen runs from {checkout}, which is not a git checkout, so a host has "
            "nothing to fetch it from"
        )
    where = Path(root)
    remote = run_git(["remote", "get-url", "origin"], where)
    if not remote:
        raise _cannot_pin(
            f"thoughtgen runs from the checkout {where}, which has no 'origin' remote; "
            "push it to a repository the host can reach (git remote add origin URL && git push)"
        )
    url, notes = _fetchable(remote)
    if url is None:
        raise _cannot_pin(
            f"thoughtgen's checkout {where} has origin {remote}, on this machine only; "
            "push it to a repository the host can reach"
        )
    commit = run_git(["rev-parse", "HEAD"], where)
    if not commit:
        raise _cannot_pin(f"thoughtgen's checkout {where} has no commit yet")
    notes.append(
        f"requirements.txt pins thoughtgen to commit {commit[:12]} of {url}: "
        "that commit must be pushed there before the host builds"
    )
    if run_git(["status", "--porcelain", "--untracked-files=no"], where):
        notes.append(
            f"thoughtgen's checkout {where} has uncommitted changes; the host builds with "
            f"commit {commit[:12]} without them"
        )
    if not run_git(["branch", "--remotes", "--contains", commit], where):
        notes.append(
            f"commit {commit[:12]} is on no branch of a remote yet: git push in {where} first"
        )
    return Requirement(f"thoughtgen @ git+{url}@{commit}", "checkout", tuple(notes))


def merge_requirements(existing: str | None, line: str) -> str:
    """``requirements.txt`` with ``line`` as its thoughtgen line, every other line kept."""
    if not existing:
        return line + "\n"
    lines = existing.splitlines()
    found = [i for i, text in enumerate(lines) if names_thoughtgen(text)]
    if found:
        lines[found[0]] = line
        lines = [text for i, text in enumerate(lines) if i not in found[1:]]
    else:
        lines.append(line)
    return "\n".join(lines) + "\n"


def thoughtgen_line(text: str | None) -> str | None:
    """The thoughtgen line of a requirements file, if it has one."""
    return next((line for line in (text or "").splitlines() if names_thoughtgen(line)), None)


def names_thoughtgen(line: str) -> bool:
    """Whether a requirements line installs thoughtgen."""
    text = line.split(" #", 1)[0].strip()
    if not text or text.startswith("#"):
        return False
    return bool(_NAME_LINE.match(text) or _EGG_LINE.search(line.strip()))


def _given(text: str) -> Requirement:
    line = text.strip()
    if not line or "\n" in line or not names_thoughtgen(line):
        raise ThoughtgenError.single(
            "--requirement",
            None,
            f"{line or 'an empty value'} does not install thoughtgen; give a requirement line "
            "such as 'thoughtgen==0.1.0' or 'thoughtgen @ git+https://host/you/thoughtgen@COMMIT'",
        )
    return Requirement(line, "given")


def _direct_url(dist: metadata.Distribution) -> dict | None:
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


def _fetchable(remote: str) -> tuple[str | None, list[str]]:
    """The remote as a URL a host's pip can clone, and notes on how it was read."""
    parts = urlsplit(remote)
    if parts.scheme in ("https", "http", "ssh", "git"):
        return remote, []
    if parts.scheme in ("", "file") and (scp := _SCP_LIKE.match(remote)) and "\\" not in remote:
        url = f"https://{scp['host']}/{scp['path']}"
        return url, [
            f"origin is {remote} (SSH); the host installs over {url}, so the repository must "
            "be public there, or pass --requirement with an address the host can read"
        ]
    return None, []


def _cannot_pin(reason: str) -> ThoughtgenError:
    return ThoughtgenError.single(
        REQUIREMENTS_FILE,
        None,
        f"{reason}; or pass --requirement SPEC with the line the host should install "
        "thoughtgen by (e.g. 'thoughtgen==0.1.0')",
    )
