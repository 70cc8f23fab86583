"""Alerts to a webhook: a JSON POST with a Slack-compatible `text` and the alert, on a
thread of its own so that an update never waits for it, retried with doubling back-off;
the outcome of each alert is recorded on its watch (`delivery_error`)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRIES = (1.0, 4.0, 16.0, 60.0)  # seconds before each retry
TIMEOUT = 10.0

Outcome = Callable[[str, str], None]  # (watch id, error or "" when it arrived)


def message(alert: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for an alert (pure): Slack shows `text`, other receivers read `alert`."""
    cited = alert.get("answer", {}).get("citations", [])
    sources = ", ".join(
        " ".join(part for part in (c.get("outlet"), c.get("date")) if part) or c.get("title", "")
        for c in cited[:3]
    )
    text = f"Watch “{alert.get('question', '')}”: {alert.get('summary', '')}"
    if sources:
        text += f" ({sources})"
    return {"text": text, "alert": alert}


class Webhook:
    """Delivers alerts to one URL in the order they come, one at a time."""

    def __init__(self, url: str, outcome: Outcome, retries: Sequence[float] = RETRIES) -> None:
        self._url = url  # may hold a secret: never logged
        self._outcome = outcome
        self._retries = tuple(retries)
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, alert: dict[str, Any]) -> None:
        """Queue an alert; returns at once."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="rag-webhook", daemon=True)
                self._thread.start()
        self._queue.put(alert)

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def idle(self, timeout: float) -> bool:
        """Wait until every queued alert was delivered or given up (tests, shutdown)."""
        done = threading.Event()

        def waiter() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        return done.wait(timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            while True:
                alert = self._queue.get()
                try:
                    if alert is None:
                        return
                    self._deliver(client, alert)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, alert: dict[str, Any]) -> None:
        body = message(alert)
        error = ""
        for wait in (0.0, *self._retries):
            if wait and self._stop.wait(wait):
                break
            try:
                reply = client.post(self._url, json=body)
            except httpx.HTTPError as exc:
                error = f"the webhook could not be reached: {type(exc).__name__}"
                continue
            if reply.is_success:
                error = ""
                break
            error = f"the webhook answered {reply.status_code}"
            if 400 <= reply.status_code < 500 and reply.status_code not in (408, 429):
                break  # refused: asking again will not help
        if error:
            log.warning("alert %s of watch %s not delivered: %s", alert.get("id"),
                        alert.get("watch"), error)  # fmt: skip
        try:
            self._outcome(str(alert.get("watch", "")), error)
        except Exception:  # a closed database must not end the thread
            log.exception("the webhook's outcome could not be recorded")
