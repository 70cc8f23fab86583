"""Evidence for an answer: the sentences of the best passages, scored, and whether any of
them is strong enough to answer from at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.answer.safety import looks_like_injection
from rag.search.filters import Filters
from rag.search.passage import Passage, Retrieval
from rag.search.retriever import HybridRetriever
from rag.text.boilerplate import boilerplate_spans, is_boilerplate
from rag.text.leaning import quote_units
from rag.text.sentences import is_question
from rag.tuning import Tuning


@dataclass(frozen=True)
class ScoredSentence:
    passage: int  # index into the retrieved passages
    start: int  # offsets into the article body
    end: int
    text: str  # the sentence, or a leaning unit joined on one line
    score: float


@dataclass(frozen=True)
class Evidence:
    retrieval: Retrieval
    sentences: list[ScoredSentence]
    language: str  # of the text the passages were retrieved for


def is_heading(sentence: str) -> bool:
    """Headings are context, not statements: never quoted as an answer."""
    return len(sentence) < 100 and not sentence.rstrip().endswith(tuple(".!?…\"'”“»)"))


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
    """Retrieve passages for `text` and score the sentences of the best few that hold a
    quotable sentence (`scored`, default `tuning.evidence_passages`), with the cosines
    stored at index time."""
    retrieval = retriever.search(text, top_k, filters=filters, latest=latest)
    wanted = scored or tuning.evidence_passages
    # A passage with nothing quotable ("Juni.", a credit line) is dropped: short text sits
    # close to any question, and it would take the place of the passages that are scored
    # and lead the ranking that confidence reads.
    passages: list[Passage] = []
    sentences: list[ScoredSentence] = []
    for n, passage in enumerate(retrieval.passages):
        if len(passages) == wanted:
            passages += retrieval.passages[n:]  # not scored: kept as ranked
            break
        stored = retriever.sentence_vectors(passage)
        if stored is None:  # the article changed under this id since: nothing to score
            continue
        spans, vectors = stored
        cosines = np.asarray(vectors, dtype=np.float32) @ retrieval.query_vector
        units = _scored_units(passage, spans.tolist(), cosines.tolist(), len(passages), tuning)
        if units:
            passages.append(passage)
            sentences += units
    return Evidence(replace(retrieval, passages=passages), sentences, language)


def _scored_units(
    passage: Passage,
    spans: list[list[int]],
    cosines: list[float],
    index: int,
    tuning: Tuning,
) -> list[ScoredSentence]:
    """The quotable units of a passage (a sentence with those that lean on it), scored
    by their best sentence's cosine and the passage's (`tuning.passage_share`)."""
    asides = boilerplate_spans(passage.text)
    kept = [
        (a, b, cos)
        for (a, b), cos in zip(spans, cosines, strict=True)
        if quotable(passage.text[a:b]) and not any(x <= a < y for x, y in asides)
    ]
    # a sentence leaning on the one before is quoted with it (rag.text.leaning)
    adjacent = [
        j > 0 and not passage.text[kept[j - 1][1] : kept[j][0]].strip() for j in range(len(kept))
    ]
    share = tuning.passage_share
    units = []
    for first, last in quote_units([passage.text[a:b] for a, b, _ in kept], adjacent):
        a, b = kept[first][0], kept[last][1]
        cos = max(c for _, _, c in kept[first : last + 1])
        # one line even across a paragraph break; the offsets give the text as it stands
        text = " ".join(passage.text[x:y] for x, y, _ in kept[first : last + 1])
        score = (1 - share) * cos + share * passage.dense
        units.append(ScoredSentence(index, passage.start + a, passage.start + b, text, score))
    return units


def narrowed(evidence: Evidence, passages: int, scored: int) -> Evidence:
    """The evidence as a shallower search would have found it: its first `passages`
    passages, the sentences of the first `scored` (pure: the ranking does not depend on
    how many are asked for, and every scored passage holds sentences)."""
    retrieval = replace(evidence.retrieval, passages=evidence.retrieval.passages[:passages])
    kept = [s for s in evidence.sentences if s.passage < min(passages, scored)]
    return replace(evidence, retrieval=retrieval, sentences=kept)


def per_passage(
    pair: tuple[float, float], passages: Sequence[Passage], language: str
) -> list[float]:
    """A setting that differs by language pair, for each passage: `pair` holds its value
    for a passage in the question's `language` and for one in another (pure).

    E5 scores a question lower against text in another language than against text in its
    own, so each pair has its own thresholds."""
    same, cross = pair
    return [same if p.language == language else cross for p in passages]


def passage_lifts(evidence: Evidence, tuning: Tuning) -> list[float]:
    """What each passage's sentence scores gain to be on the scale of the question's
    language: the gap between the two abstention thresholds (pure)."""
    gap = tuning.abstain_threshold - tuning.abstain_threshold_crosslingual
    return per_passage((0.0, gap), evidence.retrieval.passages, evidence.language)


def lifted(evidence: Evidence, tuning: Tuning) -> list[float]:
    """Each sentence's score on the scale of the question's language (pure)."""
    lift = passage_lifts(evidence, tuning)
    return [s.score + lift[s.passage] for s in evidence.sentences]


def clears_threshold(evidence: Evidence, same_language: float, crosslingual: float) -> bool:
    """Whether some sentence reaches the abstention threshold of its language pair (pure)."""
    bars = per_passage(
        (same_language, crosslingual), evidence.retrieval.passages, evidence.language
    )
    return any(s.score >= bars[s.passage] for s in evidence.sentences)
