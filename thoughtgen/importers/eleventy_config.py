"""An Eleventy site's configuration and data, read as text: no JavaScript is ever run.

The config (``eleventy.config.js``, ``.eleventy.js``, ``package.json`` scripts) gives the
input, data and output folders, template engines and passthrough copies; ``_data`` gives
the site's settings; directory and template data files give each template's data, merged
as Eleventy's data cascade merges them. JavaScript data is read for the literal values
it spells out, and reported.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thoughtgen.importers.liquid_sites import inside, read_text, unique
from thoughtgen.importers.model import SourceSite

CONFIG_FILES = (
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    "eleventy.config.ts",
    ".eleventy.js",
    ".eleventy.cjs",
    ".eleventy.mjs",
)
_MAX_DATA_CHARS = 512 * 1024


@dataclass
class EleventyConfig:
    """What the config and global data say, and the data files read so far."""

    input: Path
    data: Path
    skipped: list[Path]  # folders that hold no pages: includes, layouts, data, output
    ignored: list[str]  # .eleventyignore patterns, relative to the root
    markdown_engine: str  # "liquid", "njk" or "" (Markdown is not run through a template)
    html_engine: str
    passthrough: list[tuple[str, str]]  # (source relative to the root, site path it is served at)
    feed_base: str  # the feed plugin's "base" option, if the config sets one
    feeds: dict[str, str]  # the feed plugin's output path → "atom" or "rss"
    values: dict[str, str] = field(default_factory=dict)  # global data, dotted names
    url: str = ""  # the site's absolute address from its data
    data_files: dict[str, dict[str, Any]] = field(default_factory=dict)  # read once each


def read_config(root: Path, site: SourceSite) -> EleventyConfig:
    """The folders, engines and passthrough copies the config spells out as literals."""
    text, config_name = "", "package.json"
    for name in CONFIG_FILES:
        if (root / name).is_file():
            text, config_name = read_text(root / name, name, site) or "", name
            break
    package = root / "package.json"
    scripts = read_text(package, "package.json", site) or "" if package.is_file() else ""
    folders = _dir_settings(text)
    for key in ("input", "output"):
        flag = re.search(r"--" + key + r"[= ]['\"]?([^\s'\"&|;]+)", scripts)
        if key not in folders and flag:
            folders[key] = flag.group(1)
    input_dir = _folder(root, folders.get("input", "."), "input", config_name, site)
    data = _folder(input_dir, folders.get("data", "_data"), "data", config_name, site)
    includes = input_dir / folders.get("includes", "_includes")
    layouts = input_dir / folders["layouts"] if "layouts" in folders else includes
    output = root / folders.get("output", "_site")
    ignored = []
    ignore_file = root / ".eleventyignore"
    if ignore_file.is_file():
        for line in (read_text(ignore_file, ".eleventyignore", site) or "").split("\n"):
            line = line.strip()
            if line and not line.startswith("#"):
                ignored.append(posixpath.normpath(line.removeprefix("./")).rstrip("/"))
    feed_base = re.search(r"\bbase\s*:\s*[\"'`](https?://[^\"'`]+)[\"'`]", text)
    return EleventyConfig(
        input=input_dir,
        data=data,
        skipped=[data, includes, layouts, output],
        ignored=ignored,
        markdown_engine=_engine(text, "markdownTemplateEngine", "liquid"),
        html_engine=_engine(text, "htmlTemplateEngine", "liquid"),
        passthrough=_passthrough(text, root, input_dir),
        feed_base=feed_base.group(1) if feed_base else "",
        feeds=_plugin_feeds(text),
    )


def _plugin_feeds(text: str) -> dict[str, str]:
    """The feed the RSS plugin's ``feedPlugin`` writes (``outputPath`` and ``type``), if any."""
    call = re.search(r"addPlugin\(\s*feedPlugin\s*,\s*\{", text)
    if call is None:
        return {}
    options = text[call.end() : call.end() + 2000]
    output = re.search(r"\boutputPath\s*:\s*[\"'`](/[^\"'`]+)[\"'`]", options)
    kind = re.search(r"\btype\s*:\s*[\"'`](\w+)[\"'`]", options)
    if output is None or (kind is not None and kind.group(1) not in ("atom", "rss")):
        return {}
    return {output.group(1): kind.group(1) if kind else "atom"}


def _dir_settings(text: str) -> dict[str, str]:
    """The literal folders of the config's ``dir: { input: "src", … }``."""
    block = re.search(r"\bdir\s*:\s*\{([^}]*)\}", text)
    found: dict[str, str] = {}
    if block:
        for match in re.finditer(
            r"\b(input|output|data|includes|layouts)\s*:\s*[\"'`]([^\"'`]*)[\"'`]", block.group(1)
        ):
            found[match.group(1)] = match.group(2).strip() or "."
    return found


def _folder(root: Path, name: str, what: str, config_name: str, site: SourceSite) -> Path:
    """The configured folder ``name`` under ``root``; ``root`` itself when it is not there."""
    path = Path(os.path.normpath(root / name))  # "../_data" is a folder beside the input
    if inside(root, path) and path.is_dir():
        return path
    if what == "input":  # a missing _data folder is usual; a missing input folder is not
        site.note(
            config_name,
            None,
            f"the input folder {name!r} is not in the export; read the whole folder",
        )
    return root if what == "input" else path


def _engine(text: str, key: str, default: str) -> str:
    match = re.search(key + r"\s*:\s*(?:(false)|[\"'`](\w+)[\"'`])", text)
    if match is None:
        return default
    return "" if match.group(1) else match.group(2).lower()


def _passthrough(text: str, root: Path, input_dir: Path) -> list[tuple[str, str]]:
    """``addPassthroughCopy`` calls: (source folder or file, the site path it is copied to)."""
    found = []
    for call in re.finditer(r"addPassthroughCopy\(\s*(\{[^}]*\}|[\"'`][^\"'`]+[\"'`])", text):
        argument = call.group(1)
        if argument.startswith("{"):
            for pair in re.finditer(
                r"[\"'`]([^\"'`]+)[\"'`]\s*:\s*[\"'`]([^\"'`]*)[\"'`]", argument
            ):
                found.append((_clean(pair.group(1)), "/" + _clean(pair.group(2))))
            continue
        source = _clean(argument[1:-1])
        if any(ch in source for ch in "*{?["):
            continue  # a glob: its files are found under the input folder anyway
        full = root / source
        served = relative(input_dir, full) if inside(input_dir, full) else source
        found.append((source, "/" + served))
    return found


def _clean(path: str) -> str:
    normal = posixpath.normpath(path.strip().removeprefix("./"))
    return "" if normal in (".", "/") else normal.strip("/")


# --- Global data: the site's settings -------------------------------------------------


def read_global_data(root: Path, config: EleventyConfig, site: SourceSite) -> None:
    """Every ``_data`` file's values into ``config.values``; the site's settings into ``site``."""
    if not config.data.is_dir():
        return
    for path in sorted(config.data.iterdir()):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or not inside(root, path):
            continue
        name = path.name.split(".")[0]
        values = _data_file(path, rel, site)
        if values is None:
            continue
        for key, value in values.items():
            config.values[f"{name}.{key}"] = value
        if name in ("metadata", "site") and not site.title:
            _site_settings(values, site)
            config.url = site.base_url
    if config.feed_base:
        site.base_url = site.base_url or config.feed_base
    config.url = site.base_url
    if not site.base_url:
        site.note(
            relative(root, config.data) or "_data",
            None,
            "no site address (url) in _data/metadata or _data/site; set base_url in "
            "thoughtgen.yaml — feed ids could not be kept without it",
        )


def _site_settings(values: dict[str, str], site: SourceSite) -> None:
    site.title = values.get("title", "")
    url = values.get("url", "")
    site.base_url = url if url.endswith("/") or not url else url + "/"
    site.description = values.get("description", "") or values.get("subtitle", "")
    site.language = values.get("language", "") or values.get("lang", "")
    site.author = values.get("author.name", "") or values.get("author", "")


def _data_file(path: Path, rel: str, site: SourceSite) -> dict[str, str] | None:
    """A global data file's scalar values by dotted name."""
    data = _parsed_data(path, rel, site)
    if data is None:
        return None
    if path.suffix.lower() == ".json":
        return _flatten(data)
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _parsed_data(path: Path, rel: str, site: SourceSite) -> dict[str, Any] | None:
    """A data file's values: JSON parsed, JavaScript read as text for its literals, never run."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".js", ".cjs", ".mjs"):
        return None
    text = read_text(path, rel, site)
    if text is None:
        return None
    if len(text) > _MAX_DATA_CHARS:
        site.note(rel, None, "a data file larger than 512 KB; not read")
        return None
    if suffix != ".json":
        values = _js_literals(text)
        site.note(
            rel,
            None,
            "a JavaScript data file, read as text and not run: "
            + (f"took {', '.join(sorted(values))} as written" if values else "nothing read")
            + "; anything it computes is not imported",
        )
        return values
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        site.note(rel, line, f"invalid JSON ({exc}); its values were not read")
        return None
    return data if isinstance(data, dict) else {}


def _flatten(data: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 2:
            flat.update(_flatten(value, name + ".", depth + 1))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            flat[name] = str(value)
    return flat


_JS_OPEN = re.compile(r"""^["']?([\w$]+)["']?\s*:\s*\{\s*$""")
_JS_VALUE = re.compile(r"""^["']?([\w$]+)["']?\s*:\s*(["'`])(.*?)\2\s*,?\s*$""")
_JS_LIST = re.compile(r"""["']?([\w$]+)["']?\s*:\s*\[([^\]]*)\]""", re.S)


def _js_literals(text: str) -> dict[str, Any]:
    """``key: "text"`` and ``key: ["a", "b"]`` of a JavaScript object, by dotted name."""
    values: dict[str, Any] = {}
    stack: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if opened := _JS_OPEN.match(stripped):
            stack.append(opened.group(1))
        elif stripped.startswith("}") and stack:
            stack.pop()
        elif value := _JS_VALUE.match(stripped):
            values[".".join([*stack, value.group(1)])] = value.group(3)
    for found in _JS_LIST.finditer(text):
        items = re.findall(r"""["'`]([^"'`]*)["'`]""", found.group(2))
        values.setdefault(found.group(1), items)
    return values


# --- The data cascade of one template ---------------------------------------------------


def template_data_for(
    root: Path, path: Path, config: EleventyConfig, site: SourceSite
) -> dict[str, Any]:
    """The directory and template data files that apply to ``path``, merged (JSON only)."""
    data: dict[str, Any] = {}
    folders = [config.input]
    for part in path.parent.relative_to(config.input).parts:
        folders.append(folders[-1] / part)
    # Lowest priority first: each folder's data from the input folder down, then the
    # template's own; in each, <name>.json, then <name>.11tydata.json, then .11tydata.js.
    stem = path.name.rsplit(".", 1)[0]
    owners = [(f, f.name, f == config.input) for f in folders] + [(path.parent, stem, False)]
    files: list[Path] = []
    for folder, name, is_input in owners:
        for suffix in (".json", ".11tydata.json", ".11tydata.js", ".11tydata.cjs"):
            candidate = folder / f"{name}{suffix}"
            # The input folder's own <name>.json would be a global-looking file, not its data.
            if candidate not in files and not (is_input and suffix == ".json"):
                files.append(candidate)
    for candidate in files:
        if candidate.is_file() and inside(root, candidate):
            data = merge_data(data, _template_data(candidate, root, config, site))
    return data


def _template_data(
    path: Path, root: Path, config: EleventyConfig, site: SourceSite
) -> dict[str, Any]:
    rel = path.relative_to(root).as_posix()
    if rel not in config.data_files:
        config.data_files[rel] = _read_template_data(path, rel, site)
    return config.data_files[rel]


def _read_template_data(path: Path, rel: str, site: SourceSite) -> dict[str, Any]:
    data = _parsed_data(path, rel, site) or {}
    if path.suffix.lower() == ".json":
        return data
    return {k: v for k, v in data.items() if "." not in k}  # the top-level literals


def merge_data(base: dict[str, Any], over: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Eleventy's data cascade: objects merged, lists joined, other values replaced."""
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict) and depth < 20:
            merged[key] = merge_data(old, value, depth + 1)
        elif key == "tags" and (isinstance(old, list | str) and isinstance(value, list | str)):
            merged[key] = unique(_names(old) + _names(value))
        else:
            merged[key] = value
    return merged


def relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else ""


def _names(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v is not None and not isinstance(v, dict | list)]
