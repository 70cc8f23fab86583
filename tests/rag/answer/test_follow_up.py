"""Which chat questions lean on earlier ones (pure functions)."""

import pytest

from rag.answer.follow_up import MAX_JOINED, is_bare, refers_back, with_context


@pytest.mark.parametrize(
    "question",
    [
        "Why?",
        "How much?",
        "What happened next?",
        "And then?",
        "Und warum?",
        "Und dann?",
        "Was hat sich seitdem getan?",
        "What has happened since then?",
        "Wie viel?",
        "Who is behind it?",
        "What did they decide?",
        "Was forderte er?",
        "Was sagt Microsoft dazu?",
        "Wie viel kostete es?",
        "Sie wollen also mehr?",
    ],
)
def test_follow_ups_that_cannot_stand_alone(question: str) -> None:
    assert refers_back(question)


@pytest.mark.parametrize(
    "question",
    [
        "Why is Windsurf the flashpoint?",
        "Wie viel hat OpenAI für Windsurf bezahlt?",
        "Wer hat die Fußball-WM 2014 gewonnen?",
        "What is the capital of Australia?",
        "And what did OpenAI answer?",  # "and", but its own subject
        "What about Google?",
        "Gibt es Kritik an OpenAI?",  # "es" that points nowhere
        "Können Sie mir sagen, wer Windsurf gekauft hat?",  # the polite "Sie"
        "Bitcoin?",
        "",
        "?!",
    ],
)
def test_questions_that_stand_alone(question: str) -> None:
    assert not refers_back(question)


def test_with_context_joins_back_to_the_last_standalone_question() -> None:
    earlier = ["What is the capital of Australia?", "Why is Windsurf the flashpoint?", "Warum?"]
    assert with_context("Und dann?", earlier) == "Why is Windsurf the flashpoint? Warum? Und dann?"
    assert with_context("Who owns Windsurf?", earlier) == "Who owns Windsurf?"
    assert with_context("Why?", []) == "Why?"


def test_with_context_joins_a_bounded_number_of_questions() -> None:
    joined = with_context("Why?", ["A?", "Und?", "Und?", "Und?", "Und?"])
    assert joined.count("?") == MAX_JOINED


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("Why?", True),
        ("Und dann? Warum?", True),
        ("Why is Windsurf the flashpoint? Why?", False),
        ("Was forderte er?", False),  # leans on a question, but says what it asks
        ("", False),
    ],
)
def test_is_bare(text: str, bare: bool) -> None:
    assert is_bare(text) is bare
