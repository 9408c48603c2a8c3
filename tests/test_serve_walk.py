"""`thoughtgen serve` under a stream of edits: what it serves always catches up with the sources.

Everything here goes through a real ``python -m thoughtgen serve`` process and HTTP, so the
same tests hold for any engine behind the server:

- after seeded random walks of edits (some landing while a rebuild runs, some breaking a
  post), the served tree equals a ``--clean`` build of the same sources, byte for byte once
  the injected reload script is taken out, and the serve folder holds exactly its files;
- an edit made while a rebuild runs is never lost;
- the server says it is idle only once every edit made so far is in;
- a client told of a new version over ``/__thoughtgen/events`` finds the whole rebuild in
  place: an edit shows on every page it touches or on none of them, never on some.

Waiting follows the status endpoint: after an edit, ``version`` must pass the one read before
it (or ``error`` must be set, for a breaking edit), then ``idle`` must hold.

THOUGHTGEN_SERVE_WALK_STEPS=N runs N steps in all (spread over the seeds) instead of the default.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import SiteMaker
from test_random_walk import TAGS, PostSource, Walk
from test_serve import TIMEOUT, Served, free_port, until_stopped

from thoughtgen.cli import main
from thoughtgen.serve import ENDPOINT, RELOAD_SCRIPT, SERVE_DIR

SEEDS = (8, 27, 32)  # with the default steps, these try every kind of edit at least once
DEFAULT_STEPS = 27
QUIET_SECONDS = 0.4  # idle must hold this long: the watcher hands over edits in batches
FALLBACK_QUIET_SECONDS = 1.5  # without an idle field, the version must hold this long
SOURCES = ("content", "themes", "thoughtgen.yaml")
SERVE = (sys.executable, "-m", "thoughtgen", "serve")
BROKEN = "---\ntitle: [broken\n---\nThis post does not read.\n"


def steps_per_seed() -> int:
    total = int(os.environ.get("THOUGHTGEN_SERVE_WALK_STEPS", DEFAULT_STEPS))
    return max(1, -(-total // len(SEEDS)))


def _reload_script_pattern() -> re.Pattern[bytes]:
    before, after = RELOAD_SCRIPT.split("%(version)d")
    fill = {"endpoint": ENDPOINT}
    return re.compile(
        re.escape((before % fill).encode()) + rb"\d+" + re.escape((after % fill).encode())
    )


RELOAD = _reload_script_pattern()


def without_reload_script(html: bytes) -> bytes:
    """The page as built: the one script serve adds before ``</body>`` taken out, nothing else."""
    found = list(RELOAD.finditer(html))
    assert len(found) == 1, f"expected one reload script, found {len(found)}"
    start, end = found[0].span()
    rest = html[end:]
    assert rest.startswith(b"</body>") or (rest == b"" and b"</body>" not in html[:start])
    return html[:start] + rest


def url_for(rel: str) -> str:
    folder, _, name = rel.rpartition("/")
    if name == "index.html":
        return quote(f"/{folder}/" if folder else "/")
    return quote(f"/{rel}")


def visible_files(folder: Path) -> dict[str, Path]:
    """Files below ``folder`` by relative path; dot files (the manifest) aside."""
    found = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found[rel.as_posix()] = path
    return found


class Watched(Served):
    """A running ``thoughtgen serve``, seen through HTTP and its output folder."""

    def fetch(self, paths: Iterable[str]) -> dict[str, tuple[int, str, bytes]]:
        """Status, content type and body of each path.

        A connection each: on a kept-alive one, the server's separate writes of headers and
        body meet delayed ACKs and cost 40 ms a request."""
        answers = {}
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                answers[path] = (
                    response.status,
                    response.getheader("Content-Type", ""),
                    response.read(),
                )
            finally:
                conn.close()
        return answers

    def settle(self, before: int, *, failing: bool = False) -> dict:
        """The status once the server has taken in every edit made since it reported
        version ``before``: a newer version (or an error, for a breaking edit), then idle."""
        if failing:
            self.wait_for(lambda: self.status()["error"], "the failed build")
        else:
            self.wait_for(lambda: self.status()["version"] > before, "a new version")
        return self.quiet()

    def quiet(self) -> dict:
        """The status once it reports idle with the same version and error for a while.

        One idle reading is not enough for the current server: between a rebuild's end and
        the watcher handing over an edit made during it, it says idle (see
        test_idle_is_only_claimed_once_every_edit_is_in)."""
        deadline = time.monotonic() + TIMEOUT
        since: tuple[float, object] | None = None
        while time.monotonic() < deadline:
            status = self.status()
            key = (status["version"], status["error"])
            hold = QUIET_SECONDS if "idle" in status else FALLBACK_QUIET_SECONDS
            if not status.get("idle", True):
                since = None
            elif since is None or since[1] != key:
                since = (time.monotonic(), key)
            elif time.monotonic() - since[0] >= hold:
                return status
            time.sleep(0.05)
        raise AssertionError(f"the server did not settle; last status {status}")


@contextmanager
def serving(root: Path) -> Iterator[Watched]:
    """``thoughtgen serve`` on a free port, ready once it watches; stopped on the way out."""
    port = free_port()
    log = root.parent / f"serve-{port}.log"
    with open(log, "w") as output:  # a file, not a pipe: a long walk would fill a pipe
        proc = subprocess.Popen(
            [*SERVE, "--source", str(root), "--port", str(port)],
            stdout=output,
            stderr=output,
        )
        with until_stopped(Watched(SiteMaker(root), port, proc)) as server:
            yield server


def clean_build(root: Path, work: Path, base_url: str) -> dict[str, bytes]:
    """A ``--clean`` build of a copy of the site's sources, file by file.

    A copy, so the build neither reads nor resets the cache in the site that serve uses:
    serve's next rebuild must stay as incremental as the writer's would be."""
    source, out = work / "source", work / "out"
    shutil.rmtree(work, ignore_errors=True)
    for name in SOURCES:
        if (root / name).is_dir():
            shutil.copytree(root / name, source / name)
        elif (root / name).is_file():
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, source / name)
    args = ["build", "--clean", "--source", str(source), "--output", str(out)]
    result = CliRunner().invoke(main, [*args, "--base-url", base_url])
    assert result.exit_code == 0, result.output
    return {rel: path.read_bytes() for rel, path in visible_files(out).items()}


def assert_serves_clean_build(server: Watched, work: Path, where: str) -> None:
    """Every file of a clean build is served with its bytes, and the serve folder holds
    exactly those files."""
    expected = clean_build(server.site.root, work, f"http://127.0.0.1:{server.port}/")
    answers = server.fetch(url_for(rel) for rel in expected)
    differ = []
    for rel, data in expected.items():
        status, kind, body = answers[url_for(rel)]
        if status == 200 and kind.startswith("text/html"):
            body = without_reload_script(body)
        if status != 200 or body != data:
            differ.append(f"{rel} ({status})")
    assert not differ, f"{where}\nserved and clean builds differ in {differ}"
    on_disk = set(visible_files(server.site.root / SERVE_DIR))
    assert on_disk == set(expected), (
        f"{where}\nonly served: {sorted(on_disk - set(expected))}, "
        f"only built: {sorted(set(expected) - on_disk)}"
    )


def source_snapshot(root: Path) -> dict[str, bytes]:
    found = {}
    for name in SOURCES:
        base = root / name
        for path in [base] if base.is_file() else base.rglob("*") if base.is_dir() else []:
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


# -- the walk ------------------------------------------------------------------------------
@dataclass
class SeriesPost(PostSource):
    series: str = ""

    def text(self) -> str:
        text = super().text()
        if not self.series:
            return text
        first, _, rest = text.partition("\n")
        return f"{first}\nseries: {self.series}\n{rest}"


@dataclass
class ServeWalk(Walk):
    """test_random_walk's edits, on the real clock serve runs on, plus breaking a post,
    static files coming and going, and a base template override."""

    today: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    broken: str | None = None  # the post whose front matter does not read
    statics: list[str] = field(default_factory=list)

    def write(self, rel: str, text: str | bytes) -> Path:
        # Same bytes, no write: a rewrite would wake the watcher for a change that is none.
        path = self.root / rel
        data = text.encode("utf-8") if isinstance(text, str) else text
        if path.is_file() and path.read_bytes() == data:
            return path
        return super().write(rel, data)

    def write_config(self) -> None:
        c = self.config
        self.write(
            "thoughtgen.yaml",
            f"title: {c['title']}\nbase_url: https://example.com/\ntimezone: Europe/Berlin\n"
            f"author:\n  name: Walker\nposts_per_page: {c['per_page']}\n"
            f"feed:\n  limit: {c['feed_limit']}\n"
            f"permalinks:\n  posts: {c.get('permalink', '/posts/:slug/')}\n",
        )

    def new_post(self) -> SeriesPost:
        # Past dates only: serve builds with the real clock, and so does the clean build.
        day = self.today - timedelta(days=self.rng.randint(2, 300), hours=self.rng.randint(0, 20))
        return SeriesPost(
            title=self.sentence().rstrip(".").capitalize(),
            date=day,
            tags=self.rng.sample(TAGS, self.rng.randint(0, 2)),
            body=self.sentence() + "\n\n" + self.sentence(),
            series="Walk series" if self.rng.random() < 0.2 else "",
        )

    def add_post(self) -> str:
        name = self.fresh_name("added") + ".md"
        self.posts[name] = self.new_post()
        self.write_post(name)
        return f"add {name}"

    def template_404(self) -> str:
        shown = self.rng.choice(
            ["{{ site.posts|length }} posts", "{{ site.config.title }}", "Gone"]
        )
        return (
            "{% extends '!default/404.html' %}{% block content %}"
            f"<p>{shown}</p>{{{{ super() }}}}{{% endblock %}}\n"
        )

    def setup(self) -> None:
        self.config = {"title": "Walk", "per_page": 3, "feed_limit": 5}
        self.write_config()
        for number in range(10):
            name = self.fresh_name("post") + ".md"
            source = self.new_post()
            source.series = "Walk series" if number < 3 else ""
            self.posts[name] = source
            self.write_post(name)
        self.setup_pages_and_files()

    def add_or_remove_static(self) -> str:
        if self.statics and self.rng.random() < 0.4:
            rel = self.statics.pop(self.rng.randrange(len(self.statics)))
            (self.root / rel).unlink()
            return f"remove {rel}"
        rel = f"content/static/{self.rng.choice(['', 'files/'])}{self.fresh_name('file')}.txt"
        self.write(rel, self.sentence() + "\n")
        self.statics.append(rel)
        return f"add {rel}"

    def change_base_template(self) -> str:
        """Every page's template changes: the site overrides base.html, edits it, drops it."""
        path = self.root / "themes/default/templates/base.html"
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return "drop the base.html override"
        self.write(
            "themes/default/templates/base.html",
            "{% extends '!default/base.html' %}{% block meta %}{{ super() }}"
            f'<meta name="walk" content="{self.fresh_name("meta")}">{{% endblock %}}\n',
        )
        return "base.html override"

    def break_post(self) -> str:
        self.broken = self.pick_post()
        self.write(f"content/posts/{self.broken}", BROKEN)
        return f"break {self.broken}"

    def fix_post(self) -> str:
        """Write the broken post back, edited, so the fixed site differs from the last good one."""
        name, self.broken = self.broken, None
        assert name is not None
        self.posts[name].body = self.sentence()
        self.write_post(name)
        return f"fix {name}"

    def step(self) -> str:
        actions: list[tuple[Callable[[], str], int]] = [
            (self.edit_body, 5),
            (self.retitle, 3),
            (self.retag, 2),
            (self.redate, 1),
            (self.mark_updated, 1),
            (self.rename_post, 1),
            (self.move_post, 1),
            (self.change_slug, 2),
            (self.add_post, 2),
            (self.delete_post, 2),
            (self.toggle_draft, 2),
            (self.change_page, 1),
            (self.change_config, 2),
            (self.change_theme, 1),
            (self.change_base_template, 1),
            (self.change_static, 1),
            (self.add_or_remove_static, 2),
            (self.add_alias, 1),
            (self.link_post, 1),
            (self.make_bundle, 1),
            (self.break_post, 2),
        ]
        return self.take_one(actions)


@pytest.mark.parametrize("seed", SEEDS)
def test_served_site_equals_a_clean_build_over_a_random_walk(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    walk = ServeWalk(tmp_path / "site", tmp_path / "unused", rng)
    walk.root.mkdir()
    walk.setup()
    history = ["setup"]
    with serving(walk.root) as server:
        assert_serves_clean_build(server, tmp_path / "clean", "after setup")
        steps = 0
        while steps < steps_per_seed():
            before, sources = server.status()["version"], source_snapshot(walk.root)
            for _ in range(rng.choice([1, 1, 2, 3])):  # several: the later land mid-rebuild
                history.append(walk.step())
                steps += 1
                if walk.broken:
                    break
                if rng.random() < 0.3:
                    time.sleep(rng.uniform(0.05, 0.5))
            where = "after: " + " / ".join(history[-6:])
            if walk.broken:
                status = server.settle(before, failing=True)
                assert status["error"].startswith(f"content/posts/{walk.broken}:2:"), where
                before = status["version"]
                history.append(walk.fix_post())
            if source_snapshot(walk.root) != sources:
                status = server.settle(before)
            else:
                status = server.quiet()  # every step was a no-op: nothing to wait for
            assert status["error"] is None, f"{where}\n{status['error']}"
            assert_serves_clean_build(server, tmp_path / "clean", where)


# -- edits during a rebuild ----------------------------------------------------------------
BIG_POSTS = 150


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    """A site whose rebuild takes long enough to land an edit in the middle of it."""
    root = tmp_path_factory.mktemp("big") / "site"
    walk = ServeWalk(root, root.parent / "unused", random.Random(7))
    root.mkdir()
    walk.setup()
    for number in range(BIG_POSTS - len(walk.posts)):
        walk.posts[f"bulk-{number}.md"] = walk.new_post()
        walk.write_post(f"bulk-{number}.md")
    with serving(root) as server:
        yield server


def retitle(server: Watched, name: str, title: str) -> None:
    path = server.site.root / "content/posts" / name
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), encoding="utf-8")


def wait_until_rebuilding(server: Watched, before: int) -> bool:
    """Whether a rebuild was seen running (False: it was over before a poll caught it)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        status = server.status()
        if status["version"] > before or status["error"]:
            return False
        if status.get("idle") is False:
            return True
        time.sleep(0.01)
    raise AssertionError("the server never started the rebuild")


@pytest.mark.parametrize("delay", [0.05, 0.1, "rebuilding"])
def test_an_edit_made_during_a_rebuild_is_never_lost(
    big_site: Watched, tmp_path: Path, delay: float | str
) -> None:
    server = big_site
    for round_ in range(2):
        token = f"{delay}-{round_}-{time.monotonic_ns()}".replace(".", "")
        before = server.status()["version"]
        retitle(server, "bulk-1.md", f"Alpha {token}")
        if delay == "rebuilding":
            wait_until_rebuilding(server, before)
        else:
            time.sleep(float(delay))
        retitle(server, "bulk-2.md", f"Beta {token}")
        status = server.settle(before)
        assert status["error"] is None, status["error"]
        alpha = server.fetch(["/posts/bulk-1/"])["/posts/bulk-1/"][2]
        beta = server.fetch(["/posts/bulk-2/"])["/posts/bulk-2/"][2]
        assert f"Alpha {token}".encode() in alpha
        assert f"Beta {token}".encode() in beta, "the edit made during the rebuild was lost"
        assert_serves_clean_build(server, tmp_path / "clean", f"round {round_}, delay {delay}")


def test_idle_is_only_claimed_once_every_edit_is_in(big_site: Watched) -> None:
    """The first edit changes a template, so its rebuild goes the whole way (the slowest
    kind) and the second edit can land while it runs."""
    server = big_site
    landed = 0
    for round_ in range(3):
        token = f"{round_}-{time.monotonic_ns()}"
        before = server.status()["version"]
        server.site.write(
            "themes/default/templates/404.html",
            "{% extends '!default/404.html' %}{% block content %}"
            f"<p>Gone {token}</p>{{{{ super() }}}}{{% endblock %}}\n",
        )
        if not wait_until_rebuilding(server, before):
            server.quiet()
            continue
        time.sleep(0.05)
        retitle(server, "bulk-4.md", f"Delta {token}")
        status = server.status()
        if status.get("idle") is not False or status["version"] != before:
            server.quiet()
            continue  # the rebuild was over before the second edit: not this test's case
        landed += 1
        deadline = time.monotonic() + TIMEOUT
        while not (status["version"] > before and status.get("idle", False)):
            assert time.monotonic() < deadline, f"never idle again; last status {status}"
            time.sleep(0.01)
            status = server.status()
        page = server.fetch(["/posts/bulk-4/"])["/posts/bulk-4/"][2]
        assert f"Delta {token}".encode() in page, (
            f"idle at version {status['version']} without the edit made during the rebuild"
        )
        server.quiet()
    if not landed:
        pytest.skip("every rebuild ended before a second edit could land in it")


# -- what a client is told -----------------------------------------------------------------
class EventListener(threading.Thread):
    """Follows /__thoughtgen/events; on each new version, at once fetches ``paths``."""

    def __init__(self, server: Watched, paths: list[str]) -> None:
        super().__init__(name="events", daemon=True)
        self.server, self.paths = server, paths
        self.seen: queue.Queue[tuple[int, dict[str, tuple[int, str, bytes]]]] = queue.Queue()
        self.failures: list[BaseException] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=3 * TIMEOUT)
        try:
            conn.request("GET", f"{ENDPOINT}events")
            response = conn.getresponse()
            version = -1
            while line := response.readline():
                if not line.startswith(b"data: "):
                    continue
                state = json.loads(line.removeprefix(b"data: "))
                if state["version"] > version:
                    version = state["version"]
                    self.seen.put((version, self.server.fetch(self.paths)))
        except (OSError, http.client.HTTPException) as exc:
            if self.server.proc.poll() is None:
                self.failures.append(exc)
        finally:
            conn.close()

    def next_version(self, after: int) -> tuple[int, dict[str, tuple[int, str, bytes]]]:
        while True:
            assert not self.failures, self.failures
            version, pages = self.seen.get(timeout=TIMEOUT)
            if version > after:
                return version, pages


def test_a_new_version_is_announced_only_once_all_of_it_is_served(tmp_path: Path) -> None:
    walk = ServeWalk(tmp_path / "site", tmp_path / "unused", random.Random(3))
    walk.root.mkdir()
    walk.setup()
    target = walk.new_post()
    target.date, target.tags, target.series = walk.today - timedelta(days=1), ["Signal"], ""
    walk.posts["target.md"] = target  # the newest post: on the home page and in every feed
    walk.write_post("target.md")
    paths = [
        "/posts/target/",
        "/",
        "/archive/",
        "/feed.xml",
        "/atom.xml",
        "/feed.json",
        "/tags/signal/",
        "/tags/signal/feed.xml",
    ]
    with serving(walk.root) as server:
        listener = EventListener(server, paths)
        listener.start()
        version, _ = listener.next_version(-1)
        tokens: list[str] = []
        whole = 0
        for number in range(6):
            tokens.append(f"Retitled{number}x{time.monotonic_ns()}")
            target.title = f"Signal {tokens[-1]}"
            walk.write_post("target.md")
            version, pages = listener.next_version(version)
            assert all(status == 200 for status, _, _ in pages.values()), pages.keys()
            for token in tokens:
                showing = sorted(p for p, (_, _, body) in pages.items() if token.encode() in body)
                assert showing in ([], sorted(paths)), (
                    f"version {version}: {token} only on {showing}"
                )
            whole += tokens[-1].encode() in pages["/"][2]
        assert whole, "no announced version showed its edit: the check never bit"
        server.quiet()
        final = server.fetch(paths)
        assert all(tokens[-1].encode() in body for _, _, body in final.values())


# -- killed at any moment ------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and process groups are POSIX")
@pytest.mark.parametrize("seed", (5, 19))
def test_a_server_killed_at_any_moment_serves_the_clean_build_once_started_again(
    tmp_path: Path, seed: int
) -> None:
    """SIGKILL (a closed terminal, a crash, the machine's OOM killer) during the first build,
    during a rebuild or while idle, with edits made before and while no server runs: the
    next server catches up with the sources and serves exactly a clean build of them."""
    rng = random.Random(seed)
    walk = ServeWalk(tmp_path / "site", tmp_path / "unused", rng)
    walk.root.mkdir()
    walk.setup()
    port, log = free_port(), tmp_path / "serve.log"
    history = ["setup"]

    def start() -> Watched:
        with open(log, "a") as output:
            proc = subprocess.Popen(
                [*SERVE, "--source", str(walk.root), "--port", str(port)],
                stdout=output,
                stderr=output,
                start_new_session=True,  # its forked workers are killed with it
            )
        return Watched(SiteMaker(walk.root), port, proc)

    def kill(server: Watched) -> None:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=TIMEOUT)

    def edit() -> None:
        history.append(walk.step())
        if walk.broken:
            history.append(walk.fix_post())

    killed = 0
    for _round in range(5):
        server = start()
        if rng.random() < 0.3:  # in the middle of the first build, or just before it
            time.sleep(rng.uniform(0.05, 0.8))
            kill(server)
            killed += 1
            server = start()
        server.wait_for(lambda s=server: s.status()["watching"], "the first build")
        for _ in range(rng.choice([1, 2, 3])):
            edit()
        time.sleep(rng.choice([0.0, 0.02, 0.1, 0.3, 0.8]))  # mid-rebuild, or after it
        kill(server)
        killed += 1
        if rng.random() < 0.5:
            edit()  # while no server runs
        server = start()
        try:
            server.wait_for(lambda s=server: s.status()["watching"], "the next server")
            status = server.quiet()
            where = f"after a kill; {' / '.join(history[-6:])}"
            assert status["error"] is None, f"{where}\n{status['error']}"
            assert_serves_clean_build(server, tmp_path / "clean", where)
        finally:
            kill(server)
    assert killed >= 5
    assert "Traceback" not in log.read_text(encoding="utf-8")
