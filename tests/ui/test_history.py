"""The conversation kept in session state and its Markdown download."""

from __future__ import annotations

from rag import Answer, ChatMessage, Citation
from ui.history import Turn, chat_history, conversation_markdown

CITATION = Citation(
    n=1,
    doc_id="windsurf.de.md",
    title="OpenAI und Microsoft",
    source="https://example.org/windsurf",
    text="Die Zündschnur heißt Windsurf. [Klick](http://evil.example)",
    quote="Die Zündschnur heißt Windsurf.",
    start_char=10,
    end_char=70,
    score=0.9,
)


def conversation() -> list[Turn]:
    answer = Answer("Windsurf ist der Auslöser. [1]", "extractive", [CITATION], notice="")
    return [Turn("user", "Why Windsurf?"), Turn.from_answer(answer)]


def test_turn_keeps_the_answers_citations() -> None:
    turns = conversation()
    assert turns[1].citations == (CITATION,)
    assert chat_history(turns) == [
        ChatMessage("user", "Why Windsurf?"),
        ChatMessage("assistant", "Windsurf ist der Auslöser. [1]"),
    ]


def test_markdown_export_has_questions_answers_and_sources() -> None:
    text = conversation_markdown(conversation())
    assert text.startswith("# article-rag conversation\n")
    assert "## Question\n\nWhy Windsurf?" in text
    assert "Windsurf ist der Auslöser. [1]" in text
    assert "**[1] OpenAI und Microsoft** (windsurf.de.md, characters 10–70)" in text
    assert "<https://example.org/windsurf>" in text
    assert "> Die Zündschnur heißt Windsurf." in text
    assert "[Klick]\\(http://evil.example)" in text, "article text cannot become a link in the file"


def test_notice_is_exported() -> None:
    answer = Answer("Fallback. [1]", "extractive", [CITATION], notice="The model timed out")
    text = conversation_markdown([Turn("user", "q"), Turn.from_answer(answer)])
    assert "_Note: The model timed out_" in text


def test_export_names_outlet_date_and_the_other_copies() -> None:
    from dataclasses import replace

    from rag import Copy

    dated = replace(
        CITATION,
        outlet="Seekurier",
        date="2025-06-03",
        also=(Copy("Lindauer Tagblatt", "https://example.org/lt", "2025-06-03"),),
    )
    answer = Answer("Der Pegel stieg. [1]", "extractive", [dated])
    text = conversation_markdown([Turn("user", "Pegel?"), Turn.from_answer(answer)])
    assert "**[1] OpenAI und Microsoft** — Seekurier, 2025-06-03 (windsurf.de.md" in text
    assert "Also in: Lindauer Tagblatt, 2025-06-03 <https://example.org/lt>" in text
