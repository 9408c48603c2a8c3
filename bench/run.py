#!/usr/bin/env python3
"""Measure thoughtgen's build and serve speed and memory side by side with Hugo and Pelican.

    python bench/run.py --posts 1000 10000          # prints a table, writes bench/RESULTS.md

For each corpus size it generates the same corpus for every tool (with
``../shared/bench/gen_corpus.py``) and measures, several times each:

* thoughtgen: a cold build (no cache, no previous output), a rebuild with nothing
  changed, and a rebuild after editing one post (warm cache);
* Hugo and Pelican, when ``hugo`` and ``pelican`` are on PATH: a full clean build;
* the writing loop, ``thoughtgen serve`` beside ``hugo server``: how long each takes to
  start serving a post, and how long an edit to that post's body or title takes to show
  in the served page.

It reports medians of wall time, CPU time (the whole process tree), peak memory (the
largest sum of PSS over the process tree, sampled at most every 20 ms and so that the
sampling takes no more than about 5% of one core, and the largest single RSS), and how
many output files each build wrote, then the ratios the project's speed targets are
stated in. Before every cold build, when it runs as root, it flushes the
kernel's caches and reads the corpus once, so each tool starts from the same state.
Nothing here is a test: it measures and prints.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN_CORPUS = REPO.parent / "shared" / "bench" / "gen_corpus.py"
RESULTS = REPO / "bench" / "RESULTS.md"
SAMPLE_SECONDS = 0.02
# Reading a process's PSS walks its page tables: some 5 ms for a 150 MB process, far more
# for Hugo's 1.4 GB. The sampler waits this many times as long as its last sample took, so
# it never uses more than about 5% of one core, which the build being timed would lose.
SAMPLE_SHARE = 20
POLL_SECONDS = 0.01
# A cold serve of 10,000 posts builds the whole site in one process before it answers.
START_TIMEOUT = 600.0
EDIT_TIMEOUT = 60.0
# The series of the one edit made right after a cold build (see ``bench_thoughtgen``).
FIRST_EDIT = "edit one post, first after a cold build"
# Seconds of each serve measure, by tool ("thoughtgen", "hugo") and measure ("edit, body").
ServeTimes = dict[str, dict[str, list[float]]]
# Runs of each warm build (no change, edit one post) at least, whatever ``--runs`` says.
WARM_RUNS = 5
# What starting thoughtgen's build loads, run once before each cold build.
BUILD_IMPORTS = "import thoughtgen.build, thoughtgen.mdext, feedgen.feed"
# thoughtgen's cold builds timed beside its cold serve starts (the same wall clock as those).
COLD_BESIDE = "cold build, beside the cold starts"


@dataclass
class Run:
    wall: float
    cpu: float
    peak_pss_mb: float
    max_rss_mb: float
    written: int


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


def tree_pss_kb(root: int) -> int:
    """The sum of PSS over a process and its descendants (Linux /proc)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


def measure(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float, float]:
    """(wall s, CPU s of the tree, peak tree PSS MB, largest single RSS MB) of one command."""
    peak = [0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            began = time.perf_counter()
            peak[0] = max(peak[0], tree_pss_kb(proc.pid))
            done.wait(max(SAMPLE_SECONDS, SAMPLE_SHARE * (time.perf_counter() - began)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, peak[0] / 1024, usage.ru_maxrss / 1024


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            stat = os.stat(os.path.join(root, name))
            found[os.path.join(root, name)] = (stat.st_ino, stat.st_mtime_ns)
    return found


def written_between(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    return sum(1 for path, stamp in after.items() if before.get(path) != stamp)


def fresh_kernel_state(corpus: Path, warm: list[str]) -> bool:
    """Flush dirty pages and caches, then read the corpus and run ``warm`` (which loads the
    tool itself), so every cold build starts from the same state."""
    subprocess.run(["sync"], check=False)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
    except OSError:
        return False
    for root, _dirs, files in os.walk(corpus):
        for name in files:
            Path(root, name).read_bytes()
    subprocess.run(warm, check=False, capture_output=True)
    return True


def timed_build(cmd: list[str], cwd: Path, out: Path, env: dict[str, str] | None = None) -> Run:
    before = stamps(out) if out.exists() else {}
    wall, cpu, pss, rss = measure(cmd, cwd, env)
    return Run(wall, cpu, pss, rss, written_between(before, stamps(out)))


def move_aside(paths: list[Path], work: Path) -> list[Path]:
    """Rename each existing path to a free ``<name>.old-N`` in ``work`` and return the new
    names. A cold build then starts without a previous output, and no tool's timed command
    spends time deleting the last one's tree (thoughtgen would delete its kept previous
    tree while swapping); the caller removes the renamed folders after timing."""
    moved = []
    for path in paths:
        if not path.exists():
            continue
        name = path.relative_to(work).as_posix().replace("/", "-")
        n = 1
        while (work / f"{name}.old-{n}").exists():
            n += 1
        target = work / f"{name}.old-{n}"
        path.rename(target)
        moved.append(target)
    return moved


def remove(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def middle_post(site: Path) -> Path:
    """A published post in the middle of the corpus (not a draft, not dated in the future)."""
    posts = sorted((site / "content" / "posts").glob("*.md"))
    for path in posts[len(posts) // 2 :] + posts[: len(posts) // 2]:
        text = path.read_text(encoding="utf-8")
        if "\ndraft: true\n" not in text and "\ndate: 2099" not in text:
            return path
    raise SystemExit(f"no published post in {site}")


def generate(fmt: str, posts: int, target: Path) -> None:
    if target.exists():
        return
    subprocess.run(
        [sys.executable, str(GEN_CORPUS), "--n", str(posts), "--format", fmt, str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def repo_env() -> dict[str, str]:
    """The environment thoughtgen is run in: this checkout's package first."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def build_command(site: Path, out: Path) -> list[str]:
    """``thoughtgen build`` of ``site`` into ``out``, as the bench times it."""
    return [
        sys.executable, "-m", "thoughtgen", "build", "--quiet",
        "--source", str(site), "--output", str(out),
    ]  # fmt: skip


def build_state(site: Path, out: Path) -> list[Path]:
    """What thoughtgen's builds of ``site`` into ``out`` leave: the output, the previous
    output kept beside it, and the cache."""
    return [out, out.with_name(f".{out.name}.previous"), site / ".thoughtgen"]


def bench_thoughtgen(work: Path, posts: int, runs: int, notes: list[str]) -> dict[str, Series]:
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    out = work / f"thoughtgen-{posts}-out"
    cmd = build_command(site, out)
    env = repo_env()

    def aside() -> list[Path]:
        return move_aside(build_state(site, out), work)

    names = ("cold", "no change", "edit one post", FIRST_EDIT)
    series = {name: Series(name) for name in names}
    series.update({label: Series(label) for label in FEATURE_SWITCHES})
    warm = [sys.executable, "-c", BUILD_IMPORTS]
    config = site / "thoughtgen.yaml"
    settings = config.read_text(encoding="utf-8")
    # Cold builds in rounds: the default build, then each per-post feature turned off, so
    # the differences (what each feature costs) are not skewed by the machine drifting
    # between one series and the next.
    for _ in range(runs):
        for label, option in {"cold": "", **FEATURE_SWITCHES}.items():
            config.write_text(settings + (f"\n{option}\n" if option else ""), encoding="utf-8")
            old = aside()
            if not fresh_kernel_state(site, warm):
                notes.append("caches were not flushed before cold builds (needs root)")
            series[label].runs.append(timed_build(cmd, work, out, env))
            remove(old)
    config.write_text(settings, encoding="utf-8")
    remove(aside())
    timed_build(cmd, work, out, env)  # a cold build: the cache and the output
    # Warm builds take seconds: more of them, for a median the machine's moods move less.
    warm_runs = max(runs, WARM_RUNS)
    for _ in range(warm_runs):
        series["no change"].runs.append(timed_build(cmd, work, out, env))
    victim = middle_post(site)
    original = victim.read_text(encoding="utf-8")
    try:
        # Builds that change nothing keep no previous tree beside the output, and a cold
        # build none either, so the first edit makes one (a hard link per file); it is timed
        # on its own. Every build after it finds the previous tree and updates it in place,
        # as a writer's builds do.
        victim.write_text(original + "\nA first sentence after the cold build.\n", encoding="utf-8")
        series[FIRST_EDIT].runs.append(timed_build(cmd, work, out, env))
        for n in range(warm_runs):
            victim.write_text(
                original + f"\nOne more sentence, edit number {n + 1}.\n", encoding="utf-8"
            )
            series["edit one post"].runs.append(timed_build(cmd, work, out, env))
    finally:
        victim.write_text(original, encoding="utf-8")
    remove(aside())
    return series


# Cold builds with one per-post feature turned off; the difference is that feature's cost.
FEATURE_SWITCHES = {
    "cold, share cards off": "share_cards: false",
    "cold, related posts off": "related_posts: 0",
}
FEATURE_NAMES = {
    "cold, share cards off": "share cards",
    "cold, related posts off": "related posts",
}


def bench_peer(name: str, work: Path, posts: int, runs: int) -> Series | None:
    exe = shutil.which(name)
    if exe is None:
        return None
    site = work / f"{name}-{posts}"
    generate(name, posts, site)
    out = work / f"{name}-{posts}-out"
    if name == "hugo":
        cmd = [exe, "--quiet", "--source", str(site), "--destination", str(out)]
    else:
        cmd = [
            exe,
            "--quiet",
            str(site / "content"),
            "--settings",
            str(site / "pelicanconf.py"),
            "--output",
            str(out),
        ]
    series = Series(f"{name} cold")
    for _ in range(runs):
        old = move_aside([out, site / "resources", site / "__pycache__"], work)
        fresh_kernel_state(site, [exe, "version" if name == "hugo" else "--version"])
        series.runs.append(timed_build(cmd, site, out))
        remove(old)
    remove(move_aside([out], work))
    return series


def compile_bytecode(notes: list[str]) -> None:
    """Give thoughtgen's modules their compiled bytecode, as installing a package does.

    Hugo is a compiled program and Pelican's modules were compiled when pip installed it.
    thoughtgen runs from this checkout, where Python writes bytecode on first import unless
    ``PYTHONDONTWRITEBYTECODE`` says not to; then every run would compile every module
    again, a cost no installed copy pays.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "thoughtgen")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        notes.append(
            "PYTHONDONTWRITEBYTECODE is set on this machine: thoughtgen's bytecode was "
            "compiled before the runs (`python -m compileall`), as installing it does, so "
            "that no run compiles its modules again."
        )


def help_startup(runs: int) -> float:
    env = repo_env()
    walls = [
        measure([sys.executable, "-m", "thoughtgen", "--help"], REPO, env)[0]
        for _ in range(max(5, runs * 3))
    ]
    return statistics.median(walls)


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(port: int, path: str, timeout: float) -> tuple[int, bytes] | None:
    """One GET on localhost: (status, body), or None while nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


class ServerProcess:
    """A dev server running for the length of a ``with`` block, in a session of its own so
    that stopping it stops anything it started."""

    def __init__(
        self, cmd: list[str], cwd: Path, port: int, log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.cmd, self.cwd, self.port, self.log, self.env = cmd, cwd, port, log, env
        self.started = 0.0
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        if not port_free(self.port):
            raise SystemExit(f"port {self.port} is taken: is another server still running?")
        with self.log.open("wb") as log:
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything it left behind

    def poll(
        self, path: str, done: Callable[[int, bytes], bool], timeout: float, what: str
    ) -> float:
        """Ask for ``path`` every 10 ms until ``done(status, body)``; the time it answered."""
        assert self.proc is not None
        deadline = time.perf_counter() + timeout
        while (now := time.perf_counter()) < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"{what}: the server stopped ({self.proc.returncode})\n{self.tail()}"
                )
            answer = fetch(self.port, path, min(10.0, deadline - now))
            if answer is not None and done(*answer):
                return time.perf_counter()
            time.sleep(POLL_SECONDS)
        raise SystemExit(
            f"{what}: http://127.0.0.1:{self.port}{path} not ready after {timeout:.0f} s "
            f"({' '.join(self.cmd)})\n{self.tail()}"
        )

    def start_seconds(self, page: str) -> float:
        """Seconds from starting the process until ``page`` answers 200."""
        ready = self.poll(page, lambda status, _body: status == 200, START_TIMEOUT, "start")
        return ready - self.started

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-2000:]


def retitled(text: str, title: str) -> str:
    head, sep, rest = text.partition("\ntitle:")
    _old, newline, body = rest.partition("\n")
    return f'{head}{sep} "{title}"{newline}{body}'


def showing(word: str) -> Callable[[int, bytes], bool]:
    return lambda status, body: status == 200 and word.encode() in body


def edits_served(
    server: ServerProcess, page: str, post: Path, edits: int
) -> dict[str, list[float]]:
    """Seconds from writing an edit of ``post`` until ``page`` shows it, ``edits`` times each
    for the body (one new word at the end) and the title (a new one)."""
    original = post.read_text(encoding="utf-8")
    seconds: dict[str, list[float]] = {"edit, body": [], "edit, title": []}
    counter = 0
    try:
        for kind in seconds:
            for _ in range(edits):
                counter += 1
                time.sleep(1.0)
                word = f"zq{counter}{secrets.token_hex(4)}"
                if kind == "edit, body":
                    text = original + f"\n{word}\n"
                else:
                    word = word.capitalize()  # letters and digits: the page shows it unescaped
                    text = retitled(original, word)
                started = time.perf_counter()
                post.write_text(text, encoding="utf-8")
                shown = server.poll(page, showing(word), EDIT_TIMEOUT, f"{kind} of {post.name}")
                seconds[kind].append(shown - started)
    finally:
        post.write_text(original, encoding="utf-8")
    return seconds


def post_slug(post: Path) -> str:
    for line in post.read_text(encoding="utf-8").splitlines()[1:]:
        if line == "---":
            break
        if line.startswith("slug:"):
            return str(json.loads(line.split(":", 1)[1].strip()))
    return post.stem


def serve_thoughtgen(
    work: Path, posts: int, runs: int, edits: int, notes: list[str]
) -> dict[str, list[float]]:
    """Cold starts (no ``.thoughtgen/``, caches dropped), each beside a cold ``build`` of the
    same site (in turn before and after it, so a drift of the machine favours neither), warm
    starts (the serve cache an earlier session left), then edits in the last warm session."""
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    post = middle_post(site)
    page = f"/posts/{post_slug(post)}/"
    port = free_port()  # one port for every session: the served pages' base URL names it
    cmd = [sys.executable, "-m", "thoughtgen", "serve", "--source", str(site), "--port", str(port)]
    env = repo_env()
    warm = [sys.executable, "-c", "import thoughtgen.serve, thoughtgen.mdext, watchfiles"]
    log = work / f"serve-thoughtgen-{posts}.log"
    out = work / f"thoughtgen-{posts}-beside-out"
    build = build_command(site, out)
    times: dict[str, list[float]] = {"start, cold": [], "start, warm": [], COLD_BESIDE: []}

    def cold_start() -> None:
        old = move_aside([site / ".thoughtgen"], work)
        if not fresh_kernel_state(site, warm):
            notes.append("caches were not flushed before cold starts (needs root)")
        with ServerProcess(cmd, work, port, log, env) as server:
            times["start, cold"].append(server.start_seconds(page))
        remove(old)

    def cold_build() -> None:
        """Timed as a start is; what the serve sessions keep in ``.thoughtgen/`` stays."""
        held = move_aside([site / ".thoughtgen"], work)
        fresh_kernel_state(site, [sys.executable, "-c", BUILD_IMPORTS])
        started = time.perf_counter()
        subprocess.run(build, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
        times[COLD_BESIDE].append(time.perf_counter() - started)
        remove(move_aside([out, site / ".thoughtgen"], work))
        for path in held:
            os.rename(path, site / ".thoughtgen")

    for run in range(runs):
        for step in (cold_build, cold_start) if run % 2 == 0 else (cold_start, cold_build):
            step()
        with ServerProcess(cmd, work, port, log, env) as server:
            times["start, warm"].append(server.start_seconds(page))
            if run == runs - 1:
                server.poll(
                    "/__thoughtgen/status",
                    lambda status, body: status == 200 and json.loads(body)["watching"],
                    EDIT_TIMEOUT,
                    "waiting for the watcher",
                )
                times.update(edits_served(server, page, post, edits))
    remove(move_aside([site / ".thoughtgen"], work))
    return times


def serve_hugo(work: Path, posts: int, runs: int, edits: int) -> dict[str, list[float]] | None:
    """A first start (caches dropped) and a second one, then edits in the last second one."""
    exe = shutil.which("hugo")
    if exe is None:
        return None
    site = work / f"hugo-{posts}"
    generate("hugo", posts, site)
    post = middle_post(site)
    page = f"/posts/{post_slug(post)}/"
    port = free_port()
    cmd = [exe, "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1"]
    log = work / f"serve-hugo-{posts}.log"
    times: dict[str, list[float]] = {"start, first": [], "start, second": []}
    for run in range(runs):
        old = move_aside([site / "resources"], work)
        fresh_kernel_state(site, [exe, "version"])
        with ServerProcess(cmd, work, port, log) as server:
            times["start, first"].append(server.start_seconds(page))
        remove(old)
        with ServerProcess(cmd, work, port, log) as server:
            times["start, second"].append(server.start_seconds(page))
            if run == runs - 1:
                time.sleep(1.0)  # hugo has no status to ask; its watcher is up by then
                times.update(edits_served(server, page, post, edits))
    return times


def bench_serve(
    work: Path, posts: int, runs: int, edits: int, peers: bool, notes: list[str]
) -> ServeTimes:
    """The writing loop of each tool, one server at a time."""
    times = {"thoughtgen": serve_thoughtgen(work, posts, runs, edits, notes)}
    hugo = serve_hugo(work, posts, runs, edits) if peers else None
    if hugo is not None:
        times["hugo"] = hugo
    elif peers:
        notes.append("hugo is not on PATH: hugo server not measured")
    return times


def profile_build(site: Path, out: Path) -> str:
    """The top functions (by own time) of one build in one process, from cProfile."""
    return profiled(
        "from thoughtgen.build import BuildOptions, build\n"
        f"options = BuildOptions(site_dir=Path({str(site)!r}), output_dir=Path({str(out)!r}),"
        " jobs=1)\n",
        "build(options)",
    )


def profiled(setup: str, call: str) -> str:
    """The top functions (by own time) of ``call``, run after ``setup`` in a new process."""
    script = (
        "import cProfile, pstats, io\n"
        "from pathlib import Path\n"
        f"{setup}"
        "profile = cProfile.Profile()\n"
        f"profile.runcall(lambda: {call})\n"
        "text = io.StringIO()\n"
        "pstats.Stats(profile, stream=text).sort_stats('tottime').print_stats(18)\n"
        "print(text.getvalue())\n"
    )
    env = repo_env()
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    lines = result.stdout.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    head = next(line for line in lines if "function calls" in line).strip()
    repo_prefix = str(REPO) + "/"
    body = [line.replace(repo_prefix, "").replace(sys.prefix + "/", "") for line in lines[start:]]
    return head + "\n\n" + "\n".join(body)


def profile_serve_edit(work: Path, posts: int) -> str:
    """The profile of what ``serve`` does when one post's body is saved: a rebuild of its warm
    session (primed, and one edit made before, as in a writing session), in one process
    that runs a second thread, as serve does."""
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    out = work / "profile-out"
    leftovers = build_state(site, out)
    remove(leftovers)
    post = middle_post(site)
    original = post.read_text(encoding="utf-8")
    setup = (
        "import threading\n"
        "from thoughtgen.build import BuildOptions, build\n"
        "from thoughtgen.session import session\n"
        f"post = Path({str(post)!r})\n"
        f"options = BuildOptions(site_dir=Path({str(site)!r}), output_dir=Path({str(out)!r}),"
        " base_url='http://127.0.0.1:8000/', accept_new_ids=True)\n"
        "build(options)\n"
        "threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
        "warm = session(options).__enter__()\n"
        "warm.prime()\n"
        f"post.write_text({original!r} + '\\nA first edit.\\n', encoding='utf-8')\n"
        "warm.rebuild([post])\n"
        f"post.write_text({original!r} + '\\nA second edit.\\n', encoding='utf-8')\n"
    )
    try:
        return profiled(setup, "warm.rebuild([post])")
    finally:
        post.write_text(original, encoding="utf-8")
        remove(leftovers)


def profile_cold(work: Path, posts: int) -> str:
    """The profile of a one-process cold build."""
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    out = work / "profile-out"
    leftovers = build_state(site, out)
    remove(leftovers)
    try:
        return profile_build(site, out)
    finally:
        remove(leftovers)


def profile_edit(work: Path, posts: int) -> str:
    """The profile of a one-process rebuild after a sentence is added to one post, from the
    state earlier builds leave: a warm cache and the previous output kept beside the output."""
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    out = work / "profile-out"
    leftovers = build_state(site, out)
    remove(leftovers)
    cmd = build_command(site, out)
    env = repo_env()
    post = middle_post(site)
    original = post.read_text(encoding="utf-8")
    try:
        # A cold build, then an edit, which keeps the previous tree beside the output.
        subprocess.run(cmd, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
        post.write_text(original + "\nA first sentence.\n", encoding="utf-8")
        subprocess.run(cmd, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
        post.write_text(original + "\nOne more sentence, for the profile.\n", encoding="utf-8")
        return profile_build(site, out)
    finally:
        post.write_text(original, encoding="utf-8")
        remove(leftovers)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} memory, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def version(cmd: list[str]) -> str:
    try:
        return (
            subprocess.run(cmd, capture_output=True, text=True, check=False)
            .stdout.strip()
            .splitlines()[0]
        )
    except (OSError, IndexError):
        return "?"


def fmt_row(label: str, series: Series) -> str:
    return (
        f"| {label} | {series.median('wall'):.2f} s | {series.median('cpu'):.2f} s | "
        f"{series.median('peak_pss_mb'):.0f} MB | {series.median('max_rss_mb'):.0f} MB | "
        f"{series.median('written'):.0f} |"
    )


def report(
    sizes: list[int],
    results: dict[int, dict[str, Series]],
    serve: dict[int, ServeTimes],
    startup: float | None,
    profiles: list[tuple[str, str]],
    command: str,
    notes: list[str],
) -> str:
    big = max(sizes)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}` on {machine()}.",
        f"Peers: {version(['hugo', 'version'])}; {version(['pelican', '--version'])} "
        "(Pelican with Python-Markdown).",
        "",
        f"Medians of the runs (builds that change nothing and edits: at least {WARM_RUNS} "
        "runs each, they take seconds). *Peak memory* is the largest sum of PSS over the "
        "process tree (so forked workers sharing pages are not counted twice), sampled no "
        "more often than keeps the sampler under about 5% of one core (reading a big "
        "process's PSS is slow, "
        "and a sampler taking a third of a core slowed every multi-core build it watched); "
        "*max RSS* is the largest single process. *Written* counts output files created or "
        "replaced (a hard-linked unchanged file keeps its inode and mtime and is not counted).",
        "",
    ]
    for size in sizes:
        if size in results:
            lines += build_table(size, results[size])
    for size in sizes:
        if size in serve:
            lines += serve_table(size, serve[size])
    lines += targets(sizes, results, serve, startup)
    if big in results:
        lines += feature_costs(results[big], big)
    lines += method_notes(notes, building=bool(results), serving=bool(serve))
    for heading, profile in profiles:
        lines += [f"## {heading}", "", "```", profile, "```", ""]
    return "\n".join(lines)


def build_table(size: int, data: dict[str, Series]) -> list[str]:
    lines = [
        f"## {size:,} posts",
        "",
        "| build | wall | CPU | peak memory | max RSS | written |",
        "|---|---|---|---|---|---|",
    ]
    lines += [fmt_row(name, series) for name, series in data.items()]
    return [*lines, ""]


# (row, thoughtgen's measure, hugo server's measure)
SERVE_ROWS = (
    ("edit → served, body", "edit, body", "edit, body"),
    ("edit → served, title", "edit, title", "edit, title"),
    ("start, cold", "start, cold", None),
    ("`build`, cold, beside the cold starts", COLD_BESIDE, None),
    ("start, warm (hugo: second start)", "start, warm", "start, second"),
    ("start (hugo: first start)", None, "start, first"),
)


def spread(values: list[float] | None) -> str:
    if not values:
        return "—"
    return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"


def serve_table(size: int, times: ServeTimes) -> list[str]:
    ours, hugo = times["thoughtgen"], times.get("hugo", {})
    lines = [
        f"## Writing loop: serve vs hugo server ({size:,} posts)",
        "",
        "| measure | thoughtgen serve, median (range) | hugo server, median (range) | ratio |",
        "|---|---|---|---|",
    ]
    for label, mine, theirs in SERVE_ROWS:
        a = ours.get(mine) if mine else None
        b = hugo.get(theirs) if theirs else None
        ratio = f"{statistics.median(a) / statistics.median(b):.3f}" if a and b else "—"
        lines.append(f"| {label} | {spread(a)} | {spread(b)} | {ratio} |")
    return [*lines, ""]


def verdict(value: float | None, limit: float, strict: bool = True) -> str:
    if value is None:
        return "not measured"
    return "met" if (value < limit if strict else value <= limit) else "**not met**"


def targets(
    sizes: list[int],
    results: dict[int, dict[str, Series]],
    serve: dict[int, ServeTimes],
    startup: float | None,
) -> list[str]:
    big = max(sizes)
    rows = build_targets(sizes, results, startup) if big in results else []
    if big in serve:
        rows += serve_targets(serve[big], results.get(big, {}).get("cold"))
    if not rows:
        return []
    return [
        f"## Targets at {big:,} posts",
        "",
        "| target | measured | limit | result |",
        "|---|---|---|---|",
        *rows,
        "",
    ]


def build_targets(
    sizes: list[int], results: dict[int, dict[str, Series]], startup: float | None
) -> list[str]:
    big, small = max(sizes), min(sizes)
    data = results[big]
    hugo, pelican = data.get("hugo cold"), data.get("pelican cold")

    def share(a: float, b: Series | None, attr: str = "wall") -> float | None:
        return a / b.median(attr) if b else None

    def shown(value: float | None) -> str:
        return "no peer measured" if value is None else f"{value:.3f}"

    edit, nochange, cold = (data["edit one post"], data["no change"], data["cold"])
    first = data.get(FIRST_EDIT)
    first_r = share(first.median("wall"), hugo) if first else None
    growth = cold.median("wall") / results[small]["cold"].median("wall")
    edit_r = share(edit.median("wall"), hugo)
    none_r = share(nochange.median("wall"), hugo)
    cold_r = share(cold.median("wall"), pelican)
    mem_r = share(cold.median("peak_pss_mb"), hugo, "peak_pss_mb")
    none_ok = verdict(none_r, 0.15) if nochange.median("written") == 0 else "**not met**"
    help_ok = "not measured" if startup is None else "met" if startup < 0.15 else "**not met**"
    help_ms = "—" if startup is None else f"{startup * 1000:.0f} ms"
    return [
        f"| 1. edit one post, rebuild ÷ Hugo full build | {shown(edit_r)} "
        f"({edit.median('written'):.0f} files written) | < 0.3 | {verdict(edit_r, 0.3)} |",
        f"| 1b. the same, stricter goal | {shown(edit_r)} | ≤ 0.18 | "
        f"{verdict(edit_r, 0.18, strict=False)} |",
        f"| 1c. the first edit after a cold build ÷ Hugo full build (it makes the tree kept "
        f"beside the output) | {shown(first_r)} | — | for information |",
        f"| 2. rebuild, nothing changed ÷ Hugo full build | {shown(none_r)}"
        f" ({nochange.median('written'):.0f} files written) | < 0.15, 0 files | {none_ok} |",
        f"| 3. cold build ÷ Pelican | {shown(cold_r)} | < 0.4 | {verdict(cold_r, 0.4)} |",
        f"| 3b. the same, stricter goal | {shown(cold_r)} | ≤ 0.35 | "
        f"{verdict(cold_r, 0.35, strict=False)} |",
        f"| 4. peak memory, cold ÷ Hugo | {shown(mem_r)} | < 0.25 | {verdict(mem_r, 0.25)} |",
        f"| 5. cold time({big:,}) ÷ time({small:,}) | {growth:.2f} | ≤ 11 | "
        f"{'met' if growth <= 11 and big == 10 * small else 'see sizes'} |",
        f"| 6. `thoughtgen --help` wall | {help_ms} | < 150 ms | {help_ok} |",
    ]


def serve_targets(times: ServeTimes, cold_build: Series | None) -> list[str]:
    ours, hugo = times["thoughtgen"], times.get("hugo")

    def against(mine: list[float], theirs: list[float] | None) -> list[str]:
        """The measured and result cells of "``mine`` ≤ 0.5 × ``theirs``"."""
        if not theirs:
            return ["no hugo server measured", "not measured"]
        a, b = statistics.median(mine), statistics.median(theirs)
        return [f"{a / b:.3f} ({a:.3f} s ÷ {b:.3f} s)", verdict(a / b, 0.5, strict=False)]

    hugo_starts = hugo["start, first"] + hugo["start, second"] if hugo else None
    body = against(ours["edit, body"], hugo["edit, body"] if hugo else None)
    title = against(ours["edit, title"], hugo["edit, title"] if hugo else None)
    warm = against(ours["start, warm"], hugo_starts)
    cold = ["no cold build measured", "not measured"]
    beside = ours.get(COLD_BESIDE)
    builds = statistics.median(beside) if beside else cold_build and cold_build.median("wall")
    if builds:  # the limit is the whole cold build, not half of it
        a = statistics.median(ours["start, cold"])
        cold = [f"{a / builds:.3f} ({a:.3f} s ÷ {builds:.3f} s)", verdict(a / builds, 1.0, False)]
    return [
        f"| 7. serve: edit → served, body ÷ hugo server | {body[0]} | ≤ 0.5 | {body[1]} |",
        f"| 8. serve: edit → served, title ÷ hugo server | {title[0]} | ≤ 0.5 | {title[1]} |",
        f"| 9. serve: warm start ÷ hugo server start | {warm[0]} | ≤ 0.5 | {warm[1]} |",
        f"| 10. serve: cold start ÷ cold build wall | {cold[0]} | ≤ 1 | {cold[1]} |",
    ]


def method_notes(notes: list[str], building: bool, serving: bool) -> list[str]:
    build_notes = [
        "- Every tool builds the same generated corpus (same posts, tags, dates and URL "
        "scheme; drafts and far-future posts excluded), into a fresh output folder for cold "
        "builds: the previous output (and thoughtgen's kept previous tree and cache) is "
        "renamed aside before the timed build and deleted after it, for every tool alike.",
        "- thoughtgen uses both cores (forked workers for parsing and rendering; in a warm "
        "build, a forked process checks the output folder while the site is read, so its "
        "CPU time can exceed its wall time); its warm builds start from the state the "
        "previous build left: the cache in "
        "`.thoughtgen/cache/` and the previous output tree kept beside the output.",
        "- The edit appends a sentence to one post in the middle of the corpus, a different "
        "sentence each run. Target 1's edits follow one edit made after the cold and "
        "no-change builds: those leave no previous tree beside the output, so that first "
        "edit makes it (one hard link per file); it is timed on its own row (1c).",
        "- Before each cold build of every tool (as root) the script syncs, drops the page "
        "cache, reads the corpus and starts the tool once, so no build inherits another's "
        "dirty pages; on this virtual machine file creation slows down markedly as the page "
        "cache fills, which would otherwise penalise whichever tool runs later.",
    ]
    serve_notes = [
        "- Serve: one server runs at a time, on the same post for both tools. A start is "
        "timed from launching the process until that post's page answers 200 (polled every "
        "10 ms); an edit (a new word at the end of the body, or a new title) is timed from "
        "the write until the page shows it, after the server watches (thoughtgen's status "
        "says so; hugo is given 1 s) and 1 s after the last edit was served.",
        "- Serve starts: thoughtgen's cold start has no `.thoughtgen/` and dropped caches, its "
        "warm start finds the serve cache of the session before; hugo's first start follows "
        "dropped caches, its second does not. Target 9 divides by the median of all of "
        "hugo's starts, first and second together.",
        "- Target 10 divides thoughtgen's cold serve start by its cold `build` of the same "
        "site timed in the same rounds (each build beside a start, in turn before and after "
        "it, with the same preparation and the same wall clock from launch), not by the cold "
        "builds measured minutes earlier: on this machine the speed drifts more over minutes "
        "than the two differ.",
    ]
    return [
        "## Method notes",
        "",
        *(build_notes if building else []),
        *(serve_notes if serving else []),
        *(f"- {note}" for note in sorted(set(notes))),
        "",
    ]


def feature_costs(data: dict[str, Series], posts: int) -> list[str]:
    """What each per-post feature adds to the cold build, from the runs with it off."""
    cold = data["cold"]
    rows = [
        f"## What per-post features cost, cold build of {posts:,} posts",
        "",
        "| feature | cold with it | cold without | added wall | added CPU per post | "
        "share of the cold build |",
        "|---|---|---|---|---|---|",
    ]
    for label, name in FEATURE_NAMES.items():
        without = data.get(label)
        if without is None:
            continue
        added = cold.median("wall") - without.median("wall")
        cpu = (cold.median("cpu") - without.median("cpu")) / posts * 1000
        rows.append(
            f"| {name} | {cold.median('wall'):.2f} s | {without.median('wall'):.2f} s | "
            f"{added:+.2f} s | {cpu:+.2f} ms | {added / cold.median('wall'):+.1%} |"
        )
    return [*rows, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (median)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=REPO / "bench" / ".work",
        help="scratch folder for corpora and outputs",
    )
    parser.add_argument("--no-peers", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the report")
    parser.add_argument(
        "--serve-edits", type=int, default=5, help="edits of each kind timed on each server"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-serve", action="store_true", help="skip the serve measurement")
    which.add_argument("--only-serve", action="store_true", help="measure serving only")
    args = parser.parse_args()
    if args.serve_edits < 1:
        parser.error("--serve-edits must be at least 1")
    if not GEN_CORPUS.is_file():
        raise SystemExit(f"corpus generator not found at {GEN_CORPUS}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    remove(sorted(args.workdir.glob("*.old-*")))  # left by an interrupted run
    sizes = sorted(args.posts)
    notes: list[str] = []
    compile_bytecode(notes)
    results: dict[int, dict[str, Series]] = {}
    serve: dict[int, ServeTimes] = {}
    for size in sizes:
        print(f"== {size} posts", flush=True)
        if not args.only_serve:
            results[size] = bench_builds(args.workdir, size, args.runs, args.no_peers, notes)
        if not args.no_serve:
            serve[size] = bench_serve(
                args.workdir, size, args.runs, args.serve_edits, not args.no_peers, notes
            )
            print("\n".join(serve_table(size, serve[size])), flush=True)
    startup, profiles = None, []
    if not args.no_serve:
        profiles.append(
            (
                f"Profile of serve's rebuild after a post's body is saved ({max(sizes):,} posts)",
                profile_serve_edit(args.workdir, max(sizes)),
            )
        )
    if not args.only_serve:
        startup = help_startup(args.runs)
        profiles += [
            (
                f"Profile of a cold build ({min(sizes):,} posts, one process)",
                profile_cold(args.workdir, min(sizes)),
            ),
            (
                f"Profile of a one-post edit, rebuilt from a warm cache ({max(sizes):,} posts, "
                "one process)",
                profile_edit(args.workdir, max(sizes)),
            ),
        ]
    text = report(sizes, results, serve, startup, profiles, command_line(args, sizes), notes)
    args.results.write_text(text, encoding="utf-8")
    print(text)


def bench_builds(
    work: Path, size: int, runs: int, no_peers: bool, notes: list[str]
) -> dict[str, Series]:
    data = bench_thoughtgen(work, size, runs, notes)
    for peer in [] if no_peers else ["hugo", "pelican"]:
        series = bench_peer(peer, work, size, runs)
        if series is None:
            notes.append(f"{peer} is not on PATH: not measured")
        else:
            data[series.label] = series
    for name, series in data.items():
        print(fmt_row(name, series), flush=True)
    return data


def command_line(args: argparse.Namespace, sizes: list[int]) -> str:
    """The options that shaped what was measured, as a command to run again."""
    words = ["python bench/run.py --posts", *map(str, sizes), "--runs", str(args.runs)]
    if not args.no_serve and args.serve_edits != 5:
        words += ["--serve-edits", str(args.serve_edits)]
    words += [
        flag
        for flag in ("--no-peers", "--no-serve", "--only-serve")
        if getattr(args, flag[2:].replace("-", "_"))
    ]
    return " ".join(words)


if __name__ == "__main__":
    main()
