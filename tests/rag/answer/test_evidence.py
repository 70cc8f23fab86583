import numpy as np

from rag.answer.evidence import Evidence, ScoredSentence, clears_threshold
from rag.search.passage import Passage, Retrieval


def _evidence(question_language: str, scored: list[tuple[str, float]]) -> Evidence:
    """One passage per (article language, best sentence score)."""
    passages = [
        Passage(f"d{i}#0-9", f"d{i}.md", "T", "", lang, "text", 0, 9, 1.0, score)
        for i, (lang, score) in enumerate(scored)
    ]
    sentences = [ScoredSentence(i, 0, 9, "text", score) for i, (_, score) in enumerate(scored)]
    return Evidence(Retrieval(passages, np.zeros(3, np.float32), 1.0), sentences, question_language)


def test_each_language_pair_has_its_own_threshold() -> None:
    # 0.80 clears the cross-lingual threshold but not the same-language one
    assert clears_threshold(_evidence("en", [("de", 0.80)]), 0.82, 0.78)
    assert not clears_threshold(_evidence("de", [("de", 0.80)]), 0.82, 0.78)
    assert clears_threshold(_evidence("de", [("de", 0.82)]), 0.82, 0.78)
    assert not clears_threshold(_evidence("en", [("de", 0.77)]), 0.82, 0.78)


def test_any_sentence_of_a_mixed_language_corpus_can_clear_its_threshold() -> None:
    # a German passage at 0.80 fails a German question; an English one at 0.79 clears it
    assert clears_threshold(_evidence("de", [("de", 0.80), ("en", 0.79)]), 0.82, 0.78)
    assert not clears_threshold(_evidence("de", [("de", 0.80), ("en", 0.77)]), 0.82, 0.78)


def test_no_sentences_never_clear() -> None:
    assert not clears_threshold(_evidence("de", []), 0.0, 0.0)
