"""What every host's files are made from: the site's facts, and the files and steps a host needs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from thoughtgen.config import Config
from thoughtgen.deploy.schedule import Schedule

Root = Literal["repo", "site"]


@dataclass(frozen=True)
class SetupContext:
    """The facts a host's files are written from; paths are POSIX and relative."""

    config: Config
    schedule: Schedule
    site_in_repo: str  # the site folder from the repository root: "." or "blog"
    output_in_site: str  # the output folder from the site folder: "public"
    branch: str  # the branch a push to which publishes
    requirement: str  # the line requirements.txt installs thoughtgen by
    site_abspath: str  # the site folder on this machine (for crontab lines)

    def in_repo(self, path: str) -> str:
        """A path inside the site folder, from the repository root."""
        return path if self.site_in_repo == "." else f"{self.site_in_repo}/{path}"

    @property
    def output_in_repo(self) -> str:
        return self.in_repo(self.output_in_site)


@dataclass(frozen=True)
class HostFile:
    """One file a host needs; ``root`` says what ``path`` is relative to."""

    root: Root
    path: str
    text: str
    executable: bool = False


@dataclass(frozen=True)
class HostPlan:
    """A host's files and what the writer must do once, by hand."""

    files: tuple[HostFile, ...]
    steps: tuple[str, ...]  # printed, numbered, after the files


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML (or TOML basic) string; JSON's escaping is valid in both."""
    return json.dumps(text, ensure_ascii=False)


def toml_literal(text: str) -> str:
    """``text`` as a TOML literal string ('…', no escapes) when it can be one, else quoted."""
    return f"'{text}'" if "'" not in text and text.isprintable() else quoted(text)


def comment(text: str) -> str:
    """``text`` made safe to end a line after ``#``: one line, no control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
