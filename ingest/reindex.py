"""The reindex: bring the index in line with the corpus folder.

New articles are added, changed ones replaced, deleted ones removed; unchanged ones are
never re-embedded. Deciding that nothing changed needs only the manifest and the file
hashes (ingest.plan); the writing (ingest.apply) is imported only when there is work.
An index of another format is rebuilt from the corpus, and the summary says so.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from ingest.load import CorpusFile, hash_corpus, trusted_stats
from ingest.plan import Plan, nothing_changed
from ingest.progress import Progress
from rag.config import Settings
from rag.errors import IndexFormatError, IndexMismatchError, ReindexBusyError
from rag.index.generation import readable
from rag.index.layout import IndexLayout
from rag.index.manifest import (
    Manifest,
    ManifestSummary,
    ensure_compatible,
    known_files,
    load_manifest,
    load_summary,
    recorded_hash,
    save_manifest,
    save_stats,
)

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Duplicate:
    path: str
    duplicate_of: str


@dataclass
class ReindexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)  # indexed, but e.g. left undated
    duplicates: list[Duplicate] = field(default_factory=list)  # syndicated copies, not indexed
    notice: str = ""  # e.g. that an index of an older format was rebuilt

    def line(self) -> str:
        text = (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, chunks {self.chunks}"
        )
        for count, what in ((self.skipped, "skipped"), (self.duplicates, "copies")):
            if count:
                text += f", {what} {len(count)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.notice:
            del data["notice"]
        return data


@contextlib.contextmanager
def exclusive(settings: Settings) -> Iterator[None]:
    """The index's one writer: held by a reindex, and by whoever changes the corpus and
    reindexes in one step, so a change is refused before it is made rather than made and
    then left unindexed. ReindexBusyError when another process or thread holds it."""
    layout = IndexLayout(settings.data_dir)
    layout.root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(layout.lock))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise ReindexBusyError(
            "another reindex is running on this index; try again when it has finished"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def reindex(
    settings: Settings,
    *,
    corpus_dir: Path | None = None,
    reset: bool = False,
    rebuild_mismatched: bool = False,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
    lock_held: bool = False,
) -> ReindexSummary:
    """Synchronise the index with `corpus_dir` (default: the settings' corpus).

    `reset` rebuilds from scratch; `rebuild_mismatched` rebuilds an index of another
    embedding model or store instead of refusing it (a reused evaluation index);
    `lock_held`: the caller holds `exclusive(settings)` already."""
    corpus = corpus_dir or settings.corpus_dir
    with contextlib.nullcontext() if lock_held else exclusive(settings):
        summary = ReindexSummary()
        current = None if reset else _current(settings, summary, rebuild_mismatched)
        return _reindex_locked(settings, corpus, current, summary, embed_model, progress)


def _current(
    settings: Settings, summary: ReindexSummary, rebuild_mismatched: bool
) -> ManifestSummary | None:
    """What the index holds, as far as a run with nothing to do needs it, or None to
    rebuild (an index of another format)."""
    try:
        manifest = load_summary(IndexLayout(settings.data_dir).manifest)
        if manifest is not None:
            ensure_compatible(
                manifest, embed_model=settings.embed_model_name, store=settings.store_identity
            )
        return manifest
    except IndexFormatError:
        summary.notice = "the index was written by another version: rebuilt it from the corpus"
        return None
    except IndexMismatchError:
        if rebuild_mismatched:
            return None
        raise


def _reindex_locked(
    settings: Settings,
    corpus: Path,
    current: ManifestSummary | None,
    summary: ReindexSummary,
    embed_model: BaseEmbedding | None,
    progress: Progress | None,
) -> ReindexSummary:
    scanned = time.time_ns()
    known = known_files(current) if current is not None else None
    files, problems = hash_corpus(corpus, max_bytes=settings.max_article_bytes, known=known)
    summary.skipped += [Skipped(doc_id, reason) for doc_id, reason in problems]
    layout = IndexLayout(settings.data_dir)
    if (
        current is not None
        and not layout.dirty.exists()
        and _side_index_current(layout, current)
        and nothing_changed(current, files, settings.chunking)
    ):
        stats = _trusted(current, files, scanned)
        if not layout.manifest.exists():  # an earlier version's manifest: the database now
            whole = load_manifest(layout.manifest)
            assert whole is not None  # `current` was read from it
            whole.stats = stats
            save_manifest(layout.manifest, whole)
        elif stats != current.stats:
            save_stats(layout.manifest, stats)
        return _summarise(summary, Plan(unchanged=len(current.documents)), current, files)

    from ingest.apply import apply  # the heavy part: Chroma, llama-index, the model

    # the whole manifest, for the writer
    manifest = load_manifest(layout.manifest) if current is not None else None
    if manifest is not None:  # what this run changes loses its stats before any write
        manifest.stats = {
            f.doc_id: manifest.stats[f.doc_id]
            for f in files
            if f.doc_id in manifest.stats and recorded_hash(manifest, f.doc_id) == f.content_hash
        }

    work, manifest = apply(
        settings, manifest, corpus, files, embed_model=embed_model, progress=progress
    )
    _record_stats(layout, manifest, files, scanned)
    return _summarise(summary, work, manifest, files)


def _record_stats(
    layout: IndexLayout, manifest: Manifest, files: Sequence[CorpusFile], scanned: int
) -> None:
    """Keep the size and time of each file the manifest holds with this content, so that
    the next reindex does not read it again; written only after the manifest describes the
    files (never before: a file would pass for its old content), and only when it changed."""
    stats = _trusted(manifest, files, scanned)
    if stats != manifest.stats:
        manifest.stats = stats
        save_manifest(layout.manifest, manifest)


def _trusted(
    manifest: Manifest | ManifestSummary, files: Sequence[CorpusFile], scanned: int
) -> dict[str, tuple[int, int]]:
    """The stats to keep: of the files the manifest holds with the content they have."""
    held = [f for f in files if recorded_hash(manifest, f.doc_id) == f.content_hash]
    return trusted_stats(held, scanned)


def _side_index_current(layout: IndexLayout, manifest: ManifestSummary) -> bool:
    """The manifest names a side index on disk, of this version (else it is rebuilt from
    the chunks kept, reusing their sentence vectors)."""
    return readable(layout, manifest.side_index) is not None


def _summarise(
    summary: ReindexSummary,
    work: Plan,
    manifest: Manifest | ManifestSummary,
    files: Sequence[CorpusFile],
) -> ReindexSummary:
    """The counts of this run; what is skipped, left undated or a copy, from the manifest
    (so a run with nothing to do reports them as the run that found them did)."""
    present = {f.doc_id for f in files}
    summary.added, summary.updated, summary.unchanged = work.added, work.updated, work.unchanged
    summary.removed = len(work.removed)
    summary.chunks = manifest.chunk_count
    for doc_id, record in sorted(manifest.skipped.items()):
        if doc_id in present:
            summary.skipped.append(Skipped(doc_id, record.reason))
            log.info("skipping %s: %s", doc_id, record.reason)
    warned = {d: list(entry.warnings) for d, entry in manifest.documents.items() if entry.warnings}
    summary.warnings = [
        Skipped(doc_id, warning)
        for doc_id, warnings in sorted(warned.items())
        for warning in warnings
    ]
    summary.duplicates = [
        Duplicate(doc_id, record.of)
        for doc_id, record in sorted(manifest.copies.items())
        if doc_id in present
    ]
    return summary
