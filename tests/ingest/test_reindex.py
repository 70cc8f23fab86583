"""Reindexing against a real on-disk Chroma with the real embedding model."""

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest.reindex import ReindexSummary, reindex
from rag.config import Settings
from rag.errors import IndexMismatchError
from rag.lexical import LexicalIndex
from rag.lexical_format import CHUNK_VECTORS_FILE
from rag.manifest import load_manifest
from rag.store import ChunkStore

EXTRA = """---
title: Ein zweiter Artikel
language: de
---
Die Stadtwerke erhöhen im Januar die Strompreise um zwölf Prozent.
Grund sind gestiegene Netzentgelte.

Verbraucherschützer raten, die Tarife zu vergleichen und gegebenenfalls zu wechseln.
"""


def _state(settings: Settings) -> tuple[set[str], set[str], set[str]]:
    """Chunk ids as Chroma, the BM25 index and the manifest see them."""
    manifest = load_manifest(settings.manifest_path)
    assert manifest is not None and manifest.lexical_dir
    chroma = set(ChunkStore(settings).ids())
    bm25 = set(LexicalIndex.load(settings.bm25_dir / manifest.lexical_dir).ids)
    listed = {cid for entry in manifest.documents.values() for cid in entry.chunk_ids}
    return chroma, bm25, listed


def test_reindex_twice_is_a_no_op(settings: Settings, embed_model: Any) -> None:
    calls: list[tuple[int, int]] = []
    first = reindex(settings, embed_model=embed_model, progress=lambda d, t: calls.append((d, t)))
    assert (first.added, first.updated, first.removed, first.unchanged) == (1, 0, 0, 0)
    done, total = calls[-1]
    assert first.chunks > 5
    assert done == total > first.chunks, "chunks, then their sentences"
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)
    calls.clear()
    second = reindex(settings, embed_model=embed_model, progress=lambda d, t: calls.append((d, t)))
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 1)
    assert second.chunks == first.chunks
    assert calls == [], "nothing was embedded"
    chroma, bm25, listed = _state(settings)
    assert chroma == bm25 == listed and len(chroma) == first.chunks


def test_add_change_and_delete(settings: Settings, corpus: Path, embed_model: Any) -> None:
    base = reindex(settings, embed_model=embed_model)
    (corpus / "strom.md").write_text(EXTRA, encoding="utf-8")
    added = reindex(settings, embed_model=embed_model)
    assert (added.added, added.unchanged) == (1, 1)
    assert added.chunks > base.chunks

    (corpus / "strom.md").write_text(EXTRA.replace("zwölf", "fünfzehn"), encoding="utf-8")
    changed = reindex(settings, embed_model=embed_model)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    assert changed.chunks == added.chunks
    texts = [t for _i, t, m in ChunkStore(settings).records() if m["doc_id"] == "strom.md"]
    assert any("fünfzehn" in t for t in texts) and not any("zwölf" in t for t in texts)

    (corpus / "strom.md").unlink()
    removed = reindex(settings, embed_model=embed_model)
    assert (removed.removed, removed.unchanged, removed.chunks) == (1, 1, base.chunks)
    chroma, bm25, listed = _state(settings)
    assert chroma == bm25 == listed and len(chroma) == base.chunks


def test_bad_files_are_skipped_and_good_ones_kept(
    settings: Settings, corpus: Path, embed_model: Any
) -> None:
    reindex(settings, embed_model=embed_model)
    (corpus / "empty.md").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\xff" * 100)
    (corpus / "copy.md").write_bytes((corpus / "openai-microsoft-windsurf.de.md").read_bytes())
    summary = reindex(settings, embed_model=embed_model)
    reasons = {s.path: s.reason for s in summary.skipped}
    assert set(reasons) == {"empty.md", "binary.txt", "copy.md"}
    assert "same content" in reasons["copy.md"]
    assert summary.unchanged == 1 and summary.removed == 0


def test_json_summary_keys(settings: Settings, embed_model: Any) -> None:
    data = reindex(settings, embed_model=embed_model).as_dict()
    assert {"added", "updated", "removed", "unchanged", "chunks"} <= set(data)
    json.dumps(data)


def test_other_embedding_model_is_refused(settings: Settings, embed_model: Any) -> None:
    reindex(settings, embed_model=embed_model)
    data = json.loads(settings.manifest_path.read_text())
    data["embed_model"] = "some-other-model"
    settings.manifest_path.write_text(json.dumps(data))
    with pytest.raises(IndexMismatchError, match="--reset"):
        reindex(settings, embed_model=embed_model)
    summary = reindex(settings, embed_model=embed_model, reset=True)
    assert summary.added == 1


def test_interrupted_run_is_healed(settings: Settings, corpus: Path, embed_model: Any) -> None:
    """The state a SIGKILL can leave: chunks of an article that never reached the
    manifest (and whose file is gone since), and a manifest entry whose chunks are gone."""
    from ingest.chunk import chunk_text
    from ingest.load import parse_article
    from ingest.pipeline import build_nodes, embed_texts

    base = reindex(settings, embed_model=embed_model)
    (corpus / "strom.md").write_text(EXTRA, encoding="utf-8")
    reindex(settings, embed_model=embed_model)
    store = ChunkStore(settings)
    ghost = parse_article("ghost.md", EXTRA.replace("Stadtwerke", "Geisterwerke"), digest="g")
    chunks = chunk_text(ghost.text)
    vectors = embed_texts(embed_model, [c.text for c in chunks], batch_size=8)
    store.add(build_nodes(ghost, chunks, vectors))  # written, but never recorded
    store.delete_doc("strom.md")  # recorded, but its chunks are gone
    (settings.data_dir / "dirty").touch()

    summary = reindex(settings, embed_model=embed_model)
    assert summary.added == 1, "strom.md is embedded again"
    chroma, bm25, listed = _state(settings)
    assert chroma == bm25 == listed
    assert not any(cid.startswith("ghost.md#") for cid in chroma)
    assert not (settings.data_dir / "dirty").exists()
    assert summary.chunks == len(chroma) > base.chunks


def _upgraded_without(
    settings: Settings, embed_model: Any, part: str
) -> tuple[ReindexSummary, ReindexSummary, list[tuple[int, int]], Path]:
    """Index, remove `part` from the BM25 generation (as an older version wrote it), and
    reindex: (first summary, second summary, its progress calls, the new generation)."""
    first = reindex(settings, embed_model=embed_model)
    manifest = load_manifest(settings.manifest_path)
    assert manifest is not None and manifest.lexical_dir
    old = settings.bm25_dir / manifest.lexical_dir / part
    shutil.rmtree(old) if old.is_dir() else old.unlink()
    calls: list[tuple[int, int]] = []
    upgraded = reindex(
        settings, embed_model=embed_model, progress=lambda d, t: calls.append((d, t))
    )
    assert (upgraded.added, upgraded.updated, upgraded.unchanged) == (0, 0, 1)
    manifest = load_manifest(settings.manifest_path)
    assert manifest is not None and manifest.lexical_dir
    return first, upgraded, calls, settings.bm25_dir / manifest.lexical_dir


def test_index_without_sentence_vectors_is_upgraded(settings: Settings, embed_model: Any) -> None:
    first, upgraded, _calls, generation = _upgraded_without(settings, embed_model, "sentences")
    assert (generation / "sentences").is_dir()
    assert upgraded.chunks == first.chunks


def test_bm25_of_whole_stems_is_rebuilt_without_embedding(
    settings: Settings, embed_model: Any
) -> None:
    first, upgraded, calls, generation = _upgraded_without(settings, embed_model, "lexical.json")
    assert all(total == 0 for _d, total in calls), "chunks and sentences were reused"
    assert (generation / "lexical.json").is_file()
    assert upgraded.chunks == first.chunks


def test_index_without_local_chunk_vectors_gets_them_without_embedding(
    settings: Settings, embed_model: Any
) -> None:
    _first, _upgraded, calls, generation = _upgraded_without(
        settings, embed_model, CHUNK_VECTORS_FILE
    )
    assert all(total == 0 for _d, total in calls), "nothing was embedded"
    lexical = LexicalIndex.load(generation)
    stored = ChunkStore(settings).embeddings(lexical.ids)
    assert lexical.vectors is not None and len(lexical.vectors) == len(stored) > 0
    for row, cid in enumerate(lexical.ids):  # Chroma's vectors, in the generation's order
        np.testing.assert_allclose(lexical.vectors[row], stored[cid], atol=2e-3)


def test_new_chunk_settings_rechunk_every_article(settings: Settings, embed_model: Any) -> None:
    first = reindex(settings, embed_model=embed_model)
    smaller = settings.model_copy(update={"chunk_max_chars": 250, "chunk_min_chars": 0})
    assert smaller.chunking != settings.chunking
    rechunked = reindex(smaller, embed_model=embed_model)
    assert (rechunked.added, rechunked.updated, rechunked.unchanged) == (0, 1, 0)
    assert rechunked.chunks > first.chunks
    chroma, bm25, listed = _state(smaller)
    assert chroma == bm25 == listed and len(chroma) == rechunked.chunks
    assert all(len(t) <= 250 for _c, t, _m in ChunkStore(smaller).records())
    again = reindex(smaller, embed_model=embed_model)
    assert (again.updated, again.unchanged) == (0, 1)
