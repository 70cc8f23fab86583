"""The answer path over one index snapshot: query → evidence → extractive or generated answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer.confidence import grade
from rag.answer.evidence import Evidence, gather_evidence, narrowed
from rag.answer.extractive import (
    extractive_answer,
    overview_answer,
    story_answer,
    written_byline,
)
from rag.answer.generation import Generator
from rag.answer.phrases import phrase
from rag.answer.query import Query, make_query, newest_week, up_to
from rag.answer.timeline import Timeline, events
from rag.answer.types import MAX_EVENTS, Answer, ChatMessage, Confidence, Mode
from rag.config import Settings
from rag.models.chat import ChatModel, token_counter
from rag.search.filters import Filters, describe
from rag.search.retriever import HybridRetriever

# Asked for the latest, this many times the passages are searched and scored: the newest
# article that answers scores a little below the story's best-ranked ones.
LATEST_DEPTH = 3


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
                context_tokens=settings.llm_context_tokens,
                max_tokens=settings.llm_max_tokens,
                count=token_counter(settings),
            )
            if llm is not None
            else None
        )

    def query(
        self,
        question: str,
        history: Sequence[ChatMessage] = (),
        filters: Filters | None = None,
    ) -> Query:
        if filters and filters.outlets:  # as the index lists them, when it knows them
            filters = replace(filters, outlets=self.retriever.outlets.shown(filters.outlets))
        query = make_query(
            question,
            history,
            llm=self.llm,
            prior_nats=self.tuning.question_language_prior,
            max_chars=self.settings.max_question_chars,
            filters=filters,
            today=self.settings.reference_day,
            outlets=self.retriever.outlets,
        )
        if query.overview and query.latest and not query.filters.dated:
            newest = self.retriever.newest_day(query.filters, self.settings.reference_day)
            if newest is not None:
                query = newest_week(query, newest)
        return up_to(query, self.settings.reference_day)

    def evidence(
        self, query: Query, top_k: int | None = None, *, scored: int | None = None
    ) -> Evidence:
        return gather_evidence(
            self.retriever,
            query.search,
            query.search_language,
            self.tuning,
            top_k,
            filters=query.filters,
            latest=query.latest,
            scored=scored,
        )

    def stream(
        self,
        question: str,
        history: Sequence[ChatMessage],
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer. If the model fails midway, the final Answer
        is the extractive one with a `notice`, and replaces what was streamed."""
        query = self.query(question, history, filters)
        for item in self._stream(query, top_k):
            if isinstance(item, Answer) and item.filters is None:
                item = replace(item, filters=query.applied)
            yield item

    def _stream(self, query: Query, top_k: int | None) -> Iterator[str | Answer]:
        mode: Mode = "extractive" if self.generator is None else "llm"
        if query.bare:  # "Why?" with nothing to lean on: any passage found would be chance
            yield from _whole(Answer(phrase("vague", query.language), mode))
            return
        keep = self.retriever.matching(query.filters)
        depth = top_k or self.retriever.top_k
        if keep is not None and not keep.any():  # not the same as "the articles do not say"
            found = self._answered_outside(query, depth, keep) if _scoped(query) else None
            if found is not None:
                yield from self._from_all_articles(query, found, mode)
                return
            what = describe(query.applied.filters, query.language)
            yield from _whole(Answer(phrase("no_match", query.language, what=what), mode))
            return
        if query.overview:
            yield from self._overview(query, top_k, mode)
            return
        # the newest article that answers may rank below the first few, and a story's
        # news over days is spread over more articles than a fact is
        if query.latest or query.story_news:
            wide = self.evidence(query, LATEST_DEPTH * depth, scored=LATEST_DEPTH * depth)
            evidence = narrowed(wide, depth, self.tuning.evidence_passages)
        else:
            wide = evidence = self.evidence(query, depth)
        confidence, _ = grade(evidence, query.search, self.tuning)
        outside = None
        if confidence != "high" and _scoped(query):
            outside = self._answered_outside(query, depth, keep)
        if outside is not None and confidence == "none":
            yield from self._from_all_articles(query, outside, mode)
            return
        # related passages within the filters: they are the answer, and the other is offered
        notice = "" if outside is None else _offer(query, outside)
        for item in self._within(query, wide, evidence, confidence, mode):
            if isinstance(item, Answer) and notice:
                item = replace(item, notice=" ".join(p for p in (item.notice, notice) if p))
            yield item

    def _within(
        self, query: Query, wide: Evidence, evidence: Evidence, confidence: Confidence, mode: Mode
    ) -> Iterator[str | Answer]:
        """The answer from the evidence the filters keep."""
        if self.generator is None and query.story_news:
            # "since October" runs to today: what has happened since is the newest news
            since = query.window and query.filters.until == self.settings.reference_day
            yield from _whole(
                story_answer(
                    wide,
                    query.language,
                    self.tuning,
                    self.settings.extractive_sentences,
                    confidence=confidence,
                    story=query.search,
                    newest=query.latest or since,
                )
            )
            return
        if self.generator is None:
            sentences = self.settings.extractive_sentences
            yield from _whole(
                extractive_answer(
                    wide,
                    query.language,
                    self.tuning,
                    sentences,
                    confidence=confidence,
                    latest=query.latest,
                    wanted=query.wanted,
                )
            )
            return
        if confidence == "none":
            # Weak evidence: abstain rather than invite the model to use outside knowledge.
            yield from _whole(Answer(phrase("abstain", query.language), mode))
            return
        yield from self.generator.stream(query, evidence, confidence)

    def _answered_outside(
        self, query: Query, depth: int, keep: np.ndarray | None
    ) -> Evidence | None:
        """The evidence of all articles, when it answers confidently from an article the
        filters (which keep the chunks `keep` marks) leave out."""
        evidence = self.evidence(query.unfiltered, depth)
        if grade(evidence, query.search, self.tuning)[0] != "high":
            return None
        anchor = evidence.retrieval.passages[min(s.passage for s in evidence.sentences)]
        return None if self.retriever.kept(keep, anchor.chunk_id) else evidence

    def _from_all_articles(
        self, query: Query, evidence: Evidence, mode: Mode
    ) -> Iterator[str | Answer]:
        """The answer from all articles, led by the filters whose articles held none."""
        what = describe(query.filters, query.language)
        applied = replace(query.applied, outside=True)
        if self.generator is None:
            answer = extractive_answer(
                evidence,
                query.language,
                self.tuning,
                self.settings.extractive_sentences,
                confidence="high",
                wanted=query.wanted,
                outside=what,
            )
            yield from _whole(replace(answer, filters=applied))
            return
        lead = phrase("outside", query.language, what=what)
        yield lead + "\n\n"
        for item in self.generator.stream(query.unfiltered, evidence, "high"):
            if isinstance(item, Answer):
                item = replace(item, text=f"{lead}\n\n{item.text}", filters=applied)
            yield item

    def _overview(self, query: Query, top_k: int | None, mode: Mode) -> Iterator[str | Answer]:
        """The articles the filters keep, for a question that asks nothing else."""
        depth = top_k or self.retriever.top_k
        evidence = self.evidence(query, depth, scored=depth)
        if self.generator is None:
            what = describe(query.applied.filters, query.language)
            yield from _whole(overview_answer(evidence, query.language, what, depth))
            return
        yield from self.generator.stream(query, evidence, "high")  # no threshold applies

    def timeline(
        self, text: str, filters: Filters | None = None, limit: int = MAX_EVENTS
    ) -> Timeline:
        """The articles relevant to `text`, oldest first, one event each."""
        query = self.query(text, (), filters)
        keep = self.retriever.matching(query.filters)
        if query.bare or (keep is not None and not keep.any()):
            return Timeline(text, query.applied, [])
        # several passages of one article come back: ask for more than `limit` articles
        depth = min(3 * limit, 100)
        evidence = self.evidence(query, depth, scored=depth)
        if grade(evidence, query.search, self.tuning)[0] == "none":  # not what they cover
            return Timeline(text, query.applied, [])
        found = events(evidence, self.tuning, limit, query.search, query.search_language)
        return Timeline(text, query.applied, found)


def _scoped(query: Query) -> bool:
    """Whether the filters only scope the search, so that an answer outside them is worth
    offering: set beside the question, not read from it ("in May 2023" is what is asked),
    and not an overview or the latest news, which the filters define. A watch's check
    (`Filters.articles`) asks about the new articles only: what else holds is no news."""
    applied = query.applied
    return not (
        applied.filters.empty
        or applied.filters.articles
        or applied.from_question
        or query.overview
        or query.latest
    )


def _offer(query: Query, outside: Evidence) -> str:
    """ "A confident answer is outside these filters: Westcoast Ledger, 15 August 2020." """
    anchor = min(s.passage for s in outside.sentences)  # where the answer is anchored
    where = written_byline(outside.retrieval.passages[anchor], query.language)
    what = describe(query.filters, query.language)
    return phrase("offer_outside", query.language, what=what, where=where)


def _whole(answer: Answer) -> Iterator[str | Answer]:
    """A finished answer as a stream: its text as one delta, then the Answer."""
    yield answer.text
    yield answer
