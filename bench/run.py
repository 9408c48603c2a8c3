#!/usr/bin/env python3
"""Measure thoughtgen's build speed and memory side by side with Hugo and Pelican.

    python bench/run.py --posts 1000 10000          # prints a table, writes bench/RESULTS.md

For each corpus size it generates the same corpus for every tool (with
``../shared/bench/gen_corpus.py``) and measures, several times each:

* thoughtgen: a cold build (no cache, no previous output), a rebuild with nothing
  changed, and a rebuild after editing one post (warm cache);
* Hugo and Pelican, when ``hugo`` and ``pelican`` are on PATH: a full clean build.

It reports medians of wall time, CPU time (the whole process tree), peak memory (the
largest sum of PSS over the process tree, sampled every 20 ms, and the largest single
RSS), and how many output files each build wrote, then the ratios the project's speed
targets are stated in. Before every cold build, when it runs as root, it flushes the
kernel's caches and reads the corpus once, so each tool starts from the same state.
Nothing here is a test: it measures and prints.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN_CORPUS = REPO.parent / "shared" / "bench" / "gen_corpus.py"
RESULTS = REPO / "bench" / "RESULTS.md"
SAMPLE_SECONDS = 0.02


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
            peak[0] = max(peak[0], tree_pss_kb(proc.pid))
            done.wait(SAMPLE_SECONDS)

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


def generate(fmt: str, posts: int, target: Path) -> None:
    if target.exists():
        return
    subprocess.run(
        [sys.executable, str(GEN_CORPUS), "--n", str(posts), "--format", fmt, str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def bench_thoughtgen(work: Path, posts: int, runs: int, notes: list[str]) -> dict[str, Series]:
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    out = work / f"thoughtgen-{posts}-out"
    cmd = [
        sys.executable,
        "-m",
        "thoughtgen",
        "build",
        "--quiet",
        "--source",
        str(site),
        "--output",
        str(out),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def reset() -> None:
        for path in (out, out.with_name(f".{out.name}.previous"), site / ".thoughtgen"):
            shutil.rmtree(path, ignore_errors=True)

    series = {name: Series(name) for name in ("cold", "no change", "edit one post")}
    series.update({label: Series(label) for label in FEATURE_SWITCHES})
    warm = [sys.executable, "-c", "import thoughtgen.build, thoughtgen.mdext, feedgen.feed"]
    config = site / "thoughtgen.yaml"
    settings = config.read_text(encoding="utf-8")
    # Cold builds in rounds: the default build, then each per-post feature turned off, so
    # the differences (what each feature costs) are not skewed by the machine drifting
    # between one series and the next.
    for _ in range(runs):
        for label, option in {"cold": "", **FEATURE_SWITCHES}.items():
            config.write_text(settings + (f"\n{option}\n" if option else ""), encoding="utf-8")
            reset()
            if not fresh_kernel_state(site, warm):
                notes.append("caches were not flushed before cold builds (needs root)")
            series[label].runs.append(timed_build(cmd, work, out, env))
    config.write_text(settings, encoding="utf-8")
    reset()
    timed_build(cmd, work, out, env)  # a cold build, then one that keeps the previous tree
    timed_build(cmd, work, out, env)
    for _ in range(runs):
        series["no change"].runs.append(timed_build(cmd, work, out, env))
    victim = sorted((site / "content" / "posts").glob("*.md"))[
        len(os.listdir(site / "content" / "posts")) // 2
    ]
    original = victim.read_text(encoding="utf-8")
    try:
        for n in range(runs):
            victim.write_text(
                original + f"\nOne more sentence, edit number {n + 1}.\n", encoding="utf-8"
            )
            series["edit one post"].runs.append(timed_build(cmd, work, out, env))
    finally:
        victim.write_text(original, encoding="utf-8")
    reset()
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
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        shutil.rmtree(site / "__pycache__", ignore_errors=True)
        fresh_kernel_state(site, [exe, "version" if name == "hugo" else "--version"])
        series.runs.append(timed_build(cmd, site, out))
    shutil.rmtree(out, ignore_errors=True)
    return series


def help_startup(runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    walls = [
        measure([sys.executable, "-m", "thoughtgen", "--help"], REPO, env)[0]
        for _ in range(max(5, runs * 3))
    ]
    return statistics.median(walls)


def profile_cold(work: Path, posts: int) -> str:
    """Stage timings and the top functions of a one-process cold build, from cProfile."""
    site = work / f"thoughtgen-{posts}"
    generate("thoughtgen", posts, site)
    out = work / "profile-out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".thoughtgen", ignore_errors=True)
    script = (
        "import cProfile, pstats, io\n"
        "from pathlib import Path\n"
        "from thoughtgen.build import BuildOptions, build\n"
        f"options = BuildOptions(site_dir=Path({str(site)!r}), output_dir=Path({str(out)!r}),"
        " jobs=1)\n"
        "profile = cProfile.Profile()\n"
        "profile.runcall(build, options)\n"
        "text = io.StringIO()\n"
        "pstats.Stats(profile, stream=text).sort_stats('tottime').print_stats(18)\n"
        "print(text.getvalue())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".thoughtgen", ignore_errors=True)
    lines = result.stdout.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    head = next(line for line in lines if "function calls" in line).strip()
    repo_prefix = str(REPO) + "/"
    body = [line.replace(repo_prefix, "").replace(sys.prefix + "/", "") for line in lines[start:]]
    return head + "\n\n" + "\n".join(body)


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
    startup: float,
    profile: str,
    runs: int,
    notes: list[str],
) -> str:
    big, small = max(sizes), min(sizes)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python bench/run.py --posts "
        f"{' '.join(map(str, sizes))} --runs {runs}` on {machine()}.",
        f"Peers: {version(['hugo', 'version'])}; {version(['pelican', '--version'])} "
        "(Pelican with Python-Markdown).",
        "",
        "Medians of the runs. *Peak memory* is the largest sum of PSS over the process tree "
        "(so forked workers sharing pages are not counted twice); *max RSS* is the largest "
        "single process. *Written* counts output files created or replaced (a hard-linked "
        "unchanged file keeps its inode and mtime and is not counted).",
        "",
    ]
    for size in sizes:
        data = results[size]
        lines += [
            f"## {size:,} posts",
            "",
            "| build | wall | CPU | peak memory | max RSS | written |",
            "|---|---|---|---|---|---|",
        ]
        for name, series in data.items():
            lines.append(fmt_row(name, series))
        lines.append("")
    data = results[big]
    hugo, pelican = data.get("hugo cold"), data.get("pelican cold")

    def ratio(a: float, b: Series | None, attr: str = "wall") -> str:
        return f"{a / b.median(attr):.3f}" if b else "no peer measured"

    def verdict(value: float, limit: float, peer: Series | None) -> str:
        if peer is None:
            return "not measured"
        return "met" if value < limit else "**not met**"

    edit, nochange, cold = (data["edit one post"], data["no change"], data["cold"])
    growth = cold.median("wall") / results[small]["cold"].median("wall")
    edit_r = edit.median("wall") / hugo.median("wall") if hugo else 0.0
    none_r = nochange.median("wall") / hugo.median("wall") if hugo else 0.0
    cold_r = cold.median("wall") / pelican.median("wall") if pelican else 0.0
    mem_r = cold.median("peak_pss_mb") / hugo.median("peak_pss_mb") if hugo else 0.0
    lines += [
        f"## Targets at {big:,} posts",
        "",
        "| target | measured | limit | result |",
        "|---|---|---|---|",
        f"| 1. edit one post, rebuild ÷ Hugo full build | {ratio(edit.median('wall'), hugo)} "
        f"({edit.median('written'):.0f} files written) | < 0.3 | {verdict(edit_r, 0.3, hugo)} |",
        f"| 2. rebuild, nothing changed ÷ Hugo full build | {ratio(nochange.median('wall'), hugo)}"
        f" ({nochange.median('written'):.0f} files written) | < 0.15, 0 files | "
        f"{verdict(none_r, 0.15, hugo) if nochange.median('written') == 0 else '**not met**'} |",
        f"| 3. cold build ÷ Pelican | {ratio(cold.median('wall'), pelican)} | < 0.4 | "
        f"{verdict(cold_r, 0.4, pelican)} |",
        f"| 4. peak memory, cold ÷ Hugo | {ratio(cold.median('peak_pss_mb'), hugo, 'peak_pss_mb')}"
        f" | < 0.25 | {verdict(mem_r, 0.25, hugo)} |",
        f"| 5. cold time({big:,}) ÷ time({small:,}) | {growth:.2f} | ≤ 11 | "
        f"{'met' if growth <= 11 and big == 10 * small else 'see sizes'} |",
        f"| 6. `thoughtgen --help` wall | {startup * 1000:.0f} ms | < 150 ms | "
        f"{'met' if startup < 0.15 else '**not met**'} |",
        "",
        *feature_costs(data, big),
        "## Method notes",
        "",
        "- Every tool builds the same generated corpus (same posts, tags, dates and URL "
        "scheme; drafts and far-future posts excluded), into a fresh output folder for cold "
        "builds.",
        "- thoughtgen uses both cores (forked workers for parsing and rendering); its warm "
        "builds start from the state the previous build left: the cache in "
        "`.thoughtgen/cache/` and the previous output tree kept beside the output.",
        "- The edit appends a sentence to one post in the middle of the corpus, a different "
        "sentence each run.",
        "- Before each cold build of every tool (as root) the script syncs, drops the page "
        "cache, reads the corpus and starts the tool once, so no build inherits another's "
        "dirty pages; on this virtual machine file creation slows down markedly as the page "
        "cache fills, which would otherwise penalise whichever tool runs later.",
        *(f"- {note}" for note in sorted(set(notes))),
        "",
        f"## Profile of a cold build ({small:,} posts, one process)",
        "",
        "```",
        profile,
        "```",
        "",
    ]
    return "\n".join(lines)


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
    args = parser.parse_args()
    if not GEN_CORPUS.is_file():
        raise SystemExit(f"corpus generator not found at {GEN_CORPUS}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = sorted(args.posts)
    notes: list[str] = []
    results: dict[int, dict[str, Series]] = {}
    for size in sizes:
        print(f"== {size} posts", flush=True)
        results[size] = bench_thoughtgen(args.workdir, size, args.runs, notes)
        for peer in [] if args.no_peers else ["hugo", "pelican"]:
            series = bench_peer(peer, args.workdir, size, args.runs)
            if series is None:
                notes.append(f"{peer} is not on PATH: not measured")
            else:
                results[size][series.label] = series
        for name, series in results[size].items():
            print(fmt_row(name, series), flush=True)
    startup = help_startup(args.runs)
    profile = profile_cold(args.workdir, min(sizes))
    text = report(sizes, results, startup, profile, args.runs, notes)
    args.results.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
