"""Applying a reindex through the index writer: read what changed, find syndicated copies,
remove, embed, then write a new side-index generation and merge its segments.

Imported only when a reindex has work to do, so a no-op reindex never loads Chroma,
llama-index or a model.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from ingest.chunk import chunk_with
from ingest.dedup import Candidate, find_copies, load_signatures, save_signatures, signature
from ingest.load import Article, CorpusFile, read_article
from ingest.metadata import When, read_when
from ingest.plan import Item, Plan, exact_twins, indexed_as_is, plan
from ingest.progress import Meter, Progress
from rag.config import CrashPoint, Settings
from rag.errors import ArticleError
from rag.index.layout import IndexLayout
from rag.index.manifest import Manifest, Unindexed
from rag.index.records import Chunk
from rag.index.sentence_vectors import sentence_spans
from rag.index.writer import IndexWriter
from rag.models.embedding import make_embed_model, second_encoder

log = logging.getLogger(__name__)
_SAVE_EVERY_S = 2.0  # a killed run re-embeds at most this much work


def apply(
    settings: Settings,
    manifest: Manifest | None,
    corpus: Path,
    files: Sequence[CorpusFile],
    *,
    embed_model: BaseEmbedding | None,
    progress: Progress | None,
) -> tuple[Plan, Manifest]:
    """Bring store, side index and manifest in line with the corpus `files`; returns what
    was done (`manifest` None rebuilds the index from scratch)."""
    writer = IndexWriter(settings, manifest)  # heals first: the plan sees what is stored
    work = _assess(settings, writer.manifest, corpus, files)
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
    _embed_pending(settings, writer, chunked, embed_model, meter)
    _record_copies(writer.manifest, work, files)
    writer.save()
    _crash_point(settings, "embedded-all")
    writer.build_side_index(
        lambda batch: np.asarray(_model(settings, embed_model).get_text_embedding_batch(batch)),
        lambda batch: second_encoder().embed(batch),
        on_batch=meter.advance,
        crash=lambda: _crash_point(settings, "segment-written"),
    )
    meter.finish()  # sentences reused from the previous generation were not embedded
    _crash_point(settings, "side-index-built")
    writer.commit()
    _crash_point(settings, "committed")
    # Merges run after the commit: questions see the update meanwhile, and read the
    # generation they opened until the merged one is committed.
    if writer.merge():
        _crash_point(settings, "merge-written")
        writer.commit()
        _crash_point(settings, "merged")
    writer.finish()
    return work, writer.manifest


def _assess(
    settings: Settings, manifest: Manifest, corpus: Path, files: Sequence[CorpusFile]
) -> Plan:
    """Read the files that changed, and plan: exact twins, syndicated copies, what to embed
    and what to remove. Unreadable files are recorded in the manifest with their reason."""
    items: list[Item] = []
    manifest.skipped = {}
    for file in files:
        if indexed_as_is(manifest, file, settings.chunking):
            items.append(Item(file.doc_id, file.content_hash, None))
            continue
        try:
            article = read_article(file.path, corpus, max_bytes=settings.max_article_bytes)
        except (ArticleError, OSError) as exc:
            # INFO, not WARNING: the summary carries it, and the CLI and UI show it from there
            log.info("skipping %s: %s", file.doc_id, exc)
            manifest.skipped[file.doc_id] = Unindexed(file.content_hash, reason=str(exc))
            continue
        items.append(Item(file.doc_id, file.content_hash, article))
    kept, twins = exact_twins(manifest, items)
    for doc_id, twin in twins:
        digest = next(f.content_hash for f in files if f.doc_id == doc_id)
        manifest.skipped[doc_id] = Unindexed(digest, reason=f"same content as {twin}")
    copies = _copies(settings, manifest, corpus, kept, {f.doc_id: f.path for f in files})
    work = plan(manifest, kept, list(manifest.skipped), chunking=settings.chunking, copies=copies)
    work.duplicates = twins
    for item in kept:  # the copies' own metadata, read before any entry is removed
        if item.doc_id in copies:
            # an item that was not read again is indexed as it is: its entry holds the same
            known = item.article or manifest.documents[item.doc_id]
            work.also.setdefault(copies[item.doc_id], []).append(
                {"doc_id": item.doc_id, "outlet": known.outlet, "source": known.source,
                 "date": known.date}
            )  # fmt: skip
    return work


def _copies(
    settings: Settings,
    manifest: Manifest,
    corpus: Path,
    items: Sequence[Item],
    paths: dict[str, Path],
) -> dict[str, str]:
    """Syndicated copies among `items` (ingest.dedup), signatures cached by content hash."""
    articles = {i.doc_id: i.article for i in items if i.article is not None}

    def text_of(doc_id: str) -> str:
        if doc_id not in articles:
            max_bytes = settings.max_article_bytes
            articles[doc_id] = read_article(paths[doc_id], corpus, max_bytes=max_bytes)
        return articles[doc_id].text

    cache_path = IndexLayout(settings.data_dir).signatures
    cache = load_signatures(cache_path)
    candidates = []
    for item in items:
        if item.content_hash not in cache:
            cache[item.content_hash] = signature(text_of(item.doc_id))
        entry = manifest.documents.get(item.doc_id)
        source = item.article or entry
        when = read_when(source.published or source.date) if source else When()
        candidates.append(Candidate(item.doc_id, when, entry is not None, cache[item.content_hash]))
    save_signatures(cache_path, {i.content_hash: cache[i.content_hash] for i in items})
    return find_copies(candidates, text_of)


def _record_copies(manifest: Manifest, work: Plan, files: Sequence[CorpusFile]) -> None:
    """Each kept article lists its copies; the manifest remembers them as not to index."""
    digests = {f.doc_id: f.content_hash for f in files}
    for doc_id, entry in manifest.documents.items():
        also = sorted(work.also.get(doc_id, []), key=lambda c: (c["date"], c["doc_id"]))
        if also != entry.also:  # only what changed is written
            entry.also = also
            manifest.touch(doc_id)
    manifest.copies = {
        doc_id: Unindexed(digests[doc_id], of=kept) for doc_id, kept in work.copies.items()
    }


def _model(settings: Settings, given: BaseEmbedding | None) -> BaseEmbedding:
    """The embedding model, loaded only when something is new (cached per process)."""
    return given or make_embed_model(settings)


def _embed_pending(
    settings: Settings,
    writer: IndexWriter,
    chunked: Sequence[tuple[Article, list[Chunk]]],
    embed_model: BaseEmbedding | None,
    meter: Meter,
) -> None:
    last_save = time.monotonic()
    for n, (article, chunks) in enumerate(chunked, start=1):
        texts = [c.text for c in chunks]
        vectors = _embed(_model(settings, embed_model), texts, settings.embed_batch_size, meter)
        writer.put(article.meta, article.content_hash, chunks, vectors, list(article.warnings))
        if n == 1:
            _crash_point(settings, "embedded-one")
        if time.monotonic() - last_save > _SAVE_EVERY_S:
            writer.save()
            last_save = time.monotonic()


def _embed(
    model: BaseEmbedding, texts: Sequence[str], batch_size: int, meter: Meter
) -> list[list[float]]:
    """Passage embeddings in batches, reporting each finished batch's size."""
    vectors: list[list[float]] = []
    for i in range(0, len(texts), batch_size):
        batch = list(texts[i : i + batch_size])
        vectors.extend(model.get_text_embedding_batch(batch))
        meter.advance(len(batch))
    return vectors


def _crash_point(settings: Settings, name: CrashPoint) -> None:
    """Crash tests set RAG_CRASH_AT to kill the reindex here, as a power cut would."""
    if settings.crash_at == name:
        log.warning("RAG_CRASH_AT=%s: killing this reindex", name)
        os.kill(os.getpid(), signal.SIGKILL)
