"""The answer engine: retrieve passages, then answer from them with citations."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer import Answer
from rag.config import Settings
from rag.extractive import ScoredSentence, compose, select
from rag.language import phrase, question_language
from rag.retrieval import HybridRetriever, Retrieval
from rag.sentences import split_sentences

# Sentences are scored in the best few passages only: enough to find the answer,
# few enough to embed at question time.
SENTENCE_PASSAGES = 3
# How much a sentence's score leans on its passage's relevance (context) vs. its own.
PASSAGE_SHARE = 0.3
SELECT_MARGIN = 0.02


def _is_heading(sentence: str) -> bool:
    """Headings are context, not statements: never quoted as an answer."""
    return len(sentence) < 100 and not sentence.rstrip().endswith(tuple(".!?…\"'”“»)"))


@dataclass(frozen=True)
class Evidence:
    retrieval: Retrieval
    sentences: list[ScoredSentence]

    @property
    def best_sentence(self) -> float:
        return max((s.score for s in self.sentences), default=0.0)

    @property
    def best_passage(self) -> float:
        return max((p.dense for p in self.retrieval.passages), default=0.0)


class _VectorCache:
    """A small thread-safe LRU of sentence vectors: popular passages are asked about often."""

    def __init__(self, size: int = 4096) -> None:
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get_many(self, model: BaseEmbedding, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._data]
        if missing:
            vectors = model.get_text_embedding_batch(list(missing))
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._data[text] = np.asarray(vec, dtype=np.float32)
                    self._data.move_to_end(text)
                while len(self._data) > self._size:
                    self._data.popitem(last=False)
        with self._lock:
            rows = [self._data.get(t) for t in texts]
        if any(r is None for r in rows):  # evicted meanwhile by another thread: recompute
            return np.asarray(model.get_text_embedding_batch(list(texts)), dtype=np.float32)
        return np.stack([r for r in rows if r is not None])


class Engine:
    """Stateless per question: everything it needs is passed in or held read-only."""

    def __init__(
        self, settings: Settings, retriever: HybridRetriever, embed_model: BaseEmbedding
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.embed_model = embed_model
        self._cache = _VectorCache()

    def evidence(self, question: str, top_k: int | None = None) -> Evidence:
        retrieval = self.retriever.search(question, top_k)
        # Sentence vectors stored at index time make this cheap; a chunk without them
        # (an index from before they existed) has its sentences embedded now.
        scored: list[tuple[int, int, int, str, float]] = []
        pending: list[tuple[int, int, int, str]] = []
        for i, passage in enumerate(retrieval.passages[:SENTENCE_PASSAGES]):
            stored = self.retriever.sentence_vectors(passage.chunk_id, passage.text)
            if stored is None:
                spans = [(s.start, s.end) for s in split_sentences(passage.text)]
                cosines = None
            else:
                spans = [(int(a), int(b)) for a, b in stored[0]]
                cosines = np.asarray(stored[1], dtype=np.float32) @ retrieval.query_vector
            for j, (a, b) in enumerate(spans):
                text = passage.text[a:b]
                if _is_heading(text):
                    continue
                where = (i, passage.start + a, passage.start + b, text)
                if cosines is None:
                    pending.append(where)
                else:
                    scored.append((*where, float(cosines[j])))
        if pending:
            vectors = self._cache.get_many(self.embed_model, [c[3] for c in pending])
            cosines = vectors @ retrieval.query_vector
            scored += [(*c, float(cos)) for c, cos in zip(pending, cosines, strict=True)]
        sentences = [
            ScoredSentence(
                passage=i,
                start=start,
                end=end,
                text=text,
                score=float(
                    (1 - PASSAGE_SHARE) * cos + PASSAGE_SHARE * retrieval.passages[i].dense
                ),
            )
            for i, start, end, text, cos in sorted(scored, key=lambda c: (c[0], c[1]))
        ]
        return Evidence(retrieval, sentences)

    def answerable(self, evidence: Evidence) -> bool:
        return evidence.best_sentence >= self.settings.abstain_threshold

    def extractive(self, question: str, evidence: Evidence) -> Answer:
        language = question_language(question)
        if not self.answerable(evidence):
            return Answer(phrase("abstain", language), "extractive")
        chosen = select(
            evidence.sentences, limit=self.settings.extractive_sentences, margin=SELECT_MARGIN
        )
        text, citations = compose(chosen, evidence.retrieval.passages, phrase("lead", language))
        return Answer(text, "extractive", citations)

    def answer(self, question: str, top_k: int | None = None) -> Answer:
        return self.extractive(question, self.evidence(question, top_k))
