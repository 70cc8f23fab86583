"""What the index keeps beside Chroma, aligned by chunk position: one generation folder.

- BM25 over the chunks (rag.index.bm25);
- every chunk's sentence vectors by both encoders (rag.index.sentence_vectors);
- a float16 copy of Chroma's chunk vectors, so that retrieval scores the candidates only
  BM25 found without a round trip to Chroma (~1.3 ms of ~24 at 10k chunks);
- each chunk's date (yyyymmdd, 0 = undated), outlet, author, language and site, so
  that BM25's candidates can be filtered like Chroma's.

Each reindex writes a new generation folder and then points the manifest at it, so
running questions keep reading the old one until they reopen the index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.index.bm25 import Bm25Index
from rag.index.layout import GENERATION_MARK, SIDE_FORMAT
from rag.index.records import ArticleMeta, day_number
from rag.index.sentence_vectors import SentenceVectors
from rag.text.urls import site_named

_IDS = "ids.json"
_BM25 = "bm25"
_SENTENCES = "sentences"
_CHUNK_VECTORS = "chunk_vectors.npy"
_FACETS = "facets.json"


@dataclass(frozen=True)
class Facets:
    """What a filter asks of each chunk, aligned with the side index's ids."""

    dates: np.ndarray  # int32 yyyymmdd, 0 = undated
    outlets: list[str]
    authors: list[str]
    languages: list[str]
    sites: list[str]  # registrable domain, "" when unknown

    @classmethod
    def of(cls, articles: Sequence[ArticleMeta]) -> Facets:
        return cls(
            np.asarray([day_number(a.date) for a in articles], dtype=np.int32),
            [a.outlet for a in articles],
            [a.author for a in articles],
            [a.language for a in articles],
            [a.site for a in articles],
        )

    def as_dict(self) -> dict[str, list[Any]]:
        return {
            "dates": self.dates.tolist(),
            "outlets": self.outlets,
            "authors": self.authors,
            "languages": self.languages,
            "sites": self.sites,
        }


@dataclass
class SideIndex:
    ids: list[str]  # chunk i of every part below
    bm25: Bm25Index
    sentences: SentenceVectors
    vectors: np.ndarray  # (n, dim) float16, memory-mapped when loaded
    facets: Facets
    position: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.position = {cid: i for i, cid in enumerate(self.ids)}

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        articles: Sequence[ArticleMeta],
        vectors: Sequence[np.ndarray],
        sentences: SentenceVectors,
    ) -> SideIndex:
        """`articles[i]` is the article of chunk i (its language stems BM25's terms)."""
        stacked = np.stack(vectors).astype(np.float16) if len(vectors) else np.zeros((0, 0))
        languages = [a.language or "en" for a in articles]
        bm25 = Bm25Index.build(texts, languages)
        return cls(list(ids), bm25, sentences, stacked, Facets.of(articles))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _IDS).write_text(json.dumps(self.ids), encoding="utf-8")
        self.bm25.save(folder / _BM25)
        self.sentences.save(folder / _SENTENCES)
        np.save(folder / _CHUNK_VECTORS, np.asarray(self.vectors, dtype=np.float16))
        (folder / _FACETS).write_text(json.dumps(self.facets.as_dict()), encoding="utf-8")
        (folder / GENERATION_MARK).write_text(str(SIDE_FORMAT), encoding="ascii")  # last

    @classmethod
    def load(cls, folder: Path) -> SideIndex:
        ids = json.loads((folder / _IDS).read_text(encoding="utf-8"))
        facets = json.loads((folder / _FACETS).read_text(encoding="utf-8"))
        return cls(
            ids,
            Bm25Index.load(folder / _BM25, len(ids)),
            SentenceVectors.load(folder / _SENTENCES),
            np.load(folder / _CHUNK_VECTORS, mmap_mode="r"),
            Facets(
                np.asarray(facets["dates"], dtype=np.int32),
                facets["outlets"],
                facets["authors"],
                facets["languages"],
                # a generation written before sites were kept: the outlets named as hosts
                facets.get("sites") or [site_named(o) for o in facets["outlets"]],
            ),
        )

    @staticmethod
    def previous_sentences(folder: Path) -> SentenceVectors | None:
        """The sentence vectors of an earlier generation, to reuse (None if unreadable)."""
        try:
            return SentenceVectors.load(folder / _SENTENCES)
        except (OSError, ValueError):
            return None
