"""A real browser for the tests: Debian's Chromium driven by Playwright, over a local server.

Locally, a missing Chromium or Playwright skips the browser tests; in CI (CI=true) it
fails them, because a browser test that did not run proves nothing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# One page of each type of the starter site: the browser and Lighthouse checks visit these.
PAGES = {
    "home": "",
    "page 2": "page/2/",
    "post": "posts/the-one-hour-a-week-habit/",  # code, a table and footnotes
    "tag": "tags/networking/",
    "tags": "tags/",
    "archive": "archive/",
    "series": "series/networking-foundations/",
    "about": "about/",
    "calendar": "calendar/",
    "404": "404.html",
}
ARTIFACTS = Path(os.environ.get("THOUGHTGEN_ARTIFACTS", REPO / "artifacts"))


def missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {what}")
    pytest.skip(what)


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROME_PATH", ""), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    missing("Chromium is not installed (apt-get install chromium)")
    raise AssertionError  # unreachable: missing() raises


def node_module(*parts: str) -> Path:
    path = REPO.joinpath("node_modules", *parts)
    if not path.exists():
        missing(f"{'/'.join(parts)} is not installed (run `npm ci`)")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_server(root: Path) -> Iterator[str]:
    """Serve ``root`` on a free loopback port, as a static host would."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()
