"""Finding a theme: the site's own ``themes/<name>/`` first, then the bundled default."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from thoughtgen.errors import ThoughtgenError
from thoughtgen.sources import StaticFile

DEFAULT_THEME = "default"
PARENT_PREFIX = "!default"  # {% extends "!default/base.html" %} reaches the bundled version
THEME_STATIC_PREFIX = "theme/"


def bundled_theme_dir() -> Path:
    """The default theme shipped with thoughtgen (inside the wheel, or the source checkout)."""
    packaged = Path(__file__).parent / "themes" / DEFAULT_THEME
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "themes" / DEFAULT_THEME


@dataclass(frozen=True)
class Theme:
    name: str
    dirs: tuple[Path, ...]  # most specific first; the bundled default last

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]

    @property
    def parent_template_dir(self) -> Path:
        return self.dirs[-1] / "templates"

    @cached_property
    def digests(self) -> dict[Path, str]:
        """The SHA-256 of every file of every theme in the chain, each read once per build."""
        return {
            path: hashlib.sha256(path.read_bytes()).hexdigest()
            for directory in self.dirs
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }

    @cached_property
    def static_files(self) -> tuple[StaticFile, ...]:
        """Static files of the chain; a file in a more specific theme replaces the default's."""
        chosen: dict[str, Path] = {}
        for directory in reversed(self.dirs):
            static = directory / "static"
            for path in self.digests:
                if path.is_relative_to(static):
                    chosen[path.relative_to(static).as_posix()] = path
        return tuple(StaticFile(p, THEME_STATIC_PREFIX + rel) for rel, p in sorted(chosen.items()))


def find_theme(site_dir: Path, name: str) -> Theme:
    bundled = bundled_theme_dir().resolve()
    own = (site_dir / "themes" / name).resolve()
    if name != DEFAULT_THEME and not own.is_dir():
        raise ThoughtgenError.single(
            "thoughtgen.yaml",
            None,
            f"theme {name!r} not found: expected a folder themes/{name}/ in the site",
        )
    dirs = [own] if own.is_dir() and own != bundled else []
    return Theme(name, (*dirs, bundled))
