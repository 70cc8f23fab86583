"""Syndicated copies: the same agency story (dpa, Reuters, AP) in several outlets, with
another headline or a changed first paragraph, is indexed once.

Candidates come from MinHash LSH over word 5-grams (datasketch); each candidate pair is
confirmed on the texts' shingles. Of a group of copies the earliest is kept (undated ones
last; on the same day the one already indexed, then the first by path), and the others
are recorded on it. Signatures are cached by content hash, so a reindex computes them for
new texts only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.metadata import When
from rag.index.files import atomic_write

NUM_PERM = 128
SHINGLE_WORDS = 5
# LSH finds pairs above about this Jaccard similarity; the text check then asks for more.
CANDIDATE_JACCARD = 0.4
# Two outlets' copies of one story share ~0.6 of their word 5-grams with one paragraph
# rewritten; two different stories on one topic share well under 0.1.
SAME_STORY_JACCARD = 0.5
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[str]:
    """The text's lower-cased runs of five words (pure)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def signature(text: str) -> np.ndarray:
    """The text's MinHash signature (uint32, NUM_PERM values)."""
    from datasketch import MinHash  # deferred: it loads scipy

    minhash = MinHash(num_perm=NUM_PERM)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


@dataclass(frozen=True)
class Candidate:
    doc_id: str
    when: When  # its publication time, as far as known
    indexed: bool  # kept already: at the same time it stays the one kept
    signature: np.ndarray


def _rank(c: Candidate) -> tuple[bool, tuple[str, bool, float], bool, str]:
    return (not c.when.day, c.when.order(), not c.indexed, c.doc_id)


def find_copies(items: Sequence[Candidate], text_of: Callable[[str], str]) -> dict[str, str]:
    """Each copy's doc id, to the doc id of the copy that is kept."""
    if len(items) < 2:
        return {}
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    hashes = {
        c.doc_id: LeanMinHash(seed=1, hashvalues=c.signature, scheme="affine32") for c in items
    }
    for doc_id, minhash in hashes.items():
        lsh.insert(doc_id, minhash)
    parent = {c.doc_id: c.doc_id for c in items}

    def root(doc: str) -> str:
        while parent[doc] != doc:
            parent[doc] = parent[parent[doc]]
            doc = parent[doc]
        return doc

    texts: dict[str, set[str]] = {}

    def shingles_of(doc: str) -> set[str]:
        if doc not in texts:
            texts[doc] = shingles(text_of(doc))
        return texts[doc]

    for doc_id, minhash in hashes.items():
        for other in lsh.query(minhash):
            if other <= doc_id or root(other) == root(doc_id):
                continue
            if jaccard(shingles_of(doc_id), shingles_of(other)) >= SAME_STORY_JACCARD:
                parent[root(other)] = root(doc_id)
    groups: dict[str, list[Candidate]] = {}
    for c in items:
        groups.setdefault(root(c.doc_id), []).append(c)
    copies: dict[str, str] = {}
    for members in groups.values():
        kept = min(members, key=_rank)
        copies.update({c.doc_id: kept.doc_id for c in members if c is not kept})
    return copies


def load_signatures(path: Path) -> dict[str, np.ndarray]:
    """Cached signatures by content hash ({} when there are none or they are unreadable)."""
    try:
        with np.load(path) as data:
            return dict(zip(data["hashes"].tolist(), data["signatures"], strict=True))
    except (OSError, ValueError, KeyError):
        return {}


def save_signatures(path: Path, signatures: dict[str, np.ndarray]) -> None:
    keys = sorted(signatures)
    matrix = np.stack([signatures[k] for k in keys]) if keys else np.zeros((0, NUM_PERM), np.uint32)
    buffer = io.BytesIO()
    np.savez(buffer, hashes=np.asarray(keys), signatures=matrix)
    atomic_write(path, buffer.getvalue())
