"""GitHub Actions workflow pieces shared by every host: triggers, setup and the due guard.

GitHub runs scheduled workflows in UTC, so the schedule lists one entry per UTC offset the
site's zone uses at each slot (``Schedule.utc``). The guard step runs ``thoughtgen due`` on
slot runs and lets the rest of the job go on only when a post became public since the last
deploy; the daily run, pushes and manual runs always go on.
"""

from __future__ import annotations

from thoughtgen.deploy.hosts.base import SetupContext, comment, quoted

STAMP = ".thoughtgen/last-deploy"
CACHE_DIR = ".thoughtgen"
# Steps after the guard run unless it said no: its output is empty when it was skipped.
GO = "steps.due.outputs.go != 'false'"

ACTIONS = {
    "checkout": "actions/checkout@v4",
    "setup-python": "actions/setup-python@v5",
    "cache-restore": "actions/cache/restore@v4",
    "cache-save": "actions/cache/save@v4",
    "configure-pages": "actions/configure-pages@v5",
    "upload-pages-artifact": "actions/upload-pages-artifact@v3",
    "deploy-pages": "actions/deploy-pages@v4",
}


def daily_cron(ctx: SetupContext) -> str:
    return ctx.schedule.daily_utc.expression()


def schedule_trigger(ctx: SetupContext) -> list[str]:
    """``schedule:`` under ``on:``: each UTC entry once, its note as a comment."""
    lines = [
        "  schedule:",
        f"    # In UTC: each slot in {comment(ctx.schedule.timezone)} at every offset the zone "
        "uses, then the daily build.",
    ]
    seen: set[str] = set()
    for entry in ctx.schedule.utc_entries:
        expression = entry.expression()
        if expression in seen:
            continue
        seen.add(expression)
        lines.append(f"    - cron: {quoted(expression)}  # {comment(entry.note)}")
    return lines


def job_defaults(ctx: SetupContext) -> list[str]:
    """``defaults:`` of a job, when the site is in a folder of the repository."""
    if ctx.site_in_repo == ".":
        return []
    return ["    defaults:", "      run:", f"        working-directory: {quoted(ctx.site_in_repo)}"]


def install_steps(ctx: SetupContext) -> list[str]:
    """Check out, set up Python, restore ``.thoughtgen/`` and install thoughtgen."""
    return [
        f"      - uses: {ACTIONS['checkout']}",
        f"      - uses: {ACTIONS['setup-python']}",
        "        with:",
        '          python-version: "3.11"',
        "          cache: pip",
        f"          cache-dependency-path: {quoted(ctx.in_repo('requirements.txt'))}",
        "      - name: Restore the build cache and the time of the last deploy",
        f"        uses: {ACTIONS['cache-restore']}",
        "        with:",
        f"          path: {quoted(ctx.in_repo(CACHE_DIR))}",
        f"          key: {cache_key()}",
        "          restore-keys: thoughtgen-",
        "      - name: Install thoughtgen",
        "        run: pip install -r requirements.txt",
    ]


def cache_key() -> str:
    return "thoughtgen-${{ github.run_id }}-${{ github.run_attempt }}"


def guard_steps(ctx: SetupContext) -> list[str]:
    """The due guard (slot runs only), then the moment this run's deploy starts."""
    daily = daily_cron(ctx)
    return [
        "      # A slot run goes on only when a post became public since the last deploy",
        "      # (thoughtgen due: 0 = something is due, 1 = nothing, 2 or more = an error).",
        "      - name: Skip unless a post became due since the last deploy",
        "        id: due",
        f"        if: github.event_name == 'schedule' && github.event.schedule != '{daily}'",
        "        run: |",
        "          status=0",
        f"          thoughtgen due --since @{STAMP} || status=$?",
        '          case "$status" in',
        '            0) echo "go=true" >> "$GITHUB_OUTPUT" ;;',
        '            1) echo "go=false" >> "$GITHUB_OUTPUT" ;;',
        '            *) exit "$status" ;;',
        "          esac",
        "      - name: Note when this deploy starts",
        "        id: start",
        f"        if: {GO}",
        '        run: echo "at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"',
    ]


def record_steps(ctx: SetupContext) -> list[str]:
    """Write the start time as the last deploy's, and save ``.thoughtgen/`` for the next run."""
    return [
        "      - name: Remember this deploy for the next guard",
        f"        if: {GO}",
        "        env:",
        "          STARTED: ${{ steps.start.outputs.at }}",
        "        run: |",
        f"          mkdir -p {CACHE_DIR}",
        f"          printf '%s\\n' \"$STARTED\" > {STAMP}",
        f"      - uses: {ACTIONS['cache-save']}",
        f"        if: {GO}",
        "        with:",
        f"          path: {quoted(ctx.in_repo(CACHE_DIR))}",
        f"          key: {cache_key()}",
    ]


def hook_workflow(ctx: SetupContext, host_name: str, hook: str, secret: str) -> str:
    """A scheduled workflow that asks a host to build by calling its build hook."""
    lines = [
        f"# Ask {host_name} to build and publish the site at the calendar's publishing slots",
        f"# and once a day ({host_name} builds on every push by itself). Written by",
        "# `thoughtgen deploy setup`; run it again after changing calendar.slots or timezone.",
        f"# The {hook}'s URL is the repository secret {secret}, never this file.",
        "name: thoughtgen schedule",
        "",
        "on:",
        *schedule_trigger(ctx),
        "  workflow_dispatch:",
        "",
        "permissions:",
        "  contents: read",
        "",
        "concurrency:",
        "  group: thoughtgen-schedule",
        "  cancel-in-progress: false",
        "",
        "jobs:",
        "  build-hook:",
        "    runs-on: ubuntu-latest",
        *job_defaults(ctx),
        "    steps:",
        *install_steps(ctx),
        *guard_steps(ctx),
        f"      - name: Ask {host_name} to build and deploy",
        f"        if: {GO}",
        "        env:",
        f"          HOOK: ${{{{ secrets.{secret} }}}}",
        "        run: |",
        '          if [ -z "$HOOK" ]; then',
        f'            echo "::error::Add the repository secret {secret}: the {hook}\'s URL"',
        "            exit 1",
        "          fi",
        "          curl -fsS -X POST -d '{}' \"$HOOK\"",
        *record_steps(ctx),
    ]
    return "\n".join(lines) + "\n"
