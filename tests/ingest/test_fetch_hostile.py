"""The fetcher against hostile servers and addresses, on loopback only.

Address classes are tested as a pure function; no request ever goes to an address outside
127.0.0.0/8. The rebinding test stands a second server on 127.0.0.2 as the "internal host"
a name might resolve to the second time.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.fetch import Address, Fetcher, is_public
from rag.errors import FetchError
from tests.conftest import make_settings
from tests.web_server import PAGES, Response, SlowHeaders, WebServer

LOOPBACK = ipaddress.ip_address("127.0.0.1")


@pytest.mark.parametrize(
    "ip",
    [
        "100.64.0.1",  # CGNAT, shared address space
        "100.100.100.200",  # a cloud's metadata service inside CGNAT
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:5db8:d822::1",  # 6to4 of a public address: still a tunnel to anywhere
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "::ffff:100.64.0.1",  # IPv4-mapped CGNAT
        "2001:0:4136:e378::1",  # Teredo
        "198.18.0.1",  # benchmarking
        "192.0.2.1",  # documentation
        "240.0.0.1",  # reserved
        "ff02::1",  # multicast
        "fc00::1",  # unique local
        "169.254.169.254",  # link-local metadata
        "fec0::1",  # deprecated site-local
        "192.0.0.9",  # IETF protocol assignments
        "192.88.99.1",  # 6to4 relay anycast
        "3fff::1",  # documentation
    ],
)
def test_addresses_off_the_public_internet(ip: str) -> None:
    assert not is_public(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses(ip: str) -> None:
    assert is_public(ipaddress.ip_address(ip))


@pytest.fixture
def internal(web: WebServer) -> Iterator[WebServer]:
    """Another server on 127.0.0.2, on the same port as `web`: the host a rebinding name
    would lead to."""
    port = int(web.base.rsplit(":", 1)[1])
    server = WebServer(host="127.0.0.2", port=port).start()
    yield server
    server.stop()


def _rebinding(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """`rebind.test` resolves to the next of `answers` on each lookup (the last one
    repeats); returns the log of lookups."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        ip = answers[min(len(asked), len(answers) - 1)]
        asked.append(ip)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def _only_loopback_one(address: Address) -> bool:
    return address == LOOPBACK


def test_the_checked_address_is_the_one_connected_to(
    tmp_path: Path, web: WebServer, internal: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolves to an allowed address and then to an internal one gets no
    request to the internal one: it is resolved once."""
    asked = _rebinding(monkeypatch, ["127.0.0.1", "127.0.0.2"])
    fetcher = Fetcher(make_settings(tmp_path), allowed=_only_loopback_one)
    port = web.base.rsplit(":", 1)[1]
    got = fetcher.get(f"http://rebind.test:{port}/de-bahn-streik.html")
    assert "Bahnstreik" in got.text
    assert web.fetched("de-bahn-streik.html") == 1
    assert internal.requests == [], "nothing reached the internal host"
    assert asked == ["127.0.0.1"], "resolved once"


def test_a_name_that_resolves_to_a_refused_address_gets_no_request(
    tmp_path: Path, web: WebServer, internal: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rebinding(monkeypatch, ["127.0.0.2"])
    fetcher = Fetcher(make_settings(tmp_path), allowed=_only_loopback_one)
    port = web.base.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match=r"refused to fetch from rebind\.test \(127\.0\.0\.2\)"):
        fetcher.get(f"http://rebind.test:{port}/de-bahn-streik.html")
    assert internal.requests == [] and web.requests == []


def test_headers_that_never_end_are_bounded_by_the_fetch_timeout(
    tmp_path: Path, slow_headers: SlowHeaders
) -> None:
    """The deadline covers the headers too, not only the body: a fetch with a 1 s budget
    ends long before the 30 s the server would trickle."""
    fetcher = Fetcher(make_settings(tmp_path, fetch_allow_private=True, fetch_timeout=1.0))
    outcome: list[BaseException | None] = []

    def fetch() -> None:
        try:
            fetcher.get(slow_headers.url)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome.append(exc)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the fetch outlived its deadline"
    assert isinstance(outcome[0], FetchError) and "1 s" in str(outcome[0])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://example.org:99999/", "not a valid URL .*[Pp]ort"),
        ("http://" + "a" * 300 + ".example/", "not a valid host name"),
        ("http://exa mple.org/", "spaces"),
        ("javascript:alert(1)", "only http"),
        ("http:///path-only", "names no host"),
    ],
)
def test_malformed_urls_are_one_line_reasons(tmp_path: Path, url: str, reason: str) -> None:
    fetcher = Fetcher(make_settings(tmp_path))
    with pytest.raises(FetchError, match=reason):
        fetcher.get(url)


@pytest.mark.parametrize(
    "location", ["javascript:alert(1)", "http://[broken", "file:///etc/passwd", "http://a:0/"]
)
def test_bad_redirect_targets_are_one_line_reasons(
    tmp_path: Path, web: WebServer, location: str
) -> None:
    web.extra["/bad-hop.html"] = Response(302, headers={"Location": location})
    fetcher = Fetcher(make_settings(tmp_path, fetch_allow_private=True))
    with pytest.raises(FetchError, match="a redirect's target"):
        fetcher.get(web.url("bad-hop.html"))


def test_stacked_encodings_are_refused_and_one_layer_is_read_in_bounded_steps(
    tmp_path: Path, web: WebServer
) -> None:
    """A body gzipped twice inflates through both layers at once in httpx, a few KB to
    gigabytes: only one layer is read, and that one a megabyte at a time."""
    zeros = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    web.extra["/twice.html"] = Response(
        body=gzip.compress(zeros), headers={"Content-Encoding": "gzip, gzip"}
    )
    fetcher = Fetcher(make_settings(tmp_path, fetch_allow_private=True))
    with pytest.raises(FetchError, match="unsupported content encoding"):
        fetcher.get(web.url("twice.html"))
    web.extra["/once.html"] = Response(body=zeros, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than 5,000,000 bytes"):
        fetcher.get(web.url("once.html"))
    page = (PAGES / "de-bahn-streik.html").read_bytes()
    for coding, packed in (("gzip", gzip.compress(page)), ("deflate", zlib.compress(page))):
        web.extra["/packed.html"] = Response(body=packed, headers={"Content-Encoding": coding})
        assert fetcher.get(web.url("packed.html")).content == page, coding
