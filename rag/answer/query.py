"""A question and what is derived from it, computed once and passed along the answer path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.follow_up import is_bare, with_context
from rag.answer.prompts import condense_messages
from rag.answer.types import ChatMessage
from rag.errors import LLMError
from rag.models.chat import ChatModel
from rag.text.language import question_language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked (cleaned)
    language: str  # the language to answer in: the question's
    search: str  # what retrieval searches: the question, or its standalone form
    search_language: str  # the language of `search`, which its scores depend on

    @property
    def bare(self) -> bool:
        """Only question words ("Why?") with nothing before them to lean on."""
        return is_bare(self.search)


def make_query(
    text: str,
    history: Sequence[ChatMessage],
    *,
    llm: ChatModel | None,
    prior_nats: float,
    max_chars: int,
) -> Query:
    """The query for `text` asked after `history` (oldest first).

    A model rewrites a follow-up into a standalone question. Without one (or when the
    rewrite fails), a follow-up that leans on earlier questions ("What did he demand?",
    "Warum?") is searched together with them; a question that stands alone is searched
    alone (rag.answer.follow_up)."""
    language = question_language(text, prior_nats=prior_nats)
    search = text
    if history:
        earlier = [m.content for m in history if m.role == "user"]
        search = with_context(text, earlier)
        if llm is not None:
            search = _condensed(llm, text, history, max_chars) or search
    same = search == text
    search_language = language if same else question_language(search, prior_nats=prior_nats)
    return Query(text, language, search, search_language)


def _condensed(
    llm: ChatModel, text: str, history: Sequence[ChatMessage], max_chars: int
) -> str | None:
    """The model's standalone form of a follow-up (its first line), or None on failure."""
    try:
        rewritten = llm.complete(condense_messages(text, history)).strip()
    except LLMError as exc:
        log.warning("could not condense the follow-up question: %s", exc)
        return None
    first_line = rewritten.splitlines()[0].strip() if rewritten else ""
    return first_line[:max_chars] or text
