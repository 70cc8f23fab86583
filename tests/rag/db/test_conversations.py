"""Saved conversations in SQLite: turns with their answers, search, rename, delete,
feedback, migrations, and what a citation says once its article changed."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from rag.db.conversations import Conversations, clean_text, marked_sources
from rag.db.database import VERSION, Database
from rag.errors import DatabaseError, UnknownConversationError

ANSWER = {
    "answer": "Microsoft hired Mustafa Suleyman. [1]",
    "mode": "extractive",
    "confidence": "high",
    "citations": [{"n": 1, "doc_id": "a.md", "text": "Suleyman leitet", "start_char": 4,
                   "end_char": 19, "quote": "Suleyman leitet", "title": "A", "outlet": "Zeit",
                   "date": "2024-03-20"}],
    "filters": {"since": None},
}  # fmt: skip


def test_a_conversation_keeps_its_turns_in_order(tmp_path: Path) -> None:
    saved = Conversations(Database(tmp_path / "rag.sqlite3"))
    chat = saved.create()
    assert chat.title == "" and len(chat.id) >= 16
    saved.append(chat.id, "Who did Microsoft hire?", ANSWER, {"outlets": ["Zeit"]})
    saved.append(chat.id, "And when?", {**ANSWER, "answer": "In March 2024. [1]"})
    again = saved.get(chat.id)
    assert [m.role for m in again.messages] == ["user", "assistant", "user", "assistant"]
    assert [m.content for m in again.messages][2:] == ["And when?", "In March 2024. [1]"]
    assert again.title == "Who did Microsoft hire?", "the first question names it"
    assert again.filters == {"outlets": ["Zeit"]}, "kept until other filters are set"
    assert again.messages[1].answer == ANSWER
    data = again.as_dict(messages=True)
    assert data["message_count"] == 4 and data["messages"][1]["answer"]["citations"][0]["n"] == 1


def test_listing_is_newest_first_and_searches_titles_and_messages(tmp_path: Path) -> None:
    saved = Conversations(Database(tmp_path / "rag.sqlite3"))
    first = saved.create("Werft")
    second = saved.create("Impfstoff")
    saved.append(first.id, "Wie viele Stellen streicht die Bodan-Werft?", ANSWER)
    assert [c.id for c in saved.recent()] == [first.id, second.id], "the last used first"
    assert [c.id for c in saved.recent("bodan")] == [first.id]
    assert [c.id for c in saved.recent("IMPF")] == [second.id]
    assert saved.recent("100%_") == [], "LIKE's wildcards are searched as text"
    renamed = saved.rename(second.id, "  Biontech\n und   Pfizer ")
    assert renamed.title == "Biontech und Pfizer"
    saved.delete(first.id)
    assert [c.id for c in saved.recent()] == [second.id]
    with pytest.raises(UnknownConversationError):
        saved.get(first.id)
    with pytest.raises(UnknownConversationError):
        saved.append(first.id, "Noch da?", ANSWER)


def test_feedback_is_stored_with_the_turn_and_exported(tmp_path: Path) -> None:
    saved = Conversations(Database(tmp_path / "rag.sqlite3"))
    chat = saved.create()
    asked, answered = saved.append(chat.id, "Who did Microsoft hire?", ANSWER)
    with pytest.raises(UnknownConversationError):
        saved.rate(chat.id, asked.id, "down")  # a question is not rated
    rated = saved.rate(chat.id, answered.id, "down", "quoted the wrong person")
    assert (rated.rating, rated.note) == ("down", "quoted the wrong person")
    [exported] = saved.feedback()
    assert exported["question"] == "Who did Microsoft hire?" and exported["rating"] == "down"
    assert exported["answer"]["answer"] == ANSWER["answer"]
    saved.rate(chat.id, answered.id, None)
    assert saved.feedback() == []


def test_a_newer_database_is_refused_and_an_old_one_migrated(tmp_path: Path) -> None:
    path = tmp_path / "rag.sqlite3"
    Conversations(Database(path)).create("eins")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
        conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    with pytest.raises(DatabaseError, match="update article-rag"):
        Conversations(Database(path)).recent()


def test_writers_in_many_threads_lose_nothing(tmp_path: Path) -> None:
    saved = Conversations(Database(tmp_path / "rag.sqlite3"))
    chat = saved.create()

    def ask(n: int) -> None:
        Conversations(Database(tmp_path / "rag.sqlite3")).append(chat.id, f"Frage {n}", ANSWER)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert saved.get(chat.id).count == 40


def test_a_citation_says_when_its_article_changed_or_went() -> None:
    body = "Bei Suleyman leitet die neue Abteilung."
    texts = {"a.md": body}
    assert marked_sources(ANSWER, texts.get)["citations"][0]["source_state"] == "current"
    texts["a.md"] = "Neu: " + body
    assert marked_sources(ANSWER, texts.get)["citations"][0]["source_state"] == "changed"
    assert marked_sources(ANSWER, {}.get)["citations"][0]["source_state"] == "removed"


def test_titles_are_one_clean_line() -> None:
    assert clean_text("a\x00b\n\tc", 50) == "a b c"
    assert clean_text("x" * 200, 10) == "x" * 9 + "…"
