"""The reindex command: bring the index in line with the corpus folder.

New articles are added, changed ones replaced, deleted ones removed; unchanged ones are
never re-embedded. Order of writes: store first, manifest after. A `dirty` marker is
left while writing, so a run that was killed is healed by the next one. Deciding that
nothing changed needs only the manifest and file hashes (ingest.plan); the writing
(ingest.update) is imported only when there is work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from ingest.load import Article, doc_id_for, read_article, scan_corpus
from ingest.plan import Plan, plan
from rag.config import Settings
from rag.errors import ArticleError, ReindexBusyError
from rag.lexical_format import is_current
from rag.manifest import Manifest, ensure_compatible, load_manifest

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

log = logging.getLogger(__name__)
# Called with (texts embedded so far, texts to embed in this run).
Progress = Callable[[int, int], None]


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

    def line(self) -> str:
        text = (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}, chunks {self.chunks}"
        )
        if self.skipped:
            text += f", skipped {len(self.skipped)}"
        return text

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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


def _lexical_ready(settings: Settings, manifest: Manifest) -> bool:
    """The manifest's BM25 generation exists in this version's format (an older
    generation is rebuilt; chunks are kept)."""
    if manifest.lexical_dir is None:
        return False
    generation = settings.bm25_dir / manifest.lexical_dir
    return is_current(generation, has_chunks=manifest.chunk_count > 0)


def reindex(
    settings: Settings,
    *,
    corpus_dir: Path | None = None,
    reset: bool = False,
    embed_model: BaseEmbedding | None = None,
    progress: Progress | None = None,
) -> ReindexSummary:
    """Synchronise the index with `corpus_dir` (default: the settings' corpus)."""
    corpus = corpus_dir or settings.corpus_dir
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise ReindexBusyError(
            "another reindex is running on this index; try again when it has finished"
        ) from exc
    try:
        return _reindex_locked(settings, corpus, reset, embed_model, progress)
    finally:
        lock.release()


def _reindex_locked(
    settings: Settings,
    corpus: Path,
    reset: bool,
    embed_model: BaseEmbedding | None,
    progress: Progress | None,
) -> ReindexSummary:
    summary = ReindexSummary()
    articles = _read_corpus(corpus, settings, summary)
    unreadable = [s.path for s in summary.skipped]
    manifest = None if reset else load_manifest(settings.manifest_path)
    if manifest:
        ensure_compatible(
            manifest, embed_model=settings.embed_model_name, store=settings.store_identity
        )
    dirty = (settings.data_dir / "dirty").exists()
    if manifest is not None and not dirty:
        work = plan(manifest, articles, unreadable, chunking=settings.chunking)
        if not work.changes and _lexical_ready(settings, manifest):
            return _summarise(summary, work, manifest)

    from ingest.update import apply  # the heavy part: Chroma, llama-index, the model

    work, manifest = apply(
        settings,
        manifest,
        articles,
        unreadable=unreadable,
        dirty=dirty,
        embed_model=embed_model,
        progress=progress,
    )
    return _summarise(summary, work, manifest)


def _summarise(summary: ReindexSummary, work: Plan, manifest: Manifest) -> ReindexSummary:
    summary.added, summary.updated, summary.unchanged = work.added, work.updated, work.unchanged
    summary.removed = len(work.removed)
    summary.skipped += [Skipped(d, f"same content as {twin}") for d, twin in work.duplicates]
    summary.chunks = manifest.chunk_count
    return summary
