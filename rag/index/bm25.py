"""BM25 beside Chroma (Chroma's own sparse search is Cloud-only), in segments.

Each chunk is stemmed in its article's language; a query is stemmed in every language of
the corpus, so one index serves a mixed-language corpus. BM25 counts character 4-grams
of the stems rather than whole stems, so that the parts of a German compound match
("Nationalhymne" ~ "Hymne"): +0.002 MRR@10 on the German XQuAD questions, with 3- and
5-grams within 0.003 of it (docs/benchmarks.md#second-round-2026-11-25).

A segment keeps raw counts (`Postings`), not scores: the statistics BM25 needs (how many
chunks hold a gram, the mean chunk length) are taken over the live chunks of all segments
when a question is scored, so a score is the one a single index over the whole corpus
gives, however the chunks are split into segments and whatever was deleted since. The
formula is Lucene's (as bm25s computes it, which built this index before).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import Stemmer
from bm25s.tokenization import _infer_stopwords

from rag.text.language import STEMMERS

# Part of the index format (a change needs a new rag.index.layout.SIDE_FORMAT).
GRAM = 4
K1, B = 1.5, 0.75
_TOKEN = re.compile(r"\w\w+")
_GRAMS = "grams.json"
_INDPTR = "indptr.npy"
_ROWS = "rows.npy"
_COUNTS = "counts.npy"
_LENGTHS = "lengths.npy"
_LANGUAGES = "languages.json"
# The stems the segment holds: "coverage" is measured on whole stems, not grams, since an
# English question shares many grams but few words with a German text.
_VOCABULARY = "vocabulary.json"


@lru_cache(maxsize=32)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = STEMMERS.get(language)
    return Stemmer.Stemmer(name) if name else None


@lru_cache(maxsize=32)
def _stopwords(language: str) -> frozenset[str]:
    try:
        return frozenset(_infer_stopwords(language))
    except ValueError:  # bm25s has no list for this language
        return frozenset()


def tokenize(text: str, language: str) -> list[str]:
    """Lower-cased word stems of `text` without stopwords (pure)."""
    stop = _stopwords(language)
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stop]
    stemmer = _stemmer(language)
    return list(stemmer.stemWords(words)) if stemmer else words


def grams(stems: Iterable[str], n: int = GRAM) -> list[str]:
    """Character n-grams of each stem marked at both ends; a short stem is one gram (pure)."""
    out: list[str] = []
    for stem in stems:
        word = f"#{stem}#"
        if len(word) <= n:
            out.append(word)
        else:
            out.extend(word[i : i + n] for i in range(len(word) - n + 1))
    return out


def query_terms(text: str, languages: Iterable[str]) -> list[str]:
    """Distinct query stems over all corpus languages, in order of appearance."""
    seen: dict[str, None] = {}
    for language in languages:
        for term in tokenize(text, language):
            seen.setdefault(term, None)
    return list(seen)


@dataclass(frozen=True)
class Postings:
    """One segment's gram counts: for gram g (column grams[g]), the rows holding it are
    rows[indptr[c]:indptr[c + 1]], ascending, with their counts."""

    grams: dict[str, int]
    indptr: np.ndarray  # int64, one more than grams
    rows: np.ndarray  # int32, row within the segment
    counts: np.ndarray  # uint16, the gram's count in that row
    lengths: np.ndarray  # int32, each row's number of grams (BM25's document length)
    languages: list[str]
    vocabulary: frozenset[str]

    @property
    def size(self) -> int:
        return len(self.lengths)

    @classmethod
    def build(cls, texts: Sequence[str], languages: Sequence[str]) -> Postings:
        stems = [tokenize(text, lang) for text, lang in zip(texts, languages, strict=True)]
        columns: dict[str, int] = {}
        terms: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int32)
        for row, chunk in enumerate(stems):
            found = grams(chunk)
            lengths[row] = len(found)
            ids = np.fromiter((columns.setdefault(g, len(columns)) for g in found), np.int32)
            distinct, n = np.unique(ids, return_counts=True)
            terms.append(distinct)
            rows.append(np.full(len(distinct), row, dtype=np.int32))
            counts.append(n.astype(np.uint16))
        vocabulary = frozenset(stem for chunk in stems for stem in chunk)
        return cls.of_triples(
            columns,
            _joined(terms, np.int32),
            _joined(rows, np.int32),
            _joined(counts, np.uint16),
            lengths,
            sorted(set(languages)),
            vocabulary,
        )

    @classmethod
    def of_triples(
        cls,
        columns: dict[str, int],
        terms: np.ndarray,
        rows: np.ndarray,
        counts: np.ndarray,
        lengths: np.ndarray,
        languages: list[str],
        vocabulary: frozenset[str],
    ) -> Postings:
        """From (gram column, row, count) triples in any order."""
        order = np.lexsort((rows, terms))
        indptr = np.zeros(len(columns) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(columns)), out=indptr[1:])
        return cls(
            columns,
            indptr,
            rows[order].astype(np.int32),
            counts[order].astype(np.uint16),
            lengths.astype(np.int32),
            languages,
            vocabulary,
        )

    def triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(gram column, row, count) of every posting."""
        terms = np.repeat(np.arange(len(self.grams), dtype=np.int32), np.diff(self.indptr))
        return terms, np.asarray(self.rows), np.asarray(self.counts)

    @classmethod
    def merged(cls, parts: Sequence[tuple[Postings, np.ndarray]]) -> Postings:
        """The rows each part keeps (a bool mask), one after the other, as one segment's."""
        columns: dict[str, int] = {}
        terms, rows, counts, lengths = [], [], [], []
        start = 0
        for part, keep in parts:
            remap = np.fromiter(
                (columns.setdefault(g, len(columns)) for g in part.grams), np.int32, len(part.grams)
            )
            new_row = np.cumsum(keep, dtype=np.int64) - 1 + start
            t, r, c = part.triples()
            kept = keep[r]
            terms.append(remap[t[kept]])
            rows.append(new_row[r[kept]].astype(np.int32))
            counts.append(c[kept])
            lengths.append(np.asarray(part.lengths)[keep])
            start += int(np.count_nonzero(keep))
        languages = sorted({lang for part, _ in parts for lang in part.languages})
        vocabulary = frozenset().union(*(part.vocabulary for part, _ in parts))
        return cls.of_triples(
            columns,
            _joined(terms, np.int32),
            _joined(rows, np.int32),
            _joined(counts, np.uint16),
            _joined(lengths, np.int32),
            languages,
            vocabulary,
        )

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _GRAMS).write_text(json.dumps(list(self.grams)), encoding="utf-8")
        np.save(folder / _INDPTR, self.indptr)
        np.save(folder / _ROWS, self.rows)
        np.save(folder / _COUNTS, self.counts)
        np.save(folder / _LENGTHS, self.lengths)
        (folder / _LANGUAGES).write_text(json.dumps(self.languages), encoding="utf-8")
        (folder / _VOCABULARY).write_text(json.dumps(sorted(self.vocabulary)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Postings:
        names = json.loads((folder / _GRAMS).read_text(encoding="utf-8"))
        return cls(
            {g: i for i, g in enumerate(names)},
            np.load(folder / _INDPTR),
            np.load(folder / _ROWS, mmap_mode="r"),
            np.load(folder / _COUNTS, mmap_mode="r"),
            np.load(folder / _LENGTHS),
            json.loads((folder / _LANGUAGES).read_text(encoding="utf-8")),
            frozenset(json.loads((folder / _VOCABULARY).read_text(encoding="utf-8"))),
        )


def _joined(parts: Sequence[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


@dataclass
class Bm25Index:
    """BM25 over the rows of every segment, one after the other (row i scores chunk i);
    rows `live` leaves out (deleted since their segment was written) score 0 and count
    for nothing."""

    parts: Sequence[Postings]
    live: np.ndarray | None = None  # None: every row is live
    starts: list[int] = field(init=False)
    size: int = field(init=False)
    languages: list[str] = field(init=False)
    _norms: list[np.ndarray] = field(init=False, repr=False)
    _live: list[np.ndarray | None] = field(init=False, repr=False)
    _docs: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.starts = np.concatenate([[0], np.cumsum([p.size for p in self.parts])]).tolist()
        self.size = int(self.starts[-1])
        self.languages = sorted({lang for p in self.parts for lang in p.languages})
        self._live = [
            None if self.live is None or self.live[a:b].all() else self.live[a:b]
            for a, b in zip(self.starts, self.starts[1:], strict=False)
        ]
        lengths = [
            np.asarray(p.lengths if m is None else p.lengths[m], dtype=np.float64)
            for p, m in zip(self.parts, self._live, strict=True)
        ]
        self._docs = sum(len(x) for x in lengths)
        mean = sum(float(x.sum()) for x in lengths) / self._docs if self._docs else 1.0
        # each row's share of the BM25 denominator, fixed for this view
        self._norms = [
            (K1 * ((1 - B) + B * np.asarray(p.lengths, np.float32) / np.float32(mean))).astype(
                np.float32
            )
            for p in self.parts
        ]

    @classmethod
    def build(cls, texts: Sequence[str], languages: Sequence[str]) -> Bm25Index:
        """One segment over `texts` (tests and small corpora)."""
        return cls([Postings.build(texts, languages)])

    def knows(self, stem: str) -> bool:
        return any(stem in p.vocabulary for p in self.parts)

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every row, and the share of query terms the corpus knows."""
        if not self._docs:
            return np.zeros(self.size, dtype=np.float32), 0.0
        stems = query_terms(query, self.languages)
        coverage = sum(self.knows(s) for s in stems) / len(stems) if stems else 0.0
        wanted = list(dict.fromkeys(grams(stems)))
        scores = np.zeros(self.size, dtype=np.float32)
        if coverage == 0.0:
            return scores, 0.0
        found: list[list[tuple[int, int, int]]] = []  # per part: (gram, first, end)
        df = np.zeros(len(wanted), dtype=np.float64)
        for part, live in zip(self.parts, self._live, strict=True):
            here = []
            for j, gram in enumerate(wanted):
                column = part.grams.get(gram)
                if column is None:
                    continue
                a, b = int(part.indptr[column]), int(part.indptr[column + 1])
                here.append((j, a, b))
                df[j] += b - a if live is None else np.count_nonzero(live[part.rows[a:b]])
            found.append(here)
        idf = np.log1p((self._docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        for part, start, norm, here in zip(
            self.parts, self.starts, self._norms, found, strict=False
        ):
            if not here:
                continue
            rows = np.concatenate([part.rows[a:b] for _, a, b in here])
            tf = np.concatenate([part.counts[a:b] for _, a, b in here]).astype(np.float32)
            weight = np.repeat(idf[[j for j, _, _ in here]], [b - a for _, a, b in here])
            contribution = weight * tf / (norm[rows] + tf)
            scores[start : start + part.size] += np.bincount(
                rows, weights=contribution, minlength=part.size
            ).astype(np.float32)
        if self.live is not None:
            scores[~self.live] = 0.0
        return scores, coverage
