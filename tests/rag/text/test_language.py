"""The language an answer's fixed phrases are given in."""

import pytest

from rag import Tuning
from rag.answer.phrases import phrase
from rag.text.language import detect_language, question_language, slips

PRIOR = Tuning().question_language_prior


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
        # names mislead it too
        ("Who is Satya Nadella?", "en"),
        ("Who is Mustafa Suleyman?", "en"),
        ("Who runs GitHub Copilot?", "en"),
        ("Wer war Ayurparibhadras Sohn?", "de"),
        # a question in a third language keeps its language (a model can use it)
        ("Pourquoi Windsurf est-il le point de friction entre les deux?", "fr"),
        ("Qui est le PDG de Microsoft?", "fr"),
        ("¿Por qué es importante Windsurf?", "es"),
        ("Waarom is Windsurf belangrijk?", "nl"),
    ],
)
def test_question_language(question: str, language: str) -> None:
    assert question_language(question, prior_nats=PRIOR) == language


def test_fixed_phrases_fall_back_to_english() -> None:
    assert phrase("abstain", "de").startswith("Die Artikel")
    assert phrase("abstain", "fr") == phrase("abstain", "en")


def test_short_german_questions_were_misread_by_the_open_detector() -> None:
    # the reason for the German and English prior
    assert detect_language("Warum?") not in ("de", "en")


def test_slips_are_long_sentences_in_another_language() -> None:
    sentences = [
        "Microsoft demands all intellectual property that OpenAI acquires.",
        "Microsoft verlangt Zugriff auf das gesamte geistige Eigentum von OpenAI.",
        "Das ist alles.",  # short: not judged
    ]
    assert slips(sentences, "en", prior_nats=5.0) == [sentences[1]]
    assert slips(sentences, "de", prior_nats=5.0) == [sentences[0]]
