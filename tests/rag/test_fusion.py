import pytest

from rag.fusion import fuse, min_max


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
