"""Sentence vectors of every chunk, by both encoders, kept in the side index.

XQuAD-style questions target one sentence, and a paragraph's vector blurs it: retrieval
also scores a chunk by its best sentence. The extractive answer quotes sentences and reads
the same vectors instead of embedding sentences at question time. Vectors are keyed by a
hash of the chunk text, so a new generation reuses the previous one's and only sentences
of new or changed chunks are embedded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.index.rows import Int8Rows, StackedRows
from rag.text.sentences import split_sentences

_KEYS = "keys.json"
_OFFSETS = "offsets.npy"
_SPANS = "spans.npy"
_VECTORS = "vectors.npy"
_SECOND = "second.npy"
_SCALES = ".scales.npy"  # beside an int8 file: one scale per row

# Embeds passages (with the model's passage prefix): texts -> (n, dim) array.
Embed = Callable[[list[str]], np.ndarray]


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of a chunk, relative to the chunk text."""
    return [(s.start, s.end) for s in split_sentences(text)]


def _stack(rows: Sequence[np.ndarray]) -> np.ndarray:
    dim = next((r.shape[1] for r in rows if r.size), 0)
    parts = [r.reshape(-1, dim) for r in rows]
    return np.concatenate(parts) if parts else np.zeros((0, dim), np.float16)


@dataclass
class SentenceVectors:
    keys: list[str]  # text hash of chunk i (aligned with the side index's ids)
    offsets: np.ndarray  # sentences of chunk i are rows offsets[i]:offsets[i + 1]
    spans: np.ndarray  # (n_sentences, 2) start, end within the chunk text
    # (n_sentences, dim) by e5: float16 when built, int8 with scales when loaded
    vectors: np.ndarray | Int8Rows | StackedRows
    second: np.ndarray | Int8Rows | StackedRows  # the same sentences by the second encoder (USE)

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        embed: Embed,
        embed_second: Embed,
        *,
        previous: SentenceVectors | None = None,
        batch_size: int = 32,
        on_batch: Callable[[int], None] | None = None,
    ) -> SentenceVectors:
        """Vectors for every sentence of `texts`, reusing `previous` for unchanged chunks;
        `on_batch` hears of each e5 batch (the second encoder is fast)."""
        keys = [text_key(t) for t in texts]
        known = {k: i for i, k in enumerate(previous.keys)} if previous else {}
        spans: list[np.ndarray] = []
        reused: dict[int, int] = {}  # chunk i -> its row in `previous`
        todo: list[str] = []
        for i, (key, text) in enumerate(zip(keys, texts, strict=True)):
            found = sentence_spans(text)
            cut = np.asarray(found, dtype=np.int32).reshape(-1, 2)
            # reused only when split the same way: new sentence rules re-embed what they change
            if previous is not None and key in known:
                if np.array_equal(previous.chunk_spans(known[key]), cut):
                    reused[i] = known[key]
                    spans.append(cut)
                    continue
            spans.append(cut)
            todo += [text[a:b] for a, b in found]
        first, second = [], []
        for b in range(0, len(todo), batch_size):
            batch = todo[b : b + batch_size]
            first.append(np.asarray(embed(batch), dtype=np.float16))
            second.append(np.asarray(embed_second(batch), dtype=np.float16))
            if on_batch:
                on_batch(len(batch))
        fresh = (_stack(first), _stack(second))
        rows: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        cursor = 0
        for i, chunk_spans in enumerate(spans):
            if i in reused:
                j = reused[i]
                assert previous is not None
                rows[0].append(np.asarray(previous.chunk_vectors(j)))
                rows[1].append(np.asarray(previous.chunk_vectors(j, second=True)))
                continue
            n = len(chunk_spans)
            rows[0].append(fresh[0][cursor : cursor + n])
            rows[1].append(fresh[1][cursor : cursor + n])
            cursor += n
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(s) for s in spans])
        all_spans = np.concatenate(spans) if spans else np.zeros((0, 2), np.int32)
        return cls(keys, offsets, all_spans, _stack(rows[0]), _stack(rows[1]))

    @classmethod
    def joined(cls, parts: Sequence[SentenceVectors]) -> SentenceVectors:
        """The chunks of `parts` one after the other, their vectors read where they are."""
        shifts = np.cumsum([0] + [len(p.spans) for p in parts])
        offsets = [parts[0].offsets[:1]] if parts else [np.zeros(1, np.int64)]
        offsets += [p.offsets[1:] + shift for p, shift in zip(parts, shifts, strict=False)]
        return cls(
            [key for p in parts for key in p.keys],
            np.concatenate(offsets).astype(np.int64),
            np.concatenate([p.spans for p in parts]) if parts else np.zeros((0, 2), np.int32),
            StackedRows([p.vectors for p in parts]) if parts else np.zeros((0, 0), np.float16),
            StackedRows([p.second for p in parts]) if parts else np.zeros((0, 0), np.float16),
        )

    def take(self, chunks: np.ndarray) -> SentenceVectors:
        """Chunks `chunks` (positions, ascending) alone, their vectors copied."""
        starts, ends = self.offsets[chunks], self.offsets[np.asarray(chunks) + 1]
        sizes = ends - starts
        rows = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return SentenceVectors(
            [self.keys[i] for i in chunks],
            offsets,
            np.asarray(self.spans[rows]).reshape(-1, 2),
            np.asarray(self.vectors[rows], dtype=np.float16),
            np.asarray(self.second[rows], dtype=np.float16),
        )

    def chunk_spans(self, i: int) -> np.ndarray:
        return self.spans[self.offsets[i] : self.offsets[i + 1]]

    def chunk_vectors(self, i: int, *, second: bool = False) -> np.ndarray:
        vectors = self.second if second else self.vectors
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
        for name, rows in ((_VECTORS, self.vectors), (_SECOND, self.second)):
            codes, scales = Int8Rows.quantized(np.asarray(rows, dtype=np.float32))
            np.save(folder / name, codes)
            np.save(folder / (name.removesuffix(".npy") + _SCALES), scales)
        (folder / _KEYS).write_text(json.dumps(self.keys), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SentenceVectors:
        return cls(
            json.loads((folder / _KEYS).read_text(encoding="utf-8")),
            np.load(folder / _OFFSETS),
            np.load(folder / _SPANS),
            _rows(folder, _VECTORS),
            _rows(folder, _SECOND),
        )


def _rows(folder: Path, name: str) -> np.ndarray | Int8Rows:
    """Stored rows: int8 with their scales, or float16 as an earlier format kept them."""
    codes = np.load(folder / name, mmap_mode="r")
    scales = folder / (name.removesuffix(".npy") + _SCALES)
    return Int8Rows(codes, np.load(scales)) if scales.exists() else codes
