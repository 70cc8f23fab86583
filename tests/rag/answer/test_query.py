"""What a question is turned into before the search (pure parts of rag.answer.query)."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.answer.query import is_rewrite, make_query, story_of

TODAY = dt.date(2024, 6, 12)


@pytest.mark.parametrize(
    ("question", "frame", "story"),
    [
        ("What happened with the flood?", "What happened with", "the flood?"),
        ("what has happened to the shipyard jobs?", "what has happened to", "the shipyard jobs?"),
        ("What's new with the ferries?", "What's new with", "the ferries?"),
        (
            "What did the articles say about the strike?",
            "What did the articles say about",
            "the strike?",
        ),
        ("Was geschah beim Hochwasser?", "Was geschah beim", "Hochwasser?"),
        ("Was gibt es Neues zur Werft?", "Was gibt es Neues zur", "Werft?"),
        ("Was gab es Neues zur Werft?", "Was gab es Neues zur", "Werft?"),
        (
            "Was berichten die Zeitungen über die Fähren?",
            "Was berichten die Zeitungen über",
            "die Fähren?",
        ),
        ("Was ist beim Fleischkonzern Tönnies passiert?", "Was ist beim … passiert",
         "Fleischkonzern Tönnies"),
        ("Was hat sich beim Gesetz getan?", "Was hat sich beim … getan", "Gesetz"),
        ("How did Lufthansa's quarterly losses develop?", "How did … develop",
         "Lufthansa's quarterly losses"),
        ("Wie hat sich die Zahl der Downloads entwickelt?", "Wie hat sich … entwickelt",
         "die Zahl der Downloads"),
    ],
)  # fmt: skip
def test_the_story_of_a_what_happened_question(question: str, frame: str, story: str) -> None:
    assert story_of(question) == (frame, story)


@pytest.mark.parametrize(
    "question",
    ["What happened?", "What happened with?", "Why did the shipyard cut jobs?",
     "What did the union demand?", "Was passierte?", "How high did the water rise?",
     "How did Lufthansa change its strategy?", "Was ist Windsurf?"],
)  # fmt: skip
def test_other_questions_are_left_as_they_are(question: str) -> None:
    assert story_of(question) == ("", question)


def test_the_search_is_the_story_without_its_time_in_the_questions_language() -> None:
    q = make_query(
        "What happened with the flood last week?", (), llm=None, prior_nats=2.0,
        max_chars=2000, today=TODAY,
    )  # fmt: skip
    assert q.search == "the flood?" and q.search_language == q.language == "en"
    assert q.filters.since == dt.date(2024, 6, 3) and not q.overview and not q.latest
    news = make_query(
        "Was gibt es Neues zur Werft?", (), llm=None, prior_nats=2.0, max_chars=2000, today=TODAY
    )
    assert news.search == "Werft?" and news.search_language == "de"
    assert news.latest, "what is new is asked for the newest"
    overview = make_query(
        "What happened last week?", (), llm=None, prior_nats=2.0, max_chars=2000, today=TODAY
    )
    assert overview.overview and not overview.bare
    vague = make_query("Why?", (), llm=None, prior_nats=2.0, max_chars=2000, today=TODAY)
    assert vague.bare and not vague.overview


def test_a_rewrite_must_be_a_question_in_the_same_language_sharing_its_words() -> None:
    earlier = ["Why is Windsurf the flashpoint?"]
    asked = "And how did OpenAI respond?"
    good = "How did OpenAI respond to Microsoft's demand for the Windsurf IP?"
    assert is_rewrite(good, asked, earlier, "en", 5.0)
    assert not is_rewrite("OpenAI responded by refusing.", asked, earlier, "en", 5.0)
    assert not is_rewrite("Wie hat OpenAI auf die Forderung reagiert?", asked, earlier, "en", 5.0)
    assert not is_rewrite("Who won the 2014 World Cup?", asked, earlier, "en", 5.0)
    assert not is_rewrite(good + " " + good, asked, earlier, "en", 5.0), "an essay, not a rewrite"
    assert is_rewrite("Warum ist Windsurf der Zankapfel?", "Warum?", ["Windsurf?"], "de", 5.0)
