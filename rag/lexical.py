"""BM25 beside Chroma (Chroma's own sparse search is Cloud-only), built with bm25s.

Each chunk is stemmed in its article's language; a query is stemmed in every language
of the corpus, so one index serves a mixed-language corpus. BM25 counts character
4-grams of the stems rather than whole stems, so that the parts of a German compound
match ("Nationalhymne" ~ "Hymne"): +0.002 MRR@10 on the German XQuAD questions, with
3- and 5-grams within 0.003 of it (docs/benchmarks.md).
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

from rag.language import STEMMERS
from rag.lexical_format import (
    CHUNK_VECTORS_FILE,
    FORMAT_FILE,
    GRAM,
    SENTENCES_DIR,
    VOCABULARY_FILE,
    gram_of,
)
from rag.sentence_vectors import SentenceVectors

# bm25s sets its own logger to DEBUG when imported, so every index build printed a DEBUG
# line whatever level the application chose; NOTSET makes it follow the application's.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

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
class LexicalIndex:
    """A bm25s index over chunk ids, with the chunks' dense and sentence vectors when built."""

    bm25: bm25s.BM25 | None  # None for an empty corpus (bm25s cannot index nothing)
    ids: list[str]
    languages: list[str]
    sentences: SentenceVectors | None = None
    # Stems the corpus holds: "coverage" is measured on whole stems, not grams, since an
    # English question shares many grams but few words with a German text.
    vocabulary: frozenset[str] | None = None  # None: a generation of whole-stem terms
    gram: int = GRAM  # the n-gram length its BM25 counts (with a vocabulary)
    # Row i is chunk i's vector as stored in Chroma (float16, memory-mapped when loaded);
    # None in generations written before it was kept here.
    vectors: np.ndarray | None = None

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], languages: Sequence[str]
    ) -> LexicalIndex:
        if not ids:
            return cls(None, [], [], vocabulary=frozenset())
        stems = [tokenize(text, lang) for text, lang in zip(texts, languages, strict=True)]
        bm25 = bm25s.BM25()
        bm25.index([grams(s) for s in stems], show_progress=False)
        vocabulary = frozenset(stem for chunk in stems for stem in chunk)
        return cls(bm25, list(ids), sorted(set(languages)), vocabulary=vocabulary)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.bm25 is not None:
            self.bm25.save(str(folder), show_progress=False)
        (folder / _IDS_FILE).write_text(json.dumps(self.ids), encoding="utf-8")
        (folder / _META_FILE).write_text(json.dumps(self.languages), encoding="utf-8")
        if self.vocabulary is not None:
            words = json.dumps(sorted(self.vocabulary))
            (folder / VOCABULARY_FILE).write_text(words, encoding="utf-8")
            (folder / FORMAT_FILE).write_text(json.dumps({"gram": self.gram}), encoding="utf-8")
        if self.sentences is not None:
            self.sentences.save(folder / SENTENCES_DIR)
        if self.vectors is not None:
            np.save(folder / CHUNK_VECTORS_FILE, np.asarray(self.vectors, dtype=np.float16))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        ids = json.loads((folder / _IDS_FILE).read_text(encoding="utf-8"))
        languages = json.loads((folder / _META_FILE).read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if ids else None
        sentences = folder / SENTENCES_DIR
        # generations written before sentence vectors existed have none: answers embed then
        found = SentenceVectors.load(sentences) if sentences.is_dir() else None
        vectors_file = folder / CHUNK_VECTORS_FILE
        vectors = np.load(vectors_file, mmap_mode="r") if vectors_file.is_file() else None
        gram = gram_of(folder)
        if gram is None:
            return cls(bm25, ids, languages, found, vectors=vectors)
        words = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(bm25, ids, languages, found, frozenset(words), gram, vectors)

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 score of every chunk, and the share of query terms the corpus knows."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32), 0.0
        stems = query_terms(query, self.languages)
        words = self.vocabulary if self.vocabulary is not None else self.bm25.vocab_dict
        coverage = sum(s in words for s in stems) / len(stems) if stems else 0.0
        vocab = self.bm25.vocab_dict
        terms = dict.fromkeys(grams(stems, self.gram)) if self.vocabulary is not None else stems
        known = [vocab[t] for t in terms if t in vocab]
        if not known or coverage == 0.0:
            return np.zeros(len(self.ids), dtype=np.float32), 0.0
        return np.asarray(self.bm25.get_scores_from_ids(known), dtype=np.float32), coverage
