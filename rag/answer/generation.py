"""Generated answers: the model writes from the numbered passages, streamed, its citation
markers checked and renumbered as they arrive; when it fails, the extractive answer with
a notice replaces it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer.citations import MARKER, MarkerRewriter, citation
from rag.answer.citations import claims as answer_claims
from rag.answer.evidence import Evidence, is_heading
from rag.answer.extractive import extractive_answer, newest_day
from rag.answer.phrases import phrase
from rag.answer.prompts import answer_messages
from rag.answer.query import Query
from rag.answer.types import Answer, Confidence
from rag.errors import LLMError
from rag.models.chat import ChatModel
from rag.search.passage import Passage
from rag.search.retriever import HybridRetriever
from rag.text.dates import long_iso
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
    ) -> None:
        self.llm = llm
        self.retriever = retriever
        self.embed_model = embed_model
        self.tuning = tuning
        self.fallback_sentences = fallback_sentences

    def stream(
        self, query: Query, evidence: Evidence, confidence: Confidence
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer (the extractive one with a `notice` if the
        model failed midway, which replaces what was streamed). A `low` answer starts by
        saying the articles may not answer directly; a model that says the passages lack
        the answer gives an answer without citations, whatever it cited."""
        passages = evidence.retrieval.passages
        messages = answer_messages(query.search, passages, query.language, latest=query.latest)
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
            yield self.fallback(query, evidence, str(exc), confidence)
            return
        if not rewriter.text.strip():
            yield self.fallback(query, evidence, "the model returned an empty answer", confidence)
            return
        if says_not_stated(rewriter.text):
            yield Answer(MARKER.sub("", rewriter.text).strip(), "llm", confidence="none")
            return
        cited = [passages[n - 1] for n in rewriter.order]
        quotes = self.quotes(rewriter.text, cited)
        citations = [
            citation(n, passage, quote)
            for n, (passage, quote) in enumerate(zip(cited, quotes, strict=True), start=1)
        ]
        text = head + rewriter.text
        newest = newest_day(cited)
        if query.latest and newest and not _says_as_of(text):
            tail = "\n\n" + phrase("as_of", query.language, date=long_iso(newest, query.language))
            yield tail
            text += tail
        yield Answer(text, "llm", citations, confidence=confidence if citations else "none")

    def fallback(
        self, query: Query, evidence: Evidence, reason: str, confidence: Confidence
    ) -> Answer:
        notice = f"The language model failed ({reason}); this answer quotes the articles instead."
        answer = extractive_answer(
            evidence,
            query.language,
            self.tuning,
            self.fallback_sentences,
            confidence=confidence,
            latest=query.latest,
        )
        return replace(answer, notice=notice)

    def quotes(self, text: str, cited: Sequence[Passage]) -> list[str]:
        """For each cited passage (numbered from 1 in `text`), its sentence closest to the
        claims that cite it; "" when nothing cites it with words."""
        claims: dict[int, list[str]] = {}
        for claim in answer_claims(text):
            for n in claim.numbers:
                if claim.text:
                    claims.setdefault(n, []).append(claim.text)
        said = list(dict.fromkeys(c for texts in claims.values() for c in texts))
        embedded = self.embed_model.get_text_embedding_batch(said) if said else []
        claim_vectors = dict(zip(said, np.asarray(embedded, dtype=np.float32), strict=True))
        quotes = []
        for n, passage in enumerate(cited, start=1):
            stored = self.retriever.sentence_vectors(passage)
            mine = claims.get(n, [])
            spans = [] if stored is None else stored[0].tolist()
            keep = [j for j, (a, b) in enumerate(spans) if not is_heading(passage.text[a:b])]
            if stored is None or not mine or not keep:
                quotes.append("")
                continue
            sentences = np.asarray(stored[1][keep], dtype=np.float32)
            sims = sentences @ np.stack([claim_vectors[c] for c in mine]).T
            a, b = spans[keep[int(sims.max(axis=1).argmax())]]
            quotes.append(passage.text[a:b])
        return quotes


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
