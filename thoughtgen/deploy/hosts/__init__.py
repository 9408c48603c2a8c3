"""The hosts ``thoughtgen deploy setup`` writes files for: one module each, one ``plan()`` each."""

from __future__ import annotations

from thoughtgen.deploy.hosts import cloudflare_pages, github_pages, netlify, rsync
from thoughtgen.deploy.hosts.base import HostFile, HostPlan, SetupContext

HOSTS = ("github-pages", "netlify", "cloudflare-pages", "rsync")
# Hosts that tell the build the site's address (so base_url may still be the placeholder).
GIVES_ADDRESS = frozenset({"github-pages", "netlify"})
# Hosts whose files include _headers and that read the _redirects that `build` writes.
READS_REDIRECTS = frozenset({"netlify", "cloudflare-pages"})


def host_plan(host: str, ctx: SetupContext) -> HostPlan:
    """The files and one-time steps for ``host`` (one of HOSTS)."""
    planners = {
        "github-pages": github_pages.plan,
        "netlify": netlify.plan,
        "cloudflare-pages": cloudflare_pages.plan,
        "rsync": rsync.plan,
    }
    return planners[host](ctx)


__all__ = [
    "GIVES_ADDRESS",
    "HOSTS",
    "READS_REDIRECTS",
    "HostFile",
    "HostPlan",
    "SetupContext",
    "host_plan",
]
