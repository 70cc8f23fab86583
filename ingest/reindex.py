"""The reindex: bring the index in line with the corpus folder.

New articles are added, changed ones replaced, deleted ones removed; unchanged ones are
never re-embedded. Deciding that nothing changed needs only the manifest and the file
hashes (ingest.plan); the writing (ingest.apply) is imported only when there is work.
An index of another format is rebuilt from the corpus, and the summary says so.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from ingest.load import Article, read_article, scan_corpus
from ingest.plan import Plan, plan
from ingest.progress import Progress
from rag.config import Settings
from rag.errors import ArticleError, IndexFormatError, IndexMismatchError, ReindexBusyError
from rag.index.ids import doc_id_for
from rag.index.layout import IndexLayout
from rag.index.manifest import Manifest, ensure_compatible, load_manifest

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ReindexSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notice: str = ""  # e.g. that an index of an older format was rebuilt

    def line(self) -> str:
        text = (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, chunks {self.chunks}"
        )
        if self.skipped:
            text += f", skipped {len(self.skipped)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.notice:
            del data["notice"]
        return data


def reindex(
    settings: Settings,
    *,
    corpus_dir: Path | None = None,
    reset: bool = False,
    rebuild_mismatched: bool = False,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
) -> ReindexSummary:
    """Synchronise the index with `corpus_dir` (default: the settings' corpus).

    `reset` rebuilds from scratch; `rebuild_mismatched` rebuilds an index of another
    embedding model or store instead of refusing it (a reused evaluation index)."""
    corpus = corpus_dir or settings.corpus_dir
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
        summary = ReindexSummary()
        manifest = None if reset else _current_manifest(settings, summary, rebuild_mismatched)
        return _reindex_locked(settings, corpus, manifest, summary, embed_model, progress)
    finally:
        lock.release()


def _current_manifest(
    settings: Settings, summary: ReindexSummary, rebuild_mismatched: bool
) -> Manifest | None:
    """The manifest to update, or None to rebuild (an index of another format)."""
    try:
        manifest = load_manifest(IndexLayout(settings.data_dir).manifest)
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
    manifest: Manifest | None,
    summary: ReindexSummary,
    embed_model: BaseEmbedding | None,
    progress: Progress | None,
) -> ReindexSummary:
    articles = _read_corpus(corpus, settings, summary)
    unreadable = [s.path for s in summary.skipped]
    layout = IndexLayout(settings.data_dir)
    if manifest is not None and not layout.dirty.exists() and _side_index_exists(layout, manifest):
        work = plan(manifest, articles, unreadable, chunking=settings.chunking)
        if not work.changes:
            return _summarise(summary, work, manifest)

    from ingest.apply import apply  # the heavy part: Chroma, llama-index, the model

    work, manifest = apply(
        settings,
        manifest,
        articles,
        unreadable=unreadable,
        embed_model=embed_model,
        progress=progress,
    )
    return _summarise(summary, work, manifest)


def _read_corpus(corpus_dir: Path, settings: Settings, summary: ReindexSummary) -> list[Article]:
    articles: list[Article] = []
    for path in scan_corpus(corpus_dir):
        rel = doc_id_for(path, corpus_dir)
        try:
            articles.append(read_article(path, corpus_dir, max_bytes=settings.max_article_bytes))
        except (ArticleError, OSError) as exc:
            summary.skipped.append(Skipped(rel, str(exc)))
            # INFO, not WARNING: the summary carries it, and the CLI and UI show it from there
            log.info("skipping %s: %s", rel, exc)
    return articles


def _side_index_exists(layout: IndexLayout, manifest: Manifest) -> bool:
    """The manifest names a side index that is on disk (else it is rebuilt; chunks are kept)."""
    return manifest.side_index is not None and layout.generation(manifest.side_index).is_dir()


def _summarise(summary: ReindexSummary, work: Plan, manifest: Manifest) -> ReindexSummary:
    summary.added, summary.updated, summary.unchanged = work.added, work.updated, work.unchanged
    summary.removed = len(work.removed)
    summary.skipped += [Skipped(d, f"same content as {twin}") for d, twin in work.duplicates]
    summary.chunks = manifest.chunk_count
    return summary
