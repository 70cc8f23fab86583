"""What a search returns: our own types, free of llama-index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its place in the article and its scores."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    language: str
    text: str
    start: int
    end: int
    score: float  # fused, in [0, 1] relative to the other candidates
    dense: float  # cosine similarity to the question
    date: str = ""  # the article's publication day, ISO ("" = undated)
    outlet: str = ""
    author: str = ""
    # Where else the story appeared (syndicated copies): {doc_id, outlet, source, date}.
    also: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]
    query_vector: np.ndarray
    term_coverage: float  # share of the question's terms that occur in the corpus
