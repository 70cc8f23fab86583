"""Watches over HTTP: list, create, remove, their alerts, and Atom feeds of the alerts.

Feed readers cannot send a Bearer key, so the feeds are outside the gate's key check and
ask for a secret token in their URL instead, when a key is set: each watch's own, or one
derived from the key for the feed of all alerts. The URLs come with the watch list.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from rag.api import Assistant
from rag.config import Settings
from rag.errors import UnknownWatchError
from rag.serve.bodies import WatchBody
from rag.watch import atom

ATOM_TYPE = "application/atom+xml; charset=utf-8"


def alerts_token(settings: Settings) -> str:
    """The token of the feed of all alerts: derived from the key, so it changes with it."""
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    return hmac.new(key.encode(), b"rag alerts feed", hashlib.sha256).hexdigest()[:32]


def watch_routes(assistant: Assistant, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1")
    saved = assistant.watches

    def let_in(token: str, wanted: str) -> None:
        if settings.api_key is not None and not (
            wanted and hmac.compare_digest(token.encode(), wanted.encode())
        ):
            raise HTTPException(401, "this feed needs its token: ?token= from GET /v1/watches")

    def feed_of(watch_id: str, token: str) -> str:
        return f"/v1/watches/{watch_id}/feed.atom?token={token}"

    @router.get("/watches")
    def listed() -> dict[str, Any]:
        return {
            "watches": [w.as_dict() | {"feed": feed_of(w.id, w.token)} for w in saved.all()],
            "alerts_feed": f"/v1/alerts.atom?token={alerts_token(settings)}",
        }

    @router.post("/watches", status_code=201)
    def create(body: WatchBody) -> dict[str, Any]:
        """Watch a question; its first answer comes with it."""
        watch, answer = assistant.watch(
            body.question, body.filters.filters() if body.filters else None
        )
        return {"id": watch.id, "question": watch.question, "filters": watch.filters,
                "answer": answer.as_dict(), "feed": feed_of(watch.id, watch.token)}  # fmt: skip

    @router.delete("/watches/{watch_id}")
    def remove(watch_id: str) -> dict[str, Any]:
        saved.remove(watch_id)
        return {"deleted": watch_id}

    @router.get("/watches/{watch_id}/alerts")
    def alerts(watch_id: str, unread: bool = False) -> dict[str, Any]:
        return {"alerts": [a.as_dict() for a in saved.alerts(watch_id, unread=unread)]}

    @router.post("/alerts/{alert_id}/read")
    def read(alert_id: int) -> dict[str, Any]:
        saved.mark_read([alert_id])
        return {"read": alert_id}

    @router.post("/watches/check", status_code=202)
    def check() -> dict[str, Any]:
        """Ask every watch over what arrived since its last check, as a job."""
        return {"job": assistant.jobs.check_watches().as_dict()}

    @router.get("/watches/{watch_id}/feed.atom")
    def watch_feed(
        request: Request, watch_id: str, token: Annotated[str, Query(max_length=100)] = ""
    ) -> Response:
        try:
            watch = saved.get(watch_id)
        except UnknownWatchError:
            if settings.api_key is None:
                raise
            watch = None  # behind a key, an unknown watch is told from a wrong token by no one
        let_in(token, watch.token if watch else "")
        assert watch is not None
        body = atom.feed(f"article-rag: {watch.question}", f"urn:article-rag:watch:{watch.id}",
                         str(request.url), saved.alerts(watch.id, limit=50),
                         watch.created)  # fmt: skip
        return Response(body, media_type=ATOM_TYPE)

    @router.get("/alerts.atom")
    def alerts_feed(
        request: Request, token: Annotated[str, Query(max_length=100)] = ""
    ) -> Response:
        let_in(token, alerts_token(settings))
        body = atom.feed("article-rag: alerts", "urn:article-rag:alerts", str(request.url),
                         saved.alerts(limit=50), atom.now())  # fmt: skip
        return Response(body, media_type=ATOM_TYPE)

    return router
