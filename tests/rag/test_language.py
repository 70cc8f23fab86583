"""The language an answer's fixed phrases are given in."""

import pytest

from rag.language import detect_language, phrase, question_language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Warum streiten OpenAI und Microsoft?", "de"),
        ("Why is Windsurf the flashpoint?", "en"),
        # one or two words fool a detector that knows ~100 languages
        ("Warum?", "de"),
        ("Wann?", "de"),
        ("Wieso?", "de"),
        ("Und dann?", "de"),
        ("Why?", "en"),
        ("How much?", "en"),
        ("OpenAI?", "en"),  # nothing to go on: the default
        ("", "en"),
        # a longer question in a third language keeps its language (a model can use it)
        ("Pourquoi Windsurf est-il le point de friction entre les deux?", "fr"),
    ],
)
def test_question_language(question: str, language: str) -> None:
    assert question_language(question) == language


def test_fixed_phrases_fall_back_to_english() -> None:
    assert phrase("abstain", "de").startswith("Die Artikel")
    assert phrase("abstain", "fr") == phrase("abstain", "en")


def test_short_german_questions_were_misread_by_the_open_detector() -> None:
    # the reason for the second, German-or-English pass
    assert detect_language("Warum?") not in ("de", "en")
