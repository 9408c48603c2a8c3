"""What the writer refuses: output folders where a build could destroy what is not ours,
and two outputs claiming one path."""

from __future__ import annotations

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
    if problems:
        raise ThoughtgenError(problems)


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
