"""The reindex's writes: store first, manifest after, a new side-index generation last,
then merges of its segments.

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
from rag.index.generation import (
    MAX_SEGMENT,
    Generation,
    SegmentRef,
    changes,
    merges,
    readable,
)
from rag.index.layout import IndexLayout
from rag.index.manifest import DocEntry, Manifest, save_manifest
from rag.index.records import ArticleMeta, Chunk
from rag.index.segment import Held, Segment, previous_sentences, read_docs, read_sentences, stamp
from rag.index.sentence_vectors import Embed, SentenceVectors
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
        self._written: set[str] = set()  # generations this run named
        self._docs: dict[str, dict[str, Held]] = {}  # each segment's articles, read once
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
        self._drop_stored(doc_id)
        self.manifest.documents.pop(doc_id, None)

    def _drop_stored(self, doc_id: str) -> None:
        """Delete an article's chunks by the ids the manifest lists: after the heal, the
        store holds no others of it (a delete by metadata took 0.1 s per article at a
        million chunks)."""
        entry = self.manifest.documents.get(doc_id)
        if entry is not None:
            self.store.delete_ids(entry.chunk_ids)

    def put(
        self,
        article: ArticleMeta,
        content_hash: str,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        warnings: Sequence[str] = (),
    ) -> None:
        """Replace an article's chunks and record it."""
        self._drop_stored(article.doc_id)
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
        crash: Callable[[], None] = lambda: None,
    ) -> None:
        """A new side-index generation for what the manifest holds, not yet named by it.

        The articles new or changed since the previous generation go into a new segment
        (their text from the store; sentence vectors of unchanged sentences reused), and
        the ones gone or changed are marked deleted: the cost follows what changed. Without
        a previous generation of this format, every article is written again, in segments
        of up to MAX_SEGMENT chunks (sentence vectors an earlier format kept are reused).
        `crash` is called once a segment is written (crash tests)."""
        wanted = {d: stamp(e.hash, e.chunking) for d, e in self.manifest.documents.items()}
        previous = readable(self.layout, self._previous)
        if previous is None:
            refs: list[SegmentRef] = []
            write = list(wanted)
            reuse = previous_sentences(self.layout, self._previous)
        else:
            held = {ref.name: self._held(ref.name) for ref in previous.segments}
            live = {
                doc: h.stamp
                for ref in previous.segments
                for doc, h in held[ref.name].items()
                if doc not in ref.deleted
            }
            gone, write = changes(live, wanted)
            if not gone and not write:
                self.manifest.side_index = self._previous
                return
            refs = [
                SegmentRef(ref.name, ref.deleted | (gone & held[ref.name].keys()))
                for ref in previous.segments
            ]
            # a segment whose every article is gone is no longer read
            refs = [ref for ref in refs if not held[ref.name].keys() <= ref.deleted]
            reuse = self._sentences_of(previous, gone)
        for docs in self._batches(write):
            refs.append(self._segment(docs, embed, embed_second, reuse, on_batch))
        crash()
        log.info("side index: %d segments", len(refs))
        self._name(Generation(tuple(refs)))

    def _held(self, segment: str) -> dict[str, Held]:
        if segment not in self._docs:
            self._docs[segment] = read_docs(self.layout.segment(segment))
        return self._docs[segment]

    def _sentences_of(self, generation: Generation, docs: set[str]) -> SentenceVectors | None:
        """The stored sentence vectors of articles `docs`, for a new version to reuse."""
        parts = []
        for ref in generation.segments:
            spans = [self._held(ref.name)[doc] for doc in docs & self._held(ref.name).keys()]
            if spans:
                rows = np.concatenate([np.arange(h.first, h.first + h.length) for h in spans])
                stored = read_sentences(self.layout.segment(ref.name))
                parts.append(stored.take(np.sort(rows)))
        return SentenceVectors.joined(parts) if parts else None

    def _batches(self, docs: Sequence[str]) -> list[list[str]]:
        """`docs` cut into runs of up to about MAX_SEGMENT chunks: one segment each."""
        batches: list[list[str]] = [[]]
        rows = 0
        for doc_id in docs:
            if rows >= MAX_SEGMENT:
                batches.append([])
                rows = 0
            batches[-1].append(doc_id)
            rows += len(self.manifest.documents[doc_id].chunk_ids)
        return [batch for batch in batches if batch]

    def _segment(
        self,
        docs: Sequence[str],
        embed: Embed,
        embed_second: Embed,
        reuse: SentenceVectors | None,
        on_batch: Callable[[int], None] | None,
    ) -> SegmentRef:
        """A segment of articles `docs`, their chunks and vectors read from the store."""
        wanted = [cid for doc in docs for cid in self.manifest.documents[doc].chunk_ids]
        stored = self.store.with_vectors(wanted)
        if len(stored) < len(wanted):  # healed before: should not happen, and is survivable
            log.warning("%d chunks named by the manifest are not stored", len(wanted) - len(stored))
        found = [stored[cid] for cid in wanted if cid in stored]
        texts = [chunk.text for chunk, _vector in found]
        sentences = SentenceVectors.build(
            texts,
            embed,
            embed_second,
            previous=reuse,
            batch_size=self.settings.embed_batch_size,
            on_batch=on_batch,
        )
        documents = self.manifest.documents
        segment = Segment.build(
            [chunk.chunk_id for chunk, _vector in found],
            texts,
            [chunk.article for chunk, _vector in found],
            [vector for _chunk, vector in found],
            sentences,
            {d: stamp(documents[d].hash, documents[d].chunking) for d in docs},
        )
        name = uuid.uuid4().hex[:12]
        segment.save(self.layout.segment(name))
        self._docs[name] = segment.docs
        return SegmentRef(name)

    def merge(self) -> bool:
        """Merge segments as Settings.merge_factor asks, into a new generation not yet
        named by the manifest (after commit: the update is already seen by questions)."""
        assert self.manifest.side_index is not None
        generation = Generation.load(self.layout.generation(self.manifest.side_index))
        held = [self._held(ref.name) for ref in generation.segments]
        sizes = [
            (sum(h.length for d, h in docs.items() if d not in ref.deleted),
             sum(h.length for h in docs.values()))
            for ref, docs in zip(generation.segments, held, strict=True)
        ]  # fmt: skip
        groups = merges(sizes, self.settings.merge_factor)
        if not groups:
            return False
        refs: list[SegmentRef | None] = list(generation.segments)
        for group in groups:
            parts = [
                (Segment.load(self.layout.segment(generation.segments[i].name)),
                 generation.segments[i].deleted)
                for i in group
            ]  # fmt: skip
            name = uuid.uuid4().hex[:12]
            Segment.merged(parts).save(self.layout.segment(name))
            log.info("merged %d segments into %s", len(group), name)
            refs[group[0]] = SegmentRef(name)
            for i in group[1:]:
                refs[i] = None
        self._name(Generation(tuple(ref for ref in refs if ref is not None)))
        return True

    def _name(self, generation: Generation) -> None:
        name = uuid.uuid4().hex[:12]
        generation.save(self.layout.generation(name))
        self.manifest.side_index = name
        self._written.add(name)

    def commit(self) -> None:
        """Point the manifest at the new generation, then tidy up."""
        self.manifest.indexed_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.save()

    def finish(self) -> None:
        """Drop generations no reader needs (the one before this run and those it named may
        still be open; memory maps of deleted files stay valid on POSIX), the segments none
        of those reads, and clear the dirty marker."""
        keep = {self.manifest.side_index, self._previous, *self._written} - {None}
        used: set[str] = set()
        for name in keep:
            generation = readable(self.layout, name)
            if generation is not None:
                used.update(ref.name for ref in generation.segments)
        for root, kept in ((self.layout.side, keep), (self.layout.segments, used)):
            if root.is_dir():
                for folder in root.iterdir():
                    if folder.is_dir() and folder.name not in kept:
                        shutil.rmtree(folder, ignore_errors=True)
        self.layout.dirty.unlink(missing_ok=True)
