"""GitHub Pages: one workflow that builds with the address Pages gives and deploys with the
official Pages actions, on push, at the publishing slots and once a day."""

from __future__ import annotations

from thoughtgen.deploy.hosts.actions import (
    ACTIONS,
    GO,
    guard_steps,
    install_steps,
    job_defaults,
    record_steps,
    schedule_trigger,
)
from thoughtgen.deploy.hosts.base import HostFile, HostPlan, SetupContext, quoted

WORKFLOW = ".github/workflows/thoughtgen.yml"


def plan(ctx: SetupContext) -> HostPlan:
    return HostPlan(
        files=(HostFile("repo", WORKFLOW, workflow(ctx)),),
        steps=(
            "Commit and push these files.",
            "On GitHub: Settings → Pages → Build and deployment → Source: GitHub Actions.",
            "A custom domain: set it in Settings → Pages. Builds use the address Pages gives "
            "(https://<you>.github.io/<repo>/ until then, your domain after), so feed ids "
            "follow it; set base_url in thoughtgen.yaml to the same address for local builds "
            "and `thoughtgen deploy verify`.",
            "Watch the first run under Actions; its last step checks that the site went live. "
            "GitHub pauses scheduled workflows of a public repository after 60 days without "
            "a commit: re-enable it under Actions if it stops.",
        ),
    )


def workflow(ctx: SetupContext) -> str:
    lines = [
        "# Build and publish the site on GitHub Pages: on every push, at the calendar's",
        "# publishing slots and once a day. Written by `thoughtgen deploy setup github-pages`;",
        "# run it again after changing calendar.slots or timezone.",
        "name: thoughtgen",
        "",
        "on:",
        "  push:",
        f"    branches: [{quoted(ctx.branch)}]",
        *schedule_trigger(ctx),
        "  workflow_dispatch:",
        "",
        "permissions:",
        "  contents: read",
        "  pages: write",
        "  id-token: write",
        "",
        "# One deploy at a time; the next one waits instead of cancelling one half done.",
        "concurrency:",
        "  group: pages",
        "  cancel-in-progress: false",
        "",
        "jobs:",
        "  publish:",
        "    runs-on: ubuntu-latest",
        "    environment:",
        "      name: github-pages",
        "      url: ${{ steps.deployment.outputs.page_url }}",
        *job_defaults(ctx),
        "    steps:",
        *install_steps(ctx),
        *guard_steps(ctx),
        f"      - uses: {ACTIONS['configure-pages']}",
        "        id: pages",
        f"        if: {GO}",
        "      # The address Pages serves the site at (a project site's /<repo>/ included).",
        "      - name: Build",
        f"        if: {GO}",
        "        env:",
        "          BASE_URL: ${{ steps.pages.outputs.base_url }}",
        '        run: thoughtgen build --base-url "$BASE_URL/"',
        f"      - uses: {ACTIONS['upload-pages-artifact']}",
        f"        if: {GO}",
        "        with:",
        f"          path: {quoted(ctx.output_in_repo)}",
        f"      - uses: {ACTIONS['deploy-pages']}",
        "        id: deployment",
        f"        if: {GO}",
        "      - name: Check that the site went live",
        f"        if: {GO}",
        "        env:",
        "          PAGE_URL: ${{ steps.deployment.outputs.page_url }}",
        '        run: thoughtgen deploy verify "$PAGE_URL" --timeout 300',
        *record_steps(ctx),
    ]
    return "\n".join(lines) + "\n"
