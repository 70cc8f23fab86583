"""BM25 beside Chroma (Chroma's own sparse search is Cloud-only), built with bm25s.

Each chunk is stemmed in its article's language; a query is stemmed in every language
of the corpus, so one index serves a mixed-language corpus.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.tokenization import _infer_stopwords

from rag.language import STEMMERS
from rag.sentence_vectors import SENTENCES_DIR, SentenceVectors

_TOKEN = re.compile(r"\w\w+")
_IDS_FILE = "ids.json"
_META_FILE = "languages.json"


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


def query_terms(text: str, languages: Iterable[str]) -> list[str]:
    """Distinct query stems over all corpus languages, in order of appearance."""
    seen: dict[str, None] = {}
    for language in languages:
        for term in tokenize(text, language):
            seen.setdefault(term, None)
    return list(seen)


@dataclass
class LexicalIndex:
    """A bm25s index over chunk ids, with the chunks' sentence vectors when built."""

    bm25: bm25s.BM25 | None  # None for an empty corpus (bm25s cannot index nothing)
    ids: list[str]
    languages: list[str]
    sentences: SentenceVectors | None = None

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], languages: Sequence[str]
    ) -> LexicalIndex:
        if not ids:
            return cls(None, [], [])
        corpus = [tokenize(text, lang) for text, lang in zip(texts, languages, strict=True)]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(bm25, list(ids), sorted(set(languages)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.bm25 is not None:
            self.bm25.save(str(folder), show_progress=False)
        (folder / _IDS_FILE).write_text(json.dumps(self.ids), encoding="utf-8")
        (folder / _META_FILE).write_text(json.dumps(self.languages), encoding="utf-8")
        if self.sentences is not None:
            self.sentences.save(folder / SENTENCES_DIR)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        ids = json.loads((folder / _IDS_FILE).read_text(encoding="utf-8"))
        languages = json.loads((folder / _META_FILE).read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if ids else None
        sentences = folder / SENTENCES_DIR
        # generations written before sentence vectors existed have none: answers embed then
        found = SentenceVectors.load(sentences) if sentences.is_dir() else None
        return cls(bm25, ids, languages, found)

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every chunk, and the share of query terms the corpus knows."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32), 0.0
        terms = query_terms(query, self.languages)
        vocab = self.bm25.vocab_dict
        known = [vocab[t] for t in terms if t in vocab]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32), 0.0
        return (
            np.asarray(self.bm25.get_scores_from_ids(known), dtype=np.float32),
            len(known) / len(terms),
        )
