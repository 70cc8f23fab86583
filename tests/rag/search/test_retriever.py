"""The hybrid retriever over a real index snapshot: where it reads its vectors."""

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from rag import Tuning
from rag.config import Settings
from rag.index.reader import IndexSnapshot, open_index
from rag.models.embedding import query_vector
from rag.search.retriever import HybridRetriever


@pytest.fixture
def snapshot(seed_settings: Settings) -> IndexSnapshot:
    return open_index(seed_settings)


def test_dense_scores_come_from_the_side_index_copy_of_chromas_vectors(
    snapshot: IndexSnapshot, embed_model: Any
) -> None:
    """Candidates only BM25 found get their cosine from the side index's copy of the
    chunk vectors, equal to what Chroma's own vectors give."""
    side = snapshot.side
    assert len(side.vectors) == len(side.ids) > 0
    retriever = HybridRetriever(snapshot, embed_model, Tuning(), top_k=5)
    question = query_vector(embed_model, "Welche Rolle spielt GitHub Copilot?")
    local = retriever.cosines(side.ids, question)
    stored = snapshot.store.embeddings(side.ids)
    remote = {cid: float(vector @ question) for cid, vector in stored.items()}
    assert local.keys() == remote.keys() == set(side.ids)
    np.testing.assert_allclose(list(local.values()), [remote[c] for c in local], atol=2e-3)
    copy = np.asarray(side.vectors)
    side.vectors = -copy  # the copy is what is read
    try:
        flipped = retriever.cosines(side.ids, question)
    finally:
        side.vectors = copy
    np.testing.assert_allclose(list(flipped.values()), [-v for v in local.values()], atol=1e-6)


def test_stored_sentence_vectors_match_question_time_embeddings(
    snapshot: IndexSnapshot, embed_model: Any
) -> None:
    """The answer reads stored sentence vectors instead of embedding sentences: they must
    score like freshly embedded ones (the abstention thresholds rely on it)."""
    retriever = HybridRetriever(snapshot, embed_model, Tuning(), top_k=5)
    retrieval = retriever.search("Why is Windsurf the flashpoint?")
    passage = retrieval.passages[0]
    stored = retriever.sentence_vectors(passage)
    assert stored is not None
    spans, vectors = stored
    texts = [passage.text[a:b] for a, b in spans]
    fresh = np.asarray(embed_model.get_text_embedding_batch(texts))
    q = retrieval.query_vector
    assert np.allclose(np.asarray(vectors, dtype=np.float32) @ q, fresh @ q, atol=2e-3)
    changed = replace(passage, text=passage.text + " x")
    assert retriever.sentence_vectors(changed) is None, "another text under the same id"
