"""Stored sentence vectors: layout, reuse across generations, best-sentence scoring."""

from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.index.rows import Int8Rows
from rag.index.sentence_vectors import SentenceVectors, sentence_spans

TEXTS = [
    "Erster Satz. Zweiter Satz hier. Dritter.",
    "Nur ein Satz.",
    "Noch einer. Und der letzte.",
]


def fake_embed(calls: list[list[str]], dim: int = 8) -> Callable[[list[str]], np.ndarray]:
    def embed(batch: list[str]) -> np.ndarray:
        calls.append(batch)
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=dim) for t in batch]
        return np.asarray([v / np.linalg.norm(v) for v in rng])

    return embed


def test_build_lays_out_sentences_per_chunk() -> None:
    calls: list[list[str]] = []
    sv = SentenceVectors.build(TEXTS, fake_embed(calls), fake_embed([], 4), batch_size=2)
    assert list(sv.offsets) == [0, 3, 4, 6]
    assert [len(b) for b in calls] == [2, 2, 2]
    for i, text in enumerate(TEXTS):
        spans = [tuple(s) for s in sv.chunk_spans(i)]
        assert spans == sentence_spans(text)
        assert sv.chunk_vectors(i).shape == (len(spans), 8)
        assert sv.chunk_vectors(i, second=True).shape == (len(spans), 4)
    assert [TEXTS[0][a:b] for a, b in sentence_spans(TEXTS[0])] == [
        "Erster Satz.",
        "Zweiter Satz hier.",
        "Dritter.",
    ]


def test_best_is_the_maximum_sentence_cosine(tmp_path: Path) -> None:
    sv = SentenceVectors.build(TEXTS, fake_embed([]), fake_embed([]))
    sv.save(tmp_path)
    loaded = SentenceVectors.load(tmp_path)
    assert isinstance(loaded.vectors, Int8Rows) and isinstance(loaded.second, Int8Rows)
    assert loaded.vectors.codes.dtype == np.int8, "stored as int8 with a scale per vector"
    query = np.asarray(loaded.chunk_vectors(2)[1], dtype=np.float32)
    for positions in ([0, 1, 2], [2, 0], [1]):
        expected = [
            float((np.asarray(loaded.chunk_vectors(p), dtype=np.float32) @ query).max())
            for p in positions
        ]
        assert np.allclose(loaded.best(positions, query), expected, atol=1e-6)
        built = [
            float((np.asarray(sv.chunk_vectors(p), dtype=np.float32) @ query).max())
            for p in positions
        ]
        assert np.allclose(expected, built, atol=0.02), "stored as int8: close to float16"
    assert loaded.best([], query).shape == (0,)


def test_a_new_generation_embeds_only_new_text() -> None:
    calls: list[list[str]] = []
    second: list[list[str]] = []
    first = SentenceVectors.build(TEXTS, fake_embed(calls), fake_embed(second))
    calls.clear()
    second.clear()
    changed = [TEXTS[2], "Ganz neu. Wirklich.", TEXTS[0]]
    again = SentenceVectors.build(changed, fake_embed(calls), fake_embed(second), previous=first)
    assert calls == second == [["Ganz neu.", "Wirklich."]]
    assert np.array_equal(again.chunk_vectors(0), first.chunk_vectors(2))
    assert np.array_equal(again.chunk_vectors(2, second=True), first.chunk_vectors(0, second=True))
    assert list(again.offsets) == [0, 2, 4, 7]


def test_lengths_end_at_each_chunks_last_sentence() -> None:
    sv = SentenceVectors.build(TEXTS + [""], fake_embed([]), fake_embed([]), batch_size=4)
    assert list(sv.lengths([0, 1, 2, 3])) == [len(TEXTS[0]), len(TEXTS[1]), len(TEXTS[2]), 0]
    assert list(sv.lengths([])) == []


def test_a_chunk_split_differently_is_embedded_again() -> None:
    """New sentence rules (rag.text.sentences.SPLITTER_VERSION) re-embed what they change."""
    text = "Er lebte im frühen 20. Jahrhunderts Berlin. Dann zog er fort."
    first = SentenceVectors.build([text], fake_embed([]), fake_embed([]))
    # as an older splitter cut it: after "20."
    old_spans = np.asarray([[0, 23], [24, 43], [44, 61]], dtype=np.int32)
    old = SentenceVectors(first.keys, np.asarray([0, 3]), old_spans, first.vectors[:1].repeat(3, 0),
                          first.second[:1].repeat(3, 0))  # fmt: skip
    calls: list[list[str]] = []
    again = SentenceVectors.build([text], fake_embed(calls), fake_embed([]), previous=old)
    assert calls == [["Er lebte im frühen 20. Jahrhunderts Berlin.", "Dann zog er fort."]]
    assert [tuple(s) for s in again.chunk_spans(0)] == sentence_spans(text)
