"""Applying a reindex plan through the index writer: removed articles, new and changed ones
embedded, then a new side index.

Imported only when a reindex has work to do, so a no-op reindex never loads Chroma,
llama-index or a model.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Sequence

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from ingest.chunk import chunk_with
from ingest.load import Article
from ingest.plan import Plan, plan
from ingest.progress import Meter, Progress
from rag.config import CrashPoint, Settings
from rag.index.manifest import Manifest
from rag.index.sentence_vectors import sentence_spans
from rag.index.writer import IndexWriter
from rag.models.embedding import make_embed_model, second_encoder

log = logging.getLogger(__name__)
_SAVE_EVERY_S = 2.0  # a killed run re-embeds at most this much work


def apply(
    settings: Settings,
    manifest: Manifest | None,
    articles: Sequence[Article],
    *,
    unreadable: Sequence[str],
    embed_model: BaseEmbedding | None,
    progress: Progress | None,
) -> tuple[Plan, Manifest]:
    """Bring store, side index and manifest in line with `articles`; returns what was done
    (`manifest` None rebuilds the index from scratch)."""
    writer = IndexWriter(settings, manifest)
    work = plan(writer.manifest, articles, unreadable, chunking=settings.chunking)
    for doc_id in work.removed:
        writer.remove(doc_id)
    writer.save()
    _crash_point(settings, "removed")

    chunked = [(a, chunk_with(a.text, settings)) for a in work.pending]
    # One bar over both embedding passes: the new chunks, then their sentences.
    meter = Meter(
        progress,
        sum(len(cs) + sum(len(sentence_spans(c.text)) for c in cs) for _a, cs in chunked),
    )
    models: list[BaseEmbedding] = [embed_model] if embed_model else []

    def model() -> BaseEmbedding:
        if not models:  # loaded only when something is new
            models.append(make_embed_model(settings))
        return models[0]

    last_save = time.monotonic()
    for n, (article, chunks) in enumerate(chunked, start=1):
        vectors = _embed(
            model(), [c.text for c in chunks], settings.embed_batch_size, meter.advance
        )
        writer.put(article.meta, article.content_hash, chunks, vectors)
        if n == 1:
            _crash_point(settings, "embedded-one")
        if time.monotonic() - last_save > _SAVE_EVERY_S:
            writer.save()
            last_save = time.monotonic()
    _crash_point(settings, "embedded-all")

    writer.build_side_index(
        lambda batch: np.asarray(model().get_text_embedding_batch(batch), dtype=np.float32),
        lambda batch: second_encoder().embed(batch),
        on_batch=meter.advance,
    )
    meter.finish()  # sentences reused from the previous generation were not embedded
    _crash_point(settings, "side-index-built")
    writer.commit()
    _crash_point(settings, "committed")
    writer.finish()
    return work, writer.manifest


def _embed(
    model: BaseEmbedding, texts: Sequence[str], batch_size: int, on_batch: Callable[[int], None]
) -> list[list[float]]:
    """Passage embeddings in batches, reporting each finished batch's size."""
    vectors: list[list[float]] = []
    for i in range(0, len(texts), batch_size):
        batch = list(texts[i : i + batch_size])
        vectors.extend(model.get_text_embedding_batch(batch))
        on_batch(len(batch))
    return vectors


def _crash_point(settings: Settings, name: CrashPoint) -> None:
    """Crash tests set RAG_CRASH_AT to kill the reindex here, as a power cut would."""
    if settings.crash_at == name:
        log.warning("RAG_CRASH_AT=%s: killing this reindex", name)
        os.kill(os.getpid(), signal.SIGKILL)
