"""The manifest: which article version is indexed, under which chunk ids, with which model.

It is written atomically (temp file + rename) after the store has been updated, so after a
crash it describes a state no newer than the store's, and the next reindex heals the rest.
Reading it needs neither Chroma nor numpy: a no-op reindex reads only this.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.config import Settings
from rag.errors import IndexFormatError, IndexMismatchError, IndexMissingError
from rag.index.files import atomic_write
from rag.index.layout import FORMAT, IndexLayout


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


@dataclass
class Manifest:
    embed_model: str
    store: str  # Settings.store_identity: the Chroma this index lives in
    documents: dict[str, DocEntry] = field(default_factory=dict)
    # Files that are not indexed, by doc id, with the content hash they had: copies of
    # another article ({"hash", "of"}) and unreadable files ({"hash", "reason"}). A file
    # still so is no change, and the next reindex does not read it again.
    copies: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped: dict[str, dict[str, str]] = field(default_factory=dict)
    # Each corpus file's size and modification time (ns) when its hash above was taken: a
    # file still so is not read again by the next reindex (ingest.load.hash_corpus).
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    side_index: str | None = None  # the current side-index generation (None: not built yet)
    indexed_at: str | None = None
    format: int = FORMAT

    def recorded_hash(self, doc_id: str) -> str:
        """The content hash this index holds a file as: indexed, a copy or skipped ("")."""
        entry = self.documents.get(doc_id)
        if entry is not None:
            return entry.hash
        record = self.copies.get(doc_id) or self.skipped.get(doc_id) or {}
        return record.get("hash", "")

    def known_files(self) -> dict[str, tuple[int, int, str]]:
        """(size, mtime_ns, content hash) of each file whose stats and hash are recorded."""
        known = {}
        for doc_id, (size, mtime) in self.stats.items():
            digest = self.recorded_hash(doc_id)
            if digest:
                known[doc_id] = (size, mtime, digest)
        return known

    @property
    def chunk_count(self) -> int:
        return sum(len(entry.chunk_ids) for entry in self.documents.values())


def load_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, or None when nothing has been indexed.

    Raises IndexFormatError for an index of another format, IndexMismatchError for an
    unreadable file."""
    if not path.exists():
        return None
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
        return Manifest(documents=docs, stats=stats, **data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise IndexMismatchError(
            f"the index manifest {path} is unreadable ({exc}): run `rag reindex --reset`"
        ) from exc


def save_manifest(path: Path, manifest: Manifest) -> None:
    # compact: at 250,000 articles indentation made it a fifth larger and slower to read
    data = json.dumps(asdict(manifest), ensure_ascii=False, separators=(",", ":"))
    atomic_write(path, data.encode())


def ensure_compatible(manifest: Manifest, *, embed_model: str, store: str) -> None:
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
    try:
        return IndexLayout(settings.data_dir).manifest.stat().st_mtime_ns
    except FileNotFoundError:
        raise IndexMissingError(
            f"no index in {settings.data_dir}: run `rag reindex` first"
        ) from None
