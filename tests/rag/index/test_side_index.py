"""The side index: segments read as one, every part aligned by chunk position."""

from pathlib import Path

import numpy as np

from rag.index.generation import Generation, SegmentRef
from rag.index.ids import article_of, chunk_id
from rag.index.layout import IndexLayout
from rag.index.records import ArticleMeta
from rag.index.segment import Segment
from rag.index.sentence_vectors import SentenceVectors
from rag.index.side_index import SideIndex
from tests.rag.index.test_sentence_vectors import TEXTS, fake_embed


def _saved(root: Path, *segments: Segment) -> SideIndex:
    layout = IndexLayout(root)
    for n, segment in enumerate(segments):
        segment.save(layout.segment(f"s{n}"))
    Generation(tuple(SegmentRef(f"s{n}") for n in range(len(segments)))).save(
        layout.generation("g")
    )
    return SideIndex.load(layout, "g")


def test_generation_round_trips_with_chunk_vectors_as_float16(tmp_path: Path) -> None:
    ids = [chunk_id("a.md", 0, 10), chunk_id("a.md", 10, 20), chunk_id("b.md", 0, 5)]
    vectors = list(np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32))
    sentences = SentenceVectors.build(TEXTS, fake_embed([]), fake_embed([]))
    a = ArticleMeta("a.md", "A", "de", "https://zeit.de/a", "2025-06-03", "zeit.de", "Eva Roth")
    b = ArticleMeta("b.md", "B", "de", "", "", "", "")
    stamps = {"a.md": "h1 c", "b.md": "h2 c"}
    loaded = _saved(tmp_path, Segment.build(ids, TEXTS, [a, a, b], vectors, sentences, stamps))
    assert loaded.facets.dates.tolist() == [20250603, 20250603, 0], "a number: 0 = undated"
    assert loaded.facets.outlets == ["zeit.de", "zeit.de", ""]
    assert loaded.facets.authors[0] == "Eva Roth" and loaded.facets.languages == ["de"] * 3
    assert loaded.ids == ids and loaded.position[ids[2]] == 2
    assert loaded.vectors.dtype == np.float16
    np.testing.assert_allclose(loaded.vectors, np.stack(vectors), atol=2e-3)
    assert loaded.sentences.keys == sentences.keys
    assert int(np.argmax(loaded.bm25.scores("der Letzte")[0])) == 2


def test_empty_generation(tmp_path: Path) -> None:
    sentences = SentenceVectors.build([], fake_embed([]), fake_embed([]))
    loaded = _saved(tmp_path, Segment.build([], [], [], [], sentences, {}))
    assert loaded.ids == [] and len(loaded.bm25.scores("x")[0]) == 0


def test_chunk_ids_name_their_article() -> None:
    assert chunk_id("notes/#1 story.md", 120, 480) == "notes/#1 story.md#120-480"
    assert article_of("notes/#1 story.md#120-480") == "notes/#1 story.md"
