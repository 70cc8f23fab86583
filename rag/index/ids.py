"""Deterministic ids: the same article text always yields the same ids (pure)."""

from __future__ import annotations

from pathlib import Path


def doc_id_for(path: Path, corpus_dir: Path) -> str:
    """An article's id: its path relative to the corpus, with forward slashes."""
    return path.relative_to(corpus_dir).as_posix()


def chunk_id(doc_id: str, start: int, end: int) -> str:
    """A chunk's id: its article and its character range in the article body."""
    return f"{doc_id}#{start}-{end}"


def article_of(chunk: str) -> str:
    """The document id a chunk id belongs to (ids may themselves contain '#')."""
    return chunk.rsplit("#", 1)[0]
