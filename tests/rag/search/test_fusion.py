import numpy as np
import pytest

from rag import Tuning
from rag.search.fusion import fuse, lexical_weight, min_max, sentence_share, with_article_prior


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
