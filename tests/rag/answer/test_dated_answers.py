"""Answers that know time and outlet, on the dated news corpus (tests/data/news), read
against 12 June 2024: time expressions, explicit filters, the latest figure, timelines."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rag import Answer, Assistant, Filters
from rag.text.dates import long_iso

DAY = dt.date.fromisoformat
JOB_STORY = {
    "2024-03-04-seekurier-werft-stellen.md",
    "2024-03-09-tagblatt-werft-1500.md",
    "2024-03-11-lrt-shipyard-jobs.md",
    "2024-04-15-seekurier-warnstreik.md",
    "2024-06-20-tagblatt-korrektur.md",
    "2024-08-22-lrt-social-plan.md",
}
FERRY_STORY = {
    "2024-02-12-lrt-electric-ferries.md",
    "2024-05-28-seekurier-faehre-verzoegert.md",
    "2024-08-05-tagblatt-faehre-kosten.md",
    "2024-09-30-lrt-ferry-launched.md",
}
FLOOD_STORY = {
    "2024-06-03-seekurier-pegel.md",
    "2024-06-06-tagblatt-pegel.md",
    "2024-06-10-lrt-flood-falls.md",
}


def cited_days(answer: Answer) -> list[dt.date]:
    return [DAY(c.date) for c in answer.citations if c.date]


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("How high did the water rise last week?", "last week"),
        ("What happened with the water level of the lake last week?", "last week"),
        ("Was geschah vergangene Woche beim Hochwasser am Bodensee?", "vergangene Woche"),
        ("Wie hoch stieg der Pegel letzte Woche?", "letzte Woche"),
    ],
)
def test_last_week_cites_only_that_week(
    news_assistant: Assistant, question: str, phrase: str
) -> None:
    answer = news_assistant.ask(question)
    assert answer.citations, answer.text
    assert all(DAY("2024-06-03") <= d <= DAY("2024-06-09") for d in cited_days(answer))
    assert len(cited_days(answer)) == len(answer.citations), "undated articles are left out"
    applied = answer.as_dict()["filters"]
    assert applied["since"] == "2024-06-03" and applied["until"] == "2024-06-09"
    assert applied["from_question"] == ["since", "until"]
    assert applied["phrase"] == phrase
    assert applied["description"] == "articles from 3–9 June 2024"


def test_explicit_filters_override_the_question(news_assistant: Assistant) -> None:
    august = Filters(DAY("2024-08-01"), DAY("2024-08-31"))
    answer = news_assistant.ask("How many jobs did the shipyard cut last week?", filters=august)
    assert answer.citations
    assert all(d.month == 8 for d in cited_days(answer))
    assert answer.filters is not None
    assert answer.filters.filters.since == DAY("2024-08-01")
    assert answer.filters.from_question == ()


def test_an_outlet_filter_cites_only_that_outlet(news_assistant: Assistant) -> None:
    answer = news_assistant.ask(
        "Wie viele Stellen streicht die Werft?", filters=Filters(outlets=["lake region times"])
    )
    assert answer.citations
    assert {c.outlet for c in answer.citations} == {"Lake Region Times"}
    assert answer.filters is not None
    assert answer.filters.filters.outlets == ["Lake Region Times"], "the index's spelling"


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("What happened at the shipyard in May 2023?", "No articles from 1–31 May 2023 match"),
        ("Was geschah im Mai 2023 auf der Werft?", "Keine Artikel vom 1.–31. Mai 2023 passen"),
    ],
)
def test_a_filter_matching_nothing_says_so(
    news_assistant: Assistant, question: str, said: str
) -> None:
    answer = news_assistant.ask(question)
    assert answer.text.startswith(said) and not answer.citations


def test_no_match_is_not_the_same_as_the_articles_not_saying(news_assistant: Assistant) -> None:
    unmatched = news_assistant.ask(
        "Who won the football world cup?", filters=Filters(languages=["fr"])
    )
    unanswered = news_assistant.ask("Who won the football world cup in June 2024?")
    assert unmatched.text.startswith("No articles in French match")
    assert unanswered.text == "The articles do not answer this question."
    assert unanswered.filters is not None and unanswered.filters.filters.dated


@pytest.mark.parametrize(
    ("question", "figure", "as_of", "old"),
    [
        (
            "What is the latest number of jobs the shipyard will cut?",
            "1,400",
            "As of 22 August 2024",
            "1,500 of its",
        ),
        ("Wie viele Stellen streicht die Bodan-Werft zuletzt?", "1.400", "Stand ", "1.200 ihrer"),
    ],
)
def test_the_latest_figure_wins_and_the_answer_says_as_of(
    news_later: Assistant, question: str, figure: str, as_of: str, old: str
) -> None:
    answer = news_later.ask(question)
    assert answer.text.startswith(as_of), answer.text
    assert figure in answer.text and old not in answer.text
    newest = max(cited_days(answer))
    assert newest >= DAY("2024-06-20"), "the correction or the social plan, not March"
    assert answer.filters is not None and answer.filters.latest
    assert answer.filters.from_question == ("latest",)


def test_the_latest_is_bounded_by_today(news_assistant: Assistant) -> None:
    """Read against 12 June 2024, the correction of 20 June and the social plan of 22
    August are not news yet: the latest figure is an earlier one, as of an earlier day."""
    answer = news_assistant.ask("What is the latest number of jobs the shipyard will cut?")
    assert answer.citations, answer.text
    assert max(cited_days(answer)) <= DAY("2024-06-12")
    assert "1,400" not in answer.text and "August" not in answer.text
    assert answer.filters is not None and answer.filters.filters.until == DAY("2024-06-12")


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("What happened last week?", "The articles from 3–9 June 2024 report"),
        ("Was geschah letzte Woche?", "Die Artikel vom 3.–9. Juni 2024 berichten"),
    ],
)
def test_a_question_that_only_names_a_time_gets_that_times_articles(
    news_assistant: Assistant, question: str, lead: str
) -> None:
    answer = news_assistant.ask(question)
    assert answer.text.startswith(lead), answer.text
    assert [c.doc_id for c in answer.citations] == [
        "2024-06-03-seekurier-pegel.md",
        "2024-06-06-tagblatt-pegel.md",
    ], "in date order"
    bylines = re.findall(r"^- ([^,]+), (\d+\.? \w+ 2024): ", answer.text, re.MULTILINE)
    assert [outlet for outlet, _day in bylines] == ["Seekurier", "Lindauer Tagblatt"]
    for citation in answer.citations:
        assert citation.outlet and citation.date and citation.source.startswith("https://")


def test_whats_new_covers_the_week_up_to_the_newest_article(news_assistant: Assistant) -> None:
    """Read on 12 June 2024, the newest article is of 10 June: the week is 4–10 June."""
    answer = news_assistant.ask("What's new?")
    assert answer.filters is not None and answer.filters.latest
    assert answer.filters.filters.since == DAY("2024-06-04")
    assert answer.filters.filters.until == DAY("2024-06-10")
    assert {c.doc_id for c in answer.citations} == {
        "2024-06-06-tagblatt-pegel.md",
        "2024-06-10-lrt-flood-falls.md",
    }
    assert news_assistant.ask("Why?").text.startswith("Please ask a complete question")


@pytest.mark.parametrize(
    ("query", "story"),
    [("Elektrofähren", FERRY_STORY), ("Stellenabbau bei der Bodan-Werft", JOB_STORY)],
)
def test_timeline_lists_the_storys_articles_oldest_first(
    news_assistant: Assistant, query: str, story: set[str]
) -> None:
    timeline = news_assistant.timeline(query)
    found = [e.doc_id for e in timeline.events]
    assert story <= set(found), found
    others = FERRY_STORY | JOB_STORY | FLOOD_STORY
    assert not (set(found) & (others - story)), "other stories stay out"
    days = [e.date for e in timeline.events if e.date]
    assert days == sorted(days)
    undated = [e for e in timeline.events if e.date is None]
    assert timeline.events[len(days) :] == undated, "undated articles come last"
    for event in timeline.events:
        assert event.quote in (news_assistant.settings.corpus_dir / event.doc_id).read_text()
        assert event.end_char - event.start_char == len(event.quote)


def test_timeline_takes_filters_and_a_limit(news_assistant: Assistant) -> None:
    since_june = news_assistant.timeline(
        "Stellenabbau bei der Bodan-Werft", Filters(since=DAY("2024-06-01"))
    )
    assert [e.doc_id for e in since_june.events] == [
        "2024-06-20-tagblatt-korrektur.md",
        "2024-08-22-lrt-social-plan.md",
    ]
    assert since_june.as_dict()["filters"]["since"] == "2024-06-01"
    keys = {"date", "outlet", "title", "doc_id", "source", "quote", "start_char", "end_char"}
    assert set(since_june.as_dict()["events"][0]) == keys
    assert len(news_assistant.timeline("Elektrofähren", limit=2).events) == 2
    assert news_assistant.timeline("Warum?").events == []
    nothing = news_assistant.timeline("Elektrofähren", Filters(until=DAY("2023-12-31")))
    assert nothing.events == [] and nothing.filters.filters.until == DAY("2023-12-31")


@pytest.mark.parametrize(
    ("question", "outlet", "phrase"),
    [
        ("Wie viele Stellen streicht die Werft laut Seekurier?", "Seekurier", "laut Seekurier"),
        ("How many jobs will the shipyard cut, according to the Lake Region Times?",
         "Lake Region Times", "according to the Lake Region Times"),
        ("Was berichtete das Lindauer Tagblatt über den Stellenabbau der Werft?",
         "Lindauer Tagblatt", "das Lindauer Tagblatt"),
    ],
)  # fmt: skip
def test_an_outlet_named_as_the_source_filters(
    news_assistant: Assistant, question: str, outlet: str, phrase: str
) -> None:
    answer = news_assistant.ask(question)
    assert answer.citations, answer.text
    assert {c.outlet for c in answer.citations} == {outlet}
    applied = answer.as_dict()["filters"]
    assert applied["outlets"] == [outlet]
    assert "outlets" in applied["from_question"] and applied["outlet_phrase"] == phrase
    assert applied["description"] == f"articles by {outlet}"


def test_an_outlet_filter_takes_the_site_for_the_name(news_assistant: Assistant) -> None:
    by_site = Filters(outlets=["https://www.lindauer-tagblatt.example/"])
    answer = news_assistant.ask("Wie viele Stellen streicht die Werft?", filters=by_site)
    assert answer.citations and {c.outlet for c in answer.citations} == {"Lindauer Tagblatt"}
    assert answer.filters is not None and answer.filters.filters.outlets == ["Lindauer Tagblatt"]
    assert [a.outlet for a in news_assistant.articles(outlets=["lindauer-tagblatt.example"])] == [
        "Lindauer Tagblatt"
    ] * 4


def test_related_passages_within_a_filter_stay_and_the_answer_outside_is_offered(
    news_assistant: Assistant,
) -> None:
    """Since August only the social plan is about the shipyard's jobs (`low`); the cut
    itself is reported before: the answer stays within the filter and says where the
    confident one is."""
    august = Filters(since=DAY("2024-08-01"))
    answer = news_assistant.ask("Wie viele Stellen streicht die Werft?", filters=august)
    assert answer.confidence == "low" and all(d.month >= 8 for d in cited_days(answer))
    assert answer.filters is not None and not answer.filters.outside
    assert answer.notice.startswith("Die Artikel seit dem 1. August 2024 beantworten das")
    assert "außerhalb (Lindauer Tagblatt, 20. Juni 2024)" in answer.notice
    sure = news_assistant.ask("Wie viele Stellen streicht die Werft?")
    assert sure.confidence == "high" and not sure.notice, "no filter, nothing to offer"


@pytest.mark.parametrize(
    ("question", "filters", "kind"),
    [
        ("Wie viele Passagiere fasst eine Fähre?", Filters(outlets=["Seekurier"]), "offer"),
        ("Wie hoch war der Pegel?", Filters(outlets=["Seekurier"]), "outside"),
        ("Wie viele Stellen streicht die Werft?", Filters(since=DAY("2024-08-01")), "offer"),
        ("Wie viele Stellen streicht die Werft?", Filters(languages=["en"]), "inside"),
        ("How high did the water rise?", Filters(until=DAY("2024-05-31")), "outside"),
    ],
)
def test_an_answer_from_outside_the_filters_never_names_an_article_inside_them(
    news_assistant: Assistant, question: str, filters: Filters, kind: str
) -> None:
    """ "outside": the answer is from articles the filters leave out; "offer": the answer
    stays within them and the notice names one they leave out; "inside": neither."""
    answer = news_assistant.ask(question, filters=filters)
    inside = {a.doc_id for a in news_assistant.articles(
        since=filters.since, until=filters.until, outlets=filters.outlets
    ) if not filters.languages or a.language in filters.languages}  # fmt: skip
    assert answer.filters is not None
    assert answer.filters.outside == (kind == "outside"), answer.text
    assert bool(answer.notice) == (kind == "offer"), answer.notice
    if answer.filters.outside:
        assert not {c.doc_id for c in answer.citations} & inside
    else:
        assert {c.doc_id for c in answer.citations} <= inside
    if answer.notice:  # the offer names an article the filters leave out
        named = [f"({a.outlet}, {long_iso(a.date or '', 'de')})" for a in news_assistant.articles()
                 if a.doc_id in inside]  # fmt: skip
        assert "außerhalb (" in answer.notice and not any(n in answer.notice for n in named)


@pytest.mark.parametrize(
    "question",
    ["What happened with the flood last week?", "Was gab es letzte Woche Neues zum Hochwasser?"],
)
def test_the_news_of_a_story_is_each_articles_lead(
    news_assistant: Assistant, question: str
) -> None:
    """The lead says what happened that day; the best-scoring sentence of the Tagblatt
    article is its outlook ("Die Behörden rechnen damit, …")."""
    answer = news_assistant.ask(question)
    bodies = {
        c.doc_id: (news_assistant.settings.corpus_dir / c.doc_id).read_text()
        for c in answer.citations
    }
    assert {c.doc_id for c in answer.citations} <= FLOOD_STORY
    assert "2024-06-06-tagblatt-pegel.md" in bodies, answer.text
    for c in answer.citations:
        body = bodies[c.doc_id].split("---", 2)[2].strip()
        assert body.startswith(c.quote), (c.doc_id, c.quote)
