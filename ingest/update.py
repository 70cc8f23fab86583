"""Applying a reindex plan: store first, manifest after, BM25 + sentence vectors last.

Imported only when a reindex has work to do, so a no-op reindex never loads Chroma,
llama-index or a model.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

from llama_index.core.base.embeddings.base import BaseEmbedding

from ingest.chunk import Chunk, chunk_with
from ingest.load import Article
from ingest.pipeline import build_nodes, embed_texts, prune_lexical, rebuild_lexical
from ingest.plan import Plan, plan
from ingest.reindex import Progress
from rag.config import Settings
from rag.manifest import DocEntry, Manifest, save_manifest
from rag.models import make_embed_model
from rag.sentence_vectors import sentence_spans
from rag.store import ChunkStore

log = logging.getLogger(__name__)
_SAVE_EVERY_S = 2.0


def apply(
    settings: Settings,
    manifest: Manifest | None,
    articles: Sequence[Article],
    *,
    unreadable: Sequence[str],
    dirty: bool,
    embed_model: BaseEmbedding | None,
    progress: Progress | None,
) -> tuple[Plan, Manifest]:
    """Bring store, BM25 and manifest in line with `articles`; returns what was done."""
    store = ChunkStore(settings, create=True)
    if manifest is None:
        store.reset()
        manifest = Manifest(embed_model=settings.embed_model_name, store=settings.store_identity)
    elif dirty:
        _heal(store, manifest)
    work = plan(manifest, articles, unreadable, chunking=settings.chunking)
    marker = settings.data_dir / "dirty"
    marker.touch()
    for doc_id in work.removed:
        store.delete_doc(doc_id)
        del manifest.documents[doc_id]
    save_manifest(settings.manifest_path, manifest)

    chunked = [(a, chunk_with(a.text, settings)) for a in work.pending]
    # One bar over both embedding passes: the new chunks, then their sentences.
    meter = _Meter(
        progress,
        sum(len(cs) + sum(len(sentence_spans(c.text)) for c in cs) for _a, cs in chunked),
    )
    model = embed_model
    if chunked:
        model = model or make_embed_model(settings)
        _embed_pending(settings, store, manifest, model, chunked, meter.advance)

    previous = manifest.lexical_dir
    manifest.lexical_dir = rebuild_lexical(store, settings, previous, model, on_batch=meter.advance)
    meter.finish()  # sentences reused from the previous generation were not embedded
    manifest.indexed_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    save_manifest(settings.manifest_path, manifest)
    prune_lexical(settings, keep={manifest.lexical_dir} | ({previous} if previous else set()))
    marker.unlink(missing_ok=True)
    return work, manifest


def _heal(store: ChunkStore, manifest: Manifest) -> None:
    """After an interrupted run: drop chunks the manifest does not know, and forget
    manifest entries whose chunks are not all in the store (they get re-embedded)."""
    stored = set(store.ids())
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


def _embed_pending(
    settings: Settings,
    store: ChunkStore,
    manifest: Manifest,
    model: BaseEmbedding,
    chunked: list[tuple[Article, list[Chunk]]],
    advance: Callable[[int], None],
) -> None:
    last_save = time.monotonic()
    for article, chunks in chunked:
        vectors = embed_texts(
            model, [c.text for c in chunks], batch_size=settings.embed_batch_size, on_batch=advance
        )
        nodes = build_nodes(article, chunks, vectors)
        store.delete_doc(article.doc_id)
        store.add(nodes)
        manifest.documents[article.doc_id] = DocEntry(
            hash=article.content_hash,
            title=article.title,
            language=article.language,
            source=article.source,
            chunk_ids=[n.node_id for n in nodes],
            chunking=settings.chunking,
        )
        if time.monotonic() - last_save > _SAVE_EVERY_S:
            save_manifest(settings.manifest_path, manifest)
            last_save = time.monotonic()
