"""Hybrid retrieval: dense (E5 in Chroma) + BM25, fused by weighted min-max."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.fusion import fuse
from rag.lexical import LexicalIndex
from rag.store import ChunkStore


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

    def search(self, question: str, top_k: int | None = None) -> Retrieval:
        k = top_k or self.top_k
        qvec = np.asarray(self.embed_model.get_query_embedding(question), dtype=np.float32)
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
            missing = [cid for cid in lexical if cid not in dense]
            for cid, vec in self.store.embeddings(missing).items():
                dense[cid] = float(vec @ qvec)
            lexical = {cid: s for cid, s in lexical.items() if cid in dense}
        ranked = fuse(dense, lexical, dense_weight=self.dense_weight)[:k]
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
