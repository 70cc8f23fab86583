"""Score fusion (pure).

Weighted min-max fusion, weighted to the dense side: naive RRF gives BM25 equal say and
ruins English questions on German text (see DESIGN.md), while min-max keeps how *much*
better the top candidates are.
"""

from __future__ import annotations

from collections.abc import Mapping


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Scale to [0, 1]; all-equal scores carry no ranking signal and become 0."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low <= 1e-12:
        return dict.fromkeys(scores, 0.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def article_of(chunk_id: str) -> str:
    """The article a chunk id belongs to (ids are `doc_id#start-end`: ingest.chunk.chunk_id)."""
    return chunk_id.rsplit("#", 1)[0]


def with_article_prior(ranked: list[tuple[str, float]], weight: float) -> list[tuple[str, float]]:
    """Add `weight` × the best score of the same article to each score, rescaled to [0, 1].

    Evidence from the rest of an article counts: a passage whose article also holds the
    best match is more likely the one meant than a similar passage elsewhere. Within
    one article the order is unchanged.
    """
    best: dict[str, float] = {}
    for cid, score in ranked:
        doc = article_of(cid)
        best[doc] = max(best.get(doc, score), score)
    scored = {cid: (s + weight * best[article_of(cid)]) / (1 + weight) for cid, s in ranked}
    return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))


def fuse(
    dense: Mapping[str, float], lexical: Mapping[str, float], *, dense_weight: float
) -> list[tuple[str, float]]:
    """Fused (id, score) over the union of candidates, best first; ties by id."""
    d, s = min_max(dense), min_max(lexical)
    keys = set(d) | set(s)
    fused = {k: dense_weight * d.get(k, 0.0) + (1.0 - dense_weight) * s.get(k, 0.0) for k in keys}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
