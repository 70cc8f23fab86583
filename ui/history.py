"""The conversation as the UI keeps it in session state, and its Markdown export.

A module of its own (not app.py) so the `Turn` class survives Streamlit's reruns, which
re-execute the script and would otherwise redefine it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag import Answer, AppliedFilters, ChatMessage, Citation, Copy, Rating, byline
from ui.render import export_markdown, safe_url


@dataclass(frozen=True)
class Turn:
    """One message on screen; assistant turns carry the answer's citations, what the search
    was limited to and the question they answer (for the timeline)."""

    role: str  # "user" or "assistant"
    content: str
    citations: tuple[Citation, ...] = ()
    notice: str = ""
    filters: AppliedFilters | None = None
    question: str = ""
    confidence: str = "high"  # "low": shown muted, as the closest passages
    unsupported: tuple[str, ...] = ()  # statements of a model's answer no passage states
    message: int | None = None  # its id in the saved conversation
    rating: Rating | None = None
    # per citation of a saved answer: "current", "changed" or "removed" ("" = not checked)
    source_states: tuple[str, ...] = ()

    @classmethod
    def from_answer(
        cls,
        answer: Answer,
        question: str = "",
        *,
        message: int | None = None,
        rating: Rating | None = None,
        source_states: tuple[str, ...] = (),
    ) -> Turn:
        return cls(
            "assistant",
            answer.text,
            tuple(answer.citations),
            answer.notice,
            answer.filters,
            question,
            answer.confidence or "none",
            answer.unsupported,
            message,
            rating,
            source_states,
        )

    def rated(self, rating: Rating | None) -> Turn:
        return replace(self, rating=rating)

    def source_state(self, index: int) -> str:
        return self.source_states[index] if index < len(self.source_states) else ""

    @property
    def searched(self) -> str:
        """ "articles from 4–10 March 2024 by Seekurier", or "" when nothing limited it."""
        return self.filters.description if self.filters else ""


def chat_history(turns: Sequence[Turn]) -> list[ChatMessage]:
    """What the assistant needs to resolve follow-up questions."""
    return [
        ChatMessage("user" if turn.role == "user" else "assistant", turn.content) for turn in turns
    ]


def _copy(copy: Copy) -> str:
    where = byline(copy.outlet, copy.date, escape=export_markdown)
    url = safe_url(copy.source)
    return f"{where} <{url}>" if url else where


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" for line in export_markdown(text).splitlines() if line.strip())


def conversation_markdown(turns: Sequence[Turn], *, title: str = "article-rag conversation") -> str:
    """The whole conversation with each answer's sources, as a Markdown document.

    Article and model text is escaped (lightly, see `export_markdown`), so opening the file
    in a Markdown viewer cannot turn a passage into a hidden link, an image or HTML either.
    """
    parts = [f"# {title}"]
    for turn in turns:
        if turn.role == "user":
            parts.append(f"## Question\n\n{export_markdown(turn.content)}")
            continue
        parts.append(f"### Answer\n\n{export_markdown(turn.content)}")
        if turn.searched:
            parts.append(f"_Searched: {export_markdown(turn.searched)}_")
        if turn.notice:
            parts.append(f"_Note: {export_markdown(turn.notice)}_")
        if turn.citations:
            parts.append("#### Sources")
        for c in turn.citations:
            head = f"**[{c.n}] {export_markdown(c.title)}**"
            cited = byline(c.outlet, c.date, escape=export_markdown)
            head += f" — {cited}" if cited else ""
            head += f" ({export_markdown(c.doc_id)}, characters {c.start_char}–{c.end_char})"
            url = safe_url(c.source)
            if url:
                head += f" <{url}>"
            block = head + "\n\n" + _quote_block(c.text)
            if c.also:
                copies = "; ".join(_copy(x) for x in c.also)
                block += f"\n\nAlso in: {copies}"
            parts.append(block)
    return "\n\n".join(parts) + "\n"


def answer_text(turn: Turn) -> str:
    """An answer as plain text to paste elsewhere: the answer, then its sources (pure)."""
    lines = [turn.content]
    if turn.citations:
        lines.append("")
        lines.append("Sources:")
    for c in turn.citations:
        where = byline(c.outlet, c.date)
        url = safe_url(c.source)
        lines.append(f"[{c.n}] {c.title}" + (f", {where}" if where else "") +
                     (f" <{url}>" if url else ""))  # fmt: skip
    return "\n".join(lines)
