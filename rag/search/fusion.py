"""Score fusion and the weights it uses (pure).

Weighted min-max fusion, weighted to the dense side: naive RRF gives BM25 equal say and
ruins English questions on German text, while min-max keeps how *much* better the top
candidates are (docs/benchmarks.md#experiments).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rag.index.ids import article_of


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Scale to [0, 1]; all-equal scores carry no ranking signal and become 0."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low <= 1e-12:
        return dict.fromkeys(scores, 0.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def fuse(
    dense: Mapping[str, float], lexical: Mapping[str, float], *, dense_weight: float
) -> list[tuple[str, float]]:
    """Fused (id, score) over the union of candidates, best first; ties by id."""
    d, s = min_max(dense), min_max(lexical)
    keys = set(d) | set(s)
    fused = {k: dense_weight * d.get(k, 0.0) + (1.0 - dense_weight) * s.get(k, 0.0) for k in keys}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


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


def with_recency(
    ranked: list[tuple[str, float]], days: Mapping[str, int], weight: float
) -> list[tuple[str, float]]:
    """Among the dated passages that score within `weight` of the best, the newer gains up
    to `weight` (by the rank of its day among theirs: the newest gains all of it), so the
    newest of the similarly relevant wins, whether the story spans a week or years.
    Rescaled to [0, 1]. `days` are yyyymmdd numbers (0 = undated)."""
    if not ranked or weight <= 0:
        return ranked
    top = max(score for _cid, score in ranked)
    close = [cid for cid, score in ranked if score >= top - weight and days.get(cid, 0) > 0]
    order = sorted({days[cid] for cid in close})
    if len(order) < 2:
        return ranked
    rank = {day: i / (len(order) - 1) for i, day in enumerate(order)}
    gain = {cid: weight * rank[days[cid]] for cid in close}
    scored = {cid: (s + gain.get(cid, 0.0)) / (1 + weight) for cid, s in ranked}
    return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))


def lexical_weight(dense_weight: float, coverage: float) -> float:
    """BM25's share of the fused score for a query with this term coverage: German
    questions on German text share most terms, English ones few (and those few, names and
    numbers, are spread over many chunks)."""
    return (1.0 - dense_weight) * coverage**2


def sentence_share(
    length: np.ndarray, shares: tuple[float, float], lengths: tuple[int, int]
) -> np.ndarray:
    """The best sentence's share of a chunk's dense score, growing with chunk length from
    `shares[0]` at `lengths[0]` characters to `shares[1]` at `lengths[1]`."""
    (low, high), (short, long) = shares, lengths
    grown = (np.asarray(length, dtype=np.float32) - short) / (long - short)
    return low + (high - low) * np.clip(grown, 0.0, 1.0)


def second_share(share: float, coverage: float) -> float:
    """The second encoder's share: most for questions whose terms the corpus lacks."""
    return share * (1.0 - coverage) ** 2
