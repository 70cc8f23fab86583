"""The manifest: which article version is indexed, under which chunk ids, with which model.

It is written atomically (temp file + rename) after the store has been updated, so after a
crash it describes a state no newer than the store's, and the next reindex heals the rest.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.errors import IndexMismatchError

FORMAT = 1


@dataclass
class DocEntry:
    hash: str
    title: str
    language: str
    source: str
    chunk_ids: list[str]
    chunking: str = ""  # Settings.chunking when it was cut ("" = before this was recorded)


@dataclass
class Manifest:
    embed_model: str
    documents: dict[str, DocEntry] = field(default_factory=dict)
    store: str = ""  # see Settings.store_identity
    lexical_dir: str | None = None  # folder of the current BM25 generation, under bm25/
    indexed_at: str | None = None
    format: int = FORMAT

    @property
    def chunk_count(self) -> int:
        return sum(len(entry.chunk_ids) for entry in self.documents.values())


def load_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, or None when nothing has been indexed."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise IndexMismatchError(
                "the index was written by another version: run `rag reindex --reset`"
            )
        docs = {k: DocEntry(**v) for k, v in data.pop("documents").items()}
        return Manifest(documents=docs, **data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise IndexMismatchError(
            f"the index manifest {path} is unreadable ({exc}): run `rag reindex --reset`"
        ) from exc


def save_manifest(path: Path, manifest: Manifest) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".manifest-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(manifest), fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def ensure_compatible(manifest: Manifest, *, embed_model: str, store: str) -> None:
    """Refuse an index built with another embedding model or in another Chroma store."""
    if manifest.embed_model != embed_model:
        raise IndexMismatchError(
            f"the index was built with {manifest.embed_model!r} but the settings ask for "
            f"{embed_model!r}: run `rag reindex --reset` to rebuild it"
        )
    if manifest.store and manifest.store != store:
        raise IndexMismatchError(
            f"the index manifest belongs to the Chroma store {manifest.store!r}, not {store!r}: "
            "point RAG_DATA_DIR at that store's index folder, or run `rag reindex --reset`"
        )
