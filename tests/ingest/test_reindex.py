"""Reindexing against a real on-disk Chroma with the real embedding model."""

import json
import os
import shutil
import time
from dataclasses import asdict
from typing import Any

import pytest

from rag import Assistant
from rag.config import Settings
from rag.errors import IndexMismatchError
from rag.index.layout import FORMAT, GENERATION_MARK, IndexLayout
from rag.index.manifest import load_manifest, save_manifest
from rag.index.records import ArticleMeta, Chunk
from rag.index.side_index import SideIndex
from rag.index.store import ChunkStore
from tests.conftest import reindex

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
    layout = IndexLayout(settings.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None and manifest.side_index
    chroma = set(ChunkStore(settings).ids())
    bm25 = set(SideIndex.load(layout, manifest.side_index).position)
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


def _age(path: Any, seconds: float) -> None:
    """Give `path` a modification time `seconds` ago (outside the racy window)."""
    ns = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(ns, ns))


def test_a_file_of_the_same_size_and_time_is_not_read_again(
    indexed: Settings, embed_model: Any
) -> None:
    layout = IndexLayout(indexed.data_dir)
    (doc,) = sorted(indexed.corpus_dir.glob("*.md"))
    _age(doc, 60)
    reindex(indexed, embed_model=embed_model)  # records the file's size and time
    manifest = load_manifest(layout.manifest)
    assert manifest is not None
    size, mtime = manifest.stats[doc.name]
    assert (size, mtime) == (doc.stat().st_size, doc.stat().st_mtime_ns)
    # same size, same time, other bytes: taken for the content recorded (as git and rsync do)
    original = doc.read_bytes()
    doc.write_bytes(original.replace(b"Microsoft", b"Mikrosoft", 1))
    os.utime(doc, ns=(mtime, mtime))
    assert reindex(indexed, embed_model=embed_model).updated == 0, "not read again"
    # a new time: read, and the change is found
    _age(doc, 30)
    assert reindex(indexed, embed_model=embed_model).updated == 1
    # a new time, the same bytes: read, no change, and its new time is kept
    doc.write_bytes(doc.read_bytes())
    _age(doc, 20)
    again = reindex(indexed, embed_model=embed_model)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    after = load_manifest(layout.manifest)
    assert after is not None and after.stats[doc.name][1] == doc.stat().st_mtime_ns


def test_a_manifest_of_the_earlier_json_kind_is_taken_over_by_a_no_op(
    indexed: Settings, embed_model: Any
) -> None:
    layout = IndexLayout(indexed.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None
    legacy = asdict(manifest)
    legacy.pop("saved")
    (layout.root / "manifest.json").write_text(json.dumps(legacy))
    layout.manifest.unlink()
    _age(next(indexed.corpus_dir.glob("*.md")), 60)
    summary = reindex(indexed, embed_model=embed_model)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1), "a no-op"
    assert layout.manifest.exists() and not (layout.root / "manifest.json").exists()
    taken = load_manifest(layout.manifest)
    assert taken is not None and taken.documents == manifest.documents
    assert taken.stats, "and the files' sizes and times are kept from now on"


def test_a_file_changed_just_now_is_read_by_the_next_run_too(
    indexed: Settings, embed_model: Any
) -> None:
    (doc,) = sorted(indexed.corpus_dir.glob("*.md"))
    doc.write_bytes(doc.read_bytes() + b"\nEin neuer Absatz.\n")
    assert reindex(indexed, embed_model=embed_model).updated == 1
    manifest = load_manifest(IndexLayout(indexed.data_dir).manifest)
    assert manifest is not None and doc.name not in manifest.stats, "racy: not trusted yet"


def test_add_change_and_delete(indexed: Settings, embed_model: Any) -> None:
    settings, corpus = indexed, indexed.corpus_dir
    base = reindex(settings, embed_model=embed_model)
    (corpus / "strom.md").write_text(EXTRA, encoding="utf-8")
    added = reindex(settings, embed_model=embed_model)
    assert (added.added, added.unchanged) == (1, 1)
    assert added.chunks > base.chunks

    (corpus / "strom.md").write_text(EXTRA.replace("zwölf", "fünfzehn"), encoding="utf-8")
    changed = reindex(settings, embed_model=embed_model)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    assert changed.chunks == added.chunks
    texts = [c.text for c in ChunkStore(settings).chunks() if c.article.doc_id == "strom.md"]
    assert any("fünfzehn" in t for t in texts) and not any("zwölf" in t for t in texts)

    (corpus / "strom.md").unlink()
    removed = reindex(settings, embed_model=embed_model)
    assert (removed.removed, removed.unchanged, removed.chunks) == (1, 1, base.chunks)
    chroma, bm25, listed = _state(settings)
    assert chroma == bm25 == listed and len(chroma) == base.chunks


def test_bad_files_are_skipped_and_good_ones_kept(indexed: Settings, embed_model: Any) -> None:
    settings, corpus = indexed, indexed.corpus_dir
    (corpus / "empty.md").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\xff" * 100)
    (corpus / "copy.md").write_bytes((corpus / "openai-microsoft-windsurf.de.md").read_bytes())
    summary = reindex(settings, embed_model=embed_model)
    reasons = {s.path: s.reason for s in summary.skipped}
    assert set(reasons) == {"empty.md", "binary.txt", "copy.md"}
    assert "same content" in reasons["copy.md"]
    assert summary.unchanged == 1 and summary.removed == 0


def test_json_summary_keys(indexed: Settings, embed_model: Any) -> None:
    settings = indexed
    data = reindex(settings, embed_model=embed_model).as_dict()
    assert {"added", "updated", "removed", "unchanged", "chunks"} <= set(data)
    json.dumps(data)


def test_other_embedding_model_is_refused(indexed: Settings, embed_model: Any) -> None:
    settings = indexed
    path = IndexLayout(settings.data_dir).manifest
    manifest = load_manifest(path)
    assert manifest is not None
    manifest.embed_model = "some-other-model"
    save_manifest(path, manifest)
    with pytest.raises(IndexMismatchError, match="--reset"):
        reindex(settings, embed_model=embed_model)
    summary = reindex(settings, embed_model=embed_model, reset=True)
    assert summary.added == 1


def test_interrupted_run_is_healed(indexed: Settings, embed_model: Any) -> None:
    """The state a SIGKILL can leave: chunks of an article that never reached the
    manifest (and whose file is gone since), and a manifest entry whose chunks are gone."""
    settings, corpus = indexed, indexed.corpus_dir
    base = reindex(settings, embed_model=embed_model)
    (corpus / "strom.md").write_text(EXTRA, encoding="utf-8")
    reindex(settings, embed_model=embed_model)
    store = ChunkStore(settings)
    ghost = ArticleMeta("ghost.md", "Geister", "de", "", "")
    text = "Die Geisterwerke erhöhen im Januar die Strompreise um zwölf Prozent."
    vectors = embed_model.get_text_embedding_batch([text])
    store.add(ghost, [Chunk(0, 0, len(text), text)], vectors)  # written, but never recorded
    layout = IndexLayout(settings.data_dir)
    recorded = load_manifest(layout.manifest)
    assert recorded is not None
    store.delete_ids(recorded.documents["strom.md"].chunk_ids)  # recorded, but chunks gone
    layout.dirty.touch()

    summary = reindex(settings, embed_model=embed_model)
    assert summary.added == 1, "strom.md is embedded again"
    chroma, bm25, listed = _state(settings)
    assert chroma == bm25 == listed
    assert not any(cid.startswith("ghost.md#") for cid in chroma)
    assert not layout.dirty.exists()
    assert summary.chunks == len(chroma) > base.chunks


def test_an_index_of_another_format_is_rebuilt_and_says_so(
    indexed: Settings, embed_model: Any
) -> None:
    """No older format is read: a question asks for a reindex, which rebuilds the index."""
    layout = IndexLayout(indexed.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None
    manifest.format = FORMAT - 1
    save_manifest(layout.manifest, manifest)
    (layout.root / "bm25").mkdir()  # a folder an older version kept
    (layout.root / "notes.txt").write_text("not ours")
    assistant = Assistant(indexed, embed_model=embed_model)
    with pytest.raises(IndexMismatchError, match="run `rag reindex`"):
        assistant.ask("Why is Windsurf the flashpoint?")
    calls: list[tuple[int, int]] = []
    rebuilt = assistant.reindex(progress=lambda d, t: calls.append((d, t)))
    assert "rebuilt" in rebuilt.notice and rebuilt.as_dict()["notice"] == rebuilt.notice
    assert (rebuilt.added, rebuilt.unchanged) == (1, 0) and calls[-1][1] > 0, "re-embedded"
    assert not (layout.root / "bm25").exists(), "what an older version kept is removed"
    assert (layout.root / "notes.txt").read_text() == "not ours", "and nothing else"
    assert assistant.ask("Why is Windsurf the flashpoint?").citations
    again = assistant.reindex()
    assert (again.unchanged, again.notice) == (1, "") and "notice" not in again.as_dict()


def test_a_missing_side_index_is_rebuilt_from_the_stored_chunks(
    indexed: Settings, embed_model: Any
) -> None:
    layout = IndexLayout(indexed.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None and manifest.side_index
    shutil.rmtree(layout.generation(manifest.side_index))
    summary = reindex(indexed, embed_model=embed_model)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1), "chunks kept"
    chroma, side, listed = _state(indexed)
    assert chroma == side == listed


def test_a_side_index_of_an_older_format_is_rebuilt_without_embedding_again(
    indexed: Settings, embed_model: Any
) -> None:
    layout = IndexLayout(indexed.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None and manifest.side_index
    old = manifest.side_index
    (layout.generation(old) / GENERATION_MARK).write_text("1", encoding="ascii")
    assert not layout.generation_current(old)
    summary = reindex(indexed, embed_model=embed_model)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 1), "chunks kept"
    rebuilt = load_manifest(layout.manifest)
    assert rebuilt is not None and rebuilt.side_index not in (None, old)
    assert layout.generation_current(rebuilt.side_index)
    chroma, side, listed = _state(indexed)
    assert chroma == side == listed
    again = reindex(indexed, embed_model=embed_model)
    after = load_manifest(layout.manifest)
    assert after is not None and after.side_index == rebuilt.side_index, "then a no-op"
    assert again.unchanged == 1


def test_new_chunk_settings_rechunk_every_article(indexed: Settings, embed_model: Any) -> None:
    settings = indexed
    first = reindex(settings, embed_model=embed_model)
    smaller = settings.model_copy(update={"chunk_max_chars": 250, "chunk_min_chars": 0})
    assert smaller.chunking != settings.chunking
    rechunked = reindex(smaller, embed_model=embed_model)
    assert (rechunked.added, rechunked.updated, rechunked.unchanged) == (0, 1, 0)
    assert rechunked.chunks > first.chunks
    chroma, bm25, listed = _state(smaller)
    assert chroma == bm25 == listed and len(chroma) == rechunked.chunks
    assert all(len(c.text) <= 250 for c in ChunkStore(smaller).chunks())
    again = reindex(smaller, embed_model=embed_model)
    assert (again.updated, again.unchanged) == (0, 1)


def test_news_metadata_reaches_chroma_the_side_index_and_the_summary(
    indexed: Settings, embed_model: Any
) -> None:
    news = indexed.corpus_dir / "news"
    news.mkdir()
    (news / "strom.md").write_text(
        "---\ntitle: Strompreise\ndate: 2025-01-20T07:00:00+01:00\n"
        "source: https://www.allgaeuer-rundschau.example/a\nauthor: Andreas Huber\n---\n"
        + EXTRA.split("---\n", 2)[2],
        encoding="utf-8",
    )
    (news / "undatiert.md").write_text(
        "---\ntitle: Ohne Datum\ndate: 20. Januar 2025\n---\nDer Radweg am See wird gebaut.\n"
    )
    summary = reindex(indexed, embed_model=embed_model)
    assert summary.added == 2
    assert [(w.path, "undated" in w.reason) for w in summary.warnings] == [
        ("news/undatiert.md", True)
    ]
    assert summary.as_dict()["warnings"][0]["path"] == "news/undatiert.md"
    again = reindex(indexed, embed_model=embed_model)
    assert again.unchanged == 3 and [w.path for w in again.warnings] == ["news/undatiert.md"]

    stored = {c.article.doc_id: c for c in ChunkStore(indexed).chunks()}
    strom = stored["news/strom.md"].article
    assert (strom.date, strom.outlet, strom.author) == (
        "2025-01-20", "allgaeuer-rundschau.example", "Andreas Huber"
    )  # fmt: skip
    raw = ChunkStore(indexed).collection.get(where={"doc_id": "news/strom.md"}, limit=1)
    assert raw["metadatas"][0]["date"] == 20250120, "a number, so that it can be filtered"
    assert (
        "date"
        not in ChunkStore(indexed).collection.get(where={"doc_id": "news/undatiert.md"}, limit=1)[
            "metadatas"
        ][0]
    ), "an undated article's chunks have no date"
    layout = IndexLayout(indexed.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None and manifest.side_index
    side = SideIndex.load(layout, manifest.side_index)
    row = side.position[stored["news/strom.md"].chunk_id]
    assert side.facets.dates[row] == 20250120
    assert side.facets.outlets[row] == "allgaeuer-rundschau.example"
