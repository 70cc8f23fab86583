"""The reindex command: bring the index in line with the corpus folder.

New articles are added, changed ones replaced, deleted ones removed; unchanged ones are
never re-embedded. Order of writes: store first, manifest after. A `dirty` marker is
left while writing, so a run that was killed is healed by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from llama_index.core.base.embeddings.base import BaseEmbedding

from ingest.chunk import Chunk, chunk_text
from ingest.load import Article, doc_id_for, read_article, scan_corpus
from ingest.pipeline import Progress, build_nodes, embed_texts, prune_lexical, rebuild_lexical
from rag.config import Settings
from rag.errors import ArticleError, ReindexBusyError
from rag.lexical import SENTENCES_DIR
from rag.manifest import DocEntry, Manifest, ensure_compatible, load_manifest, save_manifest
from rag.models import embed_model_name, make_embed_model
from rag.sentence_vectors import sentence_spans
from rag.store import ChunkStore, store_identity

log = logging.getLogger(__name__)
_SAVE_EVERY_S = 2.0


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
            log.warning("skipping %s: %s", rel, exc)
    return articles


def _drop_duplicates(
    articles: list[Article], indexed: set[str], summary: ReindexSummary
) -> list[Article]:
    """Keep one article per content; the copy already in the index wins, else the first."""
    ordered = sorted(articles, key=lambda a: (a.doc_id not in indexed, a.doc_id))
    kept: dict[str, Article] = {}
    for article in ordered:
        twin = kept.setdefault(article.content_hash, article)
        if twin is not article:
            summary.skipped.append(Skipped(article.doc_id, f"same content as {twin.doc_id}"))
    return sorted(kept.values(), key=lambda a: a.doc_id)


def _heal(store: ChunkStore, manifest: Manifest) -> None:
    """After an interrupted run: drop chunks the manifest does not know, and forget
    manifest entries whose chunks are not all in the store (they get re-embedded)."""
    stored = {cid for cid, _text, _meta in store.records()}
    known: set[str] = set()
    for doc_id, entry in list(manifest.documents.items()):
        if not set(entry.chunk_ids) <= stored:
            del manifest.documents[doc_id]
        else:
            known.update(entry.chunk_ids)
    orphans = sorted(stored - known)
    if orphans:
        log.info("removing %d chunks left by an interrupted run", len(orphans))
        store.delete_ids(orphans)


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
    model_name = embed_model_name(settings)
    manifest = None if reset else load_manifest(settings.manifest_path)
    if manifest:
        ensure_compatible(manifest, embed_model=model_name, store=store_identity(settings))
    store = ChunkStore(settings, create=True)
    dirty = settings.data_dir / "dirty"
    if manifest is None:
        store.reset()
        manifest = Manifest(embed_model=model_name, store=store_identity(settings))
    elif dirty.exists():
        _heal(store, manifest)
    articles = _drop_duplicates(articles, set(manifest.documents), summary)

    current = {a.doc_id: a for a in articles}
    readable = current.keys() | {s.path for s in summary.skipped}
    removed = [d for d in manifest.documents if d not in readable]
    pending = [
        a
        for a in articles
        if getattr(manifest.documents.get(a.doc_id), "hash", None) != a.content_hash
    ]
    summary.unchanged = len(articles) - len(pending)
    generation = settings.bm25_dir / (manifest.lexical_dir or "-")
    # A generation from before sentence vectors existed is rebuilt (chunks are kept).
    lexical_missing = not generation.is_dir() or (
        manifest.chunk_count > 0 and not (generation / SENTENCES_DIR).is_dir()
    )
    if not (removed or pending or lexical_missing or dirty.exists()):
        summary.chunks = manifest.chunk_count
        return summary

    dirty.touch()
    for doc_id in removed:
        store.delete_doc(doc_id)
        del manifest.documents[doc_id]
        summary.removed += 1
    save_manifest(settings.manifest_path, manifest)

    chunked = [(a, _chunks(a, settings)) for a in pending]
    # One bar over both embedding passes: the new chunks, then their sentences.
    meter = _Meter(
        progress,
        sum(
            len(chunks) + sum(len(sentence_spans(c.text)) for c in chunks) for _a, chunks in chunked
        ),
    )
    model = embed_model
    if chunked:
        model = model or make_embed_model(settings)
        _embed_pending(settings, store, manifest, model, chunked, summary, meter.advance)

    previous = manifest.lexical_dir
    manifest.lexical_dir = rebuild_lexical(store, settings, previous, model, on_batch=meter.advance)
    meter.finish()  # sentences reused from the previous generation were not embedded
    manifest.indexed_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    save_manifest(settings.manifest_path, manifest)
    prune_lexical(settings, keep={manifest.lexical_dir} | ({previous} if previous else set()))
    dirty.unlink(missing_ok=True)
    summary.chunks = manifest.chunk_count
    return summary


class _Meter:
    """Counts embedded texts against the total and reports (done, total)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        if progress:
            progress(0, total)

    def advance(self, n: int) -> None:
        self.done = min(self.done + n, self.total)
        if self.progress:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress and self.done < self.total:
            self.progress(self.total, self.total)


def _chunks(article: Article, settings: Settings) -> list[Chunk]:
    return chunk_text(
        article.text,
        max_chars=settings.chunk_max_chars,
        min_chars=settings.chunk_min_chars,
        overlap=settings.chunk_overlap_sentences,
    )


def _embed_pending(
    settings: Settings,
    store: ChunkStore,
    manifest: Manifest,
    model: BaseEmbedding,
    chunked: list[tuple[Article, list[Chunk]]],
    summary: ReindexSummary,
    advance: Callable[[int], None],
) -> None:
    last_save = time.monotonic()
    for article, chunks in chunked:
        vectors = embed_texts(
            model, [c.text for c in chunks], batch_size=settings.embed_batch_size, on_batch=advance
        )
        nodes = build_nodes(article, chunks, vectors)
        existed = article.doc_id in manifest.documents
        store.delete_doc(article.doc_id)
        store.add(nodes)
        manifest.documents[article.doc_id] = DocEntry(
            hash=article.content_hash,
            title=article.title,
            language=article.language,
            source=article.source,
            chunk_ids=[n.node_id for n in nodes],
        )
        summary.updated += existed
        summary.added += not existed
        if time.monotonic() - last_save > _SAVE_EVERY_S:
            save_manifest(settings.manifest_path, manifest)
            last_save = time.monotonic()
