"""One segment of the side index: a folder written once and never changed.

A segment holds some articles' chunks, each article's rows together, aligned by row:
- BM25's gram counts (rag.index.bm25.Postings);
- every chunk's sentence vectors by both encoders (rag.index.sentence_vectors);
- a float16 copy of Chroma's chunk vectors, so that retrieval scores the candidates only
  BM25 found without a round trip to Chroma (~1.3 ms of ~24 at 10k chunks);
- each chunk's date (yyyymmdd, 0 = undated), outlet, author, language and site, so
  that BM25's candidates can be filtered like Chroma's;
- which articles it holds, at which version (`stamp`), in which rows.

An update writes a segment of what is new and marks what is gone as deleted in the next
generation (rag.index.generation); merges rewrite small segments into bigger ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from rag.index.bm25 import Postings
from rag.index.generation import Generation
from rag.index.ids import article_of
from rag.index.layout import GENERATION_MARK, SIDE_FORMAT, IndexLayout
from rag.index.records import ArticleMeta, day_number
from rag.index.rows import StackedRows
from rag.index.sentence_vectors import SentenceVectors

_IDS = "ids.json"
_DOCS = "docs.json"
_BM25 = "bm25"
_SENTENCES = "sentences"
_CHUNK_VECTORS = "chunk_vectors.npy"
_FACETS = "facets.json"


def stamp(content_hash: str, chunking: str) -> str:
    """Which version of an article a segment holds: its content, cut the same way."""
    return f"{content_hash} {chunking}"


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

    @classmethod
    def joined(cls, parts: Sequence[Facets]) -> Facets:
        return cls(
            np.concatenate([p.dates for p in parts]) if parts else np.zeros(0, np.int32),
            [x for p in parts for x in p.outlets],
            [x for p in parts for x in p.authors],
            [x for p in parts for x in p.languages],
            [x for p in parts for x in p.sites],
        )

    def take(self, rows: np.ndarray) -> Facets:
        return Facets(
            self.dates[rows],
            [self.outlets[i] for i in rows],
            [self.authors[i] for i in rows],
            [self.languages[i] for i in rows],
            [self.sites[i] for i in rows],
        )

    def as_dict(self) -> dict[str, list[Any]]:
        return {
            "dates": self.dates.tolist(),
            "outlets": self.outlets,
            "authors": self.authors,
            "languages": self.languages,
            "sites": self.sites,
        }


class Held(NamedTuple):
    """An article in a segment: its version and its rows first:first + length (a tuple:
    a dataclass made reading 190,000 of them take 0.85 s)."""

    stamp: str
    first: int
    length: int


@dataclass(frozen=True)
class Segment:
    ids: list[str]  # chunk i of every part below
    postings: Postings
    sentences: SentenceVectors
    vectors: np.ndarray | StackedRows  # (n, dim) float16, memory-mapped when loaded
    facets: Facets
    docs: dict[str, Held]

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        articles: Sequence[ArticleMeta],
        vectors: Sequence[np.ndarray],
        sentences: SentenceVectors,
        stamps: dict[str, str],
    ) -> Segment:
        """`articles[i]` is the article of chunk i (its language stems BM25's terms); an
        article's chunks are consecutive, and `stamps` gives each article's version."""
        stacked = np.stack(vectors).astype(np.float16) if len(vectors) else np.zeros((0, 0))
        languages = [a.language or "en" for a in articles]
        postings = Postings.build(texts, languages)
        return cls(list(ids), postings, sentences, stacked, Facets.of(articles), _held(ids, stamps))

    @classmethod
    def merged(cls, parts: Sequence[tuple[Segment, frozenset[str]]]) -> Segment:
        """The articles of `parts` each leaves out deleted, in one segment (arrays only:
        nothing is read from Chroma, tokenised or embedded again)."""
        kept = [(segment, segment.live(deleted)) for segment, deleted in parts]
        ids: list[str] = []
        stamps: dict[str, str] = {}
        sentences, vectors, facets = [], [], []
        for segment, keep in kept:
            rows = np.flatnonzero(keep)
            ids += [segment.ids[i] for i in rows]
            stamps.update({d: h.stamp for d, h in segment.docs.items() if keep[h.first]})
            sentences.append(segment.sentences.take(rows))
            vectors.append(np.asarray(segment.vectors[rows], dtype=np.float16))
            facets.append(segment.facets.take(rows))
        width = next((v.shape[1] for v in vectors if v.size), 0)
        return cls(
            ids,
            Postings.merged([(segment.postings, keep) for segment, keep in kept]),
            SentenceVectors.joined(sentences).take(np.arange(len(ids))),
            np.concatenate([v.reshape(-1, width) for v in vectors]),
            Facets.joined(facets),
            _held(ids, stamps),
        )

    def live(self, deleted: frozenset[str]) -> np.ndarray:
        """Which rows are live when the articles `deleted` are gone."""
        keep = np.ones(self.size, dtype=bool)
        for doc_id in deleted & self.docs.keys():
            held = self.docs[doc_id]
            keep[held.first : held.first + held.length] = False
        return keep

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _IDS).write_text(json.dumps(self.ids), encoding="utf-8")
        docs = [[d, h.stamp, h.first, h.length] for d, h in self.docs.items()]
        (folder / _DOCS).write_text(json.dumps(docs), encoding="utf-8")
        self.postings.save(folder / _BM25)
        self.sentences.save(folder / _SENTENCES)
        np.save(folder / _CHUNK_VECTORS, np.asarray(self.vectors, dtype=np.float16))
        (folder / _FACETS).write_text(json.dumps(self.facets.as_dict()), encoding="utf-8")
        (folder / GENERATION_MARK).write_text(str(SIDE_FORMAT), encoding="ascii")  # last

    @classmethod
    def load(cls, folder: Path) -> Segment:
        if (folder / GENERATION_MARK).read_text(encoding="ascii").strip() != str(SIDE_FORMAT):
            raise ValueError(f"segment {folder.name} is of another format")
        facets = json.loads((folder / _FACETS).read_text(encoding="utf-8"))
        return cls(
            json.loads((folder / _IDS).read_text(encoding="utf-8")),
            Postings.load(folder / _BM25),
            read_sentences(folder),
            np.load(folder / _CHUNK_VECTORS, mmap_mode="r"),
            Facets(
                np.asarray(facets["dates"], dtype=np.int32),
                facets["outlets"],
                facets["authors"],
                facets["languages"],
                facets["sites"],
            ),
            read_docs(folder),
        )


def read_docs(folder: Path) -> dict[str, Held]:
    """The articles segment `folder` holds, without the rest of it."""
    docs = json.loads((folder / _DOCS).read_text(encoding="utf-8"))
    return {d: Held(s, first, count) for d, s, first, count in docs}


def read_sentences(folder: Path) -> SentenceVectors:
    return SentenceVectors.load(folder / _SENTENCES)


def _held(ids: Sequence[str], stamps: dict[str, str]) -> dict[str, Held]:
    """Each article's rows, from its chunks' ids (consecutive by construction)."""
    docs: dict[str, Held] = {}
    for row, cid in enumerate(ids):
        doc_id = article_of(cid)
        held = docs.get(doc_id)
        if held is None:
            docs[doc_id] = Held(stamps[doc_id], row, 1)
        elif held.first + held.length != row:
            raise ValueError(f"the chunks of {doc_id} are not consecutive")
        else:
            docs[doc_id] = Held(held.stamp, held.first, held.length + 1)
    return docs


def previous_sentences(layout: IndexLayout, name: str | None) -> SentenceVectors | None:
    """The sentence vectors generation `name` of any format kept (in its folder before
    segments, else in the segments it lists), to reuse when the index is rebuilt from its
    chunks; None if there are none or they are unreadable."""
    if name is None:
        return None
    try:
        if (layout.generation(name) / _SENTENCES).is_dir():
            return SentenceVectors.load(layout.generation(name) / _SENTENCES)
        listed = Generation.load(layout.generation(name)).segments
        return SentenceVectors.joined([read_sentences(layout.segment(s.name)) for s in listed])
    except (OSError, ValueError, KeyError):
        return None
