"""What the index records of an article and its chunks: the metadata schema (pure).

Every chunk in Chroma carries its article's fields, so a passage can be cited and filtered
without reading the manifest, and whole articles can be deleted by `doc_id`. Dates are
stored as numbers (yyyymmdd), since Chroma's range filters take numbers only; an undated
article's chunks have no `date` field, so date filters leave them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rag.text.urls import article_site, web_url


@dataclass(frozen=True)
class ArticleMeta:
    """An article's fields that every one of its chunks carries."""

    doc_id: str
    title: str
    language: str
    source: str
    date: str = ""  # publication day, ISO YYYY-MM-DD ("" = undated)
    outlet: str = ""
    author: str = ""
    updated: str = ""  # day of the last update, ISO ("" = not known)
    published: str = ""  # ISO date-time of publication, when the time of day is known

    @property
    def site(self) -> str:
        """The site it is from ("tagesspiegel.de"): what makes one outlet of many names."""
        return article_site(self.source, self.outlet)


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


def day_number(iso: str) -> int:
    """An ISO date as the number the index stores and filters on (20250603); 0 for ""."""
    return int(iso.replace("-", "")) if iso else 0


def day_of(number: object) -> dt.date | None:
    """The day of a stored day number (20250603); None for none."""
    if not isinstance(number, int) or number <= 0:
        return None
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def day_iso(number: object) -> str:
    """The ISO date of a stored day number; "" for none."""
    day = day_of(number)
    return day.isoformat() if day else ""


def chunk_metadata(article: ArticleMeta, chunk: Chunk) -> dict[str, str | int]:
    """The metadata a chunk is stored with."""
    meta: dict[str, str | int] = {
        "doc_id": article.doc_id,
        "title": article.title,
        "source": article.source,
        "language": article.language,
        "outlet": article.outlet,
        "author": article.author,
        "chunk_index": chunk.index,
        "start_char": chunk.start,
        "end_char": chunk.end,
    }
    for key, iso in (("date", article.date), ("updated", article.updated)):
        if iso:
            meta[key] = day_number(iso)
    if article.published:
        meta["published"] = article.published
    return meta


def stored_chunk(chunk_id: str, text: str, meta: Mapping[str, Any]) -> StoredChunk:
    """A chunk read back from its stored text and metadata."""
    article = ArticleMeta(
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        language=str(meta.get("language", "")),
        source=web_url(str(meta.get("source", ""))),  # an index from before sources were checked
        date=day_iso(meta.get("date")),
        outlet=str(meta.get("outlet", "")),
        author=str(meta.get("author", "")),
        updated=day_iso(meta.get("updated")),
        published=str(meta.get("published", "")),
    )
    start = int(meta.get("start_char", 0))
    end = int(meta.get("end_char", start + len(text)))
    return StoredChunk(chunk_id, text, article, int(meta.get("chunk_index", 0)), start, end)
