"""Stored sentence vectors: layout, reuse across generations, best-sentence scoring."""

from pathlib import Path
from typing import Any

import numpy as np

from rag.sentence_vectors import SentenceVectors, sentence_spans

TEXTS = [
    "Erster Satz. Zweiter Satz hier. Dritter.",
    "Nur ein Satz.",
    "Noch einer. Und der letzte.",
]


def fake_embed(calls: list[list[str]]):  # type: ignore[no-untyped-def]
    def embed(batch: list[str]) -> np.ndarray:
        calls.append(batch)
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=8) for t in batch]
        return np.asarray([v / np.linalg.norm(v) for v in rng])

    return embed


def test_build_lays_out_sentences_per_chunk() -> None:
    calls: list[list[str]] = []
    sv = SentenceVectors.build(TEXTS, fake_embed(calls), batch_size=2)
    assert list(sv.offsets) == [0, 3, 4, 6]
    assert [len(b) for b in calls] == [2, 2, 2]
    for i, text in enumerate(TEXTS):
        spans = [tuple(s) for s in sv.chunk_spans(i)]
        assert spans == sentence_spans(text)
        assert sv.chunk_vectors(i).shape == (len(spans), 8)
    assert [TEXTS[0][a:b] for a, b in sentence_spans(TEXTS[0])] == [
        "Erster Satz.",
        "Zweiter Satz hier.",
        "Dritter.",
    ]


def test_best_is_the_maximum_sentence_cosine(tmp_path: Path) -> None:
    sv = SentenceVectors.build(TEXTS, fake_embed([]))
    sv.save(tmp_path)
    loaded = SentenceVectors.load(tmp_path)
    query = np.asarray(loaded.chunk_vectors(2)[1], dtype=np.float32)
    for positions in ([0, 1, 2], [2, 0], [1]):
        expected = [
            float((np.asarray(sv.chunk_vectors(p), dtype=np.float32) @ query).max())
            for p in positions
        ]
        assert np.allclose(loaded.best(positions, query), expected, atol=1e-6)
    assert loaded.best([], query).shape == (0,)


def test_a_new_generation_embeds_only_new_text() -> None:
    calls: list[list[str]] = []
    first = SentenceVectors.build(TEXTS, fake_embed(calls))
    calls.clear()
    changed = [TEXTS[2], "Ganz neu. Wirklich.", TEXTS[0]]
    second = SentenceVectors.build(changed, fake_embed(calls), previous=first)
    assert calls == [["Ganz neu.", "Wirklich."]]
    assert np.array_equal(second.chunk_vectors(0), first.chunk_vectors(2))
    assert np.array_equal(second.chunk_vectors(2), first.chunk_vectors(0))
    assert list(second.offsets) == [0, 2, 4, 7]


def test_stored_vectors_match_question_time_embeddings(seed_assistant: Any) -> None:
    """The extractive answer reads stored sentence vectors instead of embedding sentences:
    they must score like the vectors it used to compute (the abstention threshold relies
    on it)."""
    engine, _ = seed_assistant._current()
    retrieval = engine.retriever.search("Why is Windsurf the flashpoint?")
    passage = retrieval.passages[0]
    stored = engine.retriever.sentence_vectors(passage.chunk_id, passage.text)
    assert stored is not None
    spans, vectors = stored
    texts = [passage.text[a:b] for a, b in spans]
    fresh = np.asarray(engine.embed_model.get_text_embedding_batch(texts))
    q = retrieval.query_vector
    assert np.allclose(np.asarray(vectors, dtype=np.float32) @ q, fresh @ q, atol=2e-3)
    assert engine.retriever.sentence_vectors(passage.chunk_id, passage.text + " x") is None


def test_lengths_end_at_each_chunks_last_sentence() -> None:
    sv = SentenceVectors.build(TEXTS + [""], fake_embed([]), batch_size=4)
    assert list(sv.lengths([0, 1, 2, 3])) == [len(TEXTS[0]), len(TEXTS[1]), len(TEXTS[2]), 0]
    assert list(sv.lengths([])) == []
