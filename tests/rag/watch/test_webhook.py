"""Alerts to a webhook on 127.0.0.1: retried after a server error, given up on a refusal,
and each outcome reported for the watch's status."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from rag.watch.webhook import Webhook, message

ALERT = {"id": 7, "watch": "w1", "question": "Wie viele Stellen?", "summary": "1.400 Stellen",
         "answer": {"citations": [{"outlet": "Seekurier", "date": "2024-09-10"}]}}  # fmt: skip


class Receiver:
    """Answers each POST with the next status of `statuses` (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.bodies = list(statuses), []  # type: list[int], list[Any]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                outer.bodies.append(
                    json.loads(self.rfile.read(int(self.headers["content-length"])))
                )
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def outcomes() -> list[tuple[str, str]]:
    """(watch id, error) as the webhook reports each alert's delivery."""
    return []


def deliver(statuses: list[int], outcomes: list[tuple[str, str]]) -> Receiver:
    receiver = Receiver(statuses)
    hook = Webhook(receiver.url, lambda watch, error: outcomes.append((watch, error)),
                   retries=(0.01, 0.01, 0.01))  # fmt: skip
    hook.send(ALERT)
    assert hook.idle(30)
    hook.close()
    receiver.server.shutdown()
    return receiver


def test_a_server_error_is_retried_until_it_arrives(outcomes: list[tuple[str, str]]) -> None:
    receiver = deliver([500, 503], outcomes)
    assert len(receiver.bodies) == 3 and outcomes == [("w1", "")]
    assert receiver.bodies[-1] == message(ALERT)
    assert (
        "1.400 Stellen" in receiver.bodies[-1]["text"]
        and "Seekurier" in receiver.bodies[-1]["text"]
    )


def test_failures_are_reported_and_a_refusal_is_not_retried(
    outcomes: list[tuple[str, str]],
) -> None:
    receiver = deliver([500, 500, 500, 500], outcomes)
    assert len(receiver.bodies) == 4 and outcomes == [("w1", "the webhook answered 500")]
    outcomes.clear()
    refused = deliver([404], outcomes)
    assert len(refused.bodies) == 1 and outcomes == [("w1", "the webhook answered 404")]


def test_an_unreachable_webhook_is_reported(outcomes: list[tuple[str, str]]) -> None:
    hook = Webhook("http://127.0.0.1:9/hook", lambda w, e: outcomes.append((w, e)), retries=())
    hook.send(ALERT)
    assert hook.idle(30)
    assert outcomes == [("w1", "the webhook could not be reached: ConnectError")]
