"""Your own server: a script that builds and rsyncs the site, and crontab lines that run it
at the publishing slots in the site's timezone (``CRON_TZ``) and once a day."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from thoughtgen.deploy.hosts.base import HostFile, HostPlan, SetupContext, comment
from thoughtgen.incremental.manifest import MANIFEST

SCRIPT = "deploy/publish.sh"
CRONTAB = "deploy/crontab.txt"
LOG = ".thoughtgen/publish.log"
TARGET_VARIABLE = "THOUGHTGEN_RSYNC_TARGET"
LOCK_WAIT = 1800  # seconds a run waits for the one before it to finish


def plan(ctx: SetupContext) -> HostPlan:
    target = os.environ.get(TARGET_VARIABLE, "")
    where = target or "you@server:/var/www/site/"
    return HostPlan(
        files=(
            HostFile("site", SCRIPT, publish_script(ctx), executable=True),
            HostFile("site", CRONTAB, crontab(ctx, target)),
        ),
        steps=(
            f"Publish once by hand: {SCRIPT} {where}  (builds, then rsyncs "
            f"{ctx.output_in_site}/ there, deleting what the site no longer has).",
            f"Set {TARGET_VARIABLE} in {CRONTAB}"
            + (" (it is set from your environment)." if target else " (uncomment its line)."),
            f"Install the schedule: crontab {CRONTAB}  (this replaces your crontab; to add "
            f"to it instead: (crontab -l; cat {CRONTAB}) | crontab -).",
            f"Each run logs to {LOG}; THOUGHTGEN_VERIFY=0 skips the live check after a sync.",
        ),
    )


def publish_script(ctx: SetupContext) -> str:
    output = shlex.quote(ctx.output_in_site)
    base_url = shlex.quote(ctx.config.site_url)
    return f"""#!/usr/bin/env bash
# Build the site and publish it with rsync; written by `thoughtgen deploy setup rsync`.
#
#   {SCRIPT} [TARGET]
#
# TARGET is where the site is served from, user@server:/var/www/site/ or a folder; without
# it, ${TARGET_VARIABLE}. A failed build stops here and nothing is synced. Runs never
# overlap: a second one waits for the first. After the sync, `thoughtgen deploy verify`
# checks the live site (THOUGHTGEN_VERIFY=0 skips that).
set -euo pipefail

site=$(cd "$(dirname "${{BASH_SOURCE[0]}}")/.." && pwd)
output={output}
base_url={base_url}
target=${{1:-${{{TARGET_VARIABLE}:-}}}}

if [ -z "$target" ]; then
  echo "publish.sh: say where to publish: $0 user@server:/var/www/site/" >&2
  echo "publish.sh: (or set {TARGET_VARIABLE})" >&2
  exit 2
fi
for tool in flock rsync thoughtgen; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "publish.sh: $tool is not installed or not on PATH ($PATH)" >&2
    exit 2
  fi
done

cd "$site"
mkdir -p .thoughtgen
exec 9>>.thoughtgen/publish.lock
if ! flock --wait {LOCK_WAIT} 9; then
  echo "publish.sh: another run has held .thoughtgen/publish.lock for {LOCK_WAIT} s; giving up" >&2
  exit 1
fi

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) building $site"
thoughtgen build --quiet  # a failed build ends the script here (set -e): nothing is synced
# "$output/": the folder's contents. --delete-after removes old files once the new are there.
rsync -a --delete-after --exclude=/{MANIFEST} "$output/" "$target"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) published to $target"

if [ "${{THOUGHTGEN_VERIFY:-1}}" != 0 ]; then
  thoughtgen deploy verify "$base_url"
fi
"""


def crontab(ctx: SetupContext, target: str) -> str:
    site = Path(ctx.site_abspath)
    command = _cron_escape(
        f"{shlex.quote(str(site / SCRIPT))} >> {shlex.quote(str(site / LOG))} 2>&1"
    )
    lines = [
        f"# Scheduled builds of {comment(ctx.config.title)}; written by "
        "`thoughtgen deploy setup rsync`.",
        f"# Install: crontab {CRONTAB}   (replaces your crontab; to add these lines instead:",
        f"#   (crontab -l; cat {CRONTAB}) | crontab -)",
        "# CRON_TZ has cron read the times below in the site's timezone. cronie (Fedora, RHEL,",
        "# Arch) honours it; a cron that does not reads them in the server's own timezone,",
        f"# so set the server to {comment(ctx.schedule.timezone)} there.",
        f"CRON_TZ={ctx.schedule.timezone}",
        f"PATH={_path()}",
        (
            f"{TARGET_VARIABLE}={target}"
            if target and "\n" not in target
            else f"# {TARGET_VARIABLE}=you@server:/var/www/site/"
        ),
    ]
    for entry in ctx.schedule.local_entries:
        lines += [f"# {comment(entry.note)}", f"{entry.expression()} {command}"]
    return "\n".join(lines) + "\n"


def _path() -> str:
    """PATH for cron: where this thoughtgen is installed first, then the usual places."""
    found = shutil.which("thoughtgen")
    here = str(Path(found).parent) if found else str(Path(sys.executable).parent)
    folders = [here, "/usr/local/bin", "/usr/bin", "/bin"]
    return ":".join(dict.fromkeys(folders))


def _cron_escape(command: str) -> str:
    # cron turns an unescaped % in a command into a newline
    return command.replace("%", "\\%")
