"""Fetching pages and feeds over HTTP, safely: bounded in time, size and redirects, and
never from a private address unless the settings allow it.

Every failure leaves as FetchError with a one-line reason (HTTP 404, a timeout, too large,
not HTML, a redirect loop, a refused address); nothing is written before a fetch succeeds.
The address of each hop is checked before connecting and the connected peer after, so a
name that resolves differently the second time gains nothing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import httpx

from rag.config import Settings
from rag.errors import FetchError

MAX_REDIRECTS = 5
MAX_RETRY_WAIT_S = 10.0  # a longer Retry-After is reported, not waited for
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "text/plain",  # many servers label feeds so
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _user_agent() -> str:
    try:
        return f"article-rag/{version('article-rag')}"
    except PackageNotFoundError:  # running from a source tree without installing
        return "article-rag"


def is_public(address: Address) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local,
    multicast, reserved or unspecified, also as an IPv4-mapped IPv6 address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    content_type: str
    charset: str | None  # from the headers
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # a conditional request answered 304

    @property
    def text(self) -> str:
        """The body decoded: the headers' charset, else the page's own, else detected."""
        for name in (self.charset, _declared(self.content)):
            if name:
                try:
                    return self.content.decode(name)
                except (LookupError, UnicodeDecodeError):
                    continue
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError:
            best = charset_normalizer.from_bytes(self.content).best()
            return str(best) if best is not None else self.content.decode("utf-8", "replace")


def _declared(content: bytes) -> str | None:
    match = _META_CHARSET.search(content[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


class Fetcher:
    """One HTTP client for many fetches; `allowed(address)` decides which addresses may be
    connected to (default: public ones, or all with RAG_FETCH_ALLOW_PRIVATE)."""

    def __init__(
        self,
        settings: Settings,
        *,
        allowed: Callable[[Address], bool] | None = None,
    ) -> None:
        self.timeout = settings.fetch_timeout
        self.max_bytes = settings.fetch_max_bytes
        self.allowed = allowed or (
            (lambda _address: True) if settings.fetch_allow_private else is_public
        )
        self.client = httpx.Client(
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,  # each hop's address is checked first
            headers={"User-Agent": _user_agent()},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(
        self,
        url: str,
        *,
        kinds: tuple[str, ...] = PAGE_TYPES,
        etag: str = "",
        last_modified: str = "",
    ) -> Fetched:
        """The resource at `url`, following up to 5 redirects; FetchError on failure."""
        deadline = time.monotonic() + self.timeout
        headers = {
            k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v
        }
        seen: set[str] = set()
        retries = 0
        while True:
            if url in seen:
                raise FetchError(f"a redirect loop at {url}")
            if len(seen) > MAX_REDIRECTS:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects")
            self._check_address(url)
            try:
                result = self._request(url, headers, kinds, deadline)
            except httpx.TimeoutException as exc:
                raise FetchError(f"no answer within {self.timeout:g} s") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from exc
            if isinstance(result, str):  # a redirect
                seen.add(url)
                url = result
                continue
            if isinstance(result, float):  # 429/503 with a Retry-After worth waiting for
                retries += 1
                if retries > 2:
                    raise FetchError("the server keeps asking to retry later (HTTP 429/503)")
                time.sleep(result)
                continue
            return result

    def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FetchError(f"only http(s) URLs can be fetched, not {url!r}")
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 80, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(f"cannot resolve {parts.hostname} ({exc.strerror or exc})") from exc
        for info in infos:
            self._check_ip(str(info[4][0]), parts.hostname)

    def _check_ip(self, ip: str, host: str) -> None:
        address = ipaddress.ip_address(ip.split("%")[0])
        if not self.allowed(address):
            raise FetchError(
                f"refused to fetch from {host} ({address}): a private or local address "
                "(RAG_FETCH_ALLOW_PRIVATE=true allows it)"
            )

    def _request(
        self, url: str, headers: dict[str, str], kinds: tuple[str, ...], deadline: float
    ) -> Fetched | str | float:
        with self.client.stream("GET", url, headers=headers) as response:
            stream = response.extensions.get("network_stream")
            peer = stream.get_extra_info("server_addr") if stream is not None else None
            if peer:
                self._check_ip(str(peer[0]), urlsplit(url).hostname or url)
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without a Location")
                return urljoin(url, location)
            if status == 304:
                return Fetched(url, b"", "", None, not_modified=True)
            if status in (429, 503):
                wait = _retry_after(response.headers.get("retry-after"))
                if (
                    wait is not None
                    and wait <= MAX_RETRY_WAIT_S
                    and time.monotonic() + wait < deadline
                ):
                    return wait
                raise FetchError(f"HTTP {status}: the server asks to retry later")
            if status >= 400:
                raise FetchError(f"HTTP {status} {response.reason_phrase}".rstrip())
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in kinds:
                what = "an HTML page" if kinds == PAGE_TYPES else "a feed"
                raise FetchError(f"not {what} ({content_type or 'no content type'})")
            return Fetched(
                url=str(response.url),
                content=self._body(response, deadline),
                content_type=content_type,
                charset=response.charset_encoding,
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )

    def _body(self, response: httpx.Response, deadline: float) -> bytes:
        """The decompressed body, stopped at the size limit and the deadline (a server that
        trickles bytes never trips the per-read timeout)."""
        parts: list[bytes] = []
        size = 0
        for part in response.iter_bytes():
            size += len(part)
            if size > self.max_bytes:
                raise FetchError(f"larger than {self.max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"not complete within {self.timeout:g} s")
            parts.append(part)
        return b"".join(parts)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: too far ahead to wait for here


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:200]
