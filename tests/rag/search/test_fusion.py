import numpy as np
import pytest

from rag import Tuning
from rag.search.fusion import (
    fuse,
    lexical_weight,
    min_max,
    sentence_share,
    with_article_prior,
    with_recency,
)


def test_min_max_scales_and_handles_ties() -> None:
    assert min_max({"a": 2.0, "b": 4.0, "c": 3.0}) == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert min_max({"a": 1.0, "b": 1.0}) == {"a": 0.0, "b": 0.0}
    assert min_max({}) == {}


def test_fusion_weights_the_dense_side() -> None:
    dense = {"a": 0.90, "b": 0.80, "c": 0.85}
    lexical = {"a": 0.0, "b": 12.0, "c": 1.0}
    ranked = fuse(dense, lexical, dense_weight=0.8)
    assert [k for k, _ in ranked] == ["a", "c", "b"]
    assert ranked[0][1] == pytest.approx(0.8)
    # With all weight on BM25 the order follows BM25.
    assert [k for k, _ in fuse(dense, lexical, dense_weight=0.0)][0] == "b"


def test_fusion_without_lexical_hits_keeps_dense_order() -> None:
    ranked = fuse({"x": 0.7, "y": 0.75}, {}, dense_weight=0.8)
    assert [k for k, _ in ranked] == ["y", "x"]


def test_article_prior_lifts_passages_of_the_best_article() -> None:
    ranked = [("a.md#0-10", 1.0), ("b.md#0-10", 0.8), ("a.md#10-20", 0.72), ("c.md#0-10", 0.75)]
    lifted = with_article_prior(ranked, 0.5)
    assert [cid for cid, _ in lifted] == ["a.md#0-10", "a.md#10-20", "b.md#0-10", "c.md#0-10"]
    assert all(0.0 <= s <= 1.0 for _, s in lifted)
    assert with_article_prior(ranked, 0.0) == sorted(ranked, key=lambda kv: -kv[1])


def test_sentence_share_grows_with_chunk_length_between_bounds() -> None:
    tuning = Tuning()
    low, high = tuning.sentence_share
    short, long = tuning.share_lengths
    lengths = np.array([0, short, (short + long) // 2, long, 10 * long])
    shares = sentence_share(lengths, tuning.sentence_share, tuning.share_lengths)
    assert shares[0] == shares[1] == low
    assert low < shares[2] < high
    assert shares[3] == shares[4] == high


def test_bm25_weight_follows_term_coverage() -> None:
    assert lexical_weight(0.8, 0.0) == 0.0
    assert np.isclose(lexical_weight(0.8, 1.0), 0.2)
    assert lexical_weight(0.8, 0.5) < lexical_weight(0.8, 0.9)


def test_recency_lets_the_newest_close_contender_win() -> None:
    ranked = [("old", 1.0), ("new", 0.9), ("far", 0.5)]
    days = {"old": 20240311, "new": 20240822, "far": 20240930}
    reordered = with_recency(ranked, days, 0.15)
    assert [cid for cid, _ in reordered] == ["new", "old", "far"]
    assert all(0.0 <= score <= 1.0 for _cid, score in reordered)
    # Outside the weight of the best, newness does not count: "far" gains nothing.
    assert dict(reordered)["far"] == pytest.approx(0.5 / 1.15)


def test_recency_ignores_the_undated_and_a_single_day_and_a_zero_weight() -> None:
    ranked = [("a", 1.0), ("b", 0.95)]
    assert with_recency(ranked, {"a": 20240101, "b": 0}, 0.15) == ranked
    assert with_recency(ranked, {"a": 20240101, "b": 20240101}, 0.15) == ranked
    assert with_recency(ranked, {"a": 20240101, "b": 20240601}, 0.0) == ranked
    assert with_recency([], {}, 0.15) == []


def test_recency_ranks_days_so_a_short_story_in_a_long_corpus_still_counts() -> None:
    """Two close articles a day apart: the newer wins although the candidates span years."""
    ranked = [("monday", 1.0), ("tuesday", 0.97), ("years-ago", 0.9)]
    days = {"monday": 20240603, "tuesday": 20240604, "years-ago": 20190101}
    assert with_recency(ranked, days, 0.15)[0][0] == "tuesday"
