"""Watching a story through the real interfaces: a local feed gains an article with a
changed figure, and exactly one alert appears in the REST list, the Atom feeds (read with
feedparser), MCP over HTTP and at a webhook receiver on 127.0.0.1; a syndicated copy of
that article raises none."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import feedparser
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from rag.config import Settings
from tests.serve.conftest import Serve, finished
from tests.web_server import Response, WebServer

pytestmark = pytest.mark.anyio
ATOM = "application/atom+xml"
QUESTION = "Wie viele Stellen streicht die Bodan-Werft?"


def page(title: str, day: str, outlet: str, body: str) -> Response:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    html = (f"<html><head><title>{title}</title><meta property='og:site_name' content='{outlet}'>"
            f"<meta property='article:published_time' content='{day}T08:00:00+02:00'></head>"
            f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>")  # fmt: skip
    return Response(body=html.encode())


FIRST = page(
    "Bodan-Werft baut Stellen ab", "2024-08-01", "Seekurier",
    "Die Bodan-Werft in Kressbronn streicht 1.500 Stellen, wie die Geschäftsführung am "
    "Donnerstag mitteilte. Betroffen sind vor allem die Fertigung und die Verwaltung.\n\n"
    "Der Betriebsrat kündigte Widerstand an und verlangte Gespräche über einen Sozialplan. "
    "Die Werft begründete den Schritt mit fehlenden Aufträgen für Fahrgastschiffe.",
)  # fmt: skip
SECOND_BODY = (
    "Die Bodan-Werft streicht nun 1.400 Stellen und damit weniger als angekündigt, teilte "
    "das Unternehmen nach Verhandlungen mit dem Betriebsrat am Dienstag mit.\n\n"
    "Ein Sozialplan regelt Abfindungen und eine Transfergesellschaft für die Beschäftigten. "
    "Neue Aufträge für zwei Elektrofähren sichern die übrigen Arbeitsplätze in Kressbronn."
)
SECOND = page("Werft streicht weniger Stellen", "2024-09-10", "Seekurier", SECOND_BODY)
COPY = page("Kressbronn: Werft verringert Stellenabbau", "2024-09-10", "Lake Region Times",
            SECOND_BODY)  # fmt: skip


def feed(web: WebServer, *entries: tuple[str, str, str]) -> bytes:
    items = "".join(
        f"<entry><title>{title}</title><id>{web.url(path)}</id>"
        f"<link href='{web.url(path)}'/><updated>{day}T08:00:00Z</updated></entry>"
        for title, path, day in entries
    )
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Seekurier</title><id>{web.url('news.atom')}</id>"
            f"<updated>2024-09-10T08:00:00Z</updated>{items}</feed>").encode()  # fmt: skip


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Receiver:
    """A webhook receiver on 127.0.0.1 that records what is POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length", 0))
                outer.bodies.append(json.loads(self.rfile.read(size)))
                outer.arrived.set()
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def _alerts(url: str, watch: str, **headers: str) -> list[dict[str, Any]]:
    found = httpx.get(f"{url}/v1/watches/{watch}/alerts", headers=headers, timeout=30)
    assert found.status_code == 200, found.text
    return list(found.json()["alerts"])


async def test_a_changed_figure_alerts_once_everywhere_and_a_copy_not_at_all(
    newsroom: Settings, serve: Serve, web: WebServer, receiver: Receiver
) -> None:
    key = {"Authorization": "Bearer k3y"}
    web.extra["/bodan-1.html"] = FIRST
    web.extra["/news.atom"] = Response(
        body=feed(web, ("Bodan-Werft baut Stellen ab", "bodan-1.html", "2024-08-01")),
        content_type=ATOM,
    )
    url = serve(newsroom, watch_webhook_url=SecretStr(receiver.url), api_key=SecretStr("k3y"))
    http = httpx.Client(base_url=url, headers=key, timeout=120)
    assert http.post("/v1/feeds", json={"url": web.url("news.atom")}).status_code == 201
    assert finished(url, http.post("/v1/feeds/update"), **key)["state"] == "done"

    made = http.post("/v1/watches", json={"question": QUESTION})
    assert made.status_code == 201, made.text
    watch = made.json()
    assert "1.500 Stellen" in watch["answer"]["answer"], "the first answer is the story so far"
    assert _alerts(url, watch["id"], **key) == []

    # The feed gains an article with another figure for the same thing.
    web.extra["/bodan-2.html"] = SECOND
    web.extra["/news.atom"] = Response(
        body=feed(web, ("Bodan-Werft baut Stellen ab", "bodan-1.html", "2024-08-01"),
                  ("Werft streicht weniger Stellen", "bodan-2.html", "2024-09-10")),
        content_type=ATOM,
    )  # fmt: skip
    assert finished(url, http.post("/v1/feeds/update"), **key)["state"] == "done"
    [alert] = _alerts(url, watch["id"], **key)
    assert len(alert["articles"]) == 1 and "werft-streicht-weniger" in alert["articles"][0]
    assert any("1.400 Stellen" in sentence for sentence in alert["new"])
    [change] = alert["changed"]
    assert (change["before"], change["after"]) == ("1.500 Stellen", "1.400 Stellen")
    assert (change["before_date"], change["after_date"]) == ("2024-08-01", "2024-09-10")
    assert alert["answer"]["confidence"] == "high" and alert["answer"]["citations"]

    # The Atom feeds: the watch's own with its token (no key: feed readers send none).
    listed = http.get("/v1/watches").json()
    [mine] = listed["watches"]
    assert mine["unread"] == 1 and mine["alerts"] == 1
    assert httpx.get(url + f"/v1/watches/{watch['id']}/feed.atom").status_code == 401
    parsed = feedparser.parse(httpx.get(url + mine["feed"]).content)
    assert not parsed.bozo, parsed.bozo_exception
    [entry] = parsed.entries
    assert "1.400 Stellen" in entry.summary and "1.500 Stellen" in entry.summary
    everything = feedparser.parse(httpx.get(url + listed["alerts_feed"]).content)
    assert not everything.bozo and len(everything.entries) == 1
    assert httpx.get(url + "/v1/alerts.atom", params={"token": "guess"}).status_code == 401
    assert httpx.get(url + "/v1/alerts.atom", params={"token": "schlüssel"}).status_code == 401
    unknown = httpx.get(url + "/v1/watches/nosuchwatch/feed.atom", params={"token": "x"})
    assert unknown.status_code == 401, "behind the key, no one learns which watches exist"

    # MCP over HTTP sees the same alert.
    async with httpx.AsyncClient(headers=key, timeout=60) as client:
        async with Client(streamable_http_client(url + "/mcp/", http_client=client)) as mcp:
            result = await mcp.call_tool("list_alerts", {"unread": True})
            assert not result.is_error, result.content
            data = result.structured_content or json.loads(result.content[0].text)
            assert [a["id"] for a in data["alerts"]] == [alert["id"]]

    # The webhook got it once, with a Slack-compatible text.
    assert receiver.arrived.wait(30), "the webhook was not called"
    [posted] = receiver.bodies
    assert posted["alert"]["id"] == alert["id"] and "1.400 Stellen" in posted["text"]

    # A syndicated copy of the new article in another outlet: no alert.
    web.extra["/copy.html"] = COPY
    web.extra["/news.atom"] = Response(
        body=feed(web, ("Bodan-Werft baut Stellen ab", "bodan-1.html", "2024-08-01"),
                  ("Werft streicht weniger Stellen", "bodan-2.html", "2024-09-10"),
                  ("Kressbronn: Werft verringert Stellenabbau", "copy.html", "2024-09-10")),
        content_type=ATOM,
    )  # fmt: skip
    job = finished(url, http.post("/v1/feeds/update"), **key)
    assert job["state"] == "done" and job["result"]["new"] == 1
    assert len(_alerts(url, watch["id"], **key)) == 1, "a copy tells nothing new"
    assert len(receiver.bodies) == 1

    assert http.post(f"/v1/alerts/{alert['id']}/read").json() == {"read": alert["id"]}
    assert (
        _alerts(url, watch["id"], **key)
        and not http.get(f"/v1/watches/{watch['id']}/alerts", params={"unread": True}).json()[
            "alerts"
        ]
    )
    assert http.delete(f"/v1/watches/{watch['id']}").json() == {"deleted": watch["id"]}
    assert http.get(f"/v1/watches/{watch['id']}/alerts").status_code == 404
