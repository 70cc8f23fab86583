"""Saved conversations: every turn with its answer as the API returned it, and feedback.

A conversation's id is random (it is in the UI's URL, and guessing one must not open
another user's conversation); messages keep their order by id.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rag.db.database import Database
from rag.errors import UnknownConversationError

Rating = Literal["up", "down"]
MAX_TITLE = 120
MAX_NOTE = 2000
TITLE_FROM_QUESTION = 60  # characters of the first question that name a new conversation


@dataclass(frozen=True)
class Message:
    id: int
    role: str  # "user" or "assistant"
    content: str  # the question, or the answer's text
    created: str
    answer: dict[str, Any] | None = None  # an assistant turn: the answer as the API gave it
    rating: Rating | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "role": self.role, "content": self.content,
                                "created": self.created}  # fmt: skip
        if self.answer is not None:
            data["answer"] = self.answer
        if self.role == "assistant":
            data["feedback"] = {"rating": self.rating, "note": self.note} if self.rating else None
        return data


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created: str
    updated: str
    filters: dict[str, Any] = field(default_factory=dict)  # the sidebar's, when last asked
    count: int = 0  # messages
    messages: tuple[Message, ...] = ()

    def as_dict(self, *, messages: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "title": self.title, "created": self.created,
                                "updated": self.updated, "filters": self.filters,
                                "message_count": self.count}  # fmt: skip
        if messages:
            data["messages"] = [m.as_dict() for m in self.messages]
        return data


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def clean_text(text: str, limit: int) -> str:
    """One line without control characters, at most `limit` characters (pure)."""
    flat = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    line = " ".join(flat.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Conversations:
    """The saved conversations of one data folder."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, title: str = "", filters: Mapping[str, Any] | None = None) -> Conversation:
        now = _now()
        conversation = Conversation(
            secrets.token_urlsafe(12), clean_text(title, MAX_TITLE), now, now, dict(filters or {})
        )
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO conversations (id, title, filters, created, updated) "
                "VALUES (?, ?, ?, ?, ?)",
                (conversation.id, conversation.title, json.dumps(conversation.filters), now, now),
            )
        return conversation

    def recent(self, text: str = "", limit: int = 200) -> list[Conversation]:
        """The conversations, the most recently used first; with `text`, those whose title
        or messages hold it (case-insensitive for ASCII letters, as SQLite's LIKE is)."""
        query = (
            "SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation = c.id) AS n "
            "FROM conversations c"
        )
        args: list[Any] = []
        if text.strip():
            query += (
                " WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation = c.id AND m.content LIKE ? ESCAPE '\\')"
            )
            args += [_like(text.strip())] * 2
        query += " ORDER BY c.updated DESC, c.rowid DESC LIMIT ?"
        with self.db.connect() as conn:
            rows = conn.execute(query, [*args, limit]).fetchall()
        return [_conversation(row, row["n"]) for row in rows]

    def get(self, conversation_id: str) -> Conversation:
        with self.db.connect() as conn:
            row = self._row(conn, conversation_id)
            messages = conn.execute(
                "SELECT * FROM messages WHERE conversation = ? ORDER BY id", (conversation_id,)
            ).fetchall()
        found = tuple(_message(m) for m in messages)
        return _conversation(row, len(found), found)

    def rename(self, conversation_id: str, title: str) -> Conversation:
        with self.db.connect() as conn:
            self._row(conn, conversation_id)
            conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ?",
                (clean_text(title, MAX_TITLE), conversation_id),
            )
        return self.get(conversation_id)

    def delete(self, conversation_id: str) -> None:
        with self.db.connect() as conn:
            self._row(conn, conversation_id)
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def append(
        self,
        conversation_id: str,
        question: str,
        answer: Mapping[str, Any],
        filters: Mapping[str, Any] | None = None,
    ) -> tuple[Message, Message]:
        """Store a question and its answer (`Answer.as_dict()`), in one transaction; the
        first question names an untitled conversation; `filters` are those set beside it."""
        now = _now()
        text = str(answer.get("answer", ""))
        with self.db.connect() as conn:
            row = self._row(conn, conversation_id)
            asked = conn.execute(
                "INSERT INTO messages (conversation, role, content, created) "
                "VALUES (?, 'user', ?, ?)",
                (conversation_id, question, now),
            ).lastrowid
            answered = conn.execute(
                "INSERT INTO messages (conversation, role, content, answer, created) "
                "VALUES (?, 'assistant', ?, ?, ?)",
                (conversation_id, text, json.dumps(dict(answer), ensure_ascii=False), now),
            ).lastrowid
            title = row["title"] or clean_text(question, TITLE_FROM_QUESTION)
            kept = json.dumps(dict(filters)) if filters is not None else row["filters"]
            conn.execute(
                "UPDATE conversations SET title = ?, filters = ?, updated = ? WHERE id = ?",
                (title, kept, now, conversation_id),
            )
        return (
            Message(int(asked or 0), "user", question, now),
            Message(int(answered or 0), "assistant", text, now, dict(answer)),
        )

    def drop_answer(self, conversation_id: str, message_id: int) -> None:
        """Remove an answer and the question it answered (and anything after them), to
        ask it again."""
        with self.db.connect() as conn:
            self._row(conn, conversation_id)
            asked = conn.execute(
                "SELECT MAX(id) FROM messages WHERE conversation = ? AND role = 'user' AND id < ?",
                (conversation_id, message_id),
            ).fetchone()[0]
            conn.execute(
                "DELETE FROM messages WHERE conversation = ? AND id >= ?",
                (conversation_id, asked if asked is not None else message_id),
            )

    def rate(
        self, conversation_id: str, message_id: int, rating: Rating | None, note: str = ""
    ) -> Message:
        """Thumbs up or down (None: taken back) with an optional note, on an answer."""
        with self.db.connect() as conn:
            found = conn.execute(
                "SELECT * FROM messages WHERE id = ? AND conversation = ? AND role = 'assistant'",
                (message_id, conversation_id),
            ).fetchone()
            if found is None:
                raise UnknownConversationError(
                    f"no answer {message_id} in conversation {conversation_id!r}"
                )
            conn.execute(
                "UPDATE messages SET rating = ?, note = ?, rated = ? WHERE id = ?",
                (rating, clean_text(note, MAX_NOTE) if rating else "", _now(), message_id),
            )
            updated = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        return _message(updated)

    def feedback(self) -> list[dict[str, Any]]:
        """Every rated answer with the question it answered, the newest rating first: the
        makings of a test case."""
        with self.db.connect() as conn:
            rows = conn.execute(
                "SELECT a.*, c.title, (SELECT q.content FROM messages q WHERE "
                "q.conversation = a.conversation AND q.id < a.id AND q.role = 'user' "
                "ORDER BY q.id DESC LIMIT 1) AS question FROM messages a "
                "JOIN conversations c ON c.id = a.conversation "
                "WHERE a.rating IS NOT NULL ORDER BY a.rated DESC, a.id DESC"
            ).fetchall()
        return [
            {
                "conversation": row["conversation"],
                "title": row["title"],
                "message": row["id"],
                "question": row["question"] or "",
                "rating": row["rating"],
                "note": row["note"],
                "rated": row["rated"],
                "answer": json.loads(row["answer"] or "{}"),
            }  # fmt: skip
            for row in rows
        ]

    @staticmethod
    def _row(conn: sqlite3.Connection, conversation_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise UnknownConversationError(f"no conversation {conversation_id!r}")
        return row


def _conversation(row: sqlite3.Row, count: int, messages: Sequence[Message] = ()) -> Conversation:
    return Conversation(
        row["id"], row["title"], row["created"], row["updated"], json.loads(row["filters"]),
        count, tuple(messages),
    )  # fmt: skip


def _message(row: sqlite3.Row) -> Message:
    return Message(
        row["id"], row["role"], row["content"], row["created"],
        json.loads(row["answer"]) if row["answer"] else None, row["rating"], row["note"],
    )  # fmt: skip


def marked_sources(
    answer: Mapping[str, Any], text_of: Callable[[str], str | None]
) -> dict[str, Any]:
    """The saved answer with each citation's `source_state`: "current" while its article
    still holds the passage where it was, "changed" when the article's text moved on,
    "removed" when the article is gone (`text_of(doc_id)`: its body, or None) (pure)."""
    marked = dict(answer)
    citations = []
    for citation in answer.get("citations", []):
        text = text_of(str(citation.get("doc_id", "")))
        passage = str(citation.get("text", ""))
        start, end = int(citation.get("start_char", 0)), int(citation.get("end_char", 0))
        if text is None:
            state = "removed"
        elif text[start:end] == passage:
            state = "current"
        else:
            state = "changed"
        citations.append({**citation, "source_state": state})
    marked["citations"] = citations
    return marked
