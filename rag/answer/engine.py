"""The answer path over one index snapshot: query → evidence → extractive or generated answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer.evidence import Evidence, clears_threshold, gather_evidence
from rag.answer.extractive import extractive_answer
from rag.answer.generation import Generator
from rag.answer.phrases import phrase
from rag.answer.query import Query, make_query
from rag.answer.types import Answer, ChatMessage, Mode
from rag.config import Settings
from rag.models.chat import ChatModel
from rag.search.retriever import HybridRetriever


class AnswerEngine:
    """Stateless per question: everything it needs is passed in or held read-only."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        embed_model: BaseEmbedding,
        llm: ChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.tuning = settings.tuning
        self.retriever = retriever
        self.llm = llm
        self.generator = (
            Generator(
                llm,
                retriever,
                embed_model,
                self.tuning,
                fallback_sentences=settings.extractive_sentences,
            )
            if llm is not None
            else None
        )

    def query(self, question: str, history: Sequence[ChatMessage] = ()) -> Query:
        return make_query(
            question,
            history,
            llm=self.llm,
            prior_nats=self.tuning.question_language_prior,
            max_chars=self.settings.max_question_chars,
        )

    def evidence(self, query: Query, top_k: int | None = None) -> Evidence:
        return gather_evidence(
            self.retriever, query.search, query.search_language, self.tuning, top_k
        )

    def stream(
        self, question: str, history: Sequence[ChatMessage], top_k: int | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer. If the model fails midway, the final Answer
        is the extractive one with a `notice`, and replaces what was streamed."""
        query = self.query(question, history)
        mode: Mode = "extractive" if self.generator is None else "llm"
        if query.bare:  # "Why?" with nothing to lean on: any passage found would be chance
            yield from _whole(Answer(phrase("vague", query.language), mode))
            return
        evidence = self.evidence(query, top_k)
        if self.generator is None:
            sentences = self.settings.extractive_sentences
            yield from _whole(extractive_answer(evidence, query.language, self.tuning, sentences))
            return
        if not clears_threshold(
            evidence, self.tuning.abstain_threshold, self.tuning.abstain_threshold_crosslingual
        ):
            # Weak evidence: abstain rather than invite the model to use outside knowledge.
            yield from _whole(Answer(phrase("abstain", query.language), mode))
            return
        yield from self.generator.stream(query, evidence)


def _whole(answer: Answer) -> Iterator[str | Answer]:
    """A finished answer as a stream: its text as one delta, then the Answer."""
    yield answer.text
    yield answer
