"""``thoughtgen deploy verify`` against a real HTTP server serving a built starter site.

The server is http.server's ThreadingHTTPServer with a handler that can add faults: a
delay on every answer, 503 for the first requests, no answer at all, pages of its own.
It counts requests and how many were in flight at once.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import NOW, REPO
from hypothesis import given
from hypothesis import strategies as st

from thoughtgen.cli import main
from thoughtgen.deploy.fetch import Fetcher, Scope
from thoughtgen.deploy.verify import VerifyOptions, verify

LATER = "2027-02-01 12:00"  # after the starter's scheduled post (2027-01-12 09:00)
CLOSING = '"Closing the Loop: Tell People What Happened", due 2026-11-17 09:00'
EARLY_POST = "posts/your-network-in-a-downturn/"
FAULT_TIMEOUT = "6"  # seconds a failing check is retried: every other fetch must end in it


Route = Callable[[SimpleHTTPRequestHandler], None]


@dataclass
class ServerState:
    root: Path = Path(".")
    delay: float = 0.0
    fail_first: int = 0
    hang: bool = False
    routes: dict[str, Route] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    count: int = 0
    failed: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    paths: list[str] = field(default_factory=list)


class Handler(SimpleHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.count += 1
            number = state.count
            state.in_flight += 1
            state.most_in_flight = max(state.most_in_flight, state.in_flight)
            state.paths.append(self.path)
        try:
            if state.hang:
                state.release.wait(60)
                return
            if state.delay:
                time.sleep(state.delay)
        finally:
            # Counted until the answer is ready, not until this thread has finished writing
            # it: the client may read it all, free its slot and send the next request before
            # this thread runs again, which would count one request twice.
            with state.lock:
                state.in_flight -= 1
        if number <= state.fail_first:
            with state.lock:
                state.failed += 1
            self.send_error(503)
            return
        route = state.routes.get(self.path.partition("?")[0])
        if route is not None:
            route(self)
            return
        self.directory = str(state.root)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet tests


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = ServerState()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def start(server: Server) -> Server:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: Server) -> None:
    server.state.release.set()
    server.shutdown()
    server.server_close()


@dataclass
class Live:
    """A site's sources and the server that serves a build of them."""

    server: Server
    site: Path  # sources (thoughtgen.yaml, content/)
    builds: Path  # built outputs: "now" (as of NOW) and "later" (as of LATER)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def state(self) -> ServerState:
        return self.server.state

    @property
    def public(self) -> Path:
        return self.state.root

    def serve(self, build: str) -> Path:
        """Serve a fresh copy of one of the builds; the copy may be changed freely."""
        copy = self.site.parent / f"served-{build}"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(self.builds / build, copy)
        self.state.root = copy
        return copy

    def verify(self, *args: str, timeout: str = "60", now: str = NOW) -> Result:
        return CliRunner().invoke(
            main,
            [
                "deploy",
                "verify",
                self.url,
                "--source",
                str(self.site),
                "--now",
                now,
                "--timeout",
                timeout,
                *args,
            ],
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, Path]]:
    """The starter site built for the server's address, as of NOW and as of LATER."""
    server = start(Server())
    root = tmp_path_factory.mktemp("verify")
    sources = root / "sources"
    sources.mkdir()
    shutil.copy2(REPO / "thoughtgen.yaml", sources / "thoughtgen.yaml")
    for name in ("content", "themes"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, sources / name)
    builds = root / "builds"
    for name, now in (("now", NOW), ("later", LATER)):
        args = ["build", "--source", str(sources), "--output", str(builds / name)]
        result = CliRunner().invoke(main, [*args, "--base-url", server.url, "--now", now])
        assert result.exit_code == 0, result.output
    try:
        yield server, sources, builds
    finally:
        stop(server)


@pytest.fixture
def live(built: tuple[Server, Path, Path], tmp_path: Path) -> Iterator[Live]:
    """The good deploy: the build as of NOW, served from a copy; sources of this test's own."""
    server, sources, builds = built
    server.state = ServerState()
    site = tmp_path / "site"
    shutil.copytree(sources, site)
    result = Live(server, site, builds)
    result.serve("now")
    yield result
    server.state.release.set()  # let requests held by a silent server end


def problem_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if re.match(r"^[a-z ]+: ", line)]


def summary(result: Result) -> str:
    return result.output.rstrip().splitlines()[-1]


# A good deploy ---------------------------------------------------------------------------


def test_a_good_deploy_passes_and_records_the_posts_seen_live(live: Live) -> None:
    result = live.verify()
    assert result.exit_code == 0, result.output
    # home + 18 due posts + the scheduled one (not there, as it should be)
    assert re.fullmatch(
        r"20 pages, 3 feeds, 1 sitemap, \d+ assets checked: no problems \(\d+\.\d s\)",
        summary(result),
    ), result.output
    assert problem_lines(result) == []
    state = json.loads((live.site / ".thoughtgen" / "live.json").read_text(encoding="utf-8"))
    assert state["url"] == live.url
    assert state["checked_at"] == "2026-11-22T12:00:00-05:00"
    sources = {p["source"] for p in state["posts"]}
    assert "content/posts/closing-the-loop.md" in sources
    assert "content/posts/your-network-in-a-downturn.md" not in sources
    assert len(sources) == 18
    fetched = {path.partition("?")[0] for path in live.state.paths}
    # the CSS and theme files linked from the home page, and the share images, were loaded
    assert "/theme/style.css" in fetched
    assert "/cards/posts/closing-the-loop.png" in fetched
    assert {"/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/" + EARLY_POST} <= fetched


def test_the_library_reports_the_same(live: Live) -> None:
    report = verify(VerifyOptions(live.url, live.site, now=NOW, timeout=60))
    assert report.ok, report.problems
    assert report.pages == 20 and report.feeds == 3 and report.sitemaps == 1
    assert report.assets >= 5  # stylesheet, icons, share images
    assert len(report.live) == 18


# Faults, each named ----------------------------------------------------------------------


def test_a_missing_due_post_is_named_with_its_status_title_and_due_date(live: Live) -> None:
    shutil.rmtree(live.public / "posts" / "closing-the-loop")
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    lines = problem_lines(result)
    assert f"missing: {live.url}posts/closing-the-loop/ (404) — {CLOSING}" in lines
    assert len(lines) == 1, lines
    assert summary(result).startswith("20 pages, 3 feeds, 1 sitemap, ")
    assert ": 1 problem (" in summary(result)
    state = json.loads((live.site / ".thoughtgen" / "live.json").read_text(encoding="utf-8"))
    sources = {p["source"] for p in state["posts"]}
    assert "content/posts/closing-the-loop.md" not in sources and len(sources) == 17


def test_a_changed_feed_id_is_named(live: Live) -> None:
    atom = live.public / "atom.xml"
    old = f"<id>{live.url}posts/give-before-you-ask/</id>"
    text = atom.read_text(encoding="utf-8")
    assert old in text
    atom.write_text(text.replace(old, "<id>urn:uuid:0b1d</id>"), encoding="utf-8")
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    assert problem_lines(result) == [
        f'feed id changed: {live.url}atom.xml: "Give Before You Ask" has the id urn:uuid:0b1d, '
        f"expected {live.url}posts/give-before-you-ask/"
    ]


def test_a_post_missing_from_a_feed_is_named(live: Live) -> None:
    feed = live.public / "feed.json"
    data = json.loads(feed.read_text(encoding="utf-8"))
    data["items"] = [i for i in data["items"] if "closing-the-loop" not in i["id"]]
    feed.write_text(json.dumps(data), encoding="utf-8")
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    assert problem_lines(result) == [
        f"missing: {live.url}feed.json lacks "
        f'"Closing the Loop: Tell People What Happened" (id {live.url}posts/closing-the-loop/), '
        "due 2026-11-17 09:00"
    ]


def test_a_scheduled_post_visible_early_is_named_everywhere_it_shows(live: Live) -> None:
    live.serve("later")  # built as if it were February: the January post is out
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    lines = problem_lines(result)
    early = '"Your Network in a Downturn", scheduled 2027-01-12 09:00'
    assert f"visible early: {live.url}{EARLY_POST} (200) — {early}" in lines
    for feed in ("feed.xml", "atom.xml", "feed.json"):
        assert f"visible early: {live.url}{feed} carries {early}" in lines
    assert f"visible early: {live.url}sitemap.xml lists {live.url}{EARLY_POST} — {early}" in lines
    assert len(lines) == 5, lines


def test_a_broken_stylesheet_is_named(live: Live) -> None:
    (live.public / "theme" / "style.css").unlink()
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    [line] = problem_lines(result)
    assert re.fullmatch(
        rf"broken asset: {re.escape(live.url)}theme/style\.css\?v=\w+ \(404\) — "
        r"the stylesheet of the home page",
        line,
    ), line


def test_a_stylesheet_served_as_html_is_named(live: Live) -> None:
    def as_html(handler: SimpleHTTPRequestHandler) -> None:
        body = b"<!doctype html><title>Not found</title>"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    live.state.routes["/theme/style.css"] = as_html
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    [line] = problem_lines(result)
    assert "theme/style.css" in line
    assert "is served as text/html, expected text/css — the stylesheet of the home page" in line


def test_a_missing_share_image_is_named(live: Live) -> None:
    (live.public / "cards" / "posts" / "give-before-you-ask.png").unlink()
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    assert problem_lines(result) == [
        f"broken asset: {live.url}cards/posts/give-before-you-ask.png (404) — the share image "
        f"of {live.url}posts/give-before-you-ask/"
    ]


def test_a_wrong_title_and_canonical_link_are_named(live: Live) -> None:
    page = live.public / "posts" / "give-before-you-ask" / "index.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace("<title>Give Before You Ask", "<title>Draft copy")
    text = text.replace(
        f'rel="canonical" href="{live.url}posts/give-before-you-ask/"',
        'rel="canonical" href="https://example.com/posts/give-before-you-ask/"',
    )
    page.write_text(text, encoding="utf-8")
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    url = f"{live.url}posts/give-before-you-ask/"
    assert problem_lines(result) == [
        f'wrong page: {url} has the title "Draft copy · Warm Introductions", '
        'expected "Give Before You Ask"',
        f"wrong canonical link: {url} names https://example.com/posts/give-before-you-ask/, "
        f"expected {url}",
    ]


def test_several_faults_at_once_are_all_named(live: Live) -> None:
    live.serve("later")
    shutil.rmtree(live.public / "posts" / "closing-the-loop")
    (live.public / "theme" / "style.css").unlink()
    rss = live.public / "feed.xml"
    old = f'<guid isPermaLink="true">{live.url}posts/give-before-you-ask/</guid>'
    assert old in rss.read_text(encoding="utf-8")
    rss.write_text(
        rss.read_text(encoding="utf-8").replace(old, '<guid isPermaLink="false">tag:x</guid>'),
        encoding="utf-8",
    )
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    text = "\n".join(problem_lines(result))
    assert f"missing: {live.url}posts/closing-the-loop/ (404) — {CLOSING}" in text
    assert f'feed id changed: {live.url}feed.xml: "Give Before You Ask" has the id tag:x' in text
    assert f"visible early: {live.url}{EARLY_POST} (200)" in text
    assert "broken asset: " in text and "style.css" in text
    assert re.search(r": \d+ problems \(", summary(result))


# Slow, flaky and silent servers ----------------------------------------------------------


def test_a_slow_server_passes_within_the_timeout(live: Live) -> None:
    live.state.delay = 0.2
    started = time.monotonic()
    result = live.verify(timeout="60")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30


def test_a_flaky_server_passes_after_retries(live: Live) -> None:
    live.state.fail_first = 15  # the first fifteen requests get 503
    result = live.verify(timeout="60")
    assert result.exit_code == 0, result.output
    assert live.state.failed == 15
    assert live.state.count > live.state.failed + 40  # each failed URL asked again


def test_a_post_that_appears_late_passes_once_it_is_there(live: Live) -> None:
    # A CDN lagging behind: the newest post answers 404 for a while, then 200.
    page = live.public / "posts" / "closing-the-loop"
    hidden = live.public.parent / "hidden"
    page.rename(hidden)
    timer = threading.Timer(1.0, lambda: hidden.rename(page))
    timer.start()
    try:
        result = live.verify(timeout="30")
    finally:
        timer.join()
    assert result.exit_code == 0, result.output
    assert live.state.paths.count("/posts/closing-the-loop/") >= 2


def test_a_server_that_never_answers_ends_by_the_deadline(live: Live) -> None:
    live.state.hang = True
    started = time.monotonic()
    result = live.verify(timeout="2")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert elapsed < 6, elapsed
    assert f"missing: {live.url} (timed out) — the home page" in problem_lines(result)


def test_a_refused_connection_is_named(live: Live, tmp_path: Path) -> None:
    closed = Server()
    url = closed.url
    closed.server_close()  # nothing listens there now
    result = CliRunner().invoke(
        main,
        ["deploy", "verify", url, "--source", str(live.site), "--now", NOW, "--timeout", "1"],
    )
    assert result.exit_code == 1
    assert f"missing: {url} (connection refused) — the home page" in result.output


# Bounds ----------------------------------------------------------------------------------


def test_requests_never_leave_the_sites_origin(live: Live) -> None:
    other = start(Server())
    try:
        other.state.root = live.public
        home = live.public / "index.html"
        text = home.read_text(encoding="utf-8")
        elsewhere = (
            f'<link rel="stylesheet" href="{other.url}theme/style.css">'
            f'<script src="{other.url}app.js"></script>'
            '<link rel="icon" href="//127.0.0.1:1/favicon.ico">'
        )
        home.write_text(text.replace("</head>", elsewhere + "</head>"), encoding="utf-8")
        page = live.public / "posts" / "give-before-you-ask" / "index.html"
        text = page.read_text(encoding="utf-8")
        text = re.sub(
            r'(<meta property="og:image" content=")[^"]+',
            rf"\g<1>{other.url}cards/posts/give-before-you-ask.png",
            text,
        )
        page.write_text(text, encoding="utf-8")

        def away(handler: SimpleHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", f"{other.url}posts/closing-the-loop/")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        live.state.routes["/posts/closing-the-loop/"] = away
        result = live.verify(timeout=FAULT_TIMEOUT)
        assert other.state.count == 0, other.state.paths
        assert result.exit_code == 1
        assert problem_lines(result) == [
            f"missing: {live.url}posts/closing-the-loop/ (redirects outside {live.url} "
            f"({other.url}posts/closing-the-loop/)) — {CLOSING}"
        ]
    finally:
        stop(other)


def test_a_redirect_within_the_site_is_followed(live: Live) -> None:
    moved = live.public / "posts" / "closing-the-loop"
    moved.rename(live.public / "posts" / "moved-here")

    def to_new_place(handler: SimpleHTTPRequestHandler) -> None:
        handler.send_response(301)
        handler.send_header("Location", "/posts/moved-here/")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    live.state.routes["/posts/closing-the-loop/"] = to_new_place
    result = live.verify(timeout=FAULT_TIMEOUT)
    # The page is found; its canonical link still names the address the sources give it.
    assert result.exit_code == 0, result.output
    assert "/posts/moved-here/" in live.state.paths


def test_redirect_loops_stop_after_five(live: Live) -> None:
    def loop(handler: SimpleHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    live.state.routes["/posts/closing-the-loop/"] = loop
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    assert (
        f"missing: {live.url}posts/closing-the-loop/ (more than 5 redirects) — {CLOSING}"
        in problem_lines(result)
    )


def test_requests_in_flight_never_exceed_jobs(live: Live) -> None:
    live.state.delay = 0.05
    result = live.verify("--jobs", "3")
    assert result.exit_code == 0, result.output
    assert live.state.most_in_flight == 3


def test_a_response_is_read_only_so_far(live: Live) -> None:
    def endless(handler: SimpleHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        chunk = b"<p>" + b"x" * 65536
        try:
            for _ in range(1000):  # 64 MB, far more than anyone should read
                handler.wfile.write(chunk)
        except OSError:
            pass  # the client stopped reading

    live.state.routes["/endless"] = endless
    fetcher = Fetcher(Scope.of(live.url), time.monotonic() + 30, 2, max_bytes=100_000)
    response = fetcher.get(live.url + "endless")
    assert response.status == 200
    assert response.truncated
    assert len(response.body) == 100_000


@given(st.text(max_size=60))
def test_scope_admits_only_the_sites_own_addresses(tail: str) -> None:
    scope = Scope.of("http://127.0.0.1:8000/blog/")
    for url in (f"http://127.0.0.1:8000/blog/{tail}", f"http://127.0.0.1:8000/{tail}", tail):
        if scope.contains(url):
            assert url.startswith(("http://127.0.0.1:8000/blog", "HTTP://127.0.0.1:8000/blog"))
            assert "/../" not in url.partition("?")[0].partition("#")[0] + "/"


def test_scope_refuses_other_origins_and_parents() -> None:
    scope = Scope.of("https://you.github.io/blog/")
    assert scope.contains("https://you.github.io/blog/")
    assert scope.contains("https://you.github.io/blog")
    assert scope.contains("https://YOU.github.io:443/blog/posts/a/")
    assert not scope.contains("http://you.github.io/blog/")
    assert not scope.contains("https://you.github.io/other/")
    assert not scope.contains("https://you.github.io/blog/../other/")
    assert not scope.contains("https://you.github.io.evil.example/blog/")
    assert not scope.contains("https://you.github.io:8443/blog/")
    assert not scope.contains("//you.github.io/blog/")


# Before a deploy -------------------------------------------------------------------------


def test_before_a_deploy_a_changed_base_url_reports_each_changed_id(live: Live) -> None:
    config = live.site / "thoughtgen.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "base_url: https://example.com/", "base_url: https://new.example.org/"
        ),
        encoding="utf-8",
    )
    result = live.verify("--before", timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    lines = [line for line in problem_lines(result) if line.startswith("feed id changed: ")]
    assert len(lines) == 18
    assert (
        'feed id changed: "Give Before You Ask" (content/posts/give-before-you-ask.md) is '
        f"{live.url}posts/give-before-you-ask/ in the live feeds and would be "
        "https://new.example.org/posts/give-before-you-ask/ after this deploy; add "
        f"'guid: \"{live.url}posts/give-before-you-ask/\"' to its front matter"
    ) in lines
    assert re.search(
        rf"note: thoughtgen.yaml:\d+: base_url changed from {re.escape(live.url)} to "
        r"https://new\.example\.org/",
        result.output,
    )
    assert summary(result).startswith("1 page, 3 feeds checked: 18 problems")
    assert not (live.site / ".thoughtgen" / "live.json").exists()


def test_before_a_deploy_with_the_same_ids_passes_though_due_posts_are_missing(
    live: Live,
) -> None:
    shutil.rmtree(live.public / "posts" / "closing-the-loop")
    result = live.verify("--before", "--base-url", live.url, timeout=FAULT_TIMEOUT)
    assert result.exit_code == 0, result.output
    assert summary(result).startswith("1 page, 3 feeds checked: no problems")


def test_before_the_first_deploy_there_is_nothing_to_compare(live: Live) -> None:
    for name in ("feed.xml", "atom.xml", "feed.json"):
        (live.public / name).unlink()
    result = live.verify("--before", timeout=FAULT_TIMEOUT)
    assert result.exit_code == 0, result.output
    assert "note: no live feed to compare with" in result.output


def test_before_a_deploy_a_site_that_does_not_answer_fails(live: Live) -> None:
    live.state.fail_first = 10_000
    result = live.verify("--before", timeout="1.5")
    assert result.exit_code == 1
    assert f"no answer: {live.url} (503) — the live site does not answer" in result.output


# Errors in what is given -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("example.org", "URL: give the live site's address, like https://you.github.io/blog/"),
        ("ftp://example.org/", "URL: give the live site's address"),
        ("https://example.org/?a=1", "URL: give the site's root address without ?query"),
        ("https://example.org:http/", "URL: the port is not a number"),
    ],
)
def test_a_bad_url_is_refused_plainly(live: Live, url: str, message: str) -> None:
    result = CliRunner().invoke(main, ["deploy", "verify", url, "--source", str(live.site)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_errors_in_the_sources_are_named_with_their_line(live: Live) -> None:
    post = live.site / "content" / "posts" / "give-before-you-ask.md"
    post.write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    result = live.verify(timeout=FAULT_TIMEOUT)
    assert result.exit_code == 1
    assert re.search(r"content/posts/give-before-you-ask\.md:\d+: ", result.output)
    assert live.state.count == 0  # nothing fetched before the sources read


# The calendar's live marks ---------------------------------------------------------------


def calendar_json(site: Path) -> Any:
    result = CliRunner().invoke(
        main, ["calendar", "--source", str(site), "--format", "json", "--today", "2026-11-22"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_calendar_marks_the_posts_the_last_verify_saw_live(live: Live) -> None:
    before = calendar_json(live.site)
    assert before["live_check"] is None
    assert all(entry["live"] is False for entry in before["recent"])

    shutil.rmtree(live.public / "posts" / "closing-the-loop")
    assert live.verify(timeout=FAULT_TIMEOUT).exit_code == 1
    data = calendar_json(live.site)
    assert data["live_check"] == {"url": live.url, "checked_at": "2026-11-22T12:00:00-05:00"}
    recent = {e["path"]: e["live"] for e in data["recent"]}
    assert recent["content/posts/closing-the-loop.md"] is False
    assert recent["content/posts/writing-in-public-as-networking.md"] is True
    assert len(recent) == 5
    scheduled = data["scheduled"]
    assert [e["live"] for e in scheduled] == [False]

    text = CliRunner().invoke(
        main, ["calendar", "--source", str(live.site), "--today", "2026-11-22"]
    )
    assert f"Recent (live: seen at {live.url} on Sun 22 Nov 2026 12:00):" in text.output
    assert re.search(r"\n  not seen  Tue 17 Nov 2026 09:00  Closing the Loop", text.output)
    assert re.search(r"\n  live      Tue 3 Nov 2026 09:00  Writing in Public", text.output)

    live.serve("now")  # deployed again, complete
    assert live.verify().exit_code == 0
    data = calendar_json(live.site)
    assert all(e["live"] for e in data["recent"])


def test_a_renamed_post_is_not_live_at_its_new_address(live: Live) -> None:
    assert live.verify().exit_code == 0
    post = live.site / "content" / "posts" / "closing-the-loop.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("---\n", "---\nslug: loop-closed\n", 1), encoding="utf-8")
    recent = {e["path"]: e["live"] for e in calendar_json(live.site)["recent"]}
    assert recent["content/posts/closing-the-loop.md"] is False
