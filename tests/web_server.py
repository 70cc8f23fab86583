"""A real HTTP server on 127.0.0.1 for the fetch, add and feed tests.

It serves the pages in tests/data/web and the feeds in tests/data/feeds (with ETag and
conditional requests), plus the faults a fetcher meets: 404, 500, a slow page, a page over
the size limit, a gzip bomb, a PDF, a redirect loop, a redirect to a private address,
a 429 with Retry-After. Every request's path is recorded.

A page names its outlet's site in its canonical link (www.lindauer-tagblatt.example),
and a page is trusted with that name only when fetched from that site: `url()` gives such
a page's address on its own site, which the `web` fixture resolves to 127.0.0.1 (the
`.example` names are reserved, RFC 2606: they never reach a real network).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
PAGES = DATA / "web"
FEEDS = DATA / "feeds"
_CANONICAL = re.compile(
    rb'(?:rel="canonical" href|property="og:url" content)="https?://([^/":]+)', re.IGNORECASE
)
_LINKED = re.compile(rb"\{BASE\}/([\w.-]+)")


def site_of_page(name: str) -> str | None:
    """The host a page of tests/data/web names as its own, if it names one."""
    page = PAGES / name.lstrip("/")
    if not page.is_file():
        return None
    found = _CANONICAL.search(page.read_bytes())
    return found.group(1).decode() if found else None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def _faults(server: WebServer) -> dict[str, Callable[[], Response]]:
    big = b"<html><body><p>" + b"Wort " * 1_300_000 + b"</p></body></html>"  # 6.5 MB
    bomb = gzip.compress(b"<html><body>" + b"A" * 60_000_000 + b"</body></html>")
    return {
        "/missing.html": lambda: Response(404, b"not here"),
        "/broken.html": lambda: Response(500, b"oops"),
        "/slow.html": lambda: Response(body=b"<html></html>", delay=server.slow_seconds),
        "/huge.html": lambda: Response(body=big),
        "/bomb.html": lambda: Response(body=bomb, headers={"Content-Encoding": "gzip"}),
        "/report.pdf": lambda: Response(body=b"%PDF-1.7 ...", content_type="application/pdf"),
        "/loop-a.html": lambda: Response(302, headers={"Location": "/loop-b.html"}),
        "/loop-b.html": lambda: Response(302, headers={"Location": "/loop-a.html"}),
        "/to-private.html": lambda: Response(
            302, headers={"Location": "http://10.0.0.1/admin.html"}
        ),
        "/moved.html": lambda: Response(301, headers={"Location": "/de-bahn-streik.html"}),
        "/busy.html": server.busy_then_page,
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up mid-answer (size limits, timeouts) is part of the script


class WebServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.requests: list[str] = []
        self.slow_seconds = 3.0
        self.extra: dict[str, Response] = {}  # tests add or replace routes here
        self._busy = 0
        self._routes = _faults(self)
        self._server = _Server((host, port), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Where `path` is served: a page on the site it names as its own, else here."""
        host = site_of_page(path)
        if host is None:
            return f"{self.base}/{path.lstrip('/')}"
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def fetched(self, path: str) -> int:
        """How often `path` was requested."""
        return self.requests.count("/" + path.lstrip("/"))

    def busy_then_page(self) -> Response:
        self._busy += 1
        if self._busy == 1:
            return Response(429, b"slow down", headers={"Retry-After": "1"})
        return Response(body=(PAGES / "de-bahn-streik.html").read_bytes())

    def start(self) -> WebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def respond(self, path: str, headers: Any) -> Response:
        if path in self.extra:
            return self.extra[path]
        if path in self._routes:
            return self._routes[path]()
        for folder, kind in ((PAGES, "text/html; charset=utf-8"), (FEEDS, "application/xml")):
            file = folder / path.lstrip("/").removeprefix("feeds/")
            if folder == FEEDS and not path.startswith("/feeds/"):
                continue
            if file.is_file():
                body = _LINKED.sub(
                    lambda m: self.url(m.group(1).decode()).encode(), file.read_bytes()
                )
                body = body.replace(b"{BASE}", self.base.encode())
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if headers.get("If-None-Match") == etag:
                    return Response(304, headers={"ETag": etag})
                ctype = "application/rss+xml" if file.suffix == ".rss" else kind
                return Response(body=body, content_type=ctype, headers={"ETag": etag})
        return Response(404, b"not found")

    def _linked(self, match: re.Match[bytes]) -> bytes:
        """A feed's link to a page, on the page's own site."""
        return self.url(match.group(1).decode()).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.requests.append(path)
                response = server.respond(path, self.headers)
                time.sleep(response.delay)
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", response.content_type)
                    self.send_header("Content-Length", str(len(response.body)))
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts and size limits are part of the script)

        return Handler


class SlowHeaders:
    """A server that answers with a status line, then one header line every `pause`
    seconds for `seconds` seconds: each read gets a byte in time, the whole never ends."""

    def __init__(self, pause: float = 0.2, seconds: float = 30.0) -> None:
        self.pause, self.seconds = pause, seconds
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/page.html"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            end = time.monotonic() + self.seconds
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while time.monotonic() < end and not self.stop.is_set():
                    conn.sendall(b"X-Slow: yes\r\n")
                    time.sleep(self.pause)
            except OSError:
                return  # the client gave up, as it should
