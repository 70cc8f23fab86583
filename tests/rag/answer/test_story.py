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
