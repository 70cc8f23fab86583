"""Which articles belong to a timeline's story: its names and nouns, not its topic (pure)."""

from __future__ import annotations

import pytest

from rag.answer.story import names_story, story_words
from rag.search.passage import Passage


def _article(title: str, text: str, language: str = "de") -> list[Passage]:
    return [Passage("c", "d.md", title, "", language, text, 0, len(text), 1.0, 0.9)]


@pytest.mark.parametrize(
    ("query", "language", "words"),
    [
        ("Lufthansa Rettungspaket", "de", {"lufthansa", "rettungspak"}),
        ("Wann fahren die Elektrofähren?", "de", {"elektrofahr"}),  # not "Wann", not "fahren"
        ("What happened with the Lufthansa rescue?", "en", {"lufthansa"}),
        ("corona-warn-app", "de", {"corona", "warn", "app"}),  # no capitals: every word
    ],
)
def test_story_words_are_the_names_and_nouns(query: str, language: str, words: set[str]) -> None:
    assert story_words(query, language) == words


def test_a_neighbouring_story_on_the_same_topic_is_not_the_story() -> None:
    france = _article(
        "Frankreich stützt Luftfahrtindustrie mit Milliardenhilfen",
        "Mit einem Rettungspaket von 15 Milliarden Euro will Frankreich seine Luftfahrtbranche "
        "unterstützen.",
    )
    lufthansa = _article(
        "Regierung will Lufthansa mit neun Milliarden retten",
        "Das Rettungspaket für die Lufthansa steht.",
    )
    assert not names_story("Lufthansa Rettungspaket", "de", france)
    assert names_story("Lufthansa Rettungspaket", "de", lufthansa)


def test_a_longer_query_may_miss_one_word_in_three() -> None:
    yard = _article("Bodan-Werft streicht 1.200 Stellen", "Die Werft baut Stellen ab.")
    assert names_story("Stellenabbau bei der Bodan-Werft", "de", yard)
    assert not names_story("Stellenabbau bei der Bodan-Werft", "de", _article("Fähre", "Neu."))


def test_across_languages_similarity_decides_alone() -> None:
    english = _article("Shipyard to cut jobs", "The yard will cut 1,400 jobs.", language="en")
    assert names_story("Stellenabbau bei der Bodan-Werft", "de", english)


def test_across_languages_an_english_querys_names_must_be_there() -> None:
    finora = _article("Finora räumt Lücke ein", "Finora hat 1,9 Milliarden Euro verloren.")
    vireon = _article("Impfstoff wirkt", "Der Impfstoff von Vireon schützt zu 90 Prozent.")
    assert not names_story("What's new about Vireon?", "en", finora)
    assert names_story("What's new about Vireon?", "en", vireon)
    # no names: the words of another language cannot be checked
    assert names_story("How many jobs will the shipyard cut?", "en", finora)


def test_an_answer_asks_for_one_of_the_storys_words() -> None:
    """ "Fleischkonzern Tönnies": an article on Tönnies tells the story without the word."""
    toennies = _article("Tönnies gibt Amt auf", "Clemens Tönnies tritt zurück.")
    assert names_story("Fleischkonzern Tönnies", "de", toennies, strict=False)
    assert not names_story("Fleischkonzern Tönnies", "de", toennies)


def test_names_match_across_spellings_and_a_compound_is_one_name() -> None:
    toennies = _article("Tönnies gibt Amt auf", "Clemens Tönnies tritt zurück.")
    assert names_story("What has happened with Tönnies since June?", "en", toennies)
    # a query in a language detected wrongly ("Brexit": Latin) still needs its name
    assert not names_story("Brexit", "la", toennies)
    app = _article("Corona-Regeln", "Die Landesregierung beschließt neue Corona-Regeln.")
    assert not names_story("Corona-Warn-App", "de", app, strict=False)
