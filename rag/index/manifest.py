"""The manifest: which article version is indexed, under which chunk ids, with which model.

It is a SQLite database (`manifest.sqlite3`), written in one transaction after the store
has been updated, so after a crash it describes a state no newer than the store's, and the
next reindex heals the rest. A save writes the articles that changed since the last one,
not all of them; a manifest of an earlier version (`manifest.json`, one file rewritten
whole) is read as it is and replaced by the database at the next save. Reading it needs
neither Chroma nor numpy: a no-op reindex reads only this.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from rag.config import Settings
from rag.errors import IndexFormatError, IndexMismatchError, IndexMissingError
from rag.index.layout import FORMAT, IndexLayout

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, hash TEXT NOT NULL, title TEXT NOT NULL, language TEXT NOT NULL,
    source TEXT NOT NULL, chunk_ids TEXT NOT NULL, chunking TEXT NOT NULL, date TEXT NOT NULL,
    published TEXT NOT NULL, updated TEXT NOT NULL, outlet TEXT NOT NULL,
    author TEXT NOT NULL, also TEXT NOT NULL, warnings TEXT NOT NULL, chunks INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS unindexed (
    doc_id TEXT NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL, of TEXT NOT NULL,
    reason TEXT NOT NULL, PRIMARY KEY (kind, doc_id)
);
CREATE TABLE IF NOT EXISTS stats (
    doc_id TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL
);
"""
_META = ("embed_model", "store", "side_index", "indexed_at", "format")


@dataclass
class DocEntry:
    hash: str
    title: str
    language: str
    source: str
    chunk_ids: list[str]
    chunking: str  # Settings.chunking when it was cut: another value re-cuts it
    date: str = ""  # ISO day ("" = undated)
    published: str = ""  # ISO date-time, when the time of day is known
    updated: str = ""
    outlet: str = ""
    author: str = ""
    # Syndicated copies of this article that are not indexed: {doc_id, outlet, source, date}.
    also: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a date that could not be read


@dataclass(frozen=True)
class Unindexed:
    """A corpus file that is not indexed, with the content hash it had: a syndicated copy
    of another article (`of`) or a file that could not be used (`reason`)."""

    hash: str
    of: str = ""
    reason: str = ""


class Tracked(dict[str, DocEntry]):
    """The documents of a manifest read from its database: which ids were set or removed
    since, so that a save writes those only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changed: set[str] = set()

    def __setitem__(self, key: str, value: DocEntry) -> None:
        super().__setitem__(key, value)
        self.changed.add(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed.add(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.changed.add(key)
        return super().pop(key, *default)


@dataclass
class Manifest:
    embed_model: str
    store: str  # Settings.store_identity: the Chroma this index lives in
    # A plain dict (a new manifest) is saved whole; a Tracked one, its changes only.
    documents: dict[str, DocEntry] = field(default_factory=dict)
    # Files that are not indexed, by doc id, with the content hash they had: copies of
    # another article and unreadable files. A file still so is no change, and the next
    # reindex does not read it again.
    copies: dict[str, Unindexed] = field(default_factory=dict)
    skipped: dict[str, Unindexed] = field(default_factory=dict)
    # Each corpus file's size and modification time (ns) when its hash above was taken: a
    # file still so is not read again by the next reindex (ingest.load.hash_corpus).
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    side_index: str | None = None  # the current side-index generation (None: not built yet)
    indexed_at: str | None = None
    format: int = FORMAT
    # copies, skipped and stats as last saved: a save rewrites a table only when it changed
    saved: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def touch(self, doc_id: str) -> None:
        """Mark an entry changed in place (its `also`), so that the next save writes it."""
        if isinstance(self.documents, Tracked):
            self.documents.changed.add(doc_id)

    @property
    def chunk_count(self) -> int:
        return sum(len(entry.chunk_ids) for entry in self.documents.values())


class Indexed(NamedTuple):
    """What a reindex with nothing to do needs of an indexed article."""

    hash: str
    chunking: str
    chunks: int
    warnings: list[str]


@dataclass(frozen=True)
class ManifestSummary:
    """A manifest as a reindex with nothing to do reads it: each article's hash, chunk
    settings, chunk count and warnings, not its whole entry (a fraction of the time)."""

    embed_model: str
    store: str
    side_index: str | None
    documents: dict[str, Indexed]
    copies: dict[str, Unindexed]
    skipped: dict[str, Unindexed]
    stats: dict[str, tuple[int, int]]

    @property
    def chunk_count(self) -> int:
        return sum(entry.chunks for entry in self.documents.values())


def recorded_hash(manifest: Manifest | ManifestSummary, doc_id: str) -> str:
    """The content hash the index holds a file as: indexed, a copy or skipped ("")."""
    entry = manifest.documents.get(doc_id)
    if entry is not None:
        return entry.hash
    record = manifest.copies.get(doc_id) or manifest.skipped.get(doc_id)
    return record.hash if record is not None else ""


def known_files(manifest: Manifest | ManifestSummary) -> dict[str, tuple[int, int, str]]:
    """(size, mtime_ns, content hash) of each file whose stats and hash are recorded."""
    known = {}
    for doc_id, (size, mtime) in manifest.stats.items():
        digest = recorded_hash(manifest, doc_id)
        if digest:
            known[doc_id] = (size, mtime, digest)
    return known


def load_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, or None when nothing has been indexed (an earlier version's
    `manifest.json` beside it is read instead, until the next save replaces it).

    Raises IndexFormatError for an index of another format, IndexMismatchError for an
    unreadable one."""
    legacy = _legacy(path)
    if not path.exists():
        return _load_json(legacy) if legacy.exists() else None
    try:
        with _connect(path) as db:
            meta = _meta(db)
            if not meta:  # a first save that never committed: nothing indexed yet
                return _load_json(legacy) if legacy.exists() else None
            docs = Tracked(
                (row[0], _entry(row)) for row in db.execute(f"SELECT {_COLUMNS} FROM documents")
            )
            unindexed, stats = _unindexed(db), _stats(db)
    except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
        raise IndexMismatchError(
            f"the index manifest {path} is unreadable ({exc}): run `rag reindex --reset`"
        ) from exc
    manifest = Manifest(
        embed_model=meta["embed_model"] or "", store=meta["store"] or "", documents=docs,
        copies=unindexed["copies"], skipped=unindexed["skipped"], stats=stats,
        side_index=meta.get("side_index"), indexed_at=meta.get("indexed_at"),
    )  # fmt: skip
    _mark_saved(manifest)
    return manifest


def load_summary(path: Path) -> ManifestSummary | None:
    """The manifest at `path` as a reindex with nothing to do needs it (see load_manifest)."""
    if path.exists():
        try:
            with _connect(path) as db:
                meta = _meta(db)
                if meta:
                    documents = {
                        doc_id: Indexed(digest, chunking, chunks, json.loads(w) if w else [])
                        for doc_id, digest, chunking, chunks, w in db.execute(
                            "SELECT doc_id, hash, chunking, chunks, warnings FROM documents"
                        )
                    }
                    unindexed = _unindexed(db)
                    return ManifestSummary(
                        embed_model=meta["embed_model"] or "", store=meta["store"] or "",
                        side_index=meta.get("side_index"), documents=documents,
                        copies=unindexed["copies"], skipped=unindexed["skipped"],
                        stats=_stats(db),
                    )  # fmt: skip
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            raise IndexMismatchError(
                f"the index manifest {path} is unreadable ({exc}): run `rag reindex --reset`"
            ) from exc
    whole = load_manifest(path)  # an earlier version's JSON one, or nothing yet
    if whole is None:
        return None
    return ManifestSummary(
        embed_model=whole.embed_model, store=whole.store, side_index=whole.side_index,
        documents={
            d: Indexed(e.hash, e.chunking, len(e.chunk_ids), e.warnings)
            for d, e in whole.documents.items()
        },
        copies=whole.copies, skipped=whole.skipped, stats=whole.stats,
    )  # fmt: skip


def save_stats(path: Path, stats: dict[str, tuple[int, int]]) -> None:
    """Replace the files' recorded sizes and times only (a reindex with nothing to do)."""
    with _connect(path, write=True) as db:
        db.execute("DELETE FROM stats")
        db.executemany(
            "INSERT INTO stats (doc_id, size, mtime_ns) VALUES (?, ?, ?)",
            [(d, size, mtime) for d, (size, mtime) in stats.items()],
        )


def _meta(db: sqlite3.Connection) -> dict[str, str | None]:
    """The meta rows ({} for a database a first save never committed to); IndexFormatError
    for another format."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    meta = dict(db.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
    if meta and meta.get("format") != str(FORMAT):
        raise IndexFormatError(
            "the index was written by another version of article-rag: "
            "run `rag reindex` to rebuild it"
        )
    return meta


def _unindexed(db: sqlite3.Connection) -> dict[str, dict[str, Unindexed]]:
    found: dict[str, dict[str, Unindexed]] = {"copies": {}, "skipped": {}}
    rows = db.execute("SELECT doc_id, kind, hash, of, reason FROM unindexed")
    for doc_id, kind, digest, of, reason in rows:
        found[kind][doc_id] = Unindexed(digest, of, reason)
    return found


def _stats(db: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    return {d: (size, mtime) for d, size, mtime in db.execute("SELECT * FROM stats")}


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Write what changed since the manifest was read or last saved, in one transaction."""
    docs = manifest.documents
    with _connect(path, write=True) as db:
        db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [(k, None if v is None else str(v)) for k in _META for v in [getattr(manifest, k)]],
        )
        if isinstance(docs, Tracked):
            changed = sorted(docs.changed)
        else:
            db.execute("DELETE FROM documents")
            changed = sorted(docs)
        db.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in changed])
        db.executemany(
            f"INSERT INTO documents ({_COLUMNS}, chunks) VALUES ({', '.join('?' * _WIDTH)}, ?)",
            [_row(d, e) for d in changed if (e := docs.get(d))],
        )
        for kind in ("copies", "skipped"):
            records: dict[str, Unindexed] = getattr(manifest, kind)
            if manifest.saved.get(kind) != records:
                db.execute("DELETE FROM unindexed WHERE kind = ?", (kind,))
                db.executemany(
                    "INSERT INTO unindexed (doc_id, kind, hash, of, reason) VALUES (?, ?, ?, ?, ?)",
                    [(d, kind, r.hash, r.of, r.reason) for d, r in records.items()],
                )
        if manifest.saved.get("stats") != manifest.stats:
            db.execute("DELETE FROM stats")
            db.executemany(
                "INSERT INTO stats (doc_id, size, mtime_ns) VALUES (?, ?, ?)",
                [(d, size, mtime) for d, (size, mtime) in manifest.stats.items()],
            )
    # written: from now on, changes only
    manifest.documents = docs if isinstance(docs, Tracked) else Tracked(docs)
    manifest.documents.changed.clear()
    _mark_saved(manifest)
    _legacy(path).unlink(missing_ok=True)  # the database holds it all now


def _mark_saved(manifest: Manifest) -> None:
    manifest.saved = {
        "copies": dict(manifest.copies),
        "skipped": dict(manifest.skipped),
        "stats": dict(manifest.stats),
    }


# One column per field, lists as text that needs no JSON parser in the common case: a
# manifest of 250,000 articles is read in about a second instead of three.
_FIELDS = [f.name for f in fields(DocEntry)]
_COLUMNS = ", ".join(["doc_id", *_FIELDS])
_WIDTH = len(_FIELDS) + 1


def _row(doc_id: str, entry: DocEntry) -> tuple[str, ...]:
    values = asdict(entry)
    values["chunk_ids"] = _ids_text(entry.chunk_ids)
    for name in ("also", "warnings"):
        values[name] = json.dumps(values[name], ensure_ascii=False) if values[name] else ""
    return (doc_id, *(values[name] for name in _FIELDS), len(entry.chunk_ids))


def _entry(row: tuple[str, ...]) -> DocEntry:
    values: dict[str, Any] = dict(zip(_FIELDS, row[1:], strict=True))
    values["chunk_ids"] = _ids(values["chunk_ids"])
    for name in ("also", "warnings"):
        values[name] = json.loads(values[name]) if values[name] else []
    return DocEntry(**values)


def _ids_text(ids: list[str]) -> str:
    """Chunk ids one a line; as JSON led by a line break when an id holds one."""
    if any("\n" in i for i in ids):
        return "\n" + json.dumps(ids, ensure_ascii=False)
    return "\n".join(ids)


def _ids(text: str) -> list[str]:
    if text.startswith("\n"):
        return list(json.loads(text[1:]))
    return text.split("\n") if text else []


@contextlib.contextmanager
def _connect(path: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """One transaction, committed when the block ends and rolled back if it raises; a
    writer's takes the write lock first (one reindex writes at a time anyway). A rollback
    journal, not WAL, so that every commit changes the file's time, which is how readers
    notice a reindex (`index_stamp`)."""
    db = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        if write:
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
        else:
            db.execute("BEGIN")
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()


def _legacy(path: Path) -> Path:
    return path.with_name("manifest.json")


def _load_json(path: Path) -> Manifest:
    """A manifest of an earlier version: one JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        if data.get("format") != FORMAT:
            raise IndexFormatError(
                "the index was written by another version of article-rag: "
                "run `rag reindex` to rebuild it"
            )
        docs = {k: DocEntry(**v) for k, v in data.pop("documents").items()}
        stats = {k: (int(v[0]), int(v[1])) for k, v in data.pop("stats", {}).items()}
        copies, skipped = (
            {k: Unindexed(**v) for k, v in data.pop(kind, {}).items()}
            for kind in ("copies", "skipped")
        )
        known = {f.name for f in fields(Manifest)}
        rest = {k: v for k, v in data.items() if k in known}
        return Manifest(documents=docs, copies=copies, skipped=skipped, stats=stats, **rest)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise IndexMismatchError(
            f"the index manifest {path} is unreadable ({exc}): run `rag reindex --reset`"
        ) from exc


def ensure_compatible(
    manifest: Manifest | ManifestSummary, *, embed_model: str, store: str
) -> None:
    """Refuse an index built with another embedding model or in another Chroma store."""
    if manifest.embed_model != embed_model:
        raise IndexMismatchError(
            f"the index was built with {manifest.embed_model!r} but the settings ask for "
            f"{embed_model!r}: run `rag reindex --reset` to rebuild it"
        )
    if manifest.store != store:
        raise IndexMismatchError(
            f"the index manifest belongs to the Chroma store {manifest.store!r}, not {store!r}: "
            "point RAG_DATA_DIR at that store's index folder, or run `rag reindex --reset`"
        )


def read_manifest(settings: Settings) -> Manifest:
    """The manifest of a complete index the settings may use; opens no store."""
    manifest = load_manifest(IndexLayout(settings.data_dir).manifest)
    if manifest is None:
        raise IndexMissingError(f"no index in {settings.data_dir}: run `rag reindex` first")
    ensure_compatible(
        manifest, embed_model=settings.embed_model_name, store=settings.store_identity
    )
    if manifest.side_index is None:
        raise IndexMissingError("the index is incomplete: run `rag reindex`")
    return manifest


def index_stamp(settings: Settings) -> int:
    """Changes whenever a reindex commits (the manifest's mtime); IndexMissingError if none."""
    path = IndexLayout(settings.data_dir).manifest
    try:
        return (path if path.exists() else _legacy(path)).stat().st_mtime_ns
    except FileNotFoundError:
        raise IndexMissingError(
            f"no index in {settings.data_dir}: run `rag reindex` first"
        ) from None
