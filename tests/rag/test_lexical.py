"""BM25 over character n-grams of stems: compounds match, coverage counts whole stems."""

from pathlib import Path

import numpy as np

from rag.lexical import LexicalIndex, grams, tokenize
from rag.lexical_format import FORMAT_FILE, counts_grams, is_current

TEXTS = [
    "Lady Gaga sang die Nationalhymne vor dem Spiel.",
    "Die Mannschaft gewann das Endspiel mit drei Toren Vorsprung.",
    "Der Stadtrat beschloss neue Radwege in der Innenstadt.",
]
IDS = ["a", "b", "c"]


def test_grams_mark_word_ends_and_keep_short_stems_whole() -> None:
    assert grams(["hymn"]) == ["#hym", "hymn", "ymn#"]
    assert grams(["ab"]) == ["#ab#"]
    assert grams([]) == []


def test_part_of_a_compound_finds_the_compound() -> None:
    index = LexicalIndex.build(IDS, TEXTS, ["de"] * 3)
    scores, coverage = index.scores("Wer sang die Hymne?")
    assert int(np.argmax(scores)) == 0, "'Hymne' matches inside 'Nationalhymne'"
    assert "hymn" not in tokenize(TEXTS[0], "de"), "no whole-stem match was possible"
    # "hymn" is not a stem of the corpus (only "nationalhymn"): coverage counts stems
    assert 0 < coverage < 1


def test_coverage_is_low_for_a_question_in_another_language() -> None:
    index = LexicalIndex.build(IDS, TEXTS, ["de"] * 3)
    _scores, german = index.scores("Gewann die Mannschaft das Endspiel?")
    _scores, english = index.scores("Which team won the final?")
    assert german == 1.0
    assert english < 0.5


def test_saved_generation_round_trips(tmp_path: Path) -> None:
    index = LexicalIndex.build(IDS, TEXTS, ["de"] * 3)
    index.save(tmp_path)
    assert counts_grams(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.vocabulary == index.vocabulary
    for question in ("Wer sang die Hymne?", "Radwege in der Stadt"):
        np.testing.assert_allclose(loaded.scores(question)[0], index.scores(question)[0])


def test_generation_of_whole_stems_is_still_read(tmp_path: Path) -> None:
    """An index written before n-grams answers until the next reindex replaces it."""
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index([tokenize(t, "de") for t in TEXTS], show_progress=False)
    LexicalIndex(bm25, IDS, ["de"]).save(tmp_path)
    assert not (tmp_path / FORMAT_FILE).exists() and not counts_grams(tmp_path)
    old = LexicalIndex.load(tmp_path)
    assert old.vocabulary is None
    scores, coverage = old.scores("Gewann die Mannschaft das Endspiel?")
    assert int(np.argmax(scores)) == 1 and coverage == 1.0


def test_generation_of_other_grams_is_read_as_built(tmp_path: Path) -> None:
    """A generation of another n-gram length (an older or newer version) is queried with
    its own grams until the next reindex rebuilds it, not as whole stems."""
    import bm25s

    stems = [tokenize(t, "de") for t in TEXTS]
    bm25 = bm25s.BM25()
    bm25.index([grams(s, 3) for s in stems], show_progress=False)
    vocabulary = frozenset(w for s in stems for w in s)
    built = LexicalIndex(bm25, IDS, ["de"], vocabulary=vocabulary, gram=3)
    built.save(tmp_path)
    assert not counts_grams(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.gram == 3 and loaded.vocabulary == vocabulary
    question = "Wer sang die Hymne?"
    np.testing.assert_allclose(loaded.scores(question)[0], built.scores(question)[0])
    assert int(np.argmax(loaded.scores(question)[0])) == 0  # "Nationalhymne" through its 3-grams


def test_empty_corpus() -> None:
    index = LexicalIndex.build([], [], [])
    scores, coverage = index.scores("irgendwas")
    assert len(scores) == 0 and coverage == 0.0


def test_chunk_vectors_round_trip_as_float16(tmp_path: Path) -> None:
    index = LexicalIndex.build(IDS, TEXTS, ["de"] * 3)
    vectors = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    index.vectors = vectors
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.vectors is not None and loaded.vectors.dtype == np.float16
    np.testing.assert_allclose(loaded.vectors, vectors, atol=2e-3)


def test_generation_without_chunk_vectors_is_read_and_not_current(tmp_path: Path) -> None:
    LexicalIndex.build(IDS, TEXTS, ["de"] * 3).save(tmp_path)
    assert LexicalIndex.load(tmp_path).vectors is None
    assert is_current(tmp_path, has_chunks=False)
    assert not is_current(tmp_path, has_chunks=True), "the next reindex adds them"
