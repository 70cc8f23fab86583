from rag.answer.evidence import ScoredSentence
from rag.answer.extractive import compose, select
from rag.search.passage import Passage


def _passage(i: int, text: str) -> Passage:
    return Passage(
        f"d#{i}", "d.md", "Title", "", "de", text, i * 100, i * 100 + len(text), 1.0 - i / 10, 0.8
    )


def _s(p: int, start: int, score: float, text: str = "") -> ScoredSentence:
    return ScoredSentence(p, start, start + 10, text or f"s{p}-{start}", score)


def test_anchor_window_in_top_passage_then_one_supporting_sentence() -> None:
    sentences = [_s(0, 0, 0.83), _s(0, 20, 0.77), _s(0, 40, 0.70), _s(1, 0, 0.82), _s(1, 20, 0.90)]
    chosen = select(sentences, limit=3, margin=0.02)
    assert [(s.passage, s.start) for s in chosen] == [(0, 0), (0, 20), (1, 20)]


def test_weak_sentences_of_other_passages_are_left_out() -> None:
    sentences = [_s(0, 0, 0.85), _s(0, 20, 0.80), _s(1, 0, 0.82)]
    assert [(s.passage, s.start) for s in select(sentences, limit=3, margin=0.02)] == [
        (0, 0),
        (0, 20),
    ]


def test_window_picks_best_neighbour_and_respects_limit() -> None:
    sentences = [_s(0, 0, 0.70), _s(0, 20, 0.90), _s(0, 40, 0.80)]
    assert [s.start for s in select(sentences, limit=3, margin=0.0)] == [20, 40]
    assert [s.start for s in select(sentences, limit=1, margin=0.0)] == [20]
    assert select([], limit=3, margin=0.02) == []


def test_compose_numbers_citations_by_first_use() -> None:
    passages = [_passage(0, "Erster Satz. Zweiter Satz."), _passage(1, "Anderer Satz.")]
    chosen = [
        _s(1, 100, 0.9, "Anderer Satz."),
        _s(0, 13, 0.8, "Zweiter Satz."),
        _s(0, 0, 0.85, "Erster Satz."),
    ]
    text, citations = compose(chosen, passages, "Lead:")
    assert text.splitlines() == [
        "Lead:",
        "",
        "- Anderer Satz. [1]",
        "- Erster Satz. [2]",
        "- Zweiter Satz. [2]",
    ]
    assert [(c.n, c.text, c.quote) for c in citations] == [
        (1, "Anderer Satz.", "Anderer Satz."),
        (2, "Erster Satz. Zweiter Satz.", "Erster Satz."),
    ]
