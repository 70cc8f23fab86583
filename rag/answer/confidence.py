"""How sure the evidence is that the articles state the answer: a small logistic model over
signals of the scored sentences (pure).

One score cannot tell "the articles state it" from "the articles are about it": an
on-topic question whose fact is missing still finds sentences about its subject. What
differs is the shape of the evidence: the answering sentence stands out from the others
of its passage and article, shares the question's terms, and its passage leads the ranking.
The weights were fitted by `python -m bench.abstention_experiments` (cross-validated by
article) and live in `rag.tuning`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.evidence import Evidence, ScoredSentence, clears_threshold, lifted
from rag.answer.types import Confidence
from rag.index.bm25 import tokenize
from rag.text.answer_types import answer_type, holds
from rag.tuning import Tuning

# The model's inputs, in the order of `Tuning.confidence_weights` (after the intercept).
# There is one model per language pair (the best sentence in the question's language or
# not), as there is one threshold per pair: the signals weigh differently across languages.
FEATURES = (
    "best",  # the best sentence's score, cross-lingual ones lifted to the same scale
    "gap_passage",  # its lead over the best sentence of any other passage
    "gap_article",  # its lead over the best sentence of any other article
    "passage_dense",  # its passage's cosine to the question
    "passage_gap",  # the first passage's fused score over the second's
    "coverage",  # share of the question's terms that occur in the corpus at all
    "overlap",  # share of the question's terms that occur in the best sentence
)
# A score no real sentence falls below (e5 cosines of unrelated text sit near 0.7): the
# lead of a best sentence that has no rival.
_FLOOR = 0.7


@dataclass(frozen=True)
class Signals:
    crosslingual: bool  # the best sentence is in another language than the question
    values: list[float]  # of FEATURES


def signals(evidence: Evidence, question: str, tuning: Tuning) -> Signals | None:
    """The values of FEATURES for this evidence, or None when no sentence was scored."""
    if not evidence.sentences:
        return None
    scores = lifted(evidence, tuning)
    top = max(range(len(scores)), key=scores.__getitem__)
    best, lead = evidence.sentences[top], scores[top]
    passages = evidence.retrieval.passages
    mine = passages[best.passage]

    def rival(keep: Sequence[bool]) -> float:
        return max((x for x, k in zip(scores, keep, strict=True) if k), default=_FLOOR)

    other_passage = [s.passage != best.passage for s in evidence.sentences]
    other_article = [passages[s.passage].doc_id != mine.doc_id for s in evidence.sentences]
    ranked = [p.score for p in passages]
    values = [
        lead,
        lead - rival(other_passage),
        lead - rival(other_article),
        mine.dense,
        ranked[0] - ranked[1] if len(ranked) > 1 else 1.0,
        evidence.retrieval.term_coverage,
        overlap(question, best, mine.language),
    ]
    # numpy scalars in, plain floats out
    return Signals(mine.language != evidence.language, [float(v) for v in values])


def overlap(question: str, sentence: ScoredSentence, language: str) -> float:
    """Share of the question's word stems that the sentence holds, both stemmed in the
    sentence's language (names and numbers match across languages)."""
    terms = set(tokenize(question, language))
    if not terms:
        return 0.0
    return len(terms & set(tokenize(sentence.text, language))) / len(terms)


def probability(values: Sequence[float], weights: Sequence[float]) -> float:
    """The logistic model: `weights` are the intercept, then one per feature."""
    if len(weights) != len(values) + 1:
        raise ValueError(f"{len(weights)} weights for {len(values)} features and an intercept")
    z = weights[0] + sum(w * x for w, x in zip(weights[1:], values, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def grade(evidence: Evidence, question: str, tuning: Tuning) -> tuple[Confidence, float]:
    """none: no sentence reaches the abstention threshold of its language pair (the
    articles are not about this: say they do not answer); high: the model is sure enough
    to quote it as the answer; low: show the closest passages as such. With the model's
    probability (0 without evidence).

    The model, fitted on Wikipedia articles, only ever raises an answer to high: news
    repeats a story over many passages, where no sentence stands out, so it must not be
    the one to refuse outright."""
    found = signals(evidence, question, tuning)
    if found is None:
        return "none", 0.0
    pair = int(found.crosslingual)
    p = probability(found.values, tuning.confidence_weights[pair])
    if not clears_threshold(
        evidence, tuning.abstain_threshold, tuning.abstain_threshold_crosslingual
    ):
        return "none", p
    best, coverage = found.values[0], found.values[FEATURES.index("coverage")]
    if found.crosslingual and coverage == 0.0 and best < tuning.abstain_threshold_unshared:
        return "none", p
    if p < tuning.confidence_high[pair] or not gives_what_is_asked(evidence, question):
        return "low", p
    return "high", p


def gives_what_is_asked(evidence: Evidence, question: str) -> bool:
    """Whether the passage an answer anchors in (the best-ranked one with sentences)
    holds the kind of answer the question asks for (a figure for "how many", a time for
    "when"; rag.text.answer_types): without one, it is about the subject, not the answer."""
    wanted = answer_type(question)
    if wanted is None or not evidence.sentences:
        return True
    anchor = min(s.passage for s in evidence.sentences)
    return any(holds(s.text, wanted) for s in evidence.sentences if s.passage == anchor)
