"""BM25 beside Chroma (Chroma's own sparse search is Cloud-only), built with bm25s.

Each chunk is stemmed in its article's language; a query is stemmed in every language of
the corpus, so one index serves a mixed-language corpus. BM25 counts character 4-grams
of the stems rather than whole stems, so that the parts of a German compound match
("Nationalhymne" ~ "Hymne"): +0.002 MRR@10 on the German XQuAD questions, with 3- and
5-grams within 0.003 of it (docs/benchmarks.md#second-round-2026-11-25).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.tokenization import _infer_stopwords

from rag.text.language import STEMMERS

# bm25s sets its own logger to DEBUG when imported, so every index build printed a DEBUG
# line whatever level the application chose; NOTSET makes it follow the application's.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

# Part of the index format (a change needs a new rag.index.layout.FORMAT).
GRAM = 4
_TOKEN = re.compile(r"\w\w+")
_LANGUAGES = "languages.json"
# The stems the corpus holds: "coverage" is measured on whole stems, not grams, since an
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


@dataclass
class Bm25Index:
    """BM25 over the chunks in side-index order (row i scores chunk i)."""

    bm25: bm25s.BM25 | None  # None for an empty corpus (bm25s cannot index nothing)
    size: int
    languages: list[str]
    vocabulary: frozenset[str]

    @classmethod
    def build(cls, texts: Sequence[str], languages: Sequence[str]) -> Bm25Index:
        if not texts:
            return cls(None, 0, [], frozenset())
        stems = [tokenize(text, lang) for text, lang in zip(texts, languages, strict=True)]
        bm25 = bm25s.BM25()
        bm25.index([grams(s) for s in stems], show_progress=False)
        vocabulary = frozenset(stem for chunk in stems for stem in chunk)
        return cls(bm25, len(texts), sorted(set(languages)), vocabulary)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.bm25 is not None:
            self.bm25.save(str(folder), show_progress=False)
        (folder / _LANGUAGES).write_text(json.dumps(self.languages), encoding="utf-8")
        (folder / _VOCABULARY).write_text(json.dumps(sorted(self.vocabulary)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, size: int) -> Bm25Index:
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if size else None
        languages = json.loads((folder / _LANGUAGES).read_text(encoding="utf-8"))
        words = json.loads((folder / _VOCABULARY).read_text(encoding="utf-8"))
        return cls(bm25, size, languages, frozenset(words))

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every chunk, and the share of query terms the corpus knows."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32), 0.0
        stems = query_terms(query, self.languages)
        coverage = sum(s in self.vocabulary for s in stems) / len(stems) if stems else 0.0
        vocab = self.bm25.vocab_dict
        known = [vocab[t] for t in dict.fromkeys(grams(stems)) if t in vocab]
        if not known or coverage == 0.0:
            return np.zeros(self.size, dtype=np.float32), 0.0
        return np.asarray(self.bm25.get_scores_from_ids(known), dtype=np.float32), coverage
