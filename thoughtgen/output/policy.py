"""What the writer refuses: output folders where a build could destroy what is not ours,
and two outputs claiming one path."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from thoughtgen.errors import Problem, ThoughtgenError
from thoughtgen.incremental.manifest import MANIFEST
from thoughtgen.outputs import OutputFile, Planned


def check_collisions(outputs: Sequence[Planned | OutputFile]) -> None:
    """Two outputs claiming one path is an error naming both."""
    seen: dict[str, Planned | OutputFile] = {}
    problems = []
    for out in outputs:
        parts = out.path.split("/")
        if not out.path or out.path.startswith("/") or ".." in parts or "" in parts:
            raise ValueError(f"unsafe output path {out.path!r}")  # a bug, not user input
        first = seen.setdefault(out.path, out)
        if first is not out:
            problems.append(
                Problem(
                    out.origin or out.path,
                    None,
                    f"/{out.path} is produced by both {first.origin} and {out.origin}",
                )
            )
    for path, out in seen.items():  # a file where another output needs a folder
        parent = path.rpartition("/")[0]
        while parent:
            other = seen.get(parent)
            if other is not None:
                problems.append(
                    Problem(
                        out.origin or path,
                        None,
                        f"/{path} needs a folder /{parent}/, but {other.origin or parent} "
                        f"produces a file /{parent}; rename one of them",
                    )
                )
                break
            parent = parent.rpartition("/")[0]
    if problems:
        raise ThoughtgenError(problems)


def resolve_output(output: Path) -> Path:
    """The folder to build into: an output path that is a symbolic link means its target,
    which is built into (the link itself is never replaced)."""
    if not output.is_symlink():
        return output
    target = Path(os.path.realpath(output))
    if not target.exists():
        raise ThoughtgenError.single(
            str(output),
            None,
            f"is a link to {target}, which does not exist; create that folder or remove the link",
        )
    return target


def check_output_dir(output: Path, site_dir: Path) -> None:
    """Refuse output folders where a build could destroy something that is not ours."""
    out = output.resolve()
    site = site_dir.resolve()
    shown = str(output)

    def refuse(message: str) -> None:
        raise ThoughtgenError.single(shown, None, f"refusing to build here: {message}")

    if out == site:
        refuse("it is the site folder itself; use an output folder such as public/")
    if site.is_relative_to(out):
        refuse("it contains the site's sources")
    for name in ("content", "themes"):
        if out.is_relative_to(site / name):
            refuse(f"it is inside the site's {name}/ folder")
    if out.exists() and not out.is_dir():
        refuse("it is a file, not a folder")
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        refuse(
            "the folder is not empty and was not created by thoughtgen; "
            "choose another --output or empty it yourself"
        )
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    # The next output is staged beside this one, so both folders must take new files.
    for folder, what in ((parent, "the folder holding it"), (out, "it")):
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise ThoughtgenError.single(
                shown,
                None,
                f"cannot build here: {what} ({folder}) is read-only; make it writable "
                f"(chmod u+w {folder}) or choose another --output",
            )
