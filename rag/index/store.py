"""The Chroma collection: the only module that imports chromadb.

Embedded on disk by default (`RAG_DATA_DIR/chroma`), or a `chroma run` server when
`RAG_CHROMA_URL` is set. Chunks are written as llama-index nodes through its Chroma
adapter and carry the metadata of rag.index.records beside the node's own fields.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.config import Settings
from rag.errors import IndexMissingError, StoreUnavailableError
from rag.index.ids import chunk_id
from rag.index.layout import IndexLayout
from rag.index.records import ArticleMeta, Chunk, StoredChunk, chunk_metadata, stored_chunk

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Chroma refuses writes of more than ~5,461 records; stay well below.
WRITE_BATCH = 4000
READ_PAGE = 5000


def _rows(page: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """A Chroma get() result as (id, text, metadata, vector) rows; fields it was not asked
    for come out empty (the vector as None)."""
    ids = page["ids"]
    docs = page.get("documents") or [""] * len(ids)
    metas = page.get("metadatas") or [{}] * len(ids)
    vectors = page.get("embeddings")  # a numpy array: `or` would be ambiguous
    if vectors is None:
        vectors = [None] * len(ids)
    for cid, text, meta, vector in zip(ids, docs, metas, vectors, strict=True):
        yield cid, text or "", dict(meta or {}), vector


# chromadb registers a path's shared System before starting it, so a second thread opening
# the same path meanwhile gets one without its bindings ("'RustBindingsAPI' object has no
# attribute 'bindings'"): clients are made one at a time.
_OPENING = threading.Lock()


def _client(settings: Settings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreUnavailableError(
                f"RAG_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises plain exceptions for network failures
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {settings.chroma_url} "
                f"({str(exc).rstrip('.')}): is `chroma run` up?"
            ) from exc
    path = IndexLayout(settings.data_dir).chroma
    path.mkdir(parents=True, exist_ok=True)
    try:
        with _OPENING:
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreUnavailableError(f"cannot open the Chroma store in {path}: {exc}") from exc


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    """Chroma failures (a server that went away, a damaged store) become
    StoreUnavailableError; this module is the boundary to chromadb."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except StoreUnavailableError:
            raise
        except Exception as exc:  # chromadb raises plain exceptions for transport errors
            raise StoreUnavailableError(
                f"the Chroma store failed ({exc.__class__.__name__}: {exc})"
            ) from exc

    return wrapper


class ChunkStore:
    """One Chroma collection in cosine space, plus the llama-index adapter over it."""

    def __init__(self, settings: Settings, *, create: bool = False) -> None:
        self.settings = settings
        self.client = _client(settings)
        try:
            if create:
                self.collection = self.client.get_or_create_collection(
                    settings.collection,
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=None,
                )
            else:
                self.collection = self.client.get_collection(
                    settings.collection, embedding_function=None
                )
        except StoreUnavailableError:
            raise
        except Exception as exc:
            if not create and "does not exist" in str(exc):
                raise IndexMissingError(
                    "no index yet: run `rag reindex` to index the corpus"
                ) from exc
            raise StoreUnavailableError(f"Chroma store unavailable: {exc}") from exc
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)

    @_translated
    def reset(self) -> None:
        """Drop the collection and create it empty."""
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception as exc:  # absent already: nothing to drop
            log.debug("delete_collection: %s", exc)
        self.collection = self.client.get_or_create_collection(
            self.settings.collection,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)

    @_translated
    def count(self) -> int:
        return int(self.collection.count())

    def add(
        self, article: ArticleMeta, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]
    ) -> list[str]:
        """Write an article's chunks with their vectors; returns their ids."""
        return self.add_chunks(
            (article, chunk, vector) for chunk, vector in zip(chunks, vectors, strict=True)
        )

    @_translated
    def add_chunks(self, rows: Iterable[tuple[ArticleMeta, Chunk, Sequence[float]]]) -> list[str]:
        """Write (article, chunk, vector) rows in batches Chroma accepts; returns the ids."""
        ids: list[str] = []
        batch: list[BaseNode] = []
        for article, chunk, vector in rows:
            batch.append(
                TextNode(
                    id_=chunk_id(article.doc_id, chunk.start, chunk.end),
                    text=chunk.text,
                    embedding=list(vector),
                    start_char_idx=chunk.start,
                    end_char_idx=chunk.end,
                    metadata=chunk_metadata(article, chunk),
                    relationships={
                        NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article.doc_id)
                    },
                )
            )
            ids.append(batch[-1].node_id)
            if len(batch) >= WRITE_BATCH:
                self.vector_store.add(batch)
                batch = []
        if batch:
            self.vector_store.add(batch)
        return ids

    @_translated
    def delete_ids(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), WRITE_BATCH):
            self.collection.delete(ids=list(ids[i : i + WRITE_BATCH]))

    @_translated
    def _page(self, offset: int, include: list[str]) -> dict[str, Any]:
        return dict(self.collection.get(include=include, limit=READ_PAGE, offset=offset))

    def _pages(self, include: list[str]) -> Iterator[dict[str, Any]]:
        """Every chunk's fields in `include`, a page at a time so memory stays flat."""
        offset = 0
        while True:
            page = self._page(offset, include)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def ids(self) -> Iterator[str]:
        """Every chunk id, without reading texts or vectors."""
        for page in self._pages([]):
            yield from page["ids"]

    def chunks(self) -> Iterator[StoredChunk]:
        """Every chunk with its text and metadata."""
        for page in self._pages(["documents", "metadatas"]):
            for cid, text, meta, _vector in _rows(page):
                yield stored_chunk(cid, text, meta)

    @_translated
    def with_vectors(self, ids: Sequence[str]) -> dict[str, tuple[StoredChunk, np.ndarray]]:
        """Chunks `ids` (those still stored) with their vectors, read a page at a time."""
        found: dict[str, tuple[StoredChunk, np.ndarray]] = {}
        for first in range(0, len(ids), READ_PAGE):
            page = self.collection.get(
                ids=list(ids[first : first + READ_PAGE]),
                include=["documents", "metadatas", "embeddings"],
            )
            for cid, text, meta, vector in _rows(page):
                found[cid] = stored_chunk(cid, text, meta), np.asarray(vector, dtype=np.float32)
        return found

    @_translated
    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (ids that are gone are simply absent)."""
        if not ids:
            return {}
        page = self.collection.get(ids=list(ids), include=["embeddings"])
        return {
            cid: np.asarray(vector, dtype=np.float32)
            for cid, _text, _meta, vector in _rows(page)
            if vector is not None
        }

    @_translated
    def query(self, vector: Sequence[float], n: int) -> list[tuple[str, float]]:
        """Nearest chunks as (id, cosine similarity), best first."""
        if n <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(vector)], n_results=n, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        # The collection is in cosine space: distance = 1 - cosine similarity.
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=True)]

    @_translated
    def get(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Chunks by id (ids that are gone are absent)."""
        if not ids:
            return {}
        page = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {cid: stored_chunk(cid, text, meta) for cid, text, meta, _vector in _rows(page)}
