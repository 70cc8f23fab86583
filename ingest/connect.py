"""Connections for fetching: each host resolved once, every address it resolves to
checked, and the connection made to a checked address, all by one deadline.

httpx resolves a host name itself when it connects; checking the name beforehand and
letting it resolve again would let a name that answers differently the second time (DNS
rebinding) reach an internal host. So the transport below brings its own network backend:
it resolves, checks and connects in one step, and bounds every read and write by the
fetch's deadline, so a server that sends its headers a byte at a time cannot hold a fetch
past it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import socket
import threading
import time
import typing
from collections.abc import Callable, Iterable, Iterator

import httpcore
import httpx

from rag.errors import FetchError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport whose connections go only to addresses `allowed` accepts."""

    def __init__(self, allowed: Callable[[Address], bool]) -> None:
        self.backend = _PinnedBackend(allowed)
        self.pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=10,
            keepalive_expiry=5.0,
            network_backend=self.backend,
        )

    @contextlib.contextmanager
    def deadline(self, when: float) -> Iterator[None]:
        """Every connect, read and write in this block ends by `when` (time.monotonic)."""
        before = self.backend.local.__dict__.get("deadline", math.inf)
        self.backend.local.deadline = when
        try:
            yield
        finally:
            self.backend.local.deadline = before

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            answer = self.pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self.pool.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self.stream

    def close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors as httpx's (the fetcher handles those)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise httpx.TimeoutException(str(exc) or "timed out") from exc
    except (
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
        httpcore.ProxyError,
    ) as exc:
        raise httpx.TransportError(str(exc) or exc.__class__.__name__) from exc


class _PinnedBackend(httpcore.NetworkBackend):
    def __init__(self, allowed: Callable[[Address], bool]) -> None:
        self.allowed = allowed
        self.inner = httpcore.SyncBackend()
        self.local = threading.local()  # the deadline of the fetch this thread makes

    def left(self, timeout: float | None) -> float:
        """Seconds a step may take: its own timeout, cut to what the deadline leaves."""
        left = self.local.__dict__.get("deadline", math.inf) - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the fetch's time is up")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port, self.left(timeout))
        for address in addresses:
            if not self.allowed(address):
                raise FetchError(
                    f"refused to fetch from {host} ({address}): a private or local address "
                    "(RAG_FETCH_ALLOW_PRIVATE=true allows it)"
                )
        failure: Exception | None = None
        for address in addresses:  # the checked addresses, never the name again
            try:
                stream = self.inner.connect_tcp(
                    str(address), port, self.left(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _BoundedStream(stream, self)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("pages are not fetched over local sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.left(None)))


class _BoundedStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, backend: _PinnedBackend) -> None:
        self.stream = stream
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self.backend.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.backend.left(timeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        secure = self.stream.start_tls(ssl_context, server_hostname, self.backend.left(timeout))
        return _BoundedStream(secure, self.backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self.stream.get_extra_info(info)


def resolve(host: str, port: int, timeout: float) -> list[Address]:
    """The addresses `host` resolves to, within `timeout` seconds (FetchError otherwise).

    The system resolver has no timeout of its own: it runs in a helper thread, which is
    left to finish on its own when the time is up."""
    try:
        return [ipaddress.ip_address(host.strip("[]").split("%")[0])]
    except ValueError:
        pass
    found: dict[str, typing.Any] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            found["error"] = exc

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if "infos" in found:
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found["infos"]]
        return list(dict.fromkeys(addresses))
    if "error" in found:
        error = found["error"]
        reason = getattr(error, "strerror", None) or str(error)
        raise FetchError(f"cannot resolve {host} ({reason})")
    raise FetchError(f"cannot resolve {host} within {timeout:.0f} s")
