"""Watches in SQLite: article versions in batches, what was given, alerts with their read
state, removal taking the alerts along, and a version-1 file migrated with its chats."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rag.db.conversations import Conversations
from rag.db.database import MIGRATIONS, VERSION, Database
from rag.db.watches import Watches
from rag.errors import UnknownWatchError

ANSWER = {"answer": "1.500 Stellen. [1]", "confidence": "high",
          "citations": [{"n": 1, "doc_id": "a.md", "quote": "Die Werft streicht 1.500 Stellen.",
                         "date": "2024-08-01"}]}  # fmt: skip
NONE = {"answer": "The articles do not answer this question.", "confidence": "none",
        "citations": []}  # fmt: skip


def test_versions_batches_and_arrivals(tmp_path: Path) -> None:
    watches = Watches(Database(tmp_path / "rag.sqlite3"))
    assert watches.record_versions({"a.md": "h1", "b.md": "h1"}) == 1
    assert watches.record_versions({"a.md": "h1", "b.md": "h1"}) == 1, "nothing new: no batch"
    assert watches.record_versions({"a.md": "h2", "b.md": "h1", "c.md": "h1"}) == 2
    assert watches.arrived_after(1) == ["a.md", "c.md"] and watches.arrived_after(2) == []


def test_given_alerts_and_removal(tmp_path: Path) -> None:
    watches = Watches(Database(tmp_path / "rag.sqlite3"))
    assert not watches.any()
    watch = watches.create("Wie viele Stellen?", {"languages": ["de"]}, 1, ANSWER)
    quiet = watches.create("Was kostet es?", {}, 1, NONE)
    assert watches.any() and [w.id for w in watches.all()] == [watch.id, quiet.id]
    assert [c["quote"] for c in watches.given(watch.id)] == ["Die Werft streicht 1.500 Stellen."]
    assert watches.given(quiet.id) == [], "a `none` answer gave nothing"
    assert watches.checked(watch.id, 2, None) is None
    alert = watches.checked(watch.id, 3, {"articles": ["b.md"], "answer": ANSWER,
                                          "new": ["x"], "changed": [], "summary": "x"})  # fmt: skip
    assert alert is not None and alert.question == "Wie viele Stellen?" and not alert.read
    assert watches.get(watch.id).seen == 3 and watches.get(watch.id).unread == 1
    assert len(watches.given(watch.id)) == 2, "the alert's citations are given now"
    assert watches.mark_read([alert.id]) == 1
    assert watches.alerts(unread=True) == [] and watches.get(watch.id).alerts == 1
    with pytest.raises(UnknownWatchError):
        watches.mark_read([alert.id + 100])
    watches.remove(watch.id)
    assert watches.alerts() == []
    with pytest.raises(UnknownWatchError):
        watches.remove(watch.id)
    with pytest.raises(UnknownWatchError):
        watches.alerts(watch.id)


def test_a_version_one_file_gains_the_watches_and_keeps_its_chats(tmp_path: Path) -> None:
    path = tmp_path / "rag.sqlite3"
    with sqlite3.connect(path) as conn:  # a file as the first release wrote it
        conn.executescript(MIGRATIONS[0])
        conn.execute("INSERT INTO conversations VALUES ('c1', 'Alt', '{}', 't', 't')")
        conn.execute("PRAGMA user_version = 1")
    db = Database(path)
    assert [c.id for c in Conversations(db).recent()] == ["c1"]
    assert Watches(db).all() == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION == 2
