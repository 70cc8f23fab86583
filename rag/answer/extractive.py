"""Extractive answers: quote the sentences that best answer the question (pure).

Used when no language model is configured, and as the fallback when the model fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.citations import citation
from rag.answer.evidence import Evidence, ScoredSentence, clears_threshold
from rag.answer.phrases import phrase
from rag.answer.types import Answer, Citation
from rag.search.passage import Passage
from rag.tuning import Tuning


def select(
    sentences: Sequence[ScoredSentence], *, limit: int, margin: float
) -> list[ScoredSentence]:
    """Sentences to quote, at most `limit`.

    Passage ranking (dense + BM25 over a whole chunk) is more reliable than the score of
    a single short sentence, so the answer is anchored in the best-ranked passage: its
    best sentence plus the neighbours that make the best contiguous window (a "why" is
    often answered by the sentence after the one that names the subject). One sentence
    from another passage is added when it scores within `margin` of the anchor.
    """
    if not sentences:
        return []
    top = min(s.passage for s in sentences)
    own = sorted((s for s in sentences if s.passage == top), key=lambda s: s.start)
    anchor = max(range(len(own)), key=lambda i: own[i].score)
    width = max(1, min(limit - 1, len(own))) if limit > 1 else 1
    first = max(
        range(max(0, anchor - width + 1), min(anchor, len(own) - width) + 1),
        key=lambda i: sum(s.score for s in own[i : i + width]),
    )
    chosen = own[first : first + width]
    others = [s for s in sentences if s.passage != top]
    if others and len(chosen) < limit:
        best = max(others, key=lambda s: s.score)
        if best.score >= own[anchor].score - margin:
            chosen.append(best)
    return chosen


def compose(
    selected: Sequence[ScoredSentence], passages: Sequence[Passage], lead: str
) -> tuple[str, list[Citation]]:
    """Answer text with one `[n]` per quoted sentence, and the citations it refers to.

    Citations are numbered in order of first use. Sentences of one passage are quoted
    together, in article order, so the answer reads as the article does.
    """
    order: list[int] = []
    for s in selected:
        if s.passage not in order:
            order.append(s.passage)
    number = {p: n for n, p in enumerate(order, start=1)}
    lines = [lead, ""]
    citations = []
    for p in order:
        mine = [s for s in selected if s.passage == p]
        for s in sorted(mine, key=lambda s: s.start):
            lines.append(f"- {s.text} [{number[p]}]")
        best = max(mine, key=lambda s: s.score)
        citations.append(citation(number[p], passages[p], best.text))
    return "\n".join(lines), citations


def extractive_answer(evidence: Evidence, language: str, tuning: Tuning, sentences: int) -> Answer:
    """Up to `sentences` quoted sentences with citations, or the plain statement that the
    articles do not answer when no sentence clears its abstention threshold."""
    if not clears_threshold(
        evidence, tuning.abstain_threshold, tuning.abstain_threshold_crosslingual
    ):
        return Answer(phrase("abstain", language), "extractive")
    chosen = select(evidence.sentences, limit=sentences, margin=tuning.select_margin)
    text, citations = compose(chosen, evidence.retrieval.passages, phrase("lead", language))
    return Answer(text, "extractive", citations)
