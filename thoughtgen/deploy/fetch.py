"""Bounded HTTP fetching for ``deploy verify``: one site's own URLs only, with limits on
time, size, redirects and requests in flight."""

from __future__ import annotations

import http.client
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

from thoughtgen import __version__

MAX_BYTES = 4 * 1024 * 1024  # a page, feed or sitemap larger than this is read only this far
MAX_REDIRECTS = 5
REQUEST_TIMEOUT = 30.0  # seconds a single request may take, within the overall deadline
CHUNK = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
RETRY_FIRST = 0.5  # seconds before the first retry; doubled each round, with jitter
RETRY_MOST = 15.0


@dataclass(frozen=True)
class Scope:
    """The URLs verify may fetch: the site's origin, below the site's root path."""

    scheme: str
    host: str
    port: int
    path: str  # ends with "/"

    @classmethod
    def of(cls, root: str) -> Scope:
        parts = urlsplit(root)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        return cls(parts.scheme.lower(), (parts.hostname or "").lower(), _port(parts), path)

    @property
    def root(self) -> str:
        default = DEFAULT_PORTS.get(self.scheme)
        netloc = self.host if self.port == default else f"{self.host}:{self.port}"
        if ":" in self.host:  # an IPv6 address
            netloc = f"[{self.host}]" if self.port == default else f"[{self.host}]:{self.port}"
        return f"{self.scheme}://{netloc}{self.path}"

    def contains(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            port = _port(parts)
        except ValueError:
            return False
        if (parts.scheme.lower(), (parts.hostname or "").lower(), port) != (
            self.scheme,
            self.host,
            self.port,
        ):
            return False
        path = parts.path or "/"
        if ".." in path.split("/"):
            return False
        return path.startswith(self.path) or path + "/" == self.path


def _port(parts: SplitResult) -> int:
    return parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), -1)


@dataclass(frozen=True)
class Response:
    """What one fetch gave: a status, or why there was none."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int | None  # None: no answer (see error)
    content_type: str = ""
    body: bytes = b""
    error: str = ""
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def answered(self) -> bool:
        """The server gave a real answer (not a connection problem or a server error)."""
        return self.status is not None and self.status < 500 and self.status != 429

    @property
    def outcome(self) -> str:
        """The status as a message shows it: ``404``, or what went wrong."""
        return str(self.status) if self.status is not None else self.error

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by the Fetcher itself, which checks each target first."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Fetcher:
    """GET requests within ``scope`` until ``deadline`` (a ``time.monotonic()`` value),
    at most ``jobs`` at once, reading at most ``max_bytes`` of each response."""

    def __init__(
        self,
        scope: Scope,
        deadline: float,
        jobs: int,
        *,
        max_bytes: int = MAX_BYTES,
        request_timeout: float = REQUEST_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scope = scope
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.request_timeout = request_timeout
        self.clock = clock
        self._slots = threading.BoundedSemaphore(max(1, jobs))
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._count = 0
        self._count_lock = threading.Lock()

    @property
    def requests(self) -> int:
        """How many requests were sent so far."""
        return self._count

    def remaining(self) -> float:
        return self.deadline - self.clock()

    def get(self, url: str, *, body: bool = True) -> Response:
        """Fetch ``url``, following up to MAX_REDIRECTS redirects inside the scope."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if not self.scope.contains(current):
                where = "redirects" if current != url else "is"
                return Response(
                    url, current, None, error=f"{where} outside {self.scope.root} ({current})"
                )
            response, location = self._once(current, body)
            if location is None:
                return Response(
                    url,
                    current,
                    response.status,
                    response.content_type,
                    response.body,
                    response.error,
                    response.truncated,
                )
            current = urljoin(current, location)
        return Response(url, current, None, error=f"more than {MAX_REDIRECTS} redirects")

    def _once(self, url: str, body: bool) -> tuple[Response, str | None]:
        """One request; the redirect target too, when the answer is a redirect."""
        with self._slots:
            left = self.remaining()
            if left <= 0:
                return Response(url, url, None, error="not answered within the time limit"), None
            with self._count_lock:
                self._count += 1
            request = urllib.request.Request(
                url, headers={"User-Agent": f"thoughtgen/{__version__} (deploy verify)"}
            )
            try:
                with self._opener.open(request, timeout=min(self.request_timeout, left)) as reply:
                    data, truncated = self._read(reply) if body else (b"", False)
                    content_type = reply.headers.get("Content-Type", "")
                    return Response(url, url, reply.status, content_type, data, "", truncated), None
            except urllib.error.HTTPError as exc:
                location = exc.headers.get("Location") if exc.headers else None
                content_type = exc.headers.get("Content-Type", "") if exc.headers else ""
                exc.close()
                redirect = location if exc.code in (301, 302, 303, 307, 308) else None
                return Response(url, url, exc.code, content_type), redirect
            except urllib.error.URLError as exc:
                return Response(url, url, None, error=_reason(exc.reason)), None
            except (OSError, http.client.HTTPException, ValueError) as exc:
                return Response(url, url, None, error=_reason(exc)), None

    def _read(self, reply: http.client.HTTPResponse) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while size < self.max_bytes:
            if self.remaining() <= 0:
                raise TimeoutError("timed out")
            chunk = reply.read(min(CHUNK, self.max_bytes - size))
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), bool(reply.read(1))


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "closed the connection without answering"
    text = str(reason) or type(reason).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def backoff(round_: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry round ``round_`` (0-based): exponential, full jitter
    between half and all of it, so many clients do not retry in step."""
    ceiling = min(RETRY_MOST, RETRY_FIRST * 2**round_)
    return (rng or random).uniform(ceiling / 2, ceiling)
