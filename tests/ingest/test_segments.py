"""An update costs what changed: it writes a segment of the new and changed articles,
marks the gone ones deleted, and answers as an index rebuilt from scratch would."""

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.index.generation import Generation
from rag.index.layout import GENERATION_MARK, IndexLayout
from rag.index.manifest import load_manifest
from rag.index.segment import previous_sentences, read_docs
from rag.index.side_index import SideIndex
from tests.conftest import NEWS, make_settings, reindex

QUESTIONS = [
    "Wie viele Stellen streicht die Werft?",
    "How many shipyard jobs are cut?",
    "Wann fällt der Pegel?",
    "electric ferries",
]


def _side(settings: Any) -> tuple[SideIndex, Generation]:
    layout = IndexLayout(settings.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None and manifest.side_index
    return SideIndex.load(layout, manifest.side_index), Generation.load(
        layout.generation(manifest.side_index)
    )


def _by_chunk(side: SideIndex, scores: np.ndarray) -> dict[str, float]:
    return {cid: float(scores[row]) for cid, row in side.position.items()}


@pytest.mark.parametrize("merge_factor", [10, 2])
def test_an_update_writes_only_what_changed_and_scores_as_a_rebuild(
    tmp_path: Path, embed_model: Any, merge_factor: int
) -> None:
    articles = sorted(NEWS.glob("*.md"))
    settings = make_settings(tmp_path / "inc", merge_factor=merge_factor)
    settings.corpus_dir.mkdir(parents=True)
    for path in articles[:-2]:
        shutil.copy(path, settings.corpus_dir / path.name)
    reindex(settings, embed_model=embed_model)
    _first, before = _side(settings)
    assert len(before.segments) == 1

    # two new, one changed, one removed
    for path in articles[-2:]:
        shutil.copy(path, settings.corpus_dir / path.name)
    changed, removed = articles[0].name, articles[1].name
    target = settings.corpus_dir / changed
    target.write_text(target.read_text(encoding="utf-8") + "\n\nNachtrag der Redaktion.\n")
    (settings.corpus_dir / removed).unlink()
    summary = reindex(settings, embed_model=embed_model)
    assert (summary.added, summary.updated, summary.removed) == (2, 1, 1)

    side, after = _side(settings)
    layout = IndexLayout(settings.data_dir)
    if merge_factor == 10:
        old, new = after.segments
        assert old.name == before.segments[0].name, "the first segment is not rewritten"
        assert old.deleted == {changed, removed}
        assert set(read_docs(layout.segment(new.name))) == {changed} | {
            p.name for p in articles[-2:]
        }, "the new segment holds the new and the changed articles only"
    else:
        (merged,) = after.segments  # the two segments merged, deleted rows dropped
        assert merged.deleted == frozenset() and len(side.ids) == side.live_count
    # kept: what the generations on disk read (this run's and the one before it, which
    # a question may still have open); nothing else
    read = {
        ref.name for folder in layout.side.iterdir() for ref in Generation.load(folder).segments
    }
    assert {p.name for p in layout.segments.iterdir()} == read >= {r.name for r in after.segments}

    fresh = make_settings(tmp_path / "fresh")
    shutil.copytree(settings.corpus_dir, fresh.corpus_dir)
    reindex(fresh, embed_model=embed_model)
    rebuilt, _generation = _side(fresh)
    assert side.position.keys() == rebuilt.position.keys()
    for question in QUESTIONS:
        mine = _by_chunk(side, side.bm25.scores(question)[0])
        theirs = _by_chunk(rebuilt, rebuilt.bm25.scores(question)[0])
        assert mine == pytest.approx(theirs, rel=1e-5, abs=1e-6), question
    for cid, row in side.position.items():
        other = rebuilt.position[cid]
        assert side.sentences.keys[row] == rebuilt.sentences.keys[other]
        np.testing.assert_array_equal(
            side.sentences.chunk_spans(row), rebuilt.sentences.chunk_spans(other)
        )
        np.testing.assert_allclose(
            np.asarray(side.sentences.chunk_vectors(row), np.float32),
            np.asarray(rebuilt.sentences.chunk_vectors(other), np.float32),
            atol=2e-3,
        )
        assert side.facets.dates[row] == rebuilt.facets.dates[other]
        assert side.facets.outlets[row] == rebuilt.facets.outlets[other]
    assert int(side.facets.dates[side.live].max()) == int(rebuilt.facets.dates.max())


def test_a_missing_segment_is_rebuilt_by_the_next_reindex(indexed: Any, embed_model: Any) -> None:
    layout = IndexLayout(indexed.data_dir)
    _side_index, generation = _side(indexed)
    shutil.rmtree(layout.segment(generation.segments[0].name))
    summary = reindex(indexed, embed_model=embed_model)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1), "chunks kept"
    side, _generation = _side(indexed)
    assert side.live_count == summary.chunks


class _Refusing(BaseEmbedding):
    """An embedding model that fails the test when asked to embed anything."""

    def _get_query_embedding(self, query: str) -> list[float]:
        raise AssertionError(f"embedded {query!r}")

    async def _aget_query_embedding(self, query: str) -> list[float]:
        raise AssertionError(f"embedded {query!r}")

    def _get_text_embedding(self, text: str) -> list[float]:
        raise AssertionError(f"embedded {text!r}")


def test_a_generation_of_an_earlier_format_is_rebuilt_without_embedding(
    indexed: Any, embed_model: Any
) -> None:
    layout = IndexLayout(indexed.data_dir)
    before, _generation = _side(indexed)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None and manifest.side_index
    kept = previous_sentences(layout, manifest.side_index)
    assert kept is not None and kept.keys == before.sentences.keys
    (layout.generation(manifest.side_index) / GENERATION_MARK).write_text("4", encoding="ascii")
    summary = reindex(indexed, embed_model=_Refusing())
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1)
    after, _generation = _side(indexed)
    assert after.sentences.keys == before.sentences.keys
    np.testing.assert_allclose(
        np.asarray(after.sentences.vectors), np.asarray(before.sentences.vectors), atol=1e-2
    )
