"""The manifest as a database: saved per article, read whole, an earlier JSON one taken over."""

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path

import pytest

from rag.errors import IndexFormatError, IndexMismatchError
from rag.index.layout import FORMAT
from rag.index.manifest import (
    DocEntry,
    Manifest,
    Unindexed,
    known_files,
    load_manifest,
    load_summary,
    save_manifest,
    save_stats,
)


def entry(digest: str, *chunks: str) -> DocEntry:
    return DocEntry(
        hash=digest, title="T", language="de", source="", chunk_ids=list(chunks),
        chunking="c1", date="2020-06-23", outlet="zeit.de",
    )  # fmt: skip


def fresh() -> Manifest:
    manifest = Manifest(embed_model="m", store="embedded")
    manifest.documents["a.md"] = entry("h-a", "a.md#0-10")
    manifest.documents["b.md"] = entry("h-b", "b.md#0-10", "b.md#10-20")
    manifest.documents["odd\nname.md"] = entry("h-o", "odd\nname.md#0-5")  # a line break
    manifest.documents["a.md"].warnings = ["no date"]
    manifest.documents["b.md"].also = [{"doc_id": "c.md", "outlet": "x", "source": "", "date": ""}]
    manifest.copies["c.md"] = Unindexed("h-c", of="a.md")
    manifest.skipped["d.md"] = Unindexed("h-d", reason="too large")
    manifest.stats["a.md"] = (120, 1_600_000_000_000_000_000)
    manifest.side_index = "gen1"
    return manifest


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "manifest.sqlite3"
    save_manifest(path, fresh())
    loaded = load_manifest(path)
    assert loaded is not None
    assert loaded.documents == fresh().documents and loaded.chunk_count == 4
    assert loaded.copies == fresh().copies and loaded.skipped == fresh().skipped
    assert loaded.stats == fresh().stats and loaded.side_index == "gen1"
    assert known_files(loaded) == {"a.md": (120, 1_600_000_000_000_000_000, "h-a")}


def test_a_save_writes_the_articles_that_changed_only(tmp_path: Path) -> None:
    path = tmp_path / "manifest.sqlite3"
    save_manifest(path, fresh())
    loaded = load_manifest(path)
    assert loaded is not None
    # b's row is changed behind the manifest's back: a save that rewrote every article
    # would put the old b back
    with sqlite3.connect(path) as db:
        db.execute("UPDATE documents SET hash = 'outside' WHERE doc_id = 'b.md'")
    db.close()
    loaded.documents["a.md"] = entry("h-a2", "a.md#0-12")
    loaded.documents.pop("missing.md", None)
    save_manifest(path, loaded)
    again = load_manifest(path)
    assert again is not None
    assert again.documents["a.md"].hash == "h-a2", "the change is written"
    assert again.documents["b.md"].hash == "outside", "the rest is not rewritten"
    del again.documents["a.md"]
    again.touch("b.md")
    again.documents["b.md"].also = [{"doc_id": "c.md", "outlet": "", "source": "", "date": ""}]
    save_manifest(path, again)
    last = load_manifest(path)
    assert last is not None and set(last.documents) == {"b.md", "odd\nname.md"}
    assert last.documents["b.md"].also[0]["doc_id"] == "c.md", "a touched entry is written"


def test_an_earlier_json_manifest_is_read_then_replaced(tmp_path: Path) -> None:
    path = tmp_path / "manifest.sqlite3"
    legacy = tmp_path / "manifest.json"
    old = asdict(fresh())
    old.pop("saved")
    legacy.write_text(json.dumps(old))
    read = load_manifest(path)
    assert read is not None and read.documents == fresh().documents, "read as it was"
    assert not path.exists(), "reading writes nothing"
    save_manifest(path, read)
    assert not legacy.exists() and path.exists()
    loaded = load_manifest(path)
    assert loaded is not None and loaded.documents == fresh().documents
    assert loaded.copies == fresh().copies and loaded.stats == fresh().stats


def test_nothing_indexed_yet_and_unreadable_or_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "manifest.sqlite3"
    assert load_manifest(path) is None
    sqlite3.connect(path).close()  # an empty database: a first save that never committed
    assert load_manifest(path) is None
    other = fresh()
    other.format = FORMAT - 1
    save_manifest(path, other)
    with pytest.raises(IndexFormatError):
        load_manifest(path)
    path.write_bytes(b"not a database at all, just bytes" * 10)
    with pytest.raises(IndexMismatchError, match="--reset"):
        load_manifest(path)


def test_the_summary_a_no_op_reads_agrees_with_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "manifest.sqlite3"
    assert load_summary(path) is None
    legacy = asdict(fresh())
    legacy.pop("saved")
    (tmp_path / "manifest.json").write_text(json.dumps(legacy))
    for _ in ("as an earlier version wrote it", "as a database"):
        summary = load_summary(path)
        assert summary is not None
        whole = fresh()
        assert {d: (e.hash, e.chunking) for d, e in summary.documents.items()} == {
            d: (e.hash, e.chunking) for d, e in whole.documents.items()
        }
        assert summary.chunk_count == whole.chunk_count
        assert summary.documents["a.md"].warnings == ["no date"]
        assert known_files(summary) == known_files(whole)
        assert (summary.copies, summary.skipped) == (whole.copies, whole.skipped)
        save_manifest(path, whole)
    save_stats(path, {"b.md": (1, 2)})
    loaded = load_manifest(path)
    assert loaded is not None and loaded.stats == {"b.md": (1, 2)}
    assert loaded.documents == fresh().documents, "only the stats were replaced"
