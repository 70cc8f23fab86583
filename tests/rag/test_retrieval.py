"""The hybrid retriever: pure parts of its scoring, and where it reads its vectors."""

from typing import Any

import numpy as np

from rag.config import Settings
from rag.lexical import LexicalIndex
from rag.manifest import load_manifest
from rag.models import query_vector
from rag.retrieval import (
    SENTENCE_SHARE,
    SHARE_LENGTHS,
    HybridRetriever,
    lexical_weight,
    sentence_share,
)
from rag.store import ChunkStore


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


def test_dense_scores_come_from_the_local_copy_of_chromas_vectors(
    seed_settings: Settings, embed_model: Any
) -> None:
    """Candidates only BM25 found get their cosine from the generation's copy of the
    chunk vectors, equal to what Chroma's own vectors give."""
    manifest = load_manifest(seed_settings.manifest_path)
    assert manifest is not None and manifest.lexical_dir
    lexical = LexicalIndex.load(seed_settings.bm25_dir / manifest.lexical_dir)
    assert lexical.vectors is not None and len(lexical.vectors) == len(lexical.ids)
    retriever = HybridRetriever.from_settings(
        seed_settings, ChunkStore(seed_settings), lexical, embed_model
    )
    question = query_vector(embed_model, "Welche Rolle spielt GitHub Copilot?")
    local = retriever.cosines(lexical.ids, question)
    copy, lexical.vectors = np.asarray(lexical.vectors), None  # an older generation
    remote = retriever.cosines(lexical.ids, question)
    assert local.keys() == remote.keys() == set(lexical.ids)
    np.testing.assert_allclose(list(local.values()), list(remote.values()), atol=2e-3)
    lexical.vectors = -copy  # the copy is what is read
    flipped = retriever.cosines(lexical.ids, question)
    np.testing.assert_allclose(list(flipped.values()), [-v for v in local.values()], atol=1e-6)
