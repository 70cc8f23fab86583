"""Every tuned scoring value, in one typed group, so values calibrated together stay together.

The abstention thresholds were calibrated on sentence scores that lean on the passage's
relevance by `passage_share`, on passages ranked with the retrieval weights here: change one
and re-run `python -m bench.calibrate_abstention` for the others. The group is a settings
group (`Settings.tuning`, `RAG_TUNING__<NAME>` in the environment) so an experiment can
override a value without editing code; `bench/` reads its defaults from here.

Each value links to where docs/benchmarks.md measured it ("B" below = docs/benchmarks.md).
Values baked into the index format (BM25's character 4-grams, chunk sizes) live with that
format instead, and parsing rules (abbreviations, hard-wrap width) with their parsers.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


def _at(section: str) -> str:
    return f" (docs/benchmarks.md#{section})"


_EXPERIMENTS = _at("experiments")
_ROUND_2 = _at("second-round-2026-11-25")
_ROUND_3 = _at("third-round-2026-11-25")
_ABSTENTION = _at("abstention-threshold")
_PAIRS = _at("one-threshold-per-language-pair-2026-11-25")
_HAND = _at("tuned-values")
_CONFIDENCE = _at("answer-confidence-issue-18")
_SUPPORT = _at("claim-support-issue-19")
_UNSHARED = _at("a-question-that-shares-no-word-issue-25")


class Tuning(BaseModel):
    """Retrieval, evidence and abstention weights, measured on the XQuAD-de dev split."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Retrieval (rag.search)
    candidate_k: int = Field(
        30, ge=1, description="Candidates each retriever adds to the fusion pool" + _ROUND_3
    )
    dense_weight: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Dense share of the fused score when every question term occurs in the "
        "corpus; BM25 gets the rest times coverage²" + _EXPERIMENTS,
    )
    sentence_share: tuple[float, float] = Field(
        (0.2, 0.5),
        description="Best sentence's share of a chunk's dense score, for short and long "
        "chunks: a long paragraph's vector dilutes its one matching sentence" + _ROUND_2,
    )
    share_lengths: tuple[int, int] = Field(
        (400, 1000),
        description="Chunk lengths (characters) where the sentence share starts and stops "
        "growing" + _ROUND_2,
    )
    min_sentence_chars: int = Field(
        40,
        ge=0,
        description="Shorter sentences never count as a chunk's best one: a few words match "
        "on a name alone" + _EXPERIMENTS,
    )
    second_share: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Multilingual USE's share, times (1 − coverage)²: it speaks for "
        "cross-lingual questions, where e5 is weakest" + _EXPERIMENTS,
    )
    min_second_share: float = Field(
        0.02,
        ge=0.0,
        description="Below this share USE moves no ranking, so it is not run" + _ROUND_2,
    )
    article_prior: float = Field(
        0.2,
        ge=0.0,
        description="Share of a passage's score that comes from its article's best passage"
        + _ROUND_2,
    )

    # Evidence and abstention (rag.answer)
    evidence_passages: int = Field(
        3,
        ge=1,
        description="Best passages whose sentences are scored (the calibration's signal)"
        + _ABSTENTION,
    )
    passage_share: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="How much a sentence's score leans on its passage's cosine (context) "
        "rather than its own" + _ABSTENTION,
    )
    select_margin: float = Field(
        0.02,
        ge=0.0,
        description="A sentence of another passage is quoted too when it scores within this "
        "of the anchor sentence" + _HAND,
    )
    abstain_threshold: float = Field(
        0.82,
        ge=0.0,
        le=1.0,
        description="Sentence score below which the articles count as not answering, for a "
        "passage in the question's language" + _PAIRS,
    )
    abstain_threshold_crosslingual: float = Field(
        0.78,
        ge=0.0,
        le=1.0,
        description="The same for a passage in another language: e5 scores those lower" + _PAIRS,
    )
    abstain_threshold_unshared: float = Field(
        0.84,
        ge=0.0,
        le=1.0,
        description="The threshold for a question that shares no word with any article (no "
        "name, no number) and finds only passages in another language: across languages "
        'any short text sits near some sentence ("Mars rover landing")' + _UNSHARED,
    )
    confidence_weights: tuple[tuple[float, ...], tuple[float, ...]] = Field(
        (
            (-38.23, 26.6699, 32.3252, -12.1834, 13.8849, 4.1182, 0.8291, 5.0472),
            (-48.2122, 44.4147, 34.368, -15.1653, 12.4164, 2.5811, -0.7491, -0.9984),
        ),
        description="Logistic models of answer confidence, for evidence in the question's "
        "language and in another: intercept, then one weight per signal of "
        "rag.answer.confidence.FEATURES" + _CONFIDENCE,
    )
    confidence_high: tuple[float, float] = Field(
        (0.3471, 0.5),
        description="Probability from which the articles count as stating the answer (same "
        "language, cross-lingual): set to refuse 85 % of the on-topic questions they do not "
        "answer" + _CONFIDENCE,
    )
    support_threshold: tuple[float, float] = Field(
        (0.882, 0.842),
        description="Similarity from which a passage sentence supports a claim of a generated "
        "answer (claim in the passage's language, in another)" + _SUPPORT,
    )
    support_margin: float = Field(
        0.02,
        ge=0.0,
        description="A claim without a marker gets one when a passage supports it by this "
        "much over the threshold" + _HAND,
    )
    typed_margin: float = Field(
        0.04,
        ge=0.0,
        description="In the passage an answer quotes, a sentence holding the figure or time "
        "the question asks for leads when it scores within this of the passage's best" + _HAND,
    )
    latest_margin: float = Field(
        0.03,
        ge=0.0,
        description="Asked for the latest news, the newest article whose sentence scores "
        "within this of the best sentence (and holds the figure or time asked for) is "
        "quoted first" + _HAND,
    )
    timeline_margin: float = Field(
        0.07,
        ge=0.0,
        description="A timeline keeps the articles whose best sentence scores within this "
        "of the best article's" + _HAND,
    )
    question_language_prior: float = Field(
        5.0,
        ge=0.0,
        description="Nats by which another language must lead German and English to be a "
        "question's language: short questions and names mislead the detector" + _PAIRS,
    )
