"""Filters on the real news index: dense and BM25 candidates are filtered before the top-k.

A chunk outside the filter never appears, and a filter that keeps a few chunks returns all
of them, however weakly they match the question.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rag import Assistant, Filters, Passage, Tuning
from rag.config import Settings
from rag.index.reader import IndexSnapshot, open_index
from rag.index.records import day_of
from rag.search.retriever import HybridRetriever

QUESTIONS = (
    "Wie viele Stellen streicht die Bodan-Werft?",
    "How high did the lake's water level rise?",
    "Wann fahren die Elektrofähren?",
    "Sozialplan Beschäftigungsgarantie Auszubildende",  # words of one April article only
    "Museum Werftgelände",  # the undated note's words
)
DAY = dt.date.fromisoformat


@pytest.fixture(scope="module")
def snapshot(news_settings: Settings) -> IndexSnapshot:
    return open_index(news_settings)


def chunks_kept(snapshot: IndexSnapshot, filters: Filters) -> set[str]:
    """The chunk ids whose article's facets satisfy `filters`, read from the side index."""
    facets, kept = snapshot.side.facets, set()
    for i, cid in enumerate(snapshot.side.ids):
        date = day_of(int(facets.dates[i]))
        if filters.dated and date is None:
            continue
        if filters.since and date and date < filters.since:
            continue
        if filters.until and date and date > filters.until:
            continue
        wanted = {o.lower() for o in filters.outlets}
        if wanted and facets.outlets[i].lower() not in wanted:
            continue
        if filters.languages and facets.languages[i] not in filters.languages:
            continue
        kept.add(cid)
    return kept


def inside(passage: Passage, filters: Filters) -> bool:
    if filters.dated and not passage.date:
        return False
    if filters.since and DAY(passage.date) < filters.since:
        return False
    if filters.until and DAY(passage.date) > filters.until:
        return False
    if filters.outlets and passage.outlet.lower() not in {o.lower() for o in filters.outlets}:
        return False
    return not filters.languages or passage.language in filters.languages


FILTERS = {
    "june-flood-days": Filters(DAY("2024-06-01"), DAY("2024-06-10")),
    "since-august": Filters(since=DAY("2024-08-01")),
    "until-march": Filters(until=DAY("2024-03-31")),
    "one-day": Filters(DAY("2024-03-09"), DAY("2024-03-09")),
    "outlet-any-case": Filters(outlets=["lake region TIMES"]),
    "two-outlets": Filters(outlets=["Seekurier", "Lindauer Tagblatt"]),
    "english": Filters(languages=["en"]),
    "german-spring-seekurier": Filters(DAY("2024-03-01"), DAY("2024-05-31"), ["Seekurier"], ["de"]),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_no_chunk_outside_the_filter_appears_and_all_kept_chunks_can(
    news_assistant: Assistant, snapshot: IndexSnapshot, name: str
) -> None:
    filters = FILTERS[name]
    kept = chunks_kept(snapshot, filters)
    assert kept, "each filter keeps some chunks of the news corpus"
    for question in QUESTIONS:
        passages = news_assistant.search(question, top_k=30, filters=filters)
        outside = [p.chunk_id for p in passages if not inside(p, filters)]
        assert not outside, (question, outside)
        assert {p.chunk_id for p in passages} <= kept
        if len(kept) <= 30:
            # Filtered before the top-k: every kept chunk is a candidate, so all come back.
            assert {p.chunk_id for p in passages} == kept, question


def test_a_filter_keeping_three_chunks_returns_those_three_at_top_k_three(
    news_assistant: Assistant, snapshot: IndexSnapshot
) -> None:
    """The June flood days hold three short articles; a question about something else
    entirely still gets exactly their chunks, not fewer (as filtering after a top-k would)."""
    filters = FILTERS["june-flood-days"]
    kept = chunks_kept(snapshot, filters)
    assert len(kept) == 3
    passages = news_assistant.search(
        "Wie viele Stellen streicht die Werft?", top_k=3, filters=filters
    )
    assert {p.chunk_id for p in passages} == kept


def test_bm25_candidates_are_filtered_too(snapshot: IndexSnapshot, embed_model: Any) -> None:
    """The words of the April strike article win BM25 unfiltered; with a filter that leaves
    it out, neither BM25 nor dense bring it back, even with the dense weight at zero."""
    question = "Sozialplan Beschäftigungsgarantie Auszubildende Kundgebung Werkstor"
    lexical_only = HybridRetriever(snapshot, embed_model, Tuning(dense_weight=0.0), top_k=30)
    unfiltered = lexical_only.search(question).passages
    assert unfiltered[0].doc_id == "2024-04-15-seekurier-warnstreik.md"
    for filters in (Filters(until=DAY("2024-03-31")), Filters(outlets=["Lake Region Times"])):
        passages = lexical_only.search(question, filters=filters).passages
        assert passages and all(inside(p, filters) for p in passages)
        assert "2024-04-15-seekurier-warnstreik.md" not in {p.doc_id for p in passages}


@pytest.mark.parametrize("name", ["english", "two-outlets", "since-august"])
def test_kept_reads_a_chunk_from_the_filters_mask(
    snapshot: IndexSnapshot, embed_model: Any, name: str
) -> None:
    retriever = HybridRetriever(snapshot, embed_model, Tuning(), top_k=5)
    keep, wanted = retriever.matching(FILTERS[name]), chunks_kept(snapshot, FILTERS[name])
    assert [retriever.kept(keep, c) for c in snapshot.side.ids] == [
        c in wanted for c in snapshot.side.ids
    ]
    assert all(retriever.kept(None, c) for c in snapshot.side.ids), "no filter keeps all"


def test_undated_articles_are_left_out_of_date_filters_only(news_assistant: Assistant) -> None:
    note = "undated-notiz.md"
    found = news_assistant.search("Museum auf dem Werftgelände", top_k=3)
    assert found[0].doc_id == note and found[0].date == ""
    for filters in (Filters(since=DAY("2000-01-01")), Filters(until=DAY("2100-01-01"))):
        assert note not in {
            p.doc_id for p in news_assistant.search("Museum", top_k=30, filters=filters)
        }
    assert note in {
        p.doc_id
        for p in news_assistant.search("Museum", top_k=5, filters=Filters(languages=["de"]))
    }


def test_a_filter_matching_nothing_finds_nothing(news_assistant: Assistant) -> None:
    for filters in (
        Filters(DAY("2023-01-01"), DAY("2023-12-31")),
        Filters(outlets=["Nowhere Gazette"]),
        Filters(languages=["fr"]),
    ):
        assert news_assistant.search("Werft", top_k=10, filters=filters) == []


def test_latest_ranks_the_newest_of_the_close_contenders_first(
    snapshot: IndexSnapshot, embed_model: Any
) -> None:
    """March's 1,500 and August's 1,400 match the question about equally; asked for the
    latest, August's comes first. Far weaker matches do not jump ahead for being new."""
    retriever = HybridRetriever(snapshot, embed_model, Tuning(), top_k=8, recency_weight=0.15)
    question = "How many jobs will the shipyard cut?"
    english = Filters(languages=["en"])
    plain = retriever.search(question, filters=english).passages
    latest = retriever.search(question, filters=english, latest=True).passages
    assert plain[0].doc_id == "2024-03-11-lrt-shipyard-jobs.md"
    assert latest[0].doc_id == "2024-08-22-lrt-social-plan.md"
    newest = "2024-09-30-lrt-ferry-launched.md"  # newer than both, about ferries
    assert [p.doc_id for p in latest].index(newest) > 1
    assert {p.chunk_id for p in plain} == {p.chunk_id for p in latest}, "only the order moves"


def test_over_fetched_and_exact_dense_candidates_agree(
    snapshot: IndexSnapshot, embed_model: Any
) -> None:
    """A filter keeping many chunks takes them from an unfiltered nearest-neighbour query,
    the mask applied after (exact scores when too few survive); one keeping few scores them
    exactly. On this small index both give the same passages in the same order."""
    tuning = Tuning(candidate_k=3)  # a small pool, so the over-fetch can suffice here
    exact = HybridRetriever(snapshot, embed_model, tuning, top_k=3, exact_rows=10**9)
    fetched = HybridRetriever(snapshot, embed_model, tuning, top_k=3, exact_rows=0)
    for filters in FILTERS.values():
        for question in QUESTIONS:
            one = exact.search(question, filters=filters).passages
            two = fetched.search(question, filters=filters).passages
            assert [p.chunk_id for p in one] == [p.chunk_id for p in two], (question, filters)
            assert all(inside(p, filters) for p in two)
