"""The card outputs of a build: one per listed post without its own image, and the site's."""

from __future__ import annotations

from thoughtgen.incremental.fingerprints import Fingerprints
from thoughtgen.model import Site
from thoughtgen.outputs import Planned


def plan_cards(site: Site, prints: Fingerprints) -> list[Planned]:
    """Every card the site needs, keyed by what is drawn on it (so unchanged cards are kept)."""
    return []  # drawn by thoughtgen.cards.draw (in progress)
