"""Cloudflare Pages: ``wrangler.toml``, ``_headers``, and a scheduled workflow that calls a
deploy hook at the publishing slots; the build settings are entered once in the dashboard."""

from __future__ import annotations

import re

from thoughtgen.deploy.hosts.actions import hook_workflow
from thoughtgen.deploy.hosts.base import HostFile, HostPlan, SetupContext, quoted
from thoughtgen.deploy.hosts.headers import headers_file
from thoughtgen.slugs import slugify

CONFIG = "wrangler.toml"
WORKFLOW = ".github/workflows/thoughtgen-schedule.yml"
SECRET = "CLOUDFLARE_DEPLOY_HOOK"
BUILD_COMMAND = "pip install -r requirements.txt && thoughtgen build"
# The Workers runtime behaviour Pages is pinned to; a fixed date keeps the file stable.
COMPATIBILITY_DATE = "2026-11-01"
NAME_LIMIT = 58  # Pages project names: lowercase letters, digits and dashes, at most 58


def project_name(ctx: SetupContext) -> str:
    """The Pages project's name, from the site's title: ``warm-introductions``."""
    name = re.sub(r"[^a-z0-9]+", "-", slugify(ctx.config.title).lower())
    return name[:NAME_LIMIT].strip("-") or "thoughtgen-site"


def plan(ctx: SetupContext) -> HostPlan:
    name = project_name(ctx)
    root = f"; Root directory (advanced): {ctx.site_in_repo}" if ctx.site_in_repo != "." else ""
    return HostPlan(
        files=(
            HostFile("site", CONFIG, wrangler_toml(ctx, name)),
            headers_file(ctx.config),
            HostFile(
                "repo", WORKFLOW, hook_workflow(ctx, "Cloudflare Pages", "deploy hook", SECRET)
            ),
        ),
        steps=(
            "Commit and push these files.",
            f"Cloudflare: Workers & Pages → Create → Pages → Connect to Git → this repository; "
            f"project name {name} (as in wrangler.toml), production branch {ctx.branch}.",
            f"Build settings: Framework preset None; Build command: {BUILD_COMMAND}; "
            f"Build output directory: {ctx.output_in_site}{root}; "
            "Environment variable PYTHON_VERSION = 3.11.",
            "Cloudflare: the project's Settings → Builds → Deploy hooks → Add deploy hook "
            f"(branch {ctx.branch}); copy its URL.",
            f"GitHub: Settings → Secrets and variables → Actions → New repository secret "
            f"{SECRET} = that URL. The URL lives only there, never in the repository.",
            f"Builds use base_url from thoughtgen.yaml ({ctx.config.site_url}): keep it the "
            f"address the site is served at (https://{name}.pages.dev/ or your custom domain).",
            "Try the schedule once: GitHub → Actions → thoughtgen schedule → Run workflow.",
        ),
    )


def wrangler_toml(ctx: SetupContext, name: str) -> str:
    lines = [
        "# Cloudflare Pages reads this with the build settings entered in its dashboard;",
        "# written by `thoughtgen deploy setup cloudflare-pages`.",
        f"name = {quoted(name)}",
        f"pages_build_output_dir = {quoted(ctx.output_in_site)}",
        f"compatibility_date = {quoted(COMPATIBILITY_DATE)}",
    ]
    return "\n".join(lines) + "\n"
