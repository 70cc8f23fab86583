"""Fetching against a real server on 127.0.0.1: every fault is a one-line reason."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest

from ingest.fetch import FEED_TYPES, Address, Fetcher, is_public
from rag.config import Settings
from rag.errors import FetchError
from tests.conftest import make_settings
from tests.web_server import Response, WebServer


@pytest.fixture
def fetcher(tmp_path: Path, web: WebServer) -> Fetcher:
    settings = make_settings(tmp_path, fetch_allow_private=True, fetch_timeout=1.5)
    return Fetcher(settings)


def test_a_page_and_its_charset(fetcher: Fetcher, web: WebServer) -> None:
    got = fetcher.get(web.url("de-bahn-streik.html"))
    assert got.content_type == "text/html" and "Bahnstreik legt" in got.text
    latin = "<html><head><meta charset='iso-8859-1'></head><body>Grüße aus Köln</body></html>"
    web.extra["/latin.html"] = Response(body=latin.encode("latin-1"), content_type="text/html")
    assert "Grüße aus Köln" in fetcher.get(web.url("latin.html")).text, "the page's own charset"
    header = Response(body=latin.encode("latin-1"), content_type="text/html; charset=latin-1")
    web.extra["/header.html"] = header
    assert "Grüße" in fetcher.get(web.url("header.html")).text
    assert fetcher.client.headers["User-Agent"].startswith("article-rag")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("missing.html", "HTTP 404"),
        ("broken.html", "HTTP 500"),
        ("slow.html", "no answer within 1.5 s"),
        ("huge.html", "larger than 5,000,000 bytes"),
        ("bomb.html", "larger than 5,000,000 bytes"),
        ("report.pdf", r"not an HTML page \(application/pdf\)"),
        ("loop-a.html", "a redirect loop"),
    ],
)
def test_faults_are_one_line_reasons(
    fetcher: Fetcher, web: WebServer, path: str, reason: str
) -> None:
    web.slow_seconds = 3.0
    with pytest.raises(FetchError, match=reason) as failure:
        fetcher.get(web.url(path))
    assert "\n" not in str(failure.value)


def test_redirects_are_followed_and_bounded(fetcher: Fetcher, web: WebServer) -> None:
    got = fetcher.get(web.url("moved.html"))
    assert got.url.endswith("/de-bahn-streik.html") and "Bahnstreik" in got.text
    for n in range(7):
        web.extra[f"/hop{n}.html"] = Response(301, headers={"Location": f"/hop{n + 1}.html"})
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.get(web.url("hop0.html"))


def test_private_addresses_are_refused_unless_allowed(tmp_path: Path, web: WebServer) -> None:
    closed = Fetcher(make_settings(tmp_path))
    with pytest.raises(FetchError, match="private or local address .*RAG_FETCH_ALLOW_PRIVATE"):
        closed.get(web.url("de-bahn-streik.html"))
    assert web.requests == [], "refused before connecting"
    with pytest.raises(FetchError, match="only http"):
        closed.get("file:///etc/passwd")


def test_a_redirect_to_a_private_address_is_refused(tmp_path: Path, web: WebServer) -> None:
    """Each hop is checked: the test server may be reached, 10.0.0.1 may not."""

    def only_the_test_server(address: Address) -> bool:
        return address == ipaddress.ip_address("127.0.0.1") or is_public(address)

    settings = make_settings(tmp_path)
    fetcher = Fetcher(settings, allowed=only_the_test_server)
    assert "Bahnstreik" in fetcher.get(web.url("de-bahn-streik.html")).text
    with pytest.raises(FetchError, match=r"refused to fetch from 10\.0\.0\.1"):
        fetcher.get(web.url("to-private.html"))


def test_addresses_that_count_as_private() -> None:
    for ip in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "224.0.0.1",
               "0.0.0.0", "::ffff:127.0.0.1", "fe80::1"):  # fmt: skip
        assert not is_public(ipaddress.ip_address(ip)), ip
    assert is_public(ipaddress.ip_address("93.184.216.34"))


def test_retry_after_is_honoured(fetcher: Fetcher, web: WebServer) -> None:
    began = time.monotonic()
    assert "Bahnstreik" in fetcher.get(web.url("busy.html")).text
    assert time.monotonic() - began >= 0.9, "waited the second the server asked for"
    assert web.fetched("busy.html") == 2


def test_conditional_requests(fetcher: Fetcher, web: WebServer) -> None:
    first = fetcher.get(web.url("feeds/lindau.rss"), kinds=FEED_TYPES)
    assert first.etag and not first.not_modified
    again = fetcher.get(web.url("feeds/lindau.rss"), kinds=FEED_TYPES, etag=first.etag)
    assert again.not_modified and again.content == b""


def test_settings_bound_the_fetch(tmp_path: Path, web: WebServer) -> None:
    small: Settings = make_settings(tmp_path, fetch_allow_private=True, fetch_max_bytes=1000)
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        Fetcher(small).get(web.url("de-bahn-streik.html"))
