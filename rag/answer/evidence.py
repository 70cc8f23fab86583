"""Evidence for an answer: the sentences of the best passages, scored, and whether any of
them is strong enough to answer from at all."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.answer.safety import looks_like_injection
from rag.search.filters import Filters
from rag.search.passage import Retrieval
from rag.search.retriever import HybridRetriever
from rag.text.boilerplate import boilerplate_spans, is_boilerplate
from rag.text.leaning import quote_units
from rag.tuning import Tuning


@dataclass(frozen=True)
class ScoredSentence:
    passage: int  # index into the retrieved passages
    start: int  # offsets into the article body
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Evidence:
    retrieval: Retrieval
    sentences: list[ScoredSentence]
    language: str  # of the text the passages were retrieved for


def is_heading(sentence: str) -> bool:
    """Headings are context, not statements: never quoted as an answer."""
    return len(sentence) < 100 and not sentence.rstrip().endswith(tuple(".!?…\"'”“»)"))


def is_question(sentence: str) -> bool:
    """An article's own questions ("Haben Sie drei Minuten Zeit?") state nothing: never
    quoted as an answer."""
    return sentence.rstrip(" \"'”“»)").endswith("?")


def quotable(sentence: str) -> bool:
    """Whether a sentence may be quoted as evidence: a statement of the article, not a
    heading, a question, the page's own offer or prompt, or text aimed at an AI system."""
    return not (
        is_heading(sentence)
        or is_question(sentence)
        or is_boilerplate(sentence)
        or looks_like_injection(sentence)
    )


def gather_evidence(
    retriever: HybridRetriever,
    text: str,
    language: str,
    tuning: Tuning,
    top_k: int | None,
    *,
    filters: Filters | None = None,
    latest: bool = False,
    scored: int | None = None,
) -> Evidence:
    """Retrieve passages for `text` and score the sentences of the best few (`scored`,
    default `tuning.evidence_passages`).

    A sentence's score leans on its passage's relevance (`tuning.passage_share`) as well
    as its own cosine, read from the vectors stored at index time."""
    retrieval = retriever.search(text, top_k, filters=filters, latest=latest)
    share = tuning.passage_share
    sentences: list[ScoredSentence] = []
    for i, passage in enumerate(retrieval.passages[: scored or tuning.evidence_passages]):
        stored = retriever.sentence_vectors(passage)
        if stored is None:  # the article changed under this id since: nothing to score
            continue
        spans, vectors = stored
        cosines = np.asarray(vectors, dtype=np.float32) @ retrieval.query_vector
        asides = boilerplate_spans(passage.text)
        kept = [
            (a, b, cos)
            for (a, b), cos in zip(spans.tolist(), cosines.tolist(), strict=True)
            if quotable(passage.text[a:b]) and not any(x <= a < y for x, y in asides)
        ]
        # a sentence leaning on the one before is quoted with it (rag.text.leaning)
        adjacent = [
            j > 0 and not passage.text[kept[j - 1][1] : kept[j][0]].strip()
            for j in range(len(kept))
        ]
        for first, last in quote_units([passage.text[a:b] for a, b, _ in kept], adjacent):
            a, b = kept[first][0], kept[last][1]
            cos = max(c for _, _, c in kept[first : last + 1])
            score = (1 - share) * cos + share * passage.dense
            text = " ".join(passage.text[x:y] for x, y, _ in kept[first : last + 1])
            sentences.append(
                ScoredSentence(i, passage.start + a, passage.start + b, text, float(score))
            )
    return Evidence(retrieval, sentences, language)


def clears_threshold(evidence: Evidence, same_language: float, crosslingual: float) -> bool:
    """Whether some sentence reaches the abstention threshold of its language pair (pure).

    E5 scores a question lower against text in another language than against text in its
    own, so one threshold would refuse answerable cross-lingual questions and answer
    off-topic same-language ones; each pair has its own."""
    passages = evidence.retrieval.passages
    return any(
        s.score
        >= (same_language if passages[s.passage].language == evidence.language else crosslingual)
        for s in evidence.sentences
    )
