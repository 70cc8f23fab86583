"""Hybrid retrieval over one index snapshot: dense (chunk and best sentence) + BM25, fused.

Only chunks of the snapshot's side index are candidates: while a reindex writes new
chunks into Chroma, questions keep answering from the generation the manifest names.
Filters apply to both sides before their top candidates are taken; for questions about
the latest news, newer articles gain among passages of similar relevance.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.index.reader import IndexSnapshot
from rag.index.records import day_number, day_of
from rag.index.sentence_vectors import text_key
from rag.models.embedding import query_vector, second_encoder
from rag.search.filters import Filters, facets_mask
from rag.search.fusion import (
    fuse,
    lexical_weight,
    second_share,
    sentence_share,
    with_article_prior,
    with_recency,
)
from rag.search.outlets import Outlets
from rag.search.passage import Passage, Retrieval
from rag.text.urls import web_url
from rag.tuning import Tuning

# A filter's dense candidates do not come from Chroma's `where`: at 100k chunks it cost
# 140–320 ms whatever share it kept, against 2 ms unfiltered (docs/benchmarks.md,
# "Filtered retrieval"). Up to EXACT_ROWS (`exact_rows`) kept chunks are scored exactly
# from the side index's vector copy (~0.7 ms per 1,000); more are taken from an unfiltered
# query asking OVERFETCH times as many as their share predicts it needs (up to MAX_FETCH),
# the mask applied after.
EXACT_ROWS = 5000
OVERFETCH = 2.0
MAX_FETCH = 2000


class HybridRetriever:
    """Dense candidates from Chroma and BM25 candidates, scored on both signals, fused."""

    def __init__(
        self,
        index: IndexSnapshot,
        embed_model: BaseEmbedding,
        tuning: Tuning,
        *,
        top_k: int,
        recency_weight: float = 0.0,
        exact_rows: int = EXACT_ROWS,
    ) -> None:
        self.index = index
        self.embed_model = embed_model
        self.tuning = tuning
        self.top_k = top_k
        self.recency_weight = recency_weight
        self.exact_rows = exact_rows
        facets = index.side.facets
        self.outlets = Outlets(zip(facets.outlets, facets.sites, strict=True))

    def matching(self, filters: Filters) -> np.ndarray | None:
        """Which chunks `filters` keep (None: all of them)."""
        if filters.empty:
            return None
        outlets = self.outlets.match(filters.outlets)
        keep = facets_mask(self.index.side.facets, filters, outlets) & self.index.side.live
        if filters.articles:  # from the manifest's chunk lists: as cheap as the articles few
            side, documents = self.index.side, self.index.manifest.documents
            rows = [side.position[cid] for doc_id in filters.articles
                    if (entry := documents.get(doc_id)) for cid in entry.chunk_ids
                    if cid in side.position]  # fmt: skip
            only = np.zeros(len(keep), dtype=bool)
            only[rows] = True
            keep &= only
        return keep

    def kept(self, keep: np.ndarray | None, chunk_id: str) -> bool:
        """Whether a mask of `matching` (None: all chunks) keeps the chunk."""
        return keep is None or bool(keep[self.index.side.position[chunk_id]])

    def newest_day(self, filters: Filters, today: dt.date) -> dt.date | None:
        """The newest publication day, up to `today`, among the chunks `filters` keep."""
        keep = self.matching(filters)
        side = self.index.side
        dates = side.facets.dates[side.live if keep is None else keep]
        dates = dates[(dates > 0) & (dates <= day_number(today.isoformat()))]
        if not len(dates):
            return None
        return day_of(int(dates.max()))

    def search(
        self,
        text: str,
        top_k: int | None = None,
        *,
        filters: Filters | None = None,
        latest: bool = False,
    ) -> Retrieval:
        k = top_k or self.top_k
        side, tuning = self.index.side, self.tuning
        pool = max(tuning.candidate_k, k)
        filters = filters or Filters()
        keep = self.matching(filters)
        # Not overlapped with BM25 or the second encoder in a thread: e5's OpenMP threads
        # use both cores, and sharing them made each query slower (docs/benchmarks.md).
        qvec = query_vector(self.embed_model, text)
        if keep is not None and not keep.any():
            return Retrieval([], qvec, 0.0)
        dense = self._dense(qvec, pool, keep)
        lexical: dict[str, float] = {}
        coverage = 0.0
        if side.live_count:
            scores, coverage = side.bm25.scores(text)
            if keep is not None:
                scores = np.where(keep, scores, 0.0)
            n = min(pool, len(scores))
            top = np.argpartition(-scores, n - 1)[:n] if n else np.zeros(0, dtype=np.int64)
            lexical = {side.ids[i]: float(scores[i]) for i in top if scores[i] > 0}
            for cid in dense:  # exact BM25 scores for dense candidates too
                lexical[cid] = float(scores[side.position[cid]])
            dense.update(self.cosines([cid for cid in lexical if cid not in dense], qvec))
        mixed = self._with_sentences(dense, qvec, text, coverage)
        weight = 1.0 - lexical_weight(tuning.dense_weight, coverage)
        fused = fuse(mixed, lexical, dense_weight=weight)
        ranked = with_article_prior(fused, tuning.article_prior)
        if latest:
            days = {cid: int(side.facets.dates[side.position[cid]]) for cid, _ in ranked}
            ranked = with_recency(ranked, days, self.recency_weight)
        ranked = ranked[:k]
        chunks = self.index.store.get([cid for cid, _ in ranked])
        passages = [
            Passage(
                chunk_id=cid,
                doc_id=chunk.article.doc_id,
                title=chunk.article.title,
                source=chunk.article.source,
                language=chunk.article.language,
                text=chunk.text,
                start=chunk.start,
                end=chunk.end,
                score=score,
                dense=dense[cid],
                date=chunk.article.date,
                outlet=chunk.article.outlet,
                author=chunk.article.author,
                also=self._also(chunk.article.doc_id),
            )
            for cid, score in ranked
            if (chunk := chunks.get(cid)) is not None  # gone: deleted by a reindex since
        ]
        return Retrieval(passages, qvec, coverage)

    def _dense(self, qvec: np.ndarray, pool: int, keep: np.ndarray | None) -> dict[str, float]:
        """The `pool` chunks nearest the question among those `keep` keeps (None: all), with
        their cosines: from Chroma's nearest neighbours, or exact (see EXACT_ROWS)."""
        side = self.index.side
        kept = side.live_count if keep is None else int(np.count_nonzero(keep))
        fetch = pool if keep is None else math.ceil(pool * side.live_count / kept * OVERFETCH)
        if keep is None or (kept > self.exact_rows and fetch <= MAX_FETCH):
            dense: dict[str, float] = {}
            for cid, score in self.index.store.query(qvec.tolist(), fetch):
                pos = side.position.get(cid)  # None: written after this snapshot
                if pos is not None and (keep is None or keep[pos]):
                    dense[cid] = score
                    if len(dense) == pool:
                        break
            if keep is None or len(dense) == pool:
                return dense
            # Too few of the nearest are kept (the filter leaves out the question's topic):
            # exact after all.
        rows = np.flatnonzero(keep)
        scores = np.asarray(side.vectors[rows], dtype=np.float32) @ qvec
        n = min(pool, len(rows))
        top = np.argpartition(-scores, n - 1)[:n]
        return {side.ids[rows[i]]: float(scores[i]) for i in top}

    def _also(self, doc_id: str) -> tuple[dict[str, str], ...]:
        entry = self.index.manifest.documents.get(doc_id)
        # a copy's source as a link only when it is one (a manifest from before the check)
        return (
            tuple({**copy, "source": web_url(copy.get("source", ""))} for copy in entry.also)
            if entry
            else ()
        )

    def cosines(self, ids: list[str], qvec: np.ndarray) -> dict[str, float]:
        """Cosine of each chunk to the question, from the side index's copy of the vectors."""
        if not ids:
            return {}
        side = self.index.side
        rows = [side.position[cid] for cid in ids]
        found = np.asarray(side.vectors[rows], dtype=np.float32) @ qvec
        return dict(zip(ids, found.tolist(), strict=True))

    def _with_sentences(
        self, dense: dict[str, float], qvec: np.ndarray, text: str, coverage: float
    ) -> dict[str, float]:
        """Each candidate's dense score mixed with its best sentence's, by e5 and (for
        questions the corpus shares few terms with) by the second encoder."""
        sentences, tuning = self.index.side.sentences, self.tuning
        known = list(dense)
        positions = [self.index.side.position[cid] for cid in known]
        min_chars = tuning.min_sentence_chars
        best = sentences.best(positions, qvec, min_chars=min_chars)
        shares = sentence_share(
            sentences.lengths(positions), tuning.sentence_share, tuning.share_lengths
        )
        mixed = dict(dense)
        for cid, b, share in zip(known, best, shares, strict=True):
            if b > -1.0:
                mixed[cid] = (1 - share) * dense[cid] + share * float(b)
        share = second_share(tuning.second_share, coverage)
        if share < tuning.min_second_share:
            return mixed
        query = second_encoder().embed([text])[0]
        best = sentences.best(positions, query, second=True, min_chars=min_chars)
        for cid, b in zip(known, best, strict=True):
            if b > -1.0:
                mixed[cid] = (1 - share) * mixed[cid] + share * float(b)
        return mixed

    def sentence_vectors(self, passage: Passage) -> tuple[np.ndarray, np.ndarray] | None:
        """Stored (spans, vectors) of a passage's sentences; None if the side index holds
        another text under its id (the article changed since)."""
        side = self.index.side
        pos = side.position.get(passage.chunk_id)
        if pos is None or side.sentences.keys[pos] != text_key(passage.text):
            return None
        return side.sentences.chunk_spans(pos), side.sentences.chunk_vectors(pos)
