"""The platforms ``thoughtgen import`` reads, and how each is recognised.

Each platform is a module of this package with ``NAME``, ``DESCRIPTION``,
``detect(root) -> bool`` and ``read(root) -> SourceSite``. ``root`` is the export: a
folder (a site's checkout, an unzipped export) or, for WordPress, the WXR file.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the model is loaded with a platform's module, not to list them
    from thoughtgen.importers.model import SourceSite

# In the order detection tries them: the most specific signs first.
PLATFORMS = ("wordpress", "substack", "medium", "jekyll", "hugo", "pelican", "eleventy")
DISPLAY_NAMES = {
    "wordpress": "WordPress",
    "substack": "Substack",
    "medium": "Medium",
    "jekyll": "Jekyll",
    "hugo": "Hugo",
    "pelican": "Pelican",
    "eleventy": "Eleventy",
}

# Where each platform serves its feeds unless told otherwise: an imported site keeps
# serving a copy there (or redirects, for an address without a file name), so
# subscribers' readers keep finding it.
USUAL_FEEDS: dict[str, dict[str, str]] = {
    "wordpress": {"/feed/": "rss"},
    "substack": {"/feed": "rss"},
    "medium": {},  # Medium's feeds stay on medium.com
    "jekyll": {"/feed.xml": "atom"},  # jekyll-feed
    "hugo": {"/index.xml": "rss"},
    "pelican": {"/feeds/all.atom.xml": "atom"},
    "eleventy": {"/feed.xml": "atom", "/feed/feed.xml": "atom"},
}


class Reader(Protocol):
    NAME: str
    DESCRIPTION: str

    def detect(self, root: Path) -> bool: ...

    def read(self, root: Path) -> SourceSite: ...


def reader(name: str) -> ModuleType:
    """The module that reads platform ``name`` (one of PLATFORMS)."""
    return importlib.import_module(f"thoughtgen.importers.{name}")


def detect(root: Path) -> str | None:
    """The platform ``root`` looks like, or None."""
    for name in PLATFORMS:
        if reader(name).detect(root):
            return name
    return None
