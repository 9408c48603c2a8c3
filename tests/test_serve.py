"""`thoughtgen serve` as a real process: HTTP, live rebuilds, errors, traversal, shutdown."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import BASE_CONFIG, SiteMaker, output_files, post

import thoughtgen.serve as serve_module
from thoughtgen.build import BuildOptions, build
from thoughtgen.serve import DevServer

TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(conn: http.client.HTTPConnection, path: str, method: str = "GET", **headers: str):
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    return response.status, response.headers, response.read()


class Served:
    def __init__(self, site: SiteMaker, port: int, proc: subprocess.Popen) -> None:
        self.site, self.port, self.proc = site, port, proc

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        status, headers, body = self.get_bytes(path)
        return status, headers, body.decode()

    def get_bytes(self, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            status, headers, body = ask(conn, path)  # as written: no normalising of ..
            return status, dict(headers), body
        finally:
            conn.close()

    def status(self) -> dict:
        return json.loads(self.get("/__thoughtgen/status")[2])

    def wait_for(self, predicate, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")


def start(site: SiteMaker, port: int, *, interrupts_ignored: bool = False) -> subprocess.Popen:
    """``thoughtgen serve`` on ``port``; ``interrupts_ignored`` starts it as a script's
    background job is started, with SIGINT ignored."""

    def ignore_interrupts() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "thoughtgen",
            "serve",
            "--source",
            str(site.root),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore_interrupts if interrupts_ignored else None,
    )


@pytest.fixture
def served(site: SiteMaker) -> Iterator[Served]:
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    port = free_port()
    proc = start(site, port)
    with until_stopped(Served(site, port, proc)) as server:
        yield server


ServedT = TypeVar("ServedT", bound=Served)


@contextmanager
def until_stopped(server: ServedT) -> Iterator[ServedT]:
    """The server once its first build is done and it watches; stopped on the way out."""
    try:
        server.wait_for(lambda: server.status()["watching"], "the first build and the watcher")
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.terminate()
            server.proc.wait(timeout=10)


def test_serves_pages_with_reload_script_only_in_serve_mode(served: Served) -> None:
    status, headers, body = served.get("/posts/hello/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "First version." in body and "/__thoughtgen/events" in body
    status, headers, _ = served.get("/feed.xml")
    assert status == 200 and "xml" in headers["Content-Type"]
    status, headers, _ = served.get("/posts/hello")
    assert status == 301 and headers["Location"] == "/posts/hello/"
    status, _, body = served.get("/no/such/page/")
    assert status == 404 and "Page not found" in body
    result = served.site.build()  # a normal build never carries the serve-only script
    assert result.exit_code == 0
    for page in served.site.out.rglob("*.html"):
        assert "__thoughtgen" not in page.read_text()


def test_reload_endpoint_streams_state(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    conn.request("GET", "/__thoughtgen/events")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_state() -> dict:
        assert response.readline() == b"event: state\n"
        state = json.loads(response.readline().decode().removeprefix("data: "))
        assert response.readline() == b"\n"
        return state

    data, now = next_state(), served.status()
    # A save just before the start is built once watching: that rebuild is streamed too.
    while data["version"] < now["version"]:
        data = next_state()
    assert data == {"version": now["version"], "error": None}
    assert served.status()["watching"] is True
    conn.close()


def test_edit_break_and_fix_a_post(served: Served) -> None:
    path = served.site.root / "content/posts/hello.md"
    version = served.status()["version"]
    path.write_text(post("Hello", body="Second version."))
    served.wait_for(lambda: "Second version." in served.get("/posts/hello/")[2], "the edit")
    assert served.status()["version"] > version

    path.write_text("---\ntitle: [broken\n---\nThird version.\n")
    served.wait_for(lambda: served.status()["error"], "the failed build")
    error = served.status()["error"]
    assert error.startswith("content/posts/hello.md:2: the list opened with '['")
    status, _, body = served.get("/posts/hello/")
    assert status == 200 and "Second version." in body  # the last good site

    path.write_text(post("Hello", body="Fourth version."))
    served.wait_for(lambda: served.status()["error"] is None, "recovery")
    assert "Fourth version." in served.get("/posts/hello/")[2]


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/posts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/posts%2f..%2f..%2fthoughtgen.yaml",
        "/..%5c..%5cthoughtgen.yaml",
        "/.thoughtgen-manifest.json",
        "/outside/passwd",
        "/outside-file",
    ],
)
def test_nothing_outside_the_site_is_served(served: Served, path: str) -> None:
    out = served.site.root / ".thoughtgen" / "serve"
    if not (out / "outside").exists():
        (out / "outside").symlink_to("/etc")
        (out / "outside-file").symlink_to(served.site.root / "thoughtgen.yaml")
    status, _, body = served.get(path)
    assert status == 404
    assert "root:" not in body and "base_url" not in body


def test_port_in_use_is_a_clear_error(served: Served) -> None:
    second = start(served.site, served.port)
    _out, err = second.communicate(timeout=TIMEOUT)
    assert second.returncode == 1
    assert f"port {served.port} on 127.0.0.1 is already in use" in err
    assert "Traceback" not in err


def slow_request(port: int, path: str, buffer: int, *, close: bool = False) -> socket.socket:
    """A connection that has asked for ``path`` and holds at most ``buffer`` bytes of the
    answer until it is read: a slow reader, so a big answer is still being sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)
    ending = "Connection: close\r\n" if close else ""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{ending}\r\n".encode())
    return sock


def hang_up_unread(port: int, path: str) -> None:
    """Ask for ``path`` and drop the connection without reading the answer (a reset, as a
    browser's reload or a closed tab does)."""
    sock = slow_request(port, path, 4096)
    time.sleep(0.2)  # the server is writing now, blocked on the full socket
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_browser_hanging_up_mid_answer_is_no_traceback(site: SiteMaker) -> None:
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    # Far more than the sockets' buffers hold: the server is mid-write when the reset comes.
    site.write("content/static/big.bin", os.urandom(16 * 1024 * 1024))
    port = free_port()
    with until_stopped(Served(site, port, start(site, port))) as server:
        for _ in range(3):
            hang_up_unread(port, "/big.bin")
        assert server.get("/posts/hello/")[0] == 200  # still serving
        server.proc.send_signal(signal.SIGINT)
        _out, err = server.proc.communicate(timeout=TIMEOUT)
    assert "Traceback" not in err, err
    assert "Error" not in err, err
    assert err.rstrip().endswith("Stopped.")


def test_media_is_sent_in_the_parts_a_player_asks_for(site: SiteMaker) -> None:
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    media = os.urandom(3 * 1024 * 1024 + 17)
    size = len(media)
    site.write("content/static/talk.mp4", media)
    port = free_port()
    with until_stopped(Served(site, port, start(site, port))):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # one, kept alive
        status, headers, body = ask(conn, "/talk.mp4")
        assert (status, headers["Accept-Ranges"], body) == (200, "bytes", media)
        assert headers["Content-Type"] == "video/mp4"
        for asked, first, last in [
            ("bytes=100-199", 100, 199),
            ("bytes=0-0", 0, 0),
            (f"bytes={size - 10}-", size - 10, size - 1),
            ("bytes=-500", size - 500, size - 1),
            (f"bytes=-{size * 2}", 0, size - 1),
            (f"bytes=1000-{size * 5}", 1000, size - 1),
            ("BYTES=7-8", 7, 8),
        ]:
            status, headers, body = ask(conn, "/talk.mp4", Range=asked)
            assert status == 206, asked
            assert headers["Content-Range"] == f"bytes {first}-{last}/{size}", asked
            assert body == media[first : last + 1], asked
        for past in [f"bytes={size}-", f"bytes={size + 5}-{size + 9}", "bytes=-0"]:
            status, headers, body = ask(conn, "/talk.mp4", Range=past)
            assert (status, headers["Content-Range"], body) == (416, f"bytes */{size}", b"")
        # Ranges the server may ignore: the whole file, as for no range at all.
        for ignored in ["bytes=9-3", "bytes=0-1,5-6", "items=0-5", "bytes=x-y", "bytes=-"]:
            status, _headers, body = ask(conn, "/talk.mp4", Range=ignored)
            assert (status, body) == (200, media), ignored
        status, _headers, body = ask(conn, "/talk.mp4", Range="bytes=0-9", **{"If-Range": "x"})
        assert (status, body) == (200, media)
        status, headers, body = ask(conn, "/talk.mp4", "HEAD", Range="bytes=0-9")
        assert (status, headers["Content-Length"], body) == (200, str(size), b"")
        # Pages are whole (the reload script goes in), never parts.
        status, headers, body = ask(conn, "/posts/hello/", Range="bytes=0-9")
        assert status == 200 and b"First version." in body and "Accept-Ranges" not in headers
        conn.close()


def test_a_file_being_sent_is_all_of_one_build(site: SiteMaker) -> None:
    """A rebuild that replaces a big file while a slow reader is fetching it: the reader
    gets every byte of the version it asked for, none of the next."""
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    # More than the sockets' buffers hold: the server is mid-send when the rebuild comes.
    before, after = os.urandom(16 * 1024 * 1024), os.urandom(16 * 1024 * 1024)
    site.write("content/static/big.bin", before)
    port = free_port()
    with until_stopped(Served(site, port, start(site, port))) as server:
        sock = slow_request(port, "/big.bin", 1 << 16, close=True)
        first = sock.recv(4096)
        version = server.status()["version"]
        site.write("content/static/big.bin", after)
        server.wait_for(lambda: server.status()["version"] > version, "the rebuild")
        chunks = [first]
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
        sock.close()
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert body == before
        server.wait_for(  # (the write of the new version may take more than one rebuild)
            lambda: server.get_bytes("/big.bin")[2] == after, "the new version served"
        )


@pytest.mark.skipif(os.name != "posix", reason="SIGINT is how Ctrl-C arrives on POSIX")
def test_ctrl_c_stops_cleanly(served: Served) -> None:
    served.proc.send_signal(signal.SIGINT)
    _out, err = served.proc.communicate(timeout=TIMEOUT)
    assert served.proc.returncode == 0
    assert err.rstrip().endswith("Stopped.")
    assert "Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="SIGINT is how Ctrl-C arrives on POSIX")
def test_ctrl_c_stops_it_even_when_started_with_interrupts_ignored(site: SiteMaker) -> None:
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    port = free_port()
    with until_stopped(Served(site, port, start(site, port, interrupts_ignored=True))) as server:
        server.proc.send_signal(signal.SIGINT)
        _out, err = server.proc.communicate(timeout=TIMEOUT)
    assert server.proc.returncode == 0
    assert err.rstrip().endswith("Stopped.")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_binds_localhost_by_default(served: Served) -> None:
    listening = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port = local.split(":")
        if int(port, 16) == served.port and state == "0A":  # 0A: LISTEN
            listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, little-endian hex


def kernel_watches(pid: int) -> int:
    """How many folders and files the process has inotify watches on."""
    count = 0
    for fd in Path(f"/proc/{pid}/fdinfo").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            count += fd.read_text().count("inotify wd:")
    return count


@pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="reads Linux's fd table")
def test_only_the_sources_are_watched_never_the_output(served: Served) -> None:
    """A watch on the output would overflow the kernel's event queue while a big site's
    rebuild writes, and the writer's next edit would be lost: only content/ and themes/ are
    watched, however many folders the served site has."""
    served.site.write("content/posts/more.md", post("More", body="Another post.", tags=["x"]))
    served.wait_for(lambda: "Another post." in served.get("/posts/more/")[2], "the new post")
    root = served.site.root
    sources = sum(1 for d in [root / "content", *(root / "content").rglob("*")] if d.is_dir())
    outputs = sum(1 for d in (root / ".thoughtgen").rglob("*") if d.is_dir())
    assert outputs > 2 * sources  # the check below could tell the two apart
    assert 1 <= kernel_watches(served.proc.pid) <= sources
    # The config file beside them is still seen when it changes, and so is a new themes/.
    served.site.config(base=BASE_CONFIG.replace("Test Site", "Renamed Site"))
    served.wait_for(lambda: "Renamed Site" in served.get("/")[2], "the config edit")
    served.site.write(
        "themes/default/templates/base.html",
        "{% extends '!default/base.html' %}"
        "{% block meta %}{{ super() }}<meta name=watched content=yes>{% endblock %}\n",
    )
    served.wait_for(lambda: "content=yes" in served.get("/archive/")[2], "the new theme folder")


def test_serve_outside_a_site_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "thoughtgen", "serve", "--source", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 1
    assert "no thoughtgen.yaml in" in result.stderr


# What a writer does while the first build runs (it takes minutes on a big site).
DURING_FIRST_BUILD = {
    "edit a post": lambda s: s.write("content/posts/hello.md", post("Hello", body="Edited.")),
    "add a post": lambda s: s.write("content/posts/new.md", post("New", body="Edited.")),
    "remove a post": lambda s: (s.root / "content/posts/other.md").unlink(),
    "edit the config": lambda s: s.config("posts_per_page: 1\n"),
    "add a theme file": lambda s: s.write(
        "themes/default/templates/page.html", '{% extends "!default/page.html" %}Edited.'
    ),
    "nothing": lambda s: None,
}


@pytest.mark.parametrize("change", sorted(DURING_FIRST_BUILD))
def test_a_change_made_during_the_first_build_is_built_once_watching(
    site: SiteMaker, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    site.config()
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    site.write("content/posts/other.md", post("Other", body="Another post."))
    site.write("content/about.md", "---\ntitle: About\n---\nAbout me.\n")
    time.sleep(1.2)  # the files' times are older than the start by more than its slack
    lines: list[str] = []
    server = DevServer(site.root, "127.0.0.1", 0, False, False, echo=lines.append)
    server.bind()
    start_at = server.starting()
    whole = serve_module.build

    def build_then_change(options: BuildOptions) -> object:
        result = whole(options)
        if not server.state.watching:
            DURING_FIRST_BUILD[change](site)  # after the build read it, before the watch
        return result

    monkeypatch.setattr(serve_module, "build", build_then_change)
    assert server.build()
    thread = threading.Thread(target=server.serve_forever, args=(start_at,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (server.state.watching and not server.state.busy):
            assert time.monotonic() < deadline, "the watcher did not settle"
            time.sleep(0.05)
        time.sleep(2 * serve_module.QUIET_SECONDS)  # a rebuild, if any, has started and ended
        while server.state.busy:
            time.sleep(0.05)
    finally:
        server.shutdown()
        thread.join(10)
    rebuilt = "Changed while starting up" in lines
    assert rebuilt == (change != "nothing"), lines
    served = output_files(server.out_dir)
    clean = site.root / "clean"
    build(BuildOptions(site.root, clean, base_url=server.url, accept_new_ids=True, clean=True))
    assert served == output_files(clean)


def test_each_warning_is_shown_once_while_serving(site: SiteMaker) -> None:
    """A rebuild tells only of warnings that are new; the others are counted."""
    site.config()
    site.write("content/posts/hello.md", post("Hello", body="First version."))
    site.write("content/posts/later.md", post("Later", date="2099-01-01 09:00"))
    lines: list[str] = []
    server = DevServer(site.root, "127.0.0.1", 0, False, False, echo=lines.append)

    def build_shows() -> list[str]:
        lines.clear()
        assert server.build()
        return [line for line in lines if not line.startswith("Built ")]

    later = "content/posts/later.md: scheduled for 2099-01-01 09:00 +01:00, not published yet"
    assert build_shows() == [later]
    site.write("content/posts/hello.md", post("Hello", body="Second version."))
    assert build_shows() == ["(1 warning shown before still holds)"]
    site.write("content/posts/even-later.md", post("Even later", date="2099-02-01 09:00"))
    shown = build_shows()
    assert shown[0].startswith("content/posts/even-later.md: scheduled for 2099-02-01")
    assert shown[1:] == ["(1 warning shown before still holds)"]
    site.write("content/posts/hello.md", post("Hello", date="not a date"))
    assert not server.build()  # a failed build: its error is shown, the warnings kept
    site.write("content/posts/hello.md", post("Hello", body="Fixed."))
    assert build_shows() == ["(2 warnings shown before still hold)"]
    (site.root / "content/posts/later.md").unlink()
    (site.root / "content/posts/even-later.md").unlink()
    assert build_shows() == []
