import numpy as np

from rag import Tuning
from rag.answer.evidence import Evidence, ScoredSentence
from rag.answer.extractive import compose, extractive_answer, newest_day, overview_answer, select
from rag.search.passage import Passage, Retrieval


def _passage(i: int, text: str) -> Passage:
    return Passage(
        f"d#{i}", "d.md", "Title", "", "de", text, i * 100, i * 100 + len(text), 1.0 - i / 10, 0.8
    )


def _s(p: int, start: int, score: float, text: str = "") -> ScoredSentence:
    # long enough by default to join an anchor as its neighbour
    return ScoredSentence(
        p, start, start + 10, text or f"s{p}-{start} {'states a fact ' * 5}", score
    )


def test_anchor_window_in_top_passage_then_one_supporting_sentence() -> None:
    sentences = [_s(0, 0, 0.83), _s(0, 20, 0.77), _s(0, 40, 0.70), _s(1, 0, 0.82), _s(1, 20, 0.90)]
    chosen = select(sentences, limit=3, margin=0.02)
    assert [(s.passage, s.start) for s in chosen] == [(0, 0), (0, 20), (1, 20)]


def test_a_slot_left_over_goes_to_the_next_best_sentence_of_the_passage() -> None:
    # the answer two sentences before the topic sentence: not in the anchor's window
    sentences = [_s(0, 0, 0.87), _s(0, 20, 0.70), _s(0, 40, 0.80), _s(0, 60, 0.89)]
    assert [s.start for s in select(sentences, limit=3, margin=0.02)] == [40, 60, 0]
    assert [s.start for s in select(sentences, limit=2, margin=0.02)] == [60, 0]


def test_short_neighbours_do_not_join_the_anchor() -> None:
    filler = "Microsoft hat bereits mit den Vorbereitungen begonnen."
    sentences = [_s(0, 0, 0.79, filler), _s(0, 20, 0.81), _s(0, 40, 0.75)]
    chosen = select(sentences, limit=3, margin=0.02)
    assert [s.start for s in chosen] == [20, 40]


def test_compose_quotes_each_passage_best_sentence_first() -> None:
    sentences = [_s(0, 0, 0.80, "Context first."), _s(0, 20, 0.86, "The answer.")]
    text, citations = compose(sentences, [_passage(0, "x" * 50)], "Lead:")
    assert text.splitlines()[2:] == ["- The answer. [1]", "- Context first. [1]"]
    assert citations[0].quote == "The answer."


def test_weak_sentences_of_other_passages_are_left_out() -> None:
    sentences = [_s(0, 0, 0.85), _s(0, 20, 0.80), _s(1, 0, 0.82)]
    assert [(s.passage, s.start) for s in select(sentences, limit=3, margin=0.02)] == [
        (0, 0),
        (0, 20),
    ]


def test_window_picks_best_neighbour_and_respects_limit() -> None:
    sentences = [_s(0, 0, 0.70), _s(0, 20, 0.90), _s(0, 40, 0.80)]
    assert [s.start for s in select(sentences, limit=2, margin=0.0)] == [20, 40]
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


def _dated(i: int, doc: str, date: str, outlet: str, text: str) -> Passage:
    return Passage(
        f"{doc}#0", doc, doc, "", "de", text, 0, len(text), 1.0 - i / 10, 0.9, date, outlet
    )


def test_compose_orders_articles_by_date_with_their_bylines_undated_last() -> None:
    passages = [
        _dated(0, "b.md", "2024-03-09", "Tagblatt", "Nun 1.500 Stellen."),
        _dated(1, "c.md", "", "", "Ohne Datum."),
        _dated(2, "a.md", "2024-03-04", "Seekurier", "Erst 1.200 Stellen."),
    ]
    chosen = [_s(0, 0, 0.9, "Nun 1.500 Stellen."), _s(1, 0, 0.85, "Ohne Datum.")]
    chosen.append(_s(2, 0, 0.88, "Erst 1.200 Stellen."))
    text, citations = compose(chosen, passages, "Lead:", "de")
    assert text.splitlines()[2:] == [
        "- Seekurier, 4. März 2024: Erst 1.200 Stellen. [1]",
        "- Tagblatt, 9. März 2024: Nun 1.500 Stellen. [2]",
        "- Ohne Datum. [3]",
    ]
    assert [(c.doc_id, c.date, c.outlet) for c in citations] == [
        ("a.md", "2024-03-04", "Seekurier"),
        ("b.md", "2024-03-09", "Tagblatt"),
        ("c.md", None, ""),
    ]
    assert newest_day(passages) == "2024-03-09"
    assert newest_day([passages[1]]) == ""


def test_asked_for_the_latest_no_older_article_is_added_and_the_lead_says_as_of() -> None:
    passages = [
        _dated(0, "new.md", "2024-06-20", "Tagblatt", "Es sind 1.400 Stellen."),
        _dated(1, "old.md", "2024-03-09", "Tagblatt", "Es sind 1.500 Stellen."),
    ]
    sentences = [_s(0, 0, 0.90, "Es sind 1.400 Stellen."), _s(1, 0, 0.91, "Es sind 1.500 Stellen.")]
    plain = select(sentences, limit=2, margin=0.05)
    latest = select(sentences, limit=2, margin=0.05, dates=[p.date for p in passages])
    assert {s.passage for s in plain} == {0, 1}
    assert {s.passage for s in latest} == {0}
    evidence = Evidence(Retrieval(passages, np.zeros(3), 1.0), sentences, "de")
    answer = extractive_answer(evidence, "de", Tuning(), 2, confidence="high", latest=True)
    assert answer.text.startswith("Stand 20. Juni 2024 sagen die Artikel dazu:")
    assert "1.500" not in answer.text


def test_overview_quotes_each_articles_first_sentence_in_date_order() -> None:
    passages = [
        _dated(0, "b.md", "2024-06-06", "Tagblatt", "B eins. B zwei."),
        _dated(1, "a.md", "2024-06-03", "Seekurier", "A eins."),
        _dated(2, "c.md", "2024-06-05", "Seekurier", "C eins."),
    ]
    sentences = [_s(0, 8, 0.9, "B zwei."), _s(0, 0, 0.7, "B eins."), _s(1, 0, 0.1, "A eins.")]
    sentences.append(_s(2, 0, 0.2, "C eins."))
    evidence = Evidence(Retrieval(passages, np.zeros(3), 1.0), sentences, "en")
    answer = overview_answer(evidence, "en", "articles from 3–9 June 2024", articles=2)
    assert answer.text.splitlines() == [
        "The articles from 3–9 June 2024 report (quoted in their original language):",
        "",
        "- Seekurier, 3 June 2024: A eins. [1]",
        "- Tagblatt, 6 June 2024: B eins. [2]",
    ], "the two best-ranked articles, each by its first sentence, however weak the scores"


def test_scores_in_another_language_are_lifted_before_passages_are_compared() -> None:
    """An English anchor at 0.78 clears the cross-lingual threshold; a German sentence at
    0.795 from another passage is weak for a German question (below 0.82): lifted by the
    thresholds' gap, the anchor is at 0.82 and the German sentence no longer near it."""
    sentences = [_s(0, 0, 0.78), _s(1, 0, 0.795)]
    assert {s.passage for s in select(sentences, limit=3, margin=0.02)} == {0, 1}
    lifted = select(sentences, limit=3, margin=0.02, lift=[0.04, 0.0])
    assert {s.passage for s in lifted} == {0}


def _on_day(day: str, i: int) -> Passage:
    return Passage(f"d{i}#0", f"d{i}.md", "T", "", "de", "text", 0, 9, 1.0 - i / 10, 0.8, day)


def test_the_latest_anchors_in_the_newest_close_article_that_holds_the_figure() -> None:
    passages = [_on_day("2020-06-17", 0), _on_day("2020-06-24", 1), _on_day("2020-06-28", 2)]
    sentences = [
        _s(0, 0, 0.90, "Die App wurde 6,5 Millionen Mal geladen, teilte das Ministerium mit."),
        _s(1, 0, 0.88, "Die App wurde 12,6 Millionen Mal geladen, teilte das RKI am Mittwoch mit."),
        _s(2, 0, 0.89, "Die App soll helfen, Infektionsketten schneller zu unterbrechen, hieß es."),
    ]
    evidence = Evidence(Retrieval(passages, np.zeros(3, np.float32), 1.0), sentences, "de")
    tuning = Tuning()
    answer = extractive_answer(
        evidence, "de", tuning, 2, confidence="high", latest=True, wanted="figure"
    )
    assert answer.text.startswith("Stand 24. Juni 2020"), answer.text
    assert "12,6 Millionen" in answer.text and "6,5 Millionen" not in answer.text
    # without the figure asked for, the newest close article wins
    plain = extractive_answer(evidence, "de", tuning, 1, confidence="high", latest=True)
    assert plain.text.startswith("Stand 28. Juni 2020"), plain.text


def test_a_wanted_figure_leads_the_answer_and_takes_the_free_slot() -> None:
    """ "How many …": the figure sentences of the anchor passage come first, and a slot left
    over goes to another figure rather than to a context sentence that scores higher."""
    topic = "Die Corona-Warn-App des Bundes steht jetzt zum Herunterladen bereit, sagte Spahn."
    context = "Laut dem Gesundheitsminister ist sie damit erfolgreicher als in anderen Ländern."
    first = "Mehr als 12 Millionen Mal wurde die Corona-Warn-App in der ersten Woche geladen."
    later = "Bislang wurde die Anwendung offiziell 12,6 Millionen Mal heruntergeladen, so das RKI."
    sentences = [_s(0, 0, 0.86, topic), _s(0, 100, 0.83, first), _s(0, 200, 0.84, context),
                 _s(0, 300, 0.825, later)]  # fmt: skip
    margin = Tuning().typed_margin
    figure = lambda s: margin if any(ch.isdigit() for ch in s.text) else 0.0  # noqa: E731
    chosen = select(sentences, limit=2, margin=0.02, favour=figure)
    assert [s.start for s in chosen] == [100, 300]
    plain = select(sentences, limit=2, margin=0.02)
    assert [s.start for s in plain] == [0, 200], "without a wanted kind, scores alone decide"
    text, _ = compose(chosen, [_passage(0, "x" * 400)], "Lead:")
    assert text.splitlines()[2].startswith("- Mehr als 12 Millionen")
