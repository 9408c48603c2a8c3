"""Importing a fixture export and building the result, as a migrating writer would.

``served`` answers what a browser gets at an old URL of the built site: the page itself,
or the page a redirect leads to; ``feed_ids`` lists the ids subscribers' readers know.
"""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
from click.testing import CliRunner

from thoughtgen.build import BuildOptions, build
from thoughtgen.cli import main
from thoughtgen.importers import ImportReport, import_site
from thoughtgen.importers.model import ImportedDoc, SourceSite

NOW = "2026-11-22 12:00"
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')


def import_and_build(
    source: Path, tmp_path: Path, *, platform: str | None = None, site: Path | None = None
) -> tuple[ImportReport, Path, Path]:
    """Import ``source`` into a new site (or ``site``), then build it; (report, site, public)."""
    site_dir = site or tmp_path / "site"
    report = import_site(source, site_dir, platform=platform)
    result = build(BuildOptions(site_dir=site_dir, now=NOW, use_cache=False, jobs=1))
    return report, site_dir, result.output_dir


def run_import(*args: str) -> tuple[int, str, str]:
    """``thoughtgen import ARGS`` through the real CLI: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, ["import", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def output_file(public: Path, url_path: str) -> Path | None:
    """The file a static host serves for ``url_path`` (a path from the site root), if any."""
    rel = url_path.lstrip("/")
    candidates = [public / rel] if rel else []
    candidates += [public / rel / "index.html"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def served(public: Path, url_path: str, base_url: str = "https://example.com/") -> Path | None:
    """The page a reader lands on at ``url_path``, following a redirect page; None for a 404.

    Only redirects to ``base_url`` are followed (they are the site's own pages).
    """
    found = output_file(public, url_path)
    for _hop in range(3):
        if found is None or found.suffix != ".html":
            return found
        match = _REFRESH.search(found.read_text(encoding="utf-8"))
        if match is None:
            return found
        target = match.group(1).replace("&amp;", "&")
        if not target.startswith(base_url):
            return None
        found = output_file(public, "/" + target[len(base_url) :])
    return None


def feed_ids(public: Path, feed: str = "atom.xml") -> set[str]:
    """The entry ids of a built feed, as a feed reader sees them."""
    parsed = feedparser.parse((public / feed).read_bytes())
    return {entry.id for entry in parsed.entries}


def doc_from(site: SourceSite, source: str) -> ImportedDoc:
    """The one document a reader made from ``source``."""
    found = [d for d in site.docs if d.source == source]
    assert len(found) == 1, [d.source for d in site.docs]
    return found[0]


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path below ``root`` → text or bytes), making folders; ``root``."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root
