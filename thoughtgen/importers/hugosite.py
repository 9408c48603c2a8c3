"""A Hugo site's settings and URL rules, read the way Hugo reads them (Hugo never runs).

Configuration comes from ``hugo.toml`` (or ``.yaml``/``.json``, or the older ``config.*``)
merged with ``config/_default/`` and then ``config/production/`` (what ``hugo`` builds
with), keys in any case. URLs follow Hugo's rules: ``url`` front matter, else a
``permalinks`` pattern for the page's section (the old ``posts = "/:year/:title/"`` map,
the ``[permalinks.page]`` map and the newer ``[[permalinks]]`` list), else
``/<section>/<slug or file name>/``; then every path is sanitized as Hugo's
``MakePathSanitized`` does (spaces to hyphens, punctuation dropped, lower-cased unless
``disablePathToLower``) and ends in ``.html`` instead of ``/`` with ``uglyURLs``.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from thoughtgen.importers.model import SourceSite
from thoughtgen.yamlio import YamlSyntaxError, parse_yaml

CONFIG_NAMES = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
)
MAX_CONFIG_BYTES = 1024 * 1024
DEFAULT_DATES = {
    "date": ["date", "publishdate", "pubdate", "published", "lastmod", "modified"],
    "lastmod": [":git", "lastmod", "modified", "date", "publishdate", "pubdate", "published"],
    "publishdate": ["publishdate", "pubdate", "published", "date"],
    "expirydate": ["expirydate", "unpublishdate"],
}
# Keys Hugo reads as another name for a date key wherever that key is configured.
_ALIASES_OF = {
    "lastmod": ["modified"],
    "publishdate": ["pubdate", "published"],
    "expirydate": ["unpublishdate"],
}


MAX_DEPTH = 50  # how deeply settings and front matter may nest (YAML's own limit too)


def check_depth(value: Any, level: int = 0) -> Any:
    """``value``, once it is known to nest no deeper than MAX_DEPTH; else RecursionError."""
    if level > MAX_DEPTH:
        raise RecursionError("nested too deeply")
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, (dict, list)):
            check_depth(item, level + 1)
    return value


def lower_keys(value: Any) -> Any:
    """Hugo's configuration and front matter keys are case-insensitive: lower-case them all."""
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class PageFacts:
    """What Hugo's permalink tokens are made from, for one page."""

    date: datetime | None
    title: str
    slug: str  # front matter slug, "" when none
    base_name: str  # the file's name without extension and language, or the bundle folder's
    section: str  # the top-level section, "" for pages at the top
    sections: list[str]  # the current section's path, e.g. ["posts", "2020"]
    section_slugs: list[str]  # the same sections by their slug or title (urlized)
    file_dir: str  # the content folder the page sits in ("posts/2020"), "" at the top


@dataclass
class HugoConfig:
    """The settings of the old site that matter to the import."""

    data: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # the main config file, for messages
    timezone: tzinfo = UTC
    timezone_name: str = ""
    # (matcher regex on the page's logical path "/posts/x", pattern, source key), in order
    permalinks: list[tuple[re.Pattern[str], str, str]] = field(default_factory=list)

    def get(self, *keys: str, default: Any = None) -> Any:
        value: Any = self.data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def text(self, *keys: str) -> str:
        value = self.get(*keys)
        return value.strip() if isinstance(value, str) else ""

    def flag(self, *keys: str) -> bool:
        value = self.get(*keys)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    @property
    def base_url(self) -> str:
        base = self.text("baseurl")
        if not re.match(r"^https?://[^/\s]+", base):
            return ""
        return base if base.endswith("/") else base + "/"

    @property
    def default_language(self) -> str:
        return (self.text("defaultcontentlanguage") or "en").lower()

    @property
    def languages(self) -> set[str]:
        languages = self.get("languages")
        return {str(k).lower() for k in languages} if isinstance(languages, dict) else set()

    @property
    def language_prefix(self) -> str:
        """``/en`` when the default language also lives in a subfolder, else ""."""
        if len(self.languages) > 1 and self.flag("defaultcontentlanguageinsubdir"):
            return "/" + self.default_language
        return ""

    def ugly(self, section: str) -> bool:
        setting = self.get("uglyurls")
        if isinstance(setting, dict):
            value = setting.get(section.lower())
            return value is True or (isinstance(value, str) and value.lower() == "true")
        return self.flag("uglyurls")

    def date_sources(self, which: str) -> list[str]:
        """The front matter keys (and ``:filename``-style tokens) ``which`` date comes from."""
        configured = self.get("frontmatter", which)
        if isinstance(configured, str):
            configured = [configured]
        if not isinstance(configured, list):
            return list(DEFAULT_DATES[which])
        keys: list[str] = []
        for item in configured:
            item = str(item).lower()
            expanded = DEFAULT_DATES[which] if item == ":default" else [item]
            for key in expanded:
                for name in [key, *_ALIASES_OF.get(key, [])]:
                    if name not in keys:
                        keys.append(name)
        return keys

    def taxonomies(self) -> list[str]:
        """The front matter keys of the site's taxonomies (plural names)."""
        configured = self.get("taxonomies")
        if not isinstance(configured, dict):
            return ["tags", "categories"]
        return [str(v).lower() for v in configured.values() if isinstance(v, str) and v]

    # URL rules --------------------------------------------------------------------------

    def sanitize(self, text: str) -> str:
        """Hugo's ``MakePathSanitized``: what a path or a :title looks like in a URL."""
        if self.flag("removepathaccents"):
            text = "".join(
                ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
            )
            text = unicodedata.normalize("NFC", text)
        out: list[str] = []
        hyphen = False
        for index, ch in enumerate(text):
            if _allowed(text, index, ch):
                if hyphen:
                    out.append("-")
                    hyphen = False
                out.append(ch)
            elif out and (ch == "-" or ch.isspace()):
                hyphen = True
        result = "".join(out)
        return result if self.flag("disablepathtolower") else result.lower()

    def permalink_for(self, logical_path: str) -> tuple[str, str] | None:
        """The (pattern, config key) that decides a regular page's URL, if any."""
        for matcher, pattern, key in self.permalinks:
            if matcher.fullmatch(logical_path):
                return pattern, key
        return None

    def expand(self, pattern: str, page: PageFacts) -> tuple[str, list[str]]:
        """``pattern`` with each :token replaced; the tokens Hugo would not know."""
        unknown: list[str] = []

        def replace(match: re.Match[str]) -> str:
            value = self.token(match.group(1), match.group(2) or "", page)
            if value is None:
                unknown.append(match.group(0))
                return match.group(0)
            return value

        expanded = _TOKEN.sub(replace, pattern.replace("\\:", "\x00"))
        return expanded.replace("\x00", ":"), unknown

    def token(self, name: str, cut: str, page: PageFacts) -> str | None:
        date = page.date or datetime(1, 1, 1, tzinfo=UTC)  # Go's zero time, as Hugo has it
        slug_or_title = self.sanitize(page.slug) if page.slug else self.sanitize(page.title)
        values = {
            "year": str(date.year),
            "month": f"{date.month:02}",
            "monthname": date.strftime("%B") if date.year >= 1000 else "January",
            "day": f"{date.day:02}",
            "weekday": str((date.weekday() + 1) % 7),
            "weekdayname": date.strftime("%A") if date.year >= 1000 else "Monday",
            "yearday": str(date.timetuple().tm_yday),
            "section": page.section,
            "sectionslug": page.section_slugs[0] if page.section_slugs else "",
            "title": self.sanitize(page.title),
            "slug": slug_or_title,
            "filename": self.sanitize(page.base_name),
            "contentbasename": self.sanitize(page.base_name),
            "slugorfilename": self.sanitize(page.slug or page.base_name),
            "slugorcontentbasename": self.sanitize(page.slug or page.base_name),
        }
        if name in values and not cut:
            return values[name]
        if name in ("sections", "sectionslugs"):
            parts = page.sections if name == "sections" else page.section_slugs
            return "/".join(_cut(parts, cut))
        layout = _GO_LAYOUT.get(name)
        if layout is not None and not cut and date.year >= 1000:
            return date.strftime(layout)
        return None

    def link(self, page: PageFacts, url: str, ugly: bool) -> tuple[str, list[str]]:
        """The page's URL path (relative to the base URL) and any unknown pattern tokens."""
        unknown: list[str] = []
        if url:
            url = url.replace("\\:", ":")
            path = "/" + url.strip("/")
            if url.endswith("/") or "." not in url:  # Hugo's test: any dot names a file
                path = path.rstrip("/") + "/"
        else:
            logical = "/" + "/".join(p for p in (page.file_dir, page.base_name) if p)
            rule = self.permalink_for(self.sanitize(logical))
            if rule is not None:
                expanded, unknown = self.expand(rule[0], page)
                path = "/" + expanded.strip("/")
            else:
                base = self.sanitize(page.slug) if page.slug else page.base_name
                path = "/" + "/".join(p for p in (page.file_dir, base) if p)
            if rule is not None and rule[0].rstrip().endswith(".html"):
                pass  # a pattern that names its own file: "/:year/:slug.html"
            elif ugly and path != "/":
                path = path.rstrip("/") + ".html"
            else:
                path = path.rstrip("/") + "/"
        path = self.language_prefix + posixpath.normpath(path) + ("/" if path.endswith("/") else "")
        path = re.sub("/+", "/", path)
        return self.sanitize(path), unknown

    def permalink(self, path: str) -> str:
        """The absolute URL Hugo printed for ``path`` (its ``.Permalink``), "" without a base."""
        if not self.base_url:
            return ""
        return self.base_url + quote(path.lstrip("/"), safe="/-_.~+%$&,:;=@")


_TOKEN = re.compile(r":(\w+)(\[[^\]]*\])?")
# Go layout elements Hugo accepts as permalink tokens (":2006", ":01" …) and their strftime.
_GO_LAYOUT = {
    "2006": "%Y",
    "06": "%y",
    "01": "%m",
    "02": "%d",
    "Jan": "%b",
    "January": "%B",
    "Mon": "%a",
    "Monday": "%A",
    "15": "%H",
    "04": "%M",
    "05": "%S",
}


def _allowed(text: str, index: int, ch: str) -> bool:
    if ch == " ":
        return False
    if ch in "./\\_#+~":
        return True
    category = unicodedata.category(ch)
    if category[0] in "LM" or category == "Nd":
        return True
    return ch == "%" and bool(re.fullmatch(r"[0-9A-Fa-f]{2}", text[index + 1 : index + 3]))


def _cut(parts: list[str], cut: str) -> list[str]:
    """Hugo's ``:sections[1:]``, ``[:last]``, ``[last]``, ``[0]`` selections."""
    spec = cut.strip("[] ").lower()
    if not spec:
        return parts

    def index(text: str, low: bool) -> int:
        if text == "":
            return 0 if low else len(parts)
        if text == "last":
            return len(parts) - 1
        return int(text) if text.isdigit() else 0

    if ":" not in spec:
        at = index(spec, True)
        return [parts[at]] if 0 <= at < len(parts) else []
    low, _, high = spec.partition(":")
    return parts[max(0, index(low, True)) : index(high, False)]


def _glob(path: str) -> re.Pattern[str]:
    """Hugo's page matcher globs (``/{posts,posts/**}``) as a regular expression."""
    out = []
    i = 0
    while i < len(path):
        ch = path[i]
        if path.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append(
            {"*": "[^/]*", "{": "(?:", "}": ")", ",": "|", "?": "[^/]"}.get(ch, re.escape(ch))
        )
        i += 1
    return re.compile("".join(out))


def _section_glob(key: str) -> re.Pattern[str]:
    section = key.strip(" /")
    if not section:
        return re.compile(r"/[^/]*")
    return _glob("/{" + section + "," + section + "/**}")


def _read_file(path: Path, root: Path, site: SourceSite) -> dict[str, Any] | None:
    rel = path.relative_to(root).as_posix()
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            site.note(rel, None, "configuration file is larger than 1 MiB; not read")
            return None
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        site.note(rel, None, f"could not read this configuration file ({exc}); not used")
        return None
    text = text.replace("\r\n", "\n")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = parse_yaml(text).data
        if isinstance(data, (dict, list)):
            check_depth(data)
    except YamlSyntaxError as exc:
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        line = min(exc.line, max(last, 1)) if exc.line else None
        site.note(rel, line, f"broken YAML ({exc.message}); this file was not used")
        return None
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        line = _error_line(str(exc))
        site.note(rel, line, f"could not read this configuration ({exc}); it was not used")
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        site.note(rel, None, "the configuration is not a table of settings; it was not used")
        return None
    return lower_keys(data)


def _error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _config_dir(folder: Path, root: Path, site: SourceSite) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    if not folder.is_dir() or folder.is_symlink():
        return merged
    files = sorted(p for p in folder.iterdir() if p.suffix in (".toml", ".yaml", ".yml", ".json"))
    for path in files:
        if not path.is_file() or path.is_symlink():
            continue
        data = _read_file(path, root, site)
        if data is None:
            continue
        stem = path.stem.lower()
        if "." in stem:
            continue  # params.fr.toml and the like: other languages' settings
        merged = _merge(merged, data if stem in ("hugo", "config") else {stem: data})
    return merged


def read_config(root: Path, site: SourceSite) -> HugoConfig:
    """The old site's settings; what could not be read is noted on ``site``."""
    config = HugoConfig()
    data: dict[str, Any] = {}
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file() and not path.is_symlink():
            data = _read_file(path, root, site) or {}
            config.source = name
            break
    for environment in ("_default", "production"):
        folder = root / "config" / environment
        extra = _config_dir(folder, root, site)
        if extra and not config.source:
            config.source = f"config/{environment}/"
        data = _merge(data, extra) if environment == "production" else _merge(extra, data)
    languages = data.get("languages")
    default = str(data.get("defaultcontentlanguage") or "en").lower()
    language = languages.get(default) if isinstance(languages, dict) else None
    if isinstance(language, dict):  # the default language's own title, params, …
        data = _merge(data, {k: v for k, v in language.items() if k != "weight"})
    config.data = data
    name = config.text("timezone")
    if name:
        try:
            config.timezone, config.timezone_name = ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            site.note(
                config.source, None, f"unknown timeZone {name!r}; dates without an offset are UTC"
            )
    config.permalinks = _permalink_rules(config.get("permalinks"))
    return config


def _permalink_rules(setting: Any) -> list[tuple[re.Pattern[str], str, str]]:
    rules: list[tuple[re.Pattern[str], str, str]] = []
    if isinstance(setting, list):  # [[permalinks]] pattern = … target = {kind, path}
        for entry in setting:
            if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
                continue
            target: dict[str, Any] = (
                entry["target"] if isinstance(entry.get("target"), dict) else {}
            )
            kind = str(target.get("kind") or "page").lower()
            if kind != "page":
                continue
            path = str(target.get("path") or "/**").lower()
            rules.append((_glob(path), entry["pattern"], path))
        return rules
    if not isinstance(setting, dict):
        return rules
    sections: dict[str, str] = {}
    for key, value in setting.items():
        if isinstance(value, str):
            sections.setdefault(key, value)
        elif key == "page" and isinstance(value, dict):
            sections.update({k: v for k, v in value.items() if isinstance(v, str)})
    # Hugo reads these from a map; the most specific section wins where two could match.
    for key in sorted(sections, key=lambda k: -len(k.strip(" /"))):
        rules.append((_section_glob(key), sections[key], key))
    return rules
