"""Pure parts of the hybrid retriever's scoring."""

import numpy as np

from rag.retrieval import SENTENCE_SHARE, SHARE_LENGTHS, lexical_weight, sentence_share


def test_sentence_share_grows_with_chunk_length_between_bounds() -> None:
    low, high = SENTENCE_SHARE
    short, long = SHARE_LENGTHS
    shares = sentence_share(np.array([0, short, (short + long) // 2, long, 10 * long]))
    assert shares[0] == shares[1] == low
    assert low < shares[2] < high
    assert shares[3] == shares[4] == high


def test_bm25_weight_follows_term_coverage() -> None:
    assert lexical_weight(0.8, 0.0) == 0.0
    assert np.isclose(lexical_weight(0.8, 1.0), 0.2)
    assert lexical_weight(0.8, 0.5) < lexical_weight(0.8, 0.9)
