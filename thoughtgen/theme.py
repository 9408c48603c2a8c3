"""Finding a theme: the site's own ``themes/<name>/`` first, then the bundled default."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jinja2

from thoughtgen.config import is_theme_name
from thoughtgen.errors import Problem, ProblemLog, ThoughtgenError
from thoughtgen.sources import StaticFile, Walker

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
    files: tuple[Path, ...] = ()  # every usable file of the chain; links out of the site left out
    warnings: tuple[Problem, ...] = ()  # the files left out, and why

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]

    @property
    def parent_template_dir(self) -> Path:
        return self.dirs[-1] / "templates"

    @cached_property
    def digests(self) -> dict[Path, str]:
        """The SHA-256 of every file of every theme in the chain, each read once per build."""
        return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in self.files}

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

    @cached_property
    def templates(self) -> dict[str, Path]:
        """Template name → file; a more specific theme's file replaces the default's."""
        chosen: dict[str, Path] = {}
        for directory in reversed(self.dirs):
            templates = directory / "templates"
            for path in self.files:
                if path.is_relative_to(templates):
                    chosen[path.relative_to(templates).as_posix()] = path
        return chosen

    def template_loader(self) -> jinja2.BaseLoader:
        """Loads only the theme's listed templates, so a link out of the site is never read."""
        return _ListedLoader(self.templates)


class _ListedLoader(jinja2.BaseLoader):
    def __init__(self, templates: dict[str, Path]) -> None:
        self.templates = templates

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.templates.get("/".join(jinja2.loaders.split_template_path(template)))
        if path is None:
            raise jinja2.TemplateNotFound(template)
        mtime = path.stat().st_mtime_ns
        text = path.read_text(encoding="utf-8")

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime_ns == mtime
            except OSError:
                return False

        return text, str(path), uptodate

    def list_templates(self) -> list[str]:
        return sorted(self.templates)


def find_theme(site_dir: Path, name: str) -> Theme:
    """The theme chain for ``name``, its files listed without leaving the site."""
    bundled = bundled_theme_dir().resolve()
    if not is_theme_name(name):
        raise ThoughtgenError.single(
            "thoughtgen.yaml", None, f"theme {name!r} is not a name of a folder in themes/"
        )
    own = (site_dir / "themes" / name).resolve()
    if name != DEFAULT_THEME and not own.is_dir():
        raise ThoughtgenError.single(
            "thoughtgen.yaml",
            None,
            f"theme {name!r} not found: expected a folder themes/{name}/ in the site",
        )
    log = ProblemLog()
    files: list[Path] = []
    dirs = [own] if own.is_dir() and own != bundled else []
    if dirs:
        walker = Walker(site_dir, log, "not used")
        files += [Path(f.path) for f in walker.files(f"themes/{name}", True, own)]
    bundled_walker = Walker(bundled, log, "not used")
    files += [Path(f.path) for f in bundled_walker.files("", True, bundled)]
    log.raise_if_errors()
    return Theme(name, (*dirs, bundled), tuple(files), tuple(log.warnings))
