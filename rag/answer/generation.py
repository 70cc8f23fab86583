"""Generated answers: the model writes from the numbered passages, streamed, its citation
markers checked and renumbered as they arrive; when it fails, the extractive answer with
a notice replaces it."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer.budget import fit_passages
from rag.answer.citations import MARKER, MarkerRewriter, citation, rewrite_markers
from rag.answer.citations import claims as answer_claims
from rag.answer.evidence import Evidence, ScoredSentence, is_heading, per_passage
from rag.answer.extractive import extractive_answer, newest_day
from rag.answer.phrases import phrase
from rag.answer.prompts import answer_messages, language_name
from rag.answer.query import Query
from rag.answer.support import (
    CheckedClaim,
    Support,
    check_claims,
    figures_agree,
    is_statement,
    rebuild,
    support_of,
)
from rag.answer.types import Answer, Confidence
from rag.errors import LLMError
from rag.models.chat import ChatModel, Count, Message, estimate_tokens
from rag.search.passage import Passage
from rag.search.retriever import HybridRetriever
from rag.text.dates import long_iso
from rag.text.language import question_language, slips
from rag.text.sentences import split_sentences
from rag.tuning import Tuning

log = logging.getLogger(__name__)


class Generator:
    """Streams a model's answer to a query from its evidence."""

    def __init__(
        self,
        llm: ChatModel,
        retriever: HybridRetriever,
        embed_model: BaseEmbedding,
        tuning: Tuning,
        *,
        fallback_sentences: int,
        context_tokens: int = 8192,
        max_tokens: int = 512,
        count: Count = estimate_tokens,
    ) -> None:
        self.llm = llm
        self.retriever = retriever
        self.embed_model = embed_model
        self.tuning = tuning
        self.fallback_sentences = fallback_sentences
        self.context_tokens = context_tokens
        self.max_tokens = max_tokens
        self.count = count

    def stream(
        self, query: Query, evidence: Evidence, confidence: Confidence
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer (the extractive one with a `notice` if the
        model failed midway, which replaces what was streamed). A `low` answer starts by
        saying the articles may not answer directly; a model that says the passages lack
        the answer gives an answer without citations, whatever it cited."""

        def build(shown: Sequence[Passage]) -> list[Message]:
            return answer_messages(
                query.text,
                shown,
                query.language,
                latest=query.latest,
                understood=query.standalone,
            )

        budget = self.context_tokens - self.max_tokens
        fitted = fit_passages(
            evidence.retrieval.passages, build, self.count, budget, _best_spans(evidence)
        )
        if fitted is None:
            failure = (
                f"the prompt does not fit the model's context of {self.context_tokens} tokens "
                f"with a {self.max_tokens}-token answer, not even with one passage cut short"
            )
            yield self.fallback(query, evidence, confidence, failure=failure)
            return
        passages, shown = fitted  # cited as they are, shown as they fit
        messages = build(shown)
        rewriter = MarkerRewriter(len(passages))
        head = phrase("low_note", query.language) + "\n\n" if confidence == "low" else ""
        if head:
            yield head
        try:
            for delta in self.llm.stream(messages):
                if out := rewriter.feed(delta):
                    yield out
            if tail := rewriter.flush():
                yield tail
        except LLMError as exc:
            log.warning("model failed, answering extractively: %s", exc)
            yield self.fallback(query, evidence, confidence, failure=str(exc))
            return
        raw = rewriter.raw
        notice = ""
        if not re.search(r"\w", MARKER.sub("", raw)):  # nothing but markers and punctuation
            yield self.fallback(query, evidence, confidence, problem="was empty")
            return
        if says_not_stated(raw):
            yield Answer(MARKER.sub("", raw).strip(), "llm", confidence="none")
            return
        if wrong := self._slips(raw, query.language):
            log.warning("answer not in %s, asking again: %r", query.language, wrong[:2])
            raw = self._again(messages, query.language, raw)
            if self._slips(raw, query.language):
                language = language_name(query.language)
                notice = f"Parts of the model's answer may not be in {language}."
        checked, rows = self.check(raw, passages, query.language)
        statements = [c for c in checked if is_statement(c.claim.text)]
        unsupported = [c.claim.text for c in statements if not c.supported]
        if not any(c.cited for c in checked):
            problem = "cited no passage" if not rewriter.order else "was not in the passages"
            yield self.fallback(query, evidence, confidence, problem=problem)
            return
        if len(unsupported) * 2 > len(statements):
            yield self.fallback(
                query, evidence, confidence, problem="was mostly not in the passages"
            )
            return
        text, order = rewrite_markers(rebuild(raw, checked), len(passages))
        citations = []
        for i, n in enumerate(order, start=1):
            best = support_of(checked, rows, n)
            citations.append(citation(i, passages[n - 1], best.sentence, support=best.score))
        text = head + text
        newest = newest_day([passages[n - 1] for n in order])
        if query.latest and newest and not _says_as_of(text):
            tail = "\n\n" + phrase("as_of", query.language, date=long_iso(newest, query.language))
            yield tail
            text += tail
        yield Answer(
            text,
            "llm",
            citations,
            notice=notice,
            confidence=confidence,
            unsupported=tuple(unsupported),
        )

    def _slips(self, raw: str, language: str) -> list[str]:
        sentences = [c.text for c in answer_claims(raw)]
        whole = " ".join(sentences)
        prior = self.tuning.question_language_prior
        if len(whole.split()) >= 6 and question_language(whole, prior_nats=prior) != language:
            return sentences  # the whole answer is in another language
        return slips(sentences, language, prior_nats=prior)

    def _again(self, messages: list[Message], language: str, first: str) -> str:
        """One more try, the language rule restated; the first answer if it fails."""
        rule = (
            f"Your answer was not entirely in {language_name(language)}. Write the whole "
            f"answer in {language_name(language)}, translating every fact from the passages, "
            "and keep the [n] citations."
        )
        retry = [
            *messages,
            {"role": "assistant", "content": first},
            {"role": "user", "content": rule},
        ]
        try:
            return self.llm.complete(retry) or first
        except LLMError as exc:
            log.warning("the language retry failed: %s", exc)
            return first

    def check(
        self, raw: str, passages: Sequence[Passage], language: str
    ) -> tuple[list[CheckedClaim], list[list[Support]]]:
        """Each claim of the model's answer against the sentences of every passage it was
        given (rag.answer.support), by the stored sentence vectors."""
        found = answer_claims(raw)
        texts = list(dict.fromkeys(c.text for c in found if c.text))
        embedded = self.embed_model.get_text_embedding_batch(texts) if texts else []
        vectors = dict(zip(texts, np.asarray(embedded, dtype=np.float32), strict=True))
        stored = [self.retriever.sentence_vectors(p) for p in passages]
        rows = [
            [
                _best_sentence(passage, entry, claim.text, vectors[claim.text], language)
                if claim.text
                else _NONE
                for passage, entry in zip(passages, stored, strict=True)
            ]
            for claim in found
        ]
        thresholds = per_passage(self.tuning.support_threshold, passages, language)
        return check_claims(found, rows, thresholds, self.tuning.support_margin), rows

    def fallback(
        self,
        query: Query,
        evidence: Evidence,
        confidence: Confidence,
        *,
        failure: str = "",
        problem: str = "",
    ) -> Answer:
        """The extractive answer, with a notice of why: the model `failure`d, or its answer
        had a `problem` ("was empty")."""
        if failure:
            notice = (
                f"The language model failed ({failure}); this answer quotes the articles instead."
            )
        else:
            notice = f"The model's answer {problem}; this answer quotes the articles instead."
        answer = extractive_answer(
            evidence,
            query.language,
            self.tuning,
            self.fallback_sentences,
            confidence=confidence,
            latest=query.latest,
            wanted=query.wanted,
        )
        return replace(answer, notice=notice)


_INSTEAD = "this answer quotes the articles instead."


def _best_spans(evidence: Evidence) -> Callable[[Passage], list[tuple[int, int]]]:
    """A passage's sentences, best first (by the evidence scores, where it has them; in
    article order otherwise), as spans into its text: what is left when it is cut."""
    scored: dict[str, list[ScoredSentence]] = {}
    for s in evidence.sentences:
        scored.setdefault(evidence.retrieval.passages[s.passage].chunk_id, []).append(s)

    def best(passage: Passage) -> list[tuple[int, int]]:
        mine = sorted(scored.get(passage.chunk_id, []), key=lambda s: -s.score)
        if mine:
            return [(s.start - passage.start, s.end - passage.start) for s in mine]
        return [(span.start, span.end) for span in split_sentences(passage.text)]

    return best


_NONE = Support(0.0, "")


def _best_sentence(
    passage: Passage,
    stored: tuple[np.ndarray, np.ndarray] | None,
    claim: str,
    vector: np.ndarray,
    language: str,
) -> Support:
    """The passage's sentence closest to a claim, among those that hold its figures
    (headings left out)."""
    if stored is None:
        return _NONE
    spans, vectors = stored
    keep = [
        j
        for j, (a, b) in enumerate(spans.tolist())
        if not is_heading(passage.text[a:b])
        and figures_agree(claim, language, passage.text[a:b], passage.language, passage.date)
    ]
    if not keep:
        return _NONE
    sims = np.asarray(vectors[keep], dtype=np.float32) @ vector
    a, b = spans[keep[int(sims.argmax())]].tolist()
    return Support(float(sims.max()), passage.text[a:b])


# A model following rule 4 of the prompt ("say so plainly"), in English or German.
_NOT_STATED = re.compile(
    r"\b(?:(?:do|does|did)(?: not|n't) (?:contain|say|mention|state|answer|provide|include|"
    r"specify|give|address)|(?:is|are) not (?:mentioned|stated|given|provided|specified)|"
    r"no (?:information|mention|details?)|nicht (?:enthalten|erwähnt|genannt|angegeben|"
    r"beantwortet)|keine (?:Angaben?|Informationen?|Hinweise?)|geht (?:daraus |aus \w+ )?"
    r"nicht hervor)\b",
    re.IGNORECASE,
)


def says_not_stated(text: str) -> bool:
    """Whether a generated answer is the model saying the passages lack the answer: a
    short answer (two sentences at most) that says so (pure)."""
    bare = MARKER.sub("", text).strip()
    return len(split_sentences(bare)) <= 2 and bool(_NOT_STATED.search(bare))


def _says_as_of(text: str) -> bool:
    """Whether a generated answer names the day it speaks of ("As of", "Stand")."""
    lowered = text.lower()
    return "as of" in lowered or "stand " in lowered or "stand:" in lowered
