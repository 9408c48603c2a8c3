"""``thoughtgen serve``: build, serve on localhost, rebuild on change, reload open pages.

The reload script and the ``/__thoughtgen/`` endpoints exist only here: they are added to
HTML responses as they are served, never written into a build.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from thoughtgen.build import BuildOptions, build
from thoughtgen.config import CONFIG_FILE
from thoughtgen.errors import ThoughtgenError
from thoughtgen.httprange import Part, Unsatisfiable, requested_range
from thoughtgen.session import BuildSession

SERVE_DIR = Path(".thoughtgen") / "serve"
ENDPOINT = "/__thoughtgen/"
KEEPALIVE_SECONDS = 10.0
WATCHED_TOP = ("content", "themes", CONFIG_FILE)
QUIET_SECONDS = 0.5  # how long the watcher waits before it says nothing changed
BATCH_MS = 10  # how long the watcher waits for more events after one
STARTING_SLACK_NS = 1_000_000_000  # file times a little before the start count as after it


@dataclass(frozen=True)
class Starting:
    """When the first build began, and which watched sources were there then."""

    ns: int
    present: tuple[str, ...]


def _newest(stat: os.stat_result) -> int:
    return max(stat.st_mtime_ns, stat.st_ctime_ns)


def _changed_under(folder: Path, since: int, relevant: Callable[[object, str], bool]) -> bool:
    """Whether ``folder`` or anything under it (but editors' scratch files) is newer."""
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            if _newest(os.stat(current)) >= since:
                return True
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif relevant(None, entry.path) and _newest(entry.stat()) >= since:
                        return True
        except OSError:
            return True  # gone meanwhile: a change
    return False


RELOAD_SCRIPT = """<script>
(() => {
  const built = %(version)d;
  let box = null;
  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#ffe9e9;z-index:2147483647;" +
        "font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;border-top:4px solid #ff6b6b";
      document.body.appendChild(box);
    }
    box.textContent = "thoughtgen: the last build failed; " +
      "this page is the last good one.\\n\\n" + text;
  }
  const events = new EventSource("%(endpoint)sevents");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.error) { show(state.error); return; }
    if (state.version !== built) { location.reload(); return; }
    if (box) { box.remove(); box = null; }
  });
})();
</script>
"""

NO_SITE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>thoughtgen: build failed</title></head>
<body><h1>The site has not built yet</h1><p>Fix the problem below and save: this page reloads
by itself.</p></body></html>
"""


@dataclass
class BuildState:
    """What the browser is told: the version of the site on disk and the last error."""

    version: int = 0
    error: str | None = None
    watching: bool = False  # the file watcher runs: edits from now on are seen
    busy: bool = False  # a rebuild runs or a change is waiting for one
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, *, success: bool, error: str | None = None) -> None:
        with self.changed:
            if success:
                self.version += 1
                self.error = None
            else:
                self.error = error
            self.changed.notify_all()

    def snapshot(self) -> dict[str, object]:
        return {"version": self.version, "error": self.error}


class DevServer:
    def __init__(
        self,
        site_dir: Path,
        host: str,
        port: int,
        include_drafts: bool,
        include_future: bool,
        echo: Callable[[str], None],
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.host = host
        self.port = port
        self.out_dir = self.site_dir / SERVE_DIR
        self.include_drafts = include_drafts
        self.include_future = include_future
        self.echo = echo
        self.state = BuildState()
        self.stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        # Held while a rebuild puts files in place and while a request reads one, so no
        # answer mixes two builds.
        self.files_lock = threading.Lock()
        self.session: BuildSession | None = None
        self._primed = -1
        self._warned: set[str] = set()  # the warnings the last good build showed

    @property
    def url(self) -> str:
        host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def _options(self) -> BuildOptions:
        return BuildOptions(
            site_dir=self.site_dir,
            output_dir=self.out_dir,
            include_drafts=self.include_drafts,
            include_future=self.include_future,
            base_url=self.url,
            accept_new_ids=True,  # a preview on this machine: no subscriber reads its feeds
            # Workers are forked only while this process has no other thread: the first
            # build (on every core, as `build` does) runs before the server and the
            # watcher start; rebuilds, beside them, are incremental and run here.
            jobs=None if threading.active_count() == 1 else 1,
        )

    def build(self, changed: Collection[str] | None = None) -> bool:
        """Build into the serve folder; on failure the last good site stays.

        ``changed`` names the files changed since the last build; with them, a primed
        session re-reads only those. None builds the whole way.
        """
        try:
            if self.session is not None and changed is not None:
                result = self.session.rebuild([Path(p) for p in changed])
            else:
                if self.session is not None:
                    self.session.forget()  # nothing it kept is trusted after this build
                result = build(self._options())
        except ThoughtgenError as exc:
            message = "\n".join(str(p) for p in exc.problems)
            self.echo(message)
            self.echo("Build failed; still serving the last good site.")
            self.state.publish(success=False, error=message)
            return False
        except Exception:  # a bug must not stop the server the writer is looking at
            message = traceback.format_exc()
            self.echo(message)
            self.state.publish(success=False, error=message)
            return False
        self._show_warnings([str(warning) for warning in result.warnings])
        self.echo(f"Built {result.pages} pages in {result.seconds:.2f} s")
        self.state.publish(success=True)
        return True

    def _show_warnings(self, warnings: list[str]) -> None:
        """The warnings new since the last good build; the rest are counted, not repeated
        (a site with a hundred scheduled posts would print them all on every save)."""
        again = 0
        for warning in warnings:
            if warning in self._warned:
                again += 1
            else:
                self.echo(warning)
        if again == 1:
            self.echo("(1 warning shown before still holds)")
        elif again:
            self.echo(f"({again} warnings shown before still hold)")
        self._warned = set(warnings)

    def prime(self) -> None:
        """Warm the rebuild session once a build has succeeded (it writes nothing), or, when
        it is warm, settle what its rebuilds wrote."""
        if self.session is None:
            self.session = BuildSession(self._options(), self.files_lock)
        if self.session.warm:
            try:
                self.session.settle()
            except Exception:  # the next start then compares every output: slower, not wrong
                self.echo(traceback.format_exc())
            return
        if self.state.error is not None or self._primed == self.state.version:
            return
        self._primed = self.state.version  # tried for this version: not again until the next
        try:
            self.session.prime()
        except ThoughtgenError:
            pass  # the next change builds the whole way and says what is wrong
        except Exception:  # a bug must not stop the watcher: rebuilds go the whole way
            self.echo(traceback.format_exc())

    def bind(self) -> None:
        handler = type("Handler", (_Handler,), {"server_ref": self})
        try:
            self._server = _Server((self.host, self.port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"port {self.port} on {self.host} is already in use; try --port {self.port + 1}"
                ) from None
            raise
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def starting(self) -> Starting:
        """Taken before the first build: what ``changed_since`` compares with."""
        return Starting(time.time_ns(), self._present_tops())

    def changed_since(self, start: Starting) -> bool:
        """Whether a source, theme file or the config changed after ``start``: a file or
        folder under the watched ones with a newer time (a folder's time changes when a
        file in it is added, removed or renamed), or a watched one that came or went.

        Times within a second of the start count as newer: a file's time is read from a
        coarser clock. The cost of a change seen that was not one is a build that finds
        nothing to do.
        """
        if self._present_tops() != start.present:
            return True
        since = start.ns - STARTING_SLACK_NS
        for top in start.present:
            path = self.site_dir / top
            if path.is_file():
                if _newest(os.stat(path)) >= since:
                    return True
            elif _changed_under(path, since, self._relevant):
                return True
        return False

    def _present_tops(self) -> tuple[str, ...]:
        return tuple(top for top in WATCHED_TOP if (self.site_dir / top).exists())

    def watch(self, start: Starting) -> None:
        """Rebuild whenever a source, theme file or the config changes (runs in a thread)."""
        armed = False
        for changes in self._changes():
            if not armed:
                armed = True
                self.state.watching = True
                if not changes and self.changed_since(start):
                    self.echo("Changed while starting up")
                    self.build()
            if not changes:
                # The watcher came back empty-handed: no edit is waiting for a rebuild.
                self.state.busy = False
                self.prime()
                continue
            names = sorted({os.path.relpath(p, self.site_dir) for p in changes})
            self.echo(f"Changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
            self.state.busy = True  # until the watcher comes back with nothing more
            self.build(changes)

    def _changes(self) -> Iterator[set[str]]:
        """The paths changed since the last batch, or an empty set after a quiet spell.

        Only the source folders are watched, never the site folder as a whole: the serve
        output and its staging tree live there, tens of thousands of folders at 10,000
        posts, and a kernel watch on each of them overflows the kernel's event queue while a
        rebuild writes, which loses the writer's next edit. The config file is a single file
        beside them, so it is compared by its stat on every quiet spell instead; a source
        folder that appears or goes away restarts the watch.
        """
        config = self.site_dir / CONFIG_FILE
        stamp = _stamp(config)
        pending: set[str] = set()  # seen before the watch restarted, told after it did
        while not self.stop.is_set():
            folders = self._present_folders()
            for batch in self._batches(folders):
                paths, pending = pending | batch, set()
                now = _stamp(config)
                if now != stamp:
                    stamp = now
                    paths.add(str(config))
                if self._present_folders() != folders:
                    # A source folder appeared or went. Watch the new set first and tell of
                    # the change after, so a file written meanwhile is in the next build.
                    pending = paths | {str(d) for d in self._source_folders()}
                    break
                yield paths

    def _batches(self, folders: list[Path]) -> Iterator[set[str]]:
        """Batches of changed paths in ``folders``; an empty one after each quiet spell."""
        if not folders:
            while not self.stop.wait(QUIET_SECONDS):
                yield set()
            return
        from watchfiles import watch

        for changes in watch(
            *folders,
            watch_filter=self._relevant,
            stop_event=self.stop,
            raise_interrupt=False,
            yield_on_timeout=True,
            rust_timeout=int(QUIET_SECONDS * 1000),
            # An editor's save (write, rename) comes in well under this: the rebuild starts
            # sooner than after watchfiles' usual 50 ms, and an event later than it (a long
            # checkout) only makes one rebuild more.
            step=BATCH_MS,
        ):
            yield {path for _change, path in changes}

    def _present_folders(self) -> list[Path]:
        return [folder for folder in self._source_folders() if folder.is_dir()]

    def _source_folders(self) -> list[Path]:
        return [self.site_dir / top for top in WATCHED_TOP if top != CONFIG_FILE]

    @staticmethod
    def _relevant(_change: object, path: str) -> bool:
        """Not an editor's lock, swap or backup file (only source folders are watched)."""
        name = os.path.basename(path)
        return not (name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".tmp")))

    def serve_forever(self, start: Starting) -> None:
        assert self._server is not None
        watcher = threading.Thread(target=self.watch, args=(start,), name="watch", daemon=True)
        watcher.start()
        try:
            self._server.serve_forever(poll_interval=0.25)
        finally:
            self.stop.set()
            with self.state.changed:
                self.state.changed.notify_all()
            self._server.server_close()

    def shutdown(self) -> None:
        self.stop.set()
        if self._server is not None:
            self._server.shutdown()


class PortInUse(Exception):
    pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that goes away before its answer is sent (a reload, a closed tab) is
        not an error worth a traceback in the writer's terminal; anything else is."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server_ref: DevServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, a kept-alive connection (what a
    # browser uses) waits some 40 ms on every answer for the peer's delayed acknowledgement.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # a quiet terminal: the writer wants build messages, not access logs

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        raw_path = urlsplit(self.path).path
        if raw_path.startswith(ENDPOINT):
            self._endpoint(raw_path[len(ENDPOINT) :], head)
            return
        with self.server_ref.files_lock:  # never half of one rebuild and half of the next
            answer = self._answer(raw_path)
        if answer is None:  # a folder asked for without its slash
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", raw_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, body, kind = answer
        if isinstance(body, bytes):
            self._send(status, body, kind, head)
            return
        with body:
            self._send_file(body, kind, head)

    def _answer(self, raw_path: str) -> tuple[HTTPStatus, bytes | BinaryIO, str] | None:
        """Status, body and type of the answer to ``raw_path``; None to add the slash.

        A page is read whole (the reload script goes into it); any other file is opened, to
        be sent from disk once the lock is released: the open file keeps the bytes of the
        build it belongs to, because a rebuild replaces files, never writes through them.
        """
        target = self._resolve(raw_path)
        dev = self.server_ref
        if isinstance(target, str):  # "redirect"
            return None
        if target is None:
            not_found = dev.out_dir / "404.html"
            if not dev.out_dir.is_dir():
                return HTTPStatus.SERVICE_UNAVAILABLE, NO_SITE_PAGE.encode(), "text/html"
            if not_found.is_file():
                return HTTPStatus.NOT_FOUND, not_found.read_bytes(), "text/html"
            return HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        try:
            if kind == "text/html":
                return HTTPStatus.OK, target.read_bytes(), kind
            return HTTPStatus.OK, target.open("rb"), kind
        except OSError:  # swapped away between resolve and read: ask again
            return HTTPStatus.SERVICE_UNAVAILABLE, b"Rebuilding, try again\n", "text/plain"

    def _resolve(self, raw_path: str) -> Path | str | None:
        """The file to serve, "redirect" for a folder without its slash, or None (404)."""
        lowered = raw_path.lower()
        if "%2f" in lowered or "%5c" in lowered or "\\" in raw_path or "%00" in lowered:
            return None
        path = unquote(raw_path)
        parts = PurePosixPath(path).parts
        if ".." in parts or any(part.startswith(".") and part != "/" for part in parts):
            return None  # no traversal, and no dot files such as the manifest
        root = self.server_ref.out_dir.resolve()
        candidate = root.joinpath(*[p for p in parts if p != "/"])
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(root):
            return None  # a symlink pointing out of the site
        if resolved.is_dir():
            if not path.endswith("/"):
                return "redirect"
            resolved = resolved / "index.html"
            if not resolved.resolve().is_relative_to(root):
                return None
        return resolved if resolved.is_file() else None

    def _send(self, status: HTTPStatus, data: bytes, kind: str, head: bool) -> None:
        if kind == "text/html":
            data = _inject(data, self.server_ref.state.version)
        self._start(status, kind, len(data))
        if not head:
            self.wfile.write(data)

    def _start(
        self, status: HTTPStatus, kind: str, length: int, more: Sequence[tuple[str, str]] = ()
    ) -> None:
        """The status line and headers of an answer of ``length`` bytes, never cached."""
        self.send_response(status)
        self.send_header("Content-Type", _with_charset(kind))
        self.send_header("Content-Length", str(length))
        for name, value in more:
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send_file(self, file: BinaryIO, kind: str, head: bool) -> None:
        """A file sent from disk as it is (a video need not fit in memory), or the part of
        it that a ``Range`` header asks for (how a browser seeks in audio and video)."""
        size = os.fstat(file.fileno()).st_size
        wanted = None
        # Ranges are for GET only; an If-Range names a version, and no validators are sent.
        if not head and "If-Range" not in self.headers:
            wanted = requested_range(self.headers.get("Range"), size)
        if isinstance(wanted, Unsatisfiable):
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        part = wanted or Part(0, size, size)
        more = [("Accept-Ranges", "bytes")]
        if wanted is not None:
            more.append(("Content-Range", part.content_range))
        count = part.stop - part.start
        status = HTTPStatus.OK if wanted is None else HTTPStatus.PARTIAL_CONTENT
        self._start(status, kind, count, more)
        if not head and count and self.connection.sendfile(file, part.start, count) < count:
            self.close_connection = True  # cut short by hand in the output: say no more

    def _endpoint(self, name: str, head: bool) -> None:
        state = self.server_ref.state
        if name == "status":
            body = json.dumps(
                {**state.snapshot(), "watching": state.watching, "idle": not state.busy}
            ).encode()
            self._send(HTTPStatus.OK, body, "application/json", head)
        elif name == "events":
            self._events()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain", head)

    def _events(self) -> None:
        """Server-sent events: the state now, then again whenever it changes."""
        dev = self.server_ref
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen: dict[str, object] | None = None
        # A page closed or reloaded ends this with a ConnectionError: ``_Server`` is quiet.
        while not dev.stop.is_set():
            with dev.state.changed:
                if seen == dev.state.snapshot():
                    dev.state.changed.wait(KEEPALIVE_SECONDS)
                current = dev.state.snapshot()
            if current != seen:
                self.wfile.write(f"event: state\ndata: {json.dumps(current)}\n\n".encode())
                seen = current
            else:
                self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from the next, or None when it is not there."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _with_charset(kind: str) -> str:
    if kind.startswith("text/") or kind in (
        "application/xml",
        "application/json",
        "image/svg+xml",
        "application/javascript",
    ):
        return kind + "; charset=utf-8"
    return kind


def _inject(html: bytes, version: int) -> bytes:
    script = (RELOAD_SCRIPT % {"version": version, "endpoint": ENDPOINT}).encode()
    index = html.rfind(b"</body>")
    return html + script if index == -1 else html[:index] + script + html[index:]
