"""``thoughtgen import``: bring a writer's archive in from another platform.

The one front door is ``import_site`` (in ``front.py``, loaded on first use so that the
command line starts fast): open the export, tell which platform made it, read it with that
platform's reader, plan thoughtgen files and write them without replacing any file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from thoughtgen.importers.front import ImportReport, import_site

__all__ = ["ImportReport", "import_site"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from thoughtgen.importers import front

        return getattr(front, name)
    raise AttributeError(name)
