"""The reindex's writes: store first, manifest after, a new side-index generation last.

While it writes, a `dirty` marker says so; the next writer that finds the marker heals
what a killed run left (chunks the manifest does not know, entries whose chunks are
gone). Questions read the generation the manifest names, so they see the old state or
the new one, never a half-written side index.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from collections.abc import Callable, Sequence

import numpy as np

from rag.config import Settings
from rag.index.layout import IndexLayout
from rag.index.manifest import DocEntry, Manifest, save_manifest
from rag.index.records import ArticleMeta, Chunk
from rag.index.sentence_vectors import Embed, SentenceVectors
from rag.index.side_index import SideIndex
from rag.index.store import ChunkStore

log = logging.getLogger(__name__)


class IndexWriter:
    """Writes one reindex into the index of `settings`; `manifest` None starts afresh."""

    def __init__(self, settings: Settings, manifest: Manifest | None) -> None:
        self.settings = settings
        self.layout = IndexLayout(settings.data_dir)
        self.store = ChunkStore(settings, create=True)
        if manifest is None:
            self._clear()
            manifest = Manifest(
                embed_model=settings.embed_model_name, store=settings.store_identity
            )
        elif self.layout.dirty.exists():
            self._heal(manifest)
        self.manifest = manifest
        self._previous = manifest.side_index
        self.layout.dirty.touch()

    def _clear(self) -> None:
        """A fresh start: an empty collection, no side index, no earlier format's files."""
        self.store.reset()
        for folder in [self.layout.side, *self.layout.former()]:
            shutil.rmtree(folder, ignore_errors=True)

    def _heal(self, manifest: Manifest) -> None:
        """After an interrupted run: drop chunks the manifest does not know, and forget
        manifest entries whose chunks are not all in the store (they get re-embedded)."""
        stored = set(self.store.ids())
        known: set[str] = set()
        for doc_id, entry in list(manifest.documents.items()):
            if not set(entry.chunk_ids) <= stored:
                del manifest.documents[doc_id]
            else:
                known.update(entry.chunk_ids)
        orphans = sorted(stored - known)
        if orphans:
            log.info("removing %d chunks left by an interrupted run", len(orphans))
            self.store.delete_ids(orphans)

    def remove(self, doc_id: str) -> None:
        self.store.delete_doc(doc_id)
        self.manifest.documents.pop(doc_id, None)

    def put(
        self,
        article: ArticleMeta,
        content_hash: str,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        warnings: Sequence[str] = (),
    ) -> None:
        """Replace an article's chunks (also any a crashed run left) and record it."""
        self.store.delete_doc(article.doc_id)
        ids = self.store.add(article, chunks, vectors)
        self.manifest.documents[article.doc_id] = DocEntry(
            hash=content_hash,
            title=article.title,
            language=article.language,
            source=article.source,
            chunk_ids=ids,
            chunking=self.settings.chunking,
            date=article.date,
            published=article.published,
            updated=article.updated,
            outlet=article.outlet,
            author=article.author,
            warnings=list(warnings),
        )

    def save(self) -> None:
        """Record progress: the manifest never names chunks the store lacks."""
        save_manifest(self.layout.manifest, self.manifest)

    def build_side_index(
        self,
        embed: Embed,
        embed_second: Embed,
        *,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """A new side-index generation from what the store holds, not yet in the manifest.

        Sentence vectors of chunks the previous generation had are reused, so only new
        text is embedded."""
        ids: list[str] = []
        texts: list[str] = []
        articles: list[ArticleMeta] = []
        vectors: list[np.ndarray] = []
        for chunk, vector in self.store.chunks_with_vectors():
            ids.append(chunk.chunk_id)
            texts.append(chunk.text)
            articles.append(chunk.article)
            vectors.append(vector.astype(np.float16))  # float16 halves the transient list
        old = (
            SideIndex.previous_sentences(self.layout.generation(self._previous))
            if self._previous
            else None
        )
        sentences = SentenceVectors.build(
            texts,
            embed,
            embed_second,
            previous=old,
            batch_size=self.settings.embed_batch_size,
            on_batch=on_batch,
        )
        log.info("side index: %d chunks, %d sentences", len(ids), len(sentences.spans))
        name = uuid.uuid4().hex[:12]
        SideIndex.build(ids, texts, articles, vectors, sentences).save(self.layout.generation(name))
        self.manifest.side_index = name

    def commit(self) -> None:
        """Point the manifest at the new generation, then tidy up."""
        self.manifest.indexed_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.save()

    def finish(self) -> None:
        """Drop generations no reader needs (the previous one may still be open; memory
        maps of deleted files stay valid on POSIX) and clear the dirty marker."""
        keep = {self.manifest.side_index, self._previous}
        if self.layout.side.is_dir():
            for folder in self.layout.side.iterdir():
                if folder.is_dir() and folder.name not in keep:
                    shutil.rmtree(folder, ignore_errors=True)
        self.layout.dirty.unlink(missing_ok=True)
