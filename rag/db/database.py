"""The database file: opening it, and its schema's versions and migrations, in one place.

Each migration brings the schema from version n to n + 1 (SQLite's `user_version`) and
runs once, in a transaction, when a process first opens the file. A file of a newer
version than this code knows is refused rather than written to.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import DatabaseError

MIGRATIONS: tuple[str, ...] = (
    # 1: conversations and their messages; an assistant message keeps the answer as the
    # API returned it (JSON), so it shows what it quoted after the article changes.
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        filters TEXT NOT NULL DEFAULT '{}',
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        answer TEXT,
        created TEXT NOT NULL,
        rating TEXT CHECK (rating IN ('up', 'down')),
        note TEXT NOT NULL DEFAULT '',
        rated TEXT
    );
    CREATE INDEX messages_by_conversation ON messages(conversation, id);
    CREATE INDEX conversations_by_update ON conversations(updated);
    """,
    # 2: watches (standing questions), what each one's user was given, its alerts, and
    # the articles' versions as watches last saw them (a watch is asked over what arrived
    # after its `seen` batch only).
    """
    CREATE TABLE watches (
        id TEXT PRIMARY KEY,
        question TEXT NOT NULL,
        filters TEXT NOT NULL DEFAULT '{}',
        token TEXT NOT NULL,
        created TEXT NOT NULL,
        checked TEXT,
        seen INTEGER NOT NULL DEFAULT 0,
        answer TEXT,
        delivery_error TEXT NOT NULL DEFAULT '',
        delivered TEXT
    );
    CREATE TABLE given (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        watch TEXT NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
        quote TEXT NOT NULL,
        citation TEXT NOT NULL
    );
    CREATE INDEX given_by_watch ON given(watch);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        watch TEXT NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
        created TEXT NOT NULL,
        articles TEXT NOT NULL,
        answer TEXT NOT NULL,
        new TEXT NOT NULL,
        changed TEXT NOT NULL,
        summary TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX alerts_by_watch ON alerts(watch, id);
    CREATE TABLE versions (
        doc_id TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        batch INTEGER NOT NULL
    );
    CREATE INDEX versions_by_batch ON versions(batch);
    """,
)
VERSION = len(MIGRATIONS)
BUSY_MS = 10_000  # how long a writer waits for another process's transaction


class Database:
    """One SQLite file; a connection per use, so every thread and process has its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False
        self._lock = threading.Lock()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction: committed when the block ends, rolled back when
        it raises."""
        self._migrate()
        conn = self._open()
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open {self.path}: {exc}") from exc
        return conn

    def _migrate(self) -> None:
        with self._lock:
            if self._ready:
                return
            conn = self._open()
            try:
                conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
                conn.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version > VERSION:
                    raise DatabaseError(
                        f"{self.path} is of version {version}; this article-rag knows up to "
                        f"{VERSION}: update article-rag"
                    )
                for number in range(version, VERSION):
                    for statement in MIGRATIONS[number].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {VERSION}")
                conn.commit()
            except sqlite3.Error as exc:
                conn.rollback()
                raise DatabaseError(f"cannot prepare {self.path}: {exc}") from exc
            finally:
                conn.close()
            self._ready = True
