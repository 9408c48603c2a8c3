"""Pelican's settings, read from ``pelicanconf.py`` and ``publishconf.py`` as text.

A Pelican site's settings are Python modules. Running them would run whatever they hold,
so they are parsed with ``ast`` and only assignments whose value is a plain literal
(``ast.literal_eval``) are taken; an assignment computed at run time (``os.environ[…]``,
a function call, an f-string) is reported for the settings the importer needs.
``publishconf.py`` is what Pelican publishes with (it usually starts with
``from pelicanconf import *``), so its values override ``pelicanconf.py``'s.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from thoughtgen.importers.model import SourceSite

CONF_FILES = ("pelicanconf.py", "publishconf.py")
MAX_CONF_BYTES = 1024 * 1024

# Pelican 4's defaults (pelican/settings.py DEFAULT_CONFIG) for what the importer reads.
DEFAULTS: dict[str, Any] = {
    "PATH": ".",
    "ARTICLE_PATHS": [""],
    "ARTICLE_EXCLUDES": [],
    "PAGE_PATHS": ["pages"],
    "PAGE_EXCLUDES": [],
    "STATIC_PATHS": ["images"],
    "STATIC_EXCLUDES": [],
    "FEED_ALL_ATOM": "feeds/all.atom.xml",
    "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
    "AUTHOR_FEED_ATOM": "feeds/{slug}.atom.xml",
    "AUTHOR_FEED_RSS": "feeds/{slug}.rss.xml",
    "TRANSLATION_FEED_ATOM": "feeds/all-{lang}.atom.xml",
    "SITEURL": "",
    "USE_FOLDER_AS_CATEGORY": True,
    "DEFAULT_CATEGORY": "misc",
    "ARTICLE_URL": "{slug}.html",
    "ARTICLE_SAVE_AS": "{slug}.html",
    "ARTICLE_LANG_URL": "{slug}-{lang}.html",
    "ARTICLE_LANG_SAVE_AS": "{slug}-{lang}.html",
    "DRAFT_URL": "drafts/{slug}.html",
    "DRAFT_SAVE_AS": "drafts/{slug}.html",
    "DRAFT_LANG_URL": "drafts/{slug}-{lang}.html",
    "DRAFT_LANG_SAVE_AS": "drafts/{slug}-{lang}.html",
    "PAGE_URL": "pages/{slug}.html",
    "PAGE_SAVE_AS": "pages/{slug}.html",
    "PAGE_LANG_URL": "pages/{slug}-{lang}.html",
    "PAGE_LANG_SAVE_AS": "pages/{slug}-{lang}.html",
    "DRAFT_PAGE_URL": "drafts/pages/{slug}.html",
    "DRAFT_PAGE_SAVE_AS": "drafts/pages/{slug}.html",
    "DRAFT_PAGE_LANG_URL": "drafts/pages/{slug}-{lang}.html",
    "DRAFT_PAGE_LANG_SAVE_AS": "drafts/pages/{slug}-{lang}.html",
    "STATIC_SAVE_AS": "{path}",
    "CATEGORY_SAVE_AS": "category/{slug}.html",
    "RELATIVE_URLS": False,
    "DEFAULT_LANG": "en",
    "DEFAULT_DATE": None,
    "DEFAULT_METADATA": {},
    "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*",
    "PATH_METADATA": "",
    "EXTRA_PATH_METADATA": {},
    "SLUG_REGEX_SUBSTITUTIONS": [
        (r"[^\w\s-]", ""),
        (r"(?u)\A\s*", ""),
        (r"(?u)\s*\Z", ""),
        (r"[-\s]+", "-"),
    ],
    "SLUGIFY_SOURCE": "title",
    "SLUGIFY_USE_UNICODE": False,
    "SLUGIFY_PRESERVE_CASE": False,
}

# Every feed setting: when any is set, Pelican wrote feeds, and posts had feed ids.
FEED_KEYS = tuple(
    f"{prefix}FEED_{kind}"
    for prefix in ("", "ALL_", "CATEGORY_", "AUTHOR_", "TAG_", "TRANSLATION_")
    for kind in ("ATOM", "RSS")
)

# Settings the importer uses; a computed value for one of these is reported.
USED = frozenset(
    {
        "SITENAME",
        "SITESUBTITLE",
        "AUTHOR",
        "TIMEZONE",
        "PLUGINS",
        "AUTHOR_REGEX_SUBSTITUTIONS",
        "CATEGORY_REGEX_SUBSTITUTIONS",
        *DEFAULTS,
        *FEED_KEYS,
    }
)


@dataclass
class Settings:
    """Pelican's settings as the site had them: defaults, then each conf file in order."""

    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    where: dict[str, tuple[str, int]] = field(default_factory=dict)  # key → (file, line)
    explicit: set[str] = field(default_factory=set)  # keys a conf file set
    unknown: set[str] = field(default_factory=set)  # keys set to a value we cannot compute
    files: list[str] = field(default_factory=list)  # the conf files found

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return value if isinstance(value, str) else ""

    def paths(self, key: str) -> list[str]:
        """A list-of-paths setting, with Pelican's fallback when a string was given."""
        value = self.values.get(key)
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return list(value)
        return list(DEFAULTS.get(key, []))

    def feeds_enabled(self) -> bool:
        return any(self.values.get(key) for key in FEED_KEYS)


def read_settings(root: Path, site: SourceSite) -> Settings:
    """The site's settings; problems with them become notes on ``site``."""
    settings = Settings()
    for name in CONF_FILES:
        path = root / name
        if path.is_file() and not path.is_symlink():
            settings.files.append(name)
            _read_conf(path, name, settings, site)
    _normalise(settings, site)
    return settings


def _read_conf(path: Path, name: str, settings: Settings, site: SourceSite) -> None:
    data = path.read_bytes()
    if len(data) > MAX_CONF_BYTES:
        site.note(name, None, "is larger than 1 MiB; not read, Pelican's defaults are used")
        return
    try:
        tree = ast.parse(data.decode("utf-8-sig"), filename=name)
    except UnicodeDecodeError:
        site.note(name, None, "is not UTF-8 text; not read, Pelican's defaults are used")
        return
    except SyntaxError as exc:
        site.note(
            name,
            exc.lineno,
            f"is not valid Python ({exc.msg}); not read, Pelican's defaults are used",
        )
        return
    except (RecursionError, MemoryError, ValueError):
        site.note(name, None, "is too deeply nested to read; Pelican's defaults are used")
        return
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            _assign(targets, node.value, node.lineno, name, settings, site, augment=False)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                _assign([node.target.id], node.value, node.lineno, name, settings, site, False)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.op, ast.Add)
        ):
            _assign([node.target.id], node.value, node.lineno, name, settings, site, True)


def _assign(
    names: list[str],
    node: ast.expr,
    line: int,
    file: str,
    settings: Settings,
    site: SourceSite,
    augment: bool,
) -> None:
    names = [n for n in names if n.isupper()]
    if not names:
        return
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        for name in names:
            settings.unknown.add(name)
            settings.values.pop(name, None)
            settings.where[name] = (file, line)
            if name in USED:
                site.note(
                    file,
                    line,
                    f"{name} is computed when Pelican runs, and thoughtgen never runs the "
                    "site's Python; Pelican's default is used. If that is wrong, write the "
                    "value in the new site's thoughtgen.yaml or fix the imported posts",
                )
        return
    for name in names:
        if augment:
            old = settings.values.get(name)
            try:
                value = old + value  # e.g. STATIC_PATHS += ["extra"]
            except TypeError:
                continue
        settings.values[name] = value
        settings.unknown.discard(name)
        settings.explicit.add(name)
        settings.where[name] = (file, line)


def _normalise(settings: Settings, site: SourceSite) -> None:
    """What Pelican's ``configure_settings`` does to the values the importer reads."""
    values = settings.values
    siteurl = values.get("SITEURL")
    if isinstance(siteurl, str) and siteurl.endswith("/"):
        values["SITEURL"] = siteurl[:-1]
    lang = values.get("DEFAULT_LANG")
    values["DEFAULT_LANG"] = lang.lower() if isinstance(lang, str) else "en"
    if not isinstance(values.get("FILENAME_METADATA"), str):
        values["FILENAME_METADATA"] = DEFAULTS["FILENAME_METADATA"]
    for key in ("ARTICLE_PATHS", "PAGE_PATHS", "STATIC_PATHS"):
        if key in values and not isinstance(values[key], (list, tuple)):
            file, line = settings.where.get(key, (CONF_FILES[0], 0))
            site.note(file, line or None, f"{key} must be a list; Pelican's default is used")
            values[key] = list(DEFAULTS[key])
    # Articles and pages never share a folder: each type's paths exclude the other's.
    for one, other in (("ARTICLE", "PAGE"), ("PAGE", "ARTICLE")):
        excludes = [*settings.paths(f"{one}_EXCLUDES")]
        for path in settings.paths(f"{other}_PATHS"):
            if path not in excludes:
                excludes.append(path)
        values[f"{one}_EXCLUDES"] = excludes


def zone(name: str) -> tzinfo | None:
    """The time zone called ``name``, or None when there is none by that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def extra_path_metadata(settings: Settings) -> dict[str, dict[str, Any]]:
    value = settings.get("EXTRA_PATH_METADATA")
    if not isinstance(value, dict):
        return {}
    return {
        str(path): {str(k).lower(): v for k, v in meta.items()}
        for path, meta in value.items()
        if isinstance(meta, dict)
    }


def path_metadata(rel: str, epm: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``EXTRA_PATH_METADATA`` for ``rel``: its folders' entries, then its own."""
    meta: dict[str, Any] = {}
    for path, values in sorted(epm.items()):
        folder = path.rstrip("/") + "/"
        if rel == path or rel.startswith(folder):
            meta.update(values)
    return meta


def path_regexes(settings: Settings, site: SourceSite) -> dict[str, re.Pattern[str]]:
    regexes = {}
    for key in ("FILENAME_METADATA", "PATH_METADATA"):
        pattern = settings.get(key)
        if not isinstance(pattern, str) or not pattern:
            continue
        try:
            regexes[key] = re.compile(pattern)
        except re.error as exc:
            file, line = settings.where.get(key, ("pelicanconf.py", 0))
            site.note(
                file, line or None, f"{key} is not a valid regular expression ({exc}); not used"
            )
    return regexes


def substitutions(settings: Settings, key: str, site: SourceSite) -> list[tuple[str, str]]:
    value = settings.get(key)
    if value is None:
        return []
    pairs = []
    valid = isinstance(value, (list, tuple))
    for pair in value if valid else []:
        if not (
            isinstance(pair, (list, tuple))
            and len(pair) == 2
            and all(isinstance(p, str) for p in pair)
        ):
            valid = False
            break
        try:
            re.compile(pair[0])
        except re.error:
            valid = False
            break
        pairs.append((pair[0], pair[1]))
    if not valid:
        file, line = settings.where.get(key, ("pelicanconf.py", 0))
        site.note(
            file,
            line or None,
            f"{key} is not a list of (pattern, replacement) pairs; Pelican's default is used",
        )
        return list(DEFAULTS["SLUG_REGEX_SUBSTITUTIONS"])
    return pairs
