"""Fetching pages and feeds over HTTP, safely: bounded in time, size and redirects, and
never from an address that is not on the public internet unless the settings allow it.

Every failure leaves as FetchError with a one-line reason (HTTP 404, a timeout, too large,
not HTML, a redirect loop, a refused address, a malformed URL); nothing is written before
a fetch succeeds. Each host is resolved once and every address it resolves to checked; the
connection goes to a checked address (ingest.connect), so a name that resolves to another
address the second time gains nothing. The whole fetch, connecting and headers included,
ends by its deadline.
"""

from __future__ import annotations

import ipaddress
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin

import httpx

from ingest.connect import Address, PinnedTransport
from ingest.encoding import decode_markup
from rag.config import Settings
from rag.errors import FetchError
from rag.text.urls import url_problem

MAX_REDIRECTS = 5
INFLATE_STEP = 1 << 20  # bytes a compressed body may grow by between two checks
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
# Networks Python's `is_global` (3.11) still counts as global: those whose addresses carry
# another address inside (6to4 and its relays, NAT64, Teredo: where they lead cannot be
# checked), protocol assignments, the deprecated site-local range and documentation.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "2002::/16", "192.88.99.0/24", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32",
        "192.0.0.0/24", "fec0::/10", "3fff::/20", "2001:db8::/32",
    )
)  # fmt: skip


def _user_agent() -> str:
    try:
        return f"article-rag/{version('article-rag')}"
    except PackageNotFoundError:  # running from a source tree without installing
        return "article-rag"


def is_public(address: Address) -> bool:
    """Whether an address is on the public internet (pure).

    `is_global`, unlike `is_private`, also leaves out shared address space (CGNAT,
    100.64.0.0/10, where some clouds keep their metadata service); multicast, reserved and
    unspecified addresses are out too, and so are 6to4, NAT64 and Teredo addresses, which
    lead to an IPv4 address of their own, and the ranges in _NOT_PUBLIC. An IPv4-mapped
    IPv6 address counts as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    if any(address in network for network in _NOT_PUBLIC if network.version == address.version):
        return False
    return address.is_global and not (
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
        return decode_markup(self.content, self.charset)


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
        self.transport = PinnedTransport(self.allowed)
        self.client = httpx.Client(
            transport=self.transport,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,  # each hop's address is checked first
            # only what _inflater decodes, one layer at a time
            headers={"User-Agent": _user_agent(), "Accept-Encoding": "gzip, deflate"},
            # httpx parses a redirect's Location even when it does not follow it
            event_hooks={"response": [_check_redirect]},
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
            _refuse_malformed(url, hop=bool(seen))
            with self.transport.deadline(deadline):
                result = self._attempt(url, headers, kinds, deadline)
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

    def _attempt(
        self, url: str, headers: dict[str, str], kinds: tuple[str, ...], deadline: float
    ) -> Fetched | str | float:
        try:
            return self._request(url, headers, kinds, deadline)
        except httpx.TimeoutException as exc:
            raise FetchError(f"no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from exc
        except (httpx.InvalidURL, ValueError) as exc:  # what url_problem did not foresee
            raise FetchError(f"cannot fetch {url[:100]!r}: {_reason(exc)}") from exc

    def _request(
        self, url: str, headers: dict[str, str], kinds: tuple[str, ...], deadline: float
    ) -> Fetched | str | float:
        with self.client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without a Location")
                return _target(url, location)
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
        """The body, decompressed here a bounded piece at a time (httpx would inflate each
        network chunk whole, through every layer of a stacked encoding, before any limit
        is checked), stopped at the size limit and the deadline."""
        inflate = _inflater(response.headers.get("content-encoding", ""))
        body = bytearray()
        for raw in response.iter_raw():
            for piece in inflate(raw):
                body += piece
                if len(body) > self.max_bytes:
                    raise FetchError(f"larger than {self.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"not complete within {self.timeout:g} s")
        return bytes(body)


def _inflater(encoding: str) -> Callable[[bytes], Iterator[bytes]]:
    """A decoder for a body's Content-Encoding that yields at most INFLATE_STEP bytes at a
    time; FetchError for an encoding other than none, gzip or deflate (one layer)."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return lambda raw: iter((raw,))
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported content encoding {encoding[:60]!r}")
    # gzip's header, or deflate as servers send it (zlib-wrapped, rarely raw)
    window = zlib.MAX_WBITS | 16 if codings[0] != "deflate" else zlib.MAX_WBITS | 32
    decoder = zlib.decompressobj(window)

    def inflate(raw: bytes) -> Iterator[bytes]:
        pending = raw
        while pending:
            try:
                piece = decoder.decompress(pending, INFLATE_STEP)
            except zlib.error as exc:
                raise FetchError(f"a broken {codings[0]} body ({exc})") from None
            pending = decoder.unconsumed_tail
            if not piece and not pending:
                return
            yield piece

    return inflate


def _refuse_malformed(url: str, *, hop: bool) -> None:
    problem = url_problem(url)
    if problem:
        said = " (a redirect's target)" if hop else ""
        raise FetchError(f"cannot fetch {url[:100]!r}{said}: {problem}")


def _target(url: str, location: str) -> str:
    """Where a redirect leads (FetchError for a Location that is no URL at all)."""
    try:
        return urljoin(url, location.strip())
    except ValueError as exc:
        raise FetchError(f"cannot fetch {location[:100]!r} (a redirect's target): {exc}") from None


def _check_redirect(response: httpx.Response) -> None:
    if response.has_redirect_location:
        url = _target(str(response.request.url), response.headers["location"])
        _refuse_malformed(url, hop=True)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: too far ahead to wait for here


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:200]
