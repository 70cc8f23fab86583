"""Watches: standing questions, what each one's user has been given, and their alerts.

An article's version (its content hash) is recorded in a numbered batch when a check
first sees it; a watch remembers the last batch it was asked over, so the next check asks
it over the articles of later batches only.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.db.conversations import clean_text
from rag.db.database import Database
from rag.errors import UnknownWatchError

MAX_QUESTION = 1000


@dataclass(frozen=True)
class Watch:
    id: str
    question: str
    filters: dict[str, Any]
    token: str  # the secret in its feed's URL, for readers that cannot send a key
    created: str
    checked: str | None = None
    seen: int = 0  # the last batch of article versions it was asked over
    answer: dict[str, Any] | None = None  # the first answer, as the API returned it
    delivery_error: str = ""  # the webhook's last failure, "" when the last one arrived
    delivered: str | None = None
    unread: int = 0
    alerts: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "filters": self.filters,
                "created": self.created, "checked": self.checked, "unread": self.unread,
                "alerts": self.alerts, "delivery_error": self.delivery_error,
                "delivered": self.delivered}  # fmt: skip


@dataclass(frozen=True)
class Alert:
    id: int
    watch: str
    created: str
    articles: list[str]  # the doc ids that triggered it
    answer: dict[str, Any]  # as the API returns it, citing the new articles
    new: list[str]  # the sentences the user had not been given
    changed: list[dict[str, Any]] = field(default_factory=list)  # figures that moved
    summary: str = ""  # one line: what's new
    read: bool = False
    question: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "watch": self.watch, "question": self.question,
                "created": self.created, "articles": self.articles, "answer": self.answer,
                "new": self.new, "changed": self.changed, "summary": self.summary,
                "read": self.read}  # fmt: skip


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Watches:
    """The watches of one data folder, with their alerts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ watches

    def any(self) -> bool:
        with self.db.connect() as conn:
            return conn.execute("SELECT 1 FROM watches LIMIT 1").fetchone() is not None

    def create(
        self, question: str, filters: Mapping[str, Any], seen: int, answer: Mapping[str, Any]
    ) -> Watch:
        watch = Watch(secrets.token_urlsafe(9), clean_text(question, MAX_QUESTION),
                      dict(filters), secrets.token_urlsafe(24), _now(), None, seen,
                      dict(answer))  # fmt: skip
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO watches (id, question, filters, token, created, seen, answer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (watch.id, watch.question, json.dumps(watch.filters), watch.token,
                 watch.created, seen, json.dumps(watch.answer, ensure_ascii=False)),
            )  # fmt: skip
            _give(conn, watch.id, watch.answer or {})
        return watch

    def all(self) -> list[Watch]:
        with self.db.connect() as conn:
            rows = conn.execute(_WATCHES + " ORDER BY w.created, w.rowid").fetchall()
        return [_watch(row) for row in rows]

    def get(self, watch_id: str) -> Watch:
        with self.db.connect() as conn:
            row = conn.execute(_WATCHES + " WHERE w.id = ?", (watch_id,)).fetchone()
        if row is None:
            raise UnknownWatchError(f"no watch {watch_id!r}: `rag watch list` shows them")
        return _watch(row)

    def remove(self, watch_id: str) -> None:
        with self.db.connect() as conn:
            if conn.execute("DELETE FROM watches WHERE id = ?", (watch_id,)).rowcount == 0:
                raise UnknownWatchError(f"no watch {watch_id!r}: `rag watch list` shows them")

    def given(self, watch_id: str) -> list[dict[str, Any]]:
        """The citations the watch's user was given (first answer and alerts), oldest first."""
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT citation FROM given WHERE watch = ? ORDER BY id", (watch_id,)
            ).fetchall()
        return [json.loads(row["citation"]) for row in rows]

    def delivery(self, watch_id: str, error: str) -> None:
        """The webhook's outcome for the watch's last alert ("" = it arrived)."""
        with self.db.connect() as conn:
            conn.execute(
                "UPDATE watches SET delivery_error = ?, delivered = CASE WHEN ? = '' "
                "THEN ? ELSE delivered END WHERE id = ?",
                (error[:500], error, _now(), watch_id),
            )

    # ------------------------------------------------------------------ article versions

    def record_versions(self, versions: Mapping[str, str]) -> int:
        """Record the articles' current versions (doc id → content hash): the new and
        changed ones form a new batch. The last batch's number."""
        with self.db.connect() as conn:
            known = dict(conn.execute("SELECT doc_id, hash FROM versions").fetchall())
            last = int(conn.execute("SELECT COALESCE(MAX(batch), 0) FROM versions").fetchone()[0])
            fresh = [(d, h) for d, h in versions.items() if known.get(d) != h]
            if fresh:
                last += 1
                conn.executemany(
                    "INSERT INTO versions (doc_id, hash, batch) VALUES (?, ?, ?) ON CONFLICT"
                    "(doc_id) DO UPDATE SET hash = excluded.hash, batch = excluded.batch",
                    [(d, h, last) for d, h in fresh],
                )
        return last

    def arrived_after(self, batch: int) -> list[str]:
        """The doc ids recorded in batches after `batch`."""
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT doc_id FROM versions WHERE batch > ? ORDER BY doc_id", (batch,)
            ).fetchall()
        return [row[0] for row in rows]

    # ------------------------------------------------------------------ alerts

    def checked(self, watch_id: str, batch: int, alert: Mapping[str, Any] | None) -> Alert | None:
        """Record a check up to `batch`, with the alert it raised, if any (its answer's
        citations become what the user was given)."""
        with self.db.connect() as conn:
            conn.execute(
                "UPDATE watches SET seen = ?, checked = ? WHERE id = ?", (batch, _now(), watch_id)
            )
            if alert is None:
                return None
            created = _now()
            found = conn.execute(
                "INSERT INTO alerts (watch, created, articles, answer, new, changed, summary) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (watch_id, created, json.dumps(list(alert["articles"])),
                 json.dumps(alert["answer"], ensure_ascii=False),
                 json.dumps(list(alert["new"]), ensure_ascii=False),
                 json.dumps(list(alert["changed"]), ensure_ascii=False), alert["summary"]),
            )  # fmt: skip
            _give(conn, watch_id, alert["answer"])
            row = conn.execute(_ALERTS + " WHERE a.id = ?", (found.lastrowid,)).fetchone()
        return _alert(row)

    def alerts(
        self, watch_id: str | None = None, *, unread: bool = False, limit: int = 200
    ) -> list[Alert]:
        """Alerts, the newest first: of one watch or all."""
        query, args = _ALERTS + " WHERE 1", []  # type: tuple[str, list[Any]]
        if watch_id is not None:
            self.get(watch_id)
            query += " AND a.watch = ?"
            args.append(watch_id)
        if unread:
            query += " AND a.read = 0"
        with self.db.connect() as conn:
            rows = conn.execute(query + " ORDER BY a.id DESC LIMIT ?", [*args, limit]).fetchall()
        return [_alert(row) for row in rows]

    def alert(self, alert_id: int) -> Alert:
        with self.db.connect() as conn:
            row = conn.execute(_ALERTS + " WHERE a.id = ?", (int(alert_id),)).fetchone()
        if row is None:
            raise UnknownWatchError(f"no alert {alert_id}")
        return _alert(row)

    def mark_read(self, alert_ids: Sequence[int]) -> int:
        with self.db.connect() as conn:
            found = conn.executemany(
                "UPDATE alerts SET read = 1 WHERE id = ?", [(int(i),) for i in alert_ids]
            ).rowcount
        if alert_ids and not found:
            raise UnknownWatchError(f"no alert {alert_ids[0]}")
        return found


_WATCHES = (
    "SELECT w.*, (SELECT COUNT(*) FROM alerts a WHERE a.watch = w.id) AS n, "
    "(SELECT COUNT(*) FROM alerts a WHERE a.watch = w.id AND a.read = 0) AS unread "
    "FROM watches w"
)
_ALERTS = "SELECT a.*, w.question FROM alerts a JOIN watches w ON w.id = a.watch"


def _give(conn: Any, watch_id: str, answer: Mapping[str, Any]) -> None:
    """Remember an answer's quotes as given to the watch's user."""
    if answer.get("confidence") == "none":
        return
    conn.executemany(
        "INSERT INTO given (watch, quote, citation) VALUES (?, ?, ?)",
        [(watch_id, str(c.get("quote") or c.get("text") or ""),
          json.dumps(c, ensure_ascii=False)) for c in answer.get("citations", [])],
    )  # fmt: skip


def _watch(row: Any) -> Watch:
    return Watch(row["id"], row["question"], json.loads(row["filters"]), row["token"],
                 row["created"], row["checked"], int(row["seen"]),
                 json.loads(row["answer"]) if row["answer"] else None, row["delivery_error"],
                 row["delivered"], int(row["unread"]), int(row["n"]))  # fmt: skip


def _alert(row: Any) -> Alert:
    return Alert(int(row["id"]), row["watch"], row["created"], json.loads(row["articles"]),
                 json.loads(row["answer"]), json.loads(row["new"]), json.loads(row["changed"]),
                 row["summary"], bool(row["read"]), row["question"])  # fmt: skip
