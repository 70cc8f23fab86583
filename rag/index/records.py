"""What the index records of an article and its chunks: the metadata schema (pure).

Every chunk in Chroma carries its article's fields, so a passage can be cited without
reading the manifest, and whole articles can be deleted by `doc_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ArticleMeta:
    """An article's fields that every one of its chunks carries."""

    doc_id: str
    title: str
    language: str
    source: str
    date: str


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: `body[start:end] == text`."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the store returns it."""

    chunk_id: str
    text: str
    article: ArticleMeta
    index: int  # the chunk's number in its article
    start: int
    end: int


def chunk_metadata(article: ArticleMeta, chunk: Chunk) -> dict[str, str | int]:
    """The metadata a chunk is stored with."""
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        "source": article.source,
        "language": article.language,
        "date": article.date,
        "chunk_index": chunk.index,
        "start_char": chunk.start,
        "end_char": chunk.end,
    }


def stored_chunk(chunk_id: str, text: str, meta: Mapping[str, Any]) -> StoredChunk:
    """A chunk read back from its stored text and metadata."""
    article = ArticleMeta(
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        language=str(meta.get("language", "")),
        source=str(meta.get("source", "")),
        date=str(meta.get("date", "")),
    )
    start = int(meta.get("start_char", 0))
    end = int(meta.get("end_char", start + len(text)))
    return StoredChunk(chunk_id, text, article, int(meta.get("chunk_index", 0)), start, end)
