"""Answer confidence: the signals of hand-made evidence, the model, and the grades."""

import math

import numpy as np
import pytest

from rag import Tuning
from rag.answer.confidence import FEATURES, grade, overlap, probability, signals
from rag.answer.evidence import Evidence, ScoredSentence
from rag.search.passage import Passage, Retrieval

RHINE = "Der Rhein ist 1233 Kilometer lang."


def _passage(doc: str, score: float, dense: float, language: str = "de") -> Passage:
    return Passage(f"{doc}#{score}", doc, "T", "", language, RHINE, 0, 40, score, dense)


def _evidence(language: str = "de") -> Evidence:
    passages = [
        _passage("a", 1.0, 0.86),
        _passage("a", 0.7, 0.84),
        _passage("b", 0.5, 0.80, language="en"),
    ]
    sentences = [
        ScoredSentence(0, 0, 34, RHINE, 0.88),
        ScoredSentence(0, 35, 60, "Er fließt durch Basel.", 0.83),
        ScoredSentence(1, 0, 20, "Köln liegt am Rhein.", 0.85),
        ScoredSentence(2, 0, 20, "The Rhine is long.", 0.80),  # other language: lifted 0.04
    ]
    return Evidence(Retrieval(passages, np.zeros(3), 0.75), sentences, language)


def test_signals_of_the_best_sentence() -> None:
    found = signals(_evidence(), "Wie lang ist der Rhein?", Tuning())
    assert found is not None and not found.crosslingual
    assert len(found.values) == len(FEATURES)
    values = dict(zip(FEATURES, found.values, strict=True))
    assert values["best"] == pytest.approx(0.88)
    assert values["gap_passage"] == pytest.approx(0.88 - 0.85)
    assert values["gap_article"] == pytest.approx(0.88 - 0.84)  # the lifted English one
    assert values["passage_dense"] == pytest.approx(0.86)
    assert values["passage_gap"] == pytest.approx(0.3)
    assert values["coverage"] == pytest.approx(0.75)
    assert values["overlap"] == pytest.approx(1.0)  # "lang", "rhein"


def test_signals_lift_cross_lingual_sentences_and_flag_the_pair() -> None:
    found = signals(_evidence(language="en"), "How long is the Rhine?", Tuning())
    assert found is not None and found.crosslingual  # the best sentence is German
    assert found.values[0] == pytest.approx(0.92)
    assert signals(Evidence(_evidence().retrieval, [], "de"), "x", Tuning()) is None


def test_overlap_stems_in_the_sentence_language() -> None:
    s = ScoredSentence(0, 0, 10, "Die Flüsse sind lang.", 0.8)
    assert overlap("Welcher Fluss ist lang?", s, "de") == 1.0
    assert overlap("Wie heißt der CEO?", s, "de") == 0.0
    assert overlap("?", s, "de") == 0.0


def test_probability_is_the_logistic_of_the_weighted_sum() -> None:
    assert probability([1.0, 2.0], [0.5, 1.0, -1.0]) == pytest.approx(1 / (1 + math.exp(0.5)))
    assert probability([1e6], [0.0, 1.0]) == pytest.approx(1.0)  # no overflow
    with pytest.raises(ValueError, match="weights"):
        probability([1.0], [1.0])


def test_grade_high_low_and_none() -> None:
    evidence = _evidence()
    zeros = ((0.0,) * 8, (0.0,) * 8)  # p = 0.5 whatever the evidence
    sure = Tuning(confidence_weights=zeros, confidence_high=(0.4, 0.4))
    unsure = Tuning(confidence_weights=zeros, confidence_high=(0.6, 0.6))
    assert grade(evidence, "Wie lang ist der Rhein?", sure) == ("high", 0.5)
    assert grade(evidence, "Wie lang ist der Rhein?", unsure) == ("low", 0.5)
    # below the abstention threshold the articles are not about it: none, whatever p says
    strict = sure.model_copy(
        update={"abstain_threshold": 0.95, "abstain_threshold_crosslingual": 0.95}
    )
    assert grade(evidence, "x", strict)[0] == "none"
    assert grade(Evidence(evidence.retrieval, [], "de"), "x", sure) == ("none", 0.0)


def test_the_shipped_model_prefers_a_standout_sentence() -> None:
    tuning = Tuning()
    base = [0.86, 0.03, 0.06, 0.84, 0.2, 0.8, 0.5]
    standout = [0.88, 0.08, 0.08, 0.86, 0.5, 0.8, 0.8]
    for pair in (0, 1):
        w = tuning.confidence_weights[pair]
        assert probability(standout, w) > probability(base, w)
