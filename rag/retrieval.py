"""Hybrid retrieval: dense (E5 in Chroma, chunk and best sentence) + BM25, fused by weighted
min-max. Parameters tuned on the XQuAD-de dev questions (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.config import Settings
from rag.fusion import fuse, with_article_prior
from rag.lexical import LexicalIndex
from rag.models import query_vector, second_encoder
from rag.sentence_vectors import text_key
from rag.store import ChunkStore

# Dense score of a chunk = mix of its own cosine and its best sentence's: questions
# usually target one sentence, whose signal a paragraph vector dilutes, the more so the
# longer the paragraph. The share grows with the chunk's length from 0.2 (a news
# paragraph of a few sentences, where more lets one matching sentence outrank the
# passage that explains: seed question s06) to 0.5 (XQuAD's optimum for long paragraphs).
SENTENCE_SHARE = (0.2, 0.5)
SHARE_LENGTHS = (400, 1000)  # characters where the share starts and stops growing
# A sentence of a few words ("But it is not only about Windsurf.") matches on one name
# alone: too little content to rank a passage on its own.
MIN_SENTENCE_CHARS = 40
# The second encoder (multilingual USE) on sentences gets this share times the square of
# the share of query terms the corpus lacks: it adds most for English questions on German
# text, where e5 is weakest, and little for German ones (where it would dilute e5).
SECOND_SHARE = 0.2
# Below this share (term coverage above ~0.68, i.e. most questions in the corpus's own
# language) the second encoder moves no ranking (docs/benchmarks.md): it is not run.
MIN_SECOND_SHARE = 0.02
# Share of a passage's score that comes from the best passage of its article
# (rag.fusion.with_article_prior): +0.002 Recall@5 on XQuAD, none on MRR.
ARTICLE_PRIOR = 0.2
# BM25's weight grows with the square of the share of query terms the corpus knows:
# German questions on German text share most terms, English ones few (and those few,
# names and numbers, are spread over many chunks).


def lexical_weight(dense_weight: float, coverage: float) -> float:
    """BM25's share of the fused score for a query with this term coverage."""
    return (1.0 - dense_weight) * coverage**2


def sentence_share(length: np.ndarray) -> np.ndarray:
    """The best sentence's share of a chunk's dense score, by chunk length (pure)."""
    (low, high), (short, long) = SENTENCE_SHARE, SHARE_LENGTHS
    grown = (np.asarray(length, dtype=np.float32) - short) / (long - short)
    return low + (high - low) * np.clip(grown, 0.0, 1.0)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its place in the article and its scores."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    language: str
    text: str
    start: int
    end: int
    score: float  # fused, in [0, 1] relative to the other candidates
    dense: float  # cosine similarity to the question


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]
    query_vector: np.ndarray
    term_coverage: float  # share of the question's terms that occur in the corpus


class HybridRetriever(BaseRetriever):
    """Dense candidates from Chroma and BM25 candidates, scored on both signals, fused."""

    def __init__(
        self,
        store: ChunkStore,
        lexical: LexicalIndex | None,
        embed_model: BaseEmbedding,
        *,
        top_k: int,
        candidate_k: int,
        dense_weight: float,
    ) -> None:
        super().__init__()
        self.store = store
        self.lexical = lexical
        self.embed_model = embed_model
        self.top_k = top_k
        self.candidate_k = candidate_k
        self.dense_weight = dense_weight
        self._position = {cid: i for i, cid in enumerate(lexical.ids)} if lexical else {}

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: ChunkStore,
        lexical: LexicalIndex | None,
        embed_model: BaseEmbedding,
    ) -> HybridRetriever:
        return cls(
            store,
            lexical,
            embed_model,
            top_k=settings.top_k,
            candidate_k=settings.candidate_k,
            dense_weight=settings.dense_weight,
        )

    def search(self, question: str, top_k: int | None = None) -> Retrieval:
        k = top_k or self.top_k
        # Not overlapped with BM25 or the second encoder in a thread: e5's OpenMP threads
        # use both cores, and sharing them made each query slower (docs/benchmarks.md).
        qvec = query_vector(self.embed_model, question)
        dense = dict(self.store.query(qvec.tolist(), max(self.candidate_k, k)))
        lexical: dict[str, float] = {}
        coverage = 0.0
        if self.lexical is not None and self.lexical.ids:
            scores, coverage = self.lexical.scores(question)
            n = min(self.candidate_k, len(scores))
            top = np.argpartition(-scores, n - 1)[:n] if n else np.zeros(0, dtype=np.int64)
            lexical = {self.lexical.ids[i]: float(scores[i]) for i in top if scores[i] > 0}
            for cid in dense:  # exact BM25 scores for dense candidates too
                pos = self._position.get(cid)
                if pos is not None:
                    lexical[cid] = float(scores[pos])
            dense.update(self.cosines([cid for cid in lexical if cid not in dense], qvec))
            lexical = {cid: s for cid, s in lexical.items() if cid in dense}
        mixed = self._with_sentences(dense, qvec, self._second_query(question, coverage))
        weight = 1.0 - lexical_weight(self.dense_weight, coverage)
        ranked = with_article_prior(fuse(mixed, lexical, dense_weight=weight), ARTICLE_PRIOR)[:k]
        records = self.store.get([cid for cid, _ in ranked])
        passages = []
        for cid, score in ranked:
            if cid not in records:  # deleted by a concurrent reindex since the query
                continue
            text, meta = records[cid]
            passages.append(
                Passage(
                    chunk_id=cid,
                    doc_id=str(meta.get("doc_id", "")),
                    title=str(meta.get("title", "")),
                    source=str(meta.get("source", "")),
                    language=str(meta.get("language", "")),
                    text=text,
                    start=int(meta.get("start_char", 0)),
                    end=int(meta.get("end_char", len(text))),
                    score=score,
                    dense=dense[cid],
                )
            )
        return Retrieval(passages, qvec, coverage)

    def cosines(self, ids: list[str], qvec: np.ndarray) -> dict[str, float]:
        """Cosine of each chunk to the question vector (chunks that are gone are absent).

        Read from the generation's copy of the chunk vectors, which saves a Chroma round
        trip per question (~1.3 ms of ~24 at 10k chunks); Chroma answers for chunks the
        copy lacks (a generation written before it, or a chunk added since)."""
        vectors = self.lexical.vectors if self.lexical else None
        scores: dict[str, float] = {}
        local = [cid for cid in ids if cid in self._position]
        if vectors is not None and local:
            rows = [self._position[cid] for cid in local]
            found = np.asarray(vectors[rows], dtype=np.float32) @ qvec
            scores.update(zip(local, found.tolist(), strict=True))
        asked = [cid for cid in ids if cid not in scores]
        scores.update((cid, float(v @ qvec)) for cid, v in self.store.embeddings(asked).items())
        return scores

    def _second_query(self, question: str, coverage: float) -> tuple[np.ndarray, float] | None:
        """The second encoder's question vector and share, when it has a say."""
        sentences = self.lexical.sentences if self.lexical else None
        share = SECOND_SHARE * (1.0 - coverage) ** 2
        if sentences is None or sentences.second is None or share < MIN_SECOND_SHARE:
            return None
        return second_encoder().embed([question])[0], share

    def _with_sentences(
        self,
        dense: dict[str, float],
        qvec: np.ndarray,
        second: tuple[np.ndarray, float] | None,
    ) -> dict[str, float]:
        sentences = self.lexical.sentences if self.lexical else None
        if sentences is None:
            return dense
        known = [cid for cid in dense if cid in self._position]
        positions = [self._position[cid] for cid in known]
        best = sentences.best(positions, qvec, min_chars=MIN_SENTENCE_CHARS)
        shares = sentence_share(sentences.lengths(positions))
        mixed = dict(dense)
        for cid, b, share in zip(known, best, shares, strict=True):
            if b > -1.0:
                mixed[cid] = (1 - share) * dense[cid] + share * float(b)
        if second is not None:
            query, share = second
            best = sentences.best(positions, query, second=True, min_chars=MIN_SENTENCE_CHARS)
            for cid, b in zip(known, best, strict=True):
                if b > -1.0:
                    mixed[cid] = (1 - share) * mixed[cid] + share * float(b)
        return mixed

    def sentence_vectors(self, chunk_id: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Stored (spans, vectors) of a chunk's sentences, if the index has them for `text`."""
        sentences = self.lexical.sentences if self.lexical else None
        pos = self._position.get(chunk_id)
        if sentences is None or pos is None or sentences.keys[pos] != text_key(text):
            return None
        return sentences.chunk_spans(pos), sentences.chunk_vectors(pos)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """The llama-index view of `search`, for use inside llama-index pipelines."""
        result = self.search(query_bundle.query_str)
        return [
            NodeWithScore(
                node=TextNode(
                    id_=p.chunk_id,
                    text=p.text,
                    start_char_idx=p.start,
                    end_char_idx=p.end,
                    metadata={"doc_id": p.doc_id, "title": p.title, "source": p.source},
                ),
                score=p.score,
            )
            for p in result.passages
        ]
