"""The on-disk format of a BM25 generation folder (rag.lexical), readable without bm25s.

A reindex that finds nothing to re-embed still rebuilds a generation written by an older
version (cheap: chunks and sentence vectors are reused), so the no-op check reads this
without loading bm25s or numpy.
"""

from __future__ import annotations

import json
from pathlib import Path

# Character n-gram length BM25 counts (rag.lexical).
GRAM = 4
# Written by generations that count n-grams; older generations (whole stems) lack it and
# are read as they were built. Kept tiny: every reindex, no-op included, reads it.
FORMAT_FILE = "lexical.json"
# The stems the corpus holds (JSON list), beside it: read only when the index is opened.
VOCABULARY_FILE = "vocabulary.json"
# The folder of the chunks' sentence vectors (rag.sentence_vectors).
SENTENCES_DIR = "sentences"
# The chunks' dense vectors (float16, aligned with the ids), a copy of what Chroma holds:
# retrieval scores candidates that only BM25 found without a round trip to Chroma.
CHUNK_VECTORS_FILE = "chunk_vectors.npy"


def gram_of(folder: Path) -> int | None:
    """The n-gram length the generation in `folder` was built with; None for whole stems
    (a generation written before n-grams). Queries read a generation as it was built."""
    try:
        meta = json.loads((folder / FORMAT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    gram = meta.get("gram") if isinstance(meta, dict) else None
    if not isinstance(gram, int) or gram < 1 or not (folder / VOCABULARY_FILE).is_file():
        return None
    return gram


def counts_grams(folder: Path) -> bool:
    """Whether the generation in `folder` counts the n-grams this version counts (else the
    next reindex rebuilds it)."""
    return gram_of(folder) == GRAM


def is_current(folder: Path, *, has_chunks: bool) -> bool:
    """Whether the generation in `folder` is in the format this version writes: its
    n-grams, and sentence and chunk vectors when the corpus has chunks (else the next
    reindex rebuilds it, reusing the chunks and their vectors)."""
    if not counts_grams(folder):
        return False
    return not has_chunks or (
        (folder / SENTENCES_DIR).is_dir() and (folder / CHUNK_VECTORS_FILE).is_file()
    )
