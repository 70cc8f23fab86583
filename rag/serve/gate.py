"""The door of `rag serve`: every request passes here before a route sees it, and before
a byte of its body is read.

In this order: the `Host` header must name this server (a web page on another site that
makes its own name resolve to 127.0.0.1, DNS rebinding, is refused with 421); a write
from a web page must come from this server's own origin or an allowed one (403); the API
key, when one is set (401); and the body is counted as it streams, whatever
`Content-Length` claims, and refused at its limit (413). The checks are pure functions;
the middleware only applies them.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.text.urls import is_loopback

_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9._-]+))(?::\d{1,5})?")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROTECTED = ("/v1", "/mcp")  # what the API key guards (/healthz and the docs stay open)
KEY_NEEDED = "a valid API key is needed: Authorization: Bearer <key>"
# The alert feeds, which ask for their own token instead of the key (rag.serve.watches).
FEEDS = re.compile(r"/v1/alerts\.atom|/v1/watches/[A-Za-z0-9_-]+/feed\.atom")


def allowed_hosts(bind: str, extra: list[str]) -> frozenset[str] | None:
    """The host names requests may address, for a server listening on `bind`; None for
    any (a wildcard address with no list of names, or `*` in it)."""
    names = {h.strip().lower().strip("[]").rstrip(".") for h in extra if h.strip()}
    if "*" in names:
        return None
    host = bind.strip().lower().strip("[]")
    if is_loopback(host):
        return frozenset(names | LOOPBACK_NAMES | {host})
    if host in WILDCARDS:
        return frozenset(names) if names else None
    return frozenset(names | {host})


def host_name(header: str) -> str:
    """The name in a `Host` header, without its port ("[::1]:8000" -> "::1"); "" for
    anything that is not a host and an optional port."""
    text = header.strip().lower()
    found = _HOST.fullmatch(text)
    if found is None:
        return ""
    return (found["v6"] or found["name"] or "").rstrip(".")


def same_origin(origin: str, host_header: str) -> bool:
    """Whether a browser's `Origin` is this server as the request addresses it."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host_header.lower()


def origin_allowed(origin: str, host_header: str, allowed: list[str]) -> bool:
    """Whether a page of `origin` may write here: this server's own pages, or one of the
    allowed origins; `null` (sandboxed pages, local files) never."""
    wanted = {a.strip().rstrip("/").lower() for a in allowed}
    return same_origin(origin, host_header) or origin.strip().rstrip("/").lower() in wanted


@dataclass(frozen=True)
class Door:
    """What the gate lets in."""

    key: str  # "" for none
    hosts: frozenset[str] | None  # None: any Host
    origins: list[str]
    body_limit: int  # bytes
    upload_limit: int  # bytes, for `upload_path`
    upload_path: str = "/v1/articles/upload"

    def has_key(self, headers: Headers) -> bool:
        sent = headers.get("authorization", "")
        token = sent[7:] if sent.lower().startswith("bearer ") else ""
        return not self.key or hmac.compare_digest(token.encode(), self.key.encode())

    def refusal(self, method: str, path: str, headers: Headers) -> tuple[int, str, str] | None:
        """(status, message, code) when the request may go no further; None to go on."""
        host = headers.get("host", "")
        if self.hosts is not None and host_name(host) not in self.hosts:
            return (
                421,
                f"this server does not answer to the host {host_name(host)!r}: "
                "add it to RAG_SERVE_ALLOWED_HOSTS if that is its name",
                "unknown_host",
            )
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            fetched_from = headers.get("sec-fetch-site", "").strip().lower()
            if origin is not None and not origin_allowed(origin, host, self.origins):
                return 403, f"writes from pages of {origin[:100]} are not allowed", "cross_origin"
            if origin is None and fetched_from in ("cross-site", "same-site"):
                return 403, "writes from other sites' pages are not allowed", "cross_origin"
        # Atom feeds are for readers that cannot send a key: they check a token in the URL.
        feed = method in SAFE_METHODS and FEEDS.fullmatch(path) is not None
        if path.startswith(PROTECTED) and not feed and not self.has_key(headers):
            return 401, KEY_NEEDED, "invalid_api_key"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit(path):
            return 413, self.too_large(path), "body_too_large"
        return None

    def limit(self, path: str) -> int:
        return self.upload_limit if path == self.upload_path else self.body_limit

    def too_large(self, path: str) -> str:
        what = "an upload" if path == self.upload_path else "the request body"
        return f"{what} may be at most {self.limit(path):,} bytes"


class _TooLarge(Exception):
    pass


class Gate:
    """ASGI middleware applying a `Door` to every HTTP request."""

    def __init__(self, app: ASGIApp, door: Door) -> None:
        self.app = app
        self.door = door

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        refused = self.door.refusal(scope["method"], path, Headers(scope=scope))
        if refused is not None:
            await _answer(send, *refused)
            return
        try:
            body = await _read_body(receive, self.door.limit(path))
        except _TooLarge:
            await _answer(send, 413, self.door.too_large(path), "body_too_large")
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, counted as it arrives (a chunked body has no Content-Length)."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left
            return b"".join(parts)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """The body read already, as one message; then the client's own (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, status: int, message: str, code: str) -> None:
    """An OpenAI-shaped error, sent before anything of the request was read."""
    kind = "invalid_request_error"
    payload = json.dumps({"error": {"message": message, "type": kind, "code": code}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    # Refused before its body was read: the connection is closed rather than drained.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
