"""What the index keeps beside Chroma, as a question reads it: the segments of one
generation (rag.index.generation), their rows one after the other, deleted rows masked.

Row i of `ids`, `vectors`, `facets` and `sentences` is one chunk; BM25 scores rows with
statistics over the live rows of every segment, so a score does not depend on how the
chunks are split into segments. A chunk id deleted in one segment and written again in a
later one (a changed article) maps to its live row in `position`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.index.bm25 import Bm25Index
from rag.index.generation import Generation, SegmentRef
from rag.index.layout import IndexLayout
from rag.index.rows import StackedRows
from rag.index.segment import Facets, Segment
from rag.index.sentence_vectors import SentenceVectors


@dataclass
class SideIndex:
    segments: Sequence[tuple[SegmentRef, Segment]]
    ids: list[str] = field(init=False)  # row i of every part below
    bm25: Bm25Index = field(init=False)
    sentences: SentenceVectors = field(init=False)
    vectors: StackedRows = field(init=False)  # (rows, dim) float16, memory-mapped
    facets: Facets = field(init=False)
    live: np.ndarray = field(init=False)  # which rows are live
    live_count: int = field(init=False)
    position: dict[str, int] = field(init=False, repr=False)  # live rows only

    def __post_init__(self) -> None:
        parts = [segment for _ref, segment in self.segments]
        self.ids = [cid for s in parts for cid in s.ids]
        live = [s.live(ref.deleted) for ref, s in self.segments]
        self.live = np.concatenate(live) if live else np.zeros(0, dtype=bool)
        self.live_count = int(np.count_nonzero(self.live))
        every = self.live_count == len(self.ids)
        self.bm25 = Bm25Index([s.postings for s in parts], None if every else self.live)
        self.sentences = SentenceVectors.joined([s.sentences for s in parts])
        self.vectors = StackedRows([s.vectors for s in parts])
        self.facets = Facets.joined([s.facets for s in parts])
        rows = range(len(self.ids)) if every else np.flatnonzero(self.live).tolist()
        self.position = {self.ids[i]: i for i in rows}

    @classmethod
    def load(cls, layout: IndexLayout, name: str) -> SideIndex:
        """Generation `name` with its segments (OSError or ValueError when not whole)."""
        generation = Generation.load(layout.generation(name))
        return cls([(ref, Segment.load(layout.segment(ref.name))) for ref in generation.segments])
