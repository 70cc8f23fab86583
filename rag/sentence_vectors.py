"""Sentence vectors of every chunk, kept in the BM25 generation folder beside the index.

XQuAD-style questions target one sentence, and a paragraph's vector blurs it: retrieval
also scores a chunk by its best sentence. The extractive answer quotes sentences and
reads the same vectors instead of embedding sentences at question time. Vectors are
keyed by a hash of the chunk text, so a new generation reuses the previous one's and
only sentences of new or changed chunks are embedded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.sentences import split_sentences

_KEYS = "keys.json"
_OFFSETS = "offsets.npy"
_SPANS = "spans.npy"
_VECTORS = "vectors.npy"
_SECOND = "second.npy"

# Embeds passages (with the model's passage prefix): texts -> (n, dim) array.
Embed = Callable[[list[str]], np.ndarray]


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of a chunk, relative to the chunk text."""
    return [(s.start, s.end) for s in split_sentences(text)]


@dataclass
class SentenceVectors:
    keys: list[str]  # text hash of chunk i (aligned with the BM25 ids)
    offsets: np.ndarray  # sentences of chunk i are rows offsets[i]:offsets[i + 1]
    spans: np.ndarray  # (n_sentences, 2) start, end within the chunk text
    vectors: np.ndarray  # (n_sentences, dim) float16, memory-mapped when loaded
    second: np.ndarray | None = None  # the same sentences by the second encoder

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        embed: Embed,
        *,
        previous: SentenceVectors | None = None,
        batch_size: int = 32,
        on_batch: Callable[[int], None] | None = None,
        embed_second: Embed | None = None,
    ) -> SentenceVectors:
        first = cls._build(texts, embed, previous, batch_size, on_batch, "vectors")
        if embed_second is not None:
            reuse = previous if previous is not None and previous.second is not None else None
            first.second = cls._build(
                texts, embed_second, reuse, batch_size, None, "second"
            ).vectors
        return first

    @classmethod
    def _build(
        cls,
        texts: Sequence[str],
        embed: Embed,
        previous: SentenceVectors | None,
        batch_size: int,
        on_batch: Callable[[int], None] | None,
        matrix: str,
    ) -> SentenceVectors:
        keys = [text_key(t) for t in texts]
        known = {k: i for i, k in enumerate(previous.keys)} if previous else {}
        spans: list[np.ndarray] = []
        rows: list[np.ndarray | None] = []
        todo: list[tuple[int, list[str]]] = []
        for i, (key, text) in enumerate(zip(keys, texts, strict=True)):
            j = known.get(key)
            if previous is not None and j is not None:
                spans.append(previous.chunk_spans(j))
                rows.append(np.asarray(previous.chunk_vectors(j, matrix)))
                continue
            found = sentence_spans(text)
            spans.append(np.asarray(found, dtype=np.int32).reshape(-1, 2))
            rows.append(None)
            todo.append((i, [text[a:b] for a, b in found]))
        flat = [s for _i, sents in todo for s in sents]
        embedded: list[np.ndarray] = []
        for b in range(0, len(flat), batch_size):
            batch = flat[b : b + batch_size]
            embedded.append(np.asarray(embed(batch), dtype=np.float16))
            if on_batch:
                on_batch(len(batch))
        fresh = np.concatenate(embedded) if embedded else np.zeros((0, 0), np.float16)
        cursor = 0
        for i, sents in todo:
            rows[i] = fresh[cursor : cursor + len(sents)]
            cursor += len(sents)
        dim = next((r.shape[1] for r in rows if r is not None and r.size), 0)
        counts = [len(s) for s in spans]
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(counts)
        return cls(
            keys,
            offsets,
            np.concatenate(spans) if spans else np.zeros((0, 2), np.int32),
            np.concatenate([r.reshape(-1, dim) for r in rows if r is not None])
            if rows
            else np.zeros((0, dim), np.float16),
        )

    def chunk_spans(self, i: int) -> np.ndarray:
        return self.spans[self.offsets[i] : self.offsets[i + 1]]

    def chunk_vectors(self, i: int, matrix: str = "vectors") -> np.ndarray:
        vectors = self.vectors if matrix == "vectors" else self.second
        assert vectors is not None
        return vectors[self.offsets[i] : self.offsets[i + 1]]

    def lengths(self, positions: Sequence[int]) -> np.ndarray:
        """Each chunk's length up to the end of its last sentence (0 without sentences)."""
        pos = np.asarray(positions, dtype=np.int64)
        ends = self.offsets[pos + 1]
        has = ends > self.offsets[pos]
        out = np.zeros(len(pos), dtype=np.int64)
        out[has] = self.spans[ends[has] - 1, 1]
        return out

    def best(
        self,
        positions: Sequence[int],
        query: np.ndarray,
        *,
        second: bool = False,
        min_chars: int = 0,
    ) -> np.ndarray:
        """The best cosine among each chunk's sentences of at least `min_chars`
        (-1 for a chunk without such sentences)."""
        vectors = self.second if second else self.vectors
        assert vectors is not None, "no second-encoder vectors in this index"
        out = np.full(len(positions), -1.0, dtype=np.float32)
        if not positions:
            return out
        starts, ends = self.offsets[positions], self.offsets[np.asarray(positions) + 1]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        if not len(rows):
            return out
        rows = np.sort(rows)
        cos = np.asarray(vectors[rows], dtype=np.float32) @ query
        spans = self.spans[rows]
        cos[spans[:, 1] - spans[:, 0] < min_chars] = -1.0
        # rows are sorted and contiguous per chunk, so reduce per chunk in sorted order
        order = np.argsort(starts, kind="stable")
        sizes = (ends - starts)[order]
        nonempty = sizes > 0
        maxima = np.maximum.reduceat(cos, np.concatenate([[0], np.cumsum(sizes)[:-1]])[nonempty])
        out[order[nonempty]] = maxima
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / _OFFSETS, self.offsets)
        np.save(folder / _SPANS, self.spans)
        np.save(folder / _VECTORS, self.vectors.astype(np.float16))
        (folder / _KEYS).write_text(json.dumps(self.keys), encoding="utf-8")
        if self.second is not None:
            np.save(folder / _SECOND, self.second.astype(np.float16))

    @classmethod
    def load(cls, folder: Path) -> SentenceVectors:
        return cls(
            json.loads((folder / _KEYS).read_text(encoding="utf-8")),
            np.load(folder / _OFFSETS),
            np.load(folder / _SPANS),
            np.load(folder / _VECTORS, mmap_mode="r"),
            np.load(folder / _SECOND, mmap_mode="r") if (folder / _SECOND).exists() else None,
        )
