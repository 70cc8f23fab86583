"""BM25 over character n-grams of stems: compounds match, coverage counts whole stems."""

from pathlib import Path

import numpy as np

from rag.index.bm25 import Bm25Index, Postings, grams, tokenize

TEXTS = [
    "Lady Gaga sang die Nationalhymne vor dem Spiel.",
    "Die Mannschaft gewann das Endspiel mit drei Toren Vorsprung.",
    "Der Stadtrat beschloss neue Radwege in der Innenstadt.",
]


def test_grams_mark_word_ends_and_keep_short_stems_whole() -> None:
    assert grams(["hymn"]) == ["#hym", "hymn", "ymn#"]
    assert grams(["ab"]) == ["#ab#"]
    assert grams([]) == []


def test_part_of_a_compound_finds_the_compound() -> None:
    index = Bm25Index.build(TEXTS, ["de"] * 3)
    scores, coverage = index.scores("Wer sang die Hymne?")
    assert int(np.argmax(scores)) == 0, "'Hymne' matches inside 'Nationalhymne'"
    assert "hymn" not in tokenize(TEXTS[0], "de"), "no whole-stem match was possible"
    # "hymn" is not a stem of the corpus (only "nationalhymn"): coverage counts stems
    assert 0 < coverage < 1


def test_coverage_is_low_for_a_question_in_another_language() -> None:
    index = Bm25Index.build(TEXTS, ["de"] * 3)
    _scores, german = index.scores("Gewann die Mannschaft das Endspiel?")
    _scores, english = index.scores("Which team won the final?")
    assert german == 1.0
    assert english < 0.5


def test_saved_index_round_trips(tmp_path: Path) -> None:
    index = Bm25Index.build(TEXTS, ["de"] * 3)
    index.parts[0].save(tmp_path)
    loaded = Bm25Index([Postings.load(tmp_path)])
    assert loaded.parts[0].vocabulary == index.parts[0].vocabulary
    assert loaded.languages == ["de"]
    for question in ("Wer sang die Hymne?", "Radwege in der Stadt"):
        np.testing.assert_allclose(loaded.scores(question)[0], index.scores(question)[0])


def test_empty_corpus(tmp_path: Path) -> None:
    index = Bm25Index.build([], [])
    scores, coverage = index.scores("irgendwas")
    assert len(scores) == 0 and coverage == 0.0
    index.parts[0].save(tmp_path)
    assert len(Bm25Index([Postings.load(tmp_path)]).scores("irgendwas")[0]) == 0
