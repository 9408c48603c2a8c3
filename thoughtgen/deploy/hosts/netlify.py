"""Netlify: ``netlify.toml`` (build with the address Netlify gives), ``_headers``, and a
scheduled workflow that calls a build hook at the publishing slots."""

from __future__ import annotations

from thoughtgen.deploy.hosts.actions import hook_workflow
from thoughtgen.deploy.hosts.base import HostFile, HostPlan, SetupContext, quoted, toml_literal
from thoughtgen.deploy.hosts.headers import HEADERS_PATH, headers_file

CONFIG = "netlify.toml"
WORKFLOW = ".github/workflows/thoughtgen-schedule.yml"
SECRET = "NETLIFY_BUILD_HOOK"
# $URL is the site's main address in every Netlify build (its custom domain once set).
BUILD_COMMAND = 'pip install -r requirements.txt && thoughtgen build --base-url "$URL/"'


def plan(ctx: SetupContext) -> HostPlan:
    return HostPlan(
        files=(
            HostFile("repo", CONFIG, netlify_toml(ctx)),
            headers_file(ctx.config),
            HostFile("repo", WORKFLOW, hook_workflow(ctx, "Netlify", "build hook", SECRET)),
        ),
        steps=(
            "Commit and push these files, then on Netlify: Add new site → Import an existing "
            "project → pick this repository (the build settings come from netlify.toml).",
            "Netlify: Site configuration → Build & deploy → Continuous deployment → Build "
            f"hooks → Add build hook (branch {ctx.branch}); copy its URL.",
            f"GitHub: Settings → Secrets and variables → Actions → New repository secret "
            f"{SECRET} = that URL. The URL lives only there, never in the repository.",
            "A custom domain: add it under Domain management. Builds use Netlify's main "
            "address ($URL) as base_url, so feed ids follow it; set base_url in "
            "thoughtgen.yaml to the same address for local builds and `thoughtgen deploy "
            "verify`.",
            "Try the schedule once: GitHub → Actions → thoughtgen schedule → Run workflow.",
        ),
    )


def netlify_toml(ctx: SetupContext) -> str:
    lines = [
        "# Netlify builds the site with these settings; written by `thoughtgen deploy setup",
        f"# netlify`. {HEADERS_PATH} sets cache lifetimes, and `thoughtgen build` writes",
        "# _redirects from aliases:.",
        "[build]",
    ]
    if ctx.site_in_repo != ".":
        lines.append(f"  base = {quoted(ctx.site_in_repo)}")
    lines += [
        f"  command = {toml_literal(BUILD_COMMAND)}",
        f"  publish = {quoted(ctx.output_in_site)}",
        "",
        "[build.environment]",
        '  PYTHON_VERSION = "3.11"',
    ]
    return "\n".join(lines) + "\n"
