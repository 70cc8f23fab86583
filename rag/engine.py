"""The answer engine: retrieve passages, then answer from them with citations."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer import Answer, ChatMessage
from rag.citations import MARKER, MarkerRewriter, citation
from rag.config import Settings
from rag.errors import LLMError
from rag.extractive import ScoredSentence, compose, select
from rag.follow_up import is_bare, with_context
from rag.language import phrase, question_language
from rag.llm import ChatModel
from rag.prompts import answer_messages, condense_messages
from rag.retrieval import HybridRetriever, Passage, Retrieval
from rag.safety import looks_like_injection
from rag.sentences import split_sentences

log = logging.getLogger(__name__)

# Sentences are scored in the best few passages only: enough to find the answer,
# few enough to embed at question time.
SENTENCE_PASSAGES = 3
# How much a sentence's score leans on its passage's relevance (context) vs. its own.
PASSAGE_SHARE = 0.3
SELECT_MARGIN = 0.02


def _is_heading(sentence: str) -> bool:
    """Headings are context, not statements: never quoted as an answer."""
    return len(sentence) < 100 and not sentence.rstrip().endswith(tuple(".!?…\"'”“»)"))


@dataclass(frozen=True)
class Evidence:
    retrieval: Retrieval
    sentences: list[ScoredSentence]
    language: str  # of the question the passages were retrieved for


def clears_threshold(evidence: Evidence, same_language: float, crosslingual: float) -> bool:
    """Whether some sentence reaches the abstention threshold of its language pair (pure).

    E5 scores a question lower against text in another language than against text in its
    own, so one threshold would refuse answerable cross-lingual questions and answer
    off-topic same-language ones; each pair has its own (docs/benchmarks.md).
    """
    passages = evidence.retrieval.passages
    return any(
        s.score
        >= (same_language if passages[s.passage].language == evidence.language else crosslingual)
        for s in evidence.sentences
    )


class _VectorCache:
    """A small thread-safe LRU of sentence vectors: popular passages are asked about often."""

    def __init__(self, size: int = 4096) -> None:
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get_many(self, model: BaseEmbedding, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._data]
        if missing:
            vectors = model.get_text_embedding_batch(list(missing))
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._data[text] = np.asarray(vec, dtype=np.float32)
                    self._data.move_to_end(text)
                while len(self._data) > self._size:
                    self._data.popitem(last=False)
        with self._lock:
            rows = [self._data.get(t) for t in texts]
        if any(r is None for r in rows):  # evicted meanwhile by another thread: recompute
            return np.asarray(model.get_text_embedding_batch(list(texts)), dtype=np.float32)
        return np.stack([r for r in rows if r is not None])


class Engine:
    """Stateless per question: everything it needs is passed in or held read-only."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        embed_model: BaseEmbedding,
        llm: ChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.embed_model = embed_model
        self.llm = llm
        self._cache = _VectorCache()

    def evidence(self, question: str, top_k: int | None = None) -> Evidence:
        retrieval = self.retriever.search(question, top_k)
        # Sentence vectors stored at index time make this cheap; a chunk without them
        # (an index from before they existed) has its sentences embedded now.
        scored: list[tuple[int, int, int, str, float]] = []
        pending: list[tuple[int, int, int, str]] = []
        for i, passage in enumerate(retrieval.passages[:SENTENCE_PASSAGES]):
            stored = self.retriever.sentence_vectors(passage.chunk_id, passage.text)
            if stored is None:
                spans = [(s.start, s.end) for s in split_sentences(passage.text)]
                cosines = None
            else:
                spans = [(int(a), int(b)) for a, b in stored[0]]
                cosines = np.asarray(stored[1], dtype=np.float32) @ retrieval.query_vector
            for j, (a, b) in enumerate(spans):
                text = passage.text[a:b]
                if _is_heading(text) or looks_like_injection(text):
                    continue
                where = (i, passage.start + a, passage.start + b, text)
                if cosines is None:
                    pending.append(where)
                else:
                    scored.append((*where, float(cosines[j])))
        if pending:
            vectors = self._cache.get_many(self.embed_model, [c[3] for c in pending])
            cosines = vectors @ retrieval.query_vector
            scored += [(*c, float(cos)) for c, cos in zip(pending, cosines, strict=True)]
        sentences = [
            ScoredSentence(
                passage=i,
                start=start,
                end=end,
                text=text,
                score=float(
                    (1 - PASSAGE_SHARE) * cos + PASSAGE_SHARE * retrieval.passages[i].dense
                ),
            )
            for i, start, end, text, cos in sorted(scored, key=lambda c: (c[0], c[1]))
        ]
        return Evidence(retrieval, sentences, question_language(question))

    def answerable(self, evidence: Evidence) -> bool:
        return clears_threshold(
            evidence, self.settings.abstain_threshold, self.settings.abstain_threshold_crosslingual
        )

    def extractive(self, question: str, evidence: Evidence) -> Answer:
        language = question_language(question)
        if not self.answerable(evidence):
            return Answer(phrase("abstain", language), "extractive")
        chosen = select(
            evidence.sentences, limit=self.settings.extractive_sentences, margin=SELECT_MARGIN
        )
        text, citations = compose(chosen, evidence.retrieval.passages, phrase("lead", language))
        return Answer(text, "extractive", citations)

    def answer(self, question: str, top_k: int | None = None) -> Answer:
        result: Answer | None = None
        for item in self.stream(question, (), top_k):
            if isinstance(item, Answer):
                result = item
        assert result is not None  # stream always ends with the Answer
        return result

    def standalone(self, question: str, history: Sequence[ChatMessage]) -> str:
        """A follow-up rewritten by the model so retrieval needs no conversation."""
        if self.llm is None or not history:
            return question
        try:
            rewritten = self.llm.complete(condense_messages(question, history)).strip()
        except LLMError as exc:
            log.warning("could not condense the follow-up question: %s", exc)
            # as without a model: join it with the questions it leans on, if any
            return with_context(question, _questions(history))
        first_line = rewritten.splitlines()[0].strip() if rewritten else ""
        return first_line[: self.settings.max_question_chars] or question

    def _extractive_chat(
        self, question: str, history: Sequence[ChatMessage], top_k: int | None
    ) -> Answer:
        """Without a model to rewrite follow-ups, one that leans on earlier questions
        ("What did he demand?", "Warum?") is retrieved together with them; a question
        that stands alone is retrieved alone (see rag.follow_up)."""
        query = with_context(question, _questions(history))
        if is_bare(query):  # "Why?" with no topic before it: any passage would be chance
            return Answer(phrase("vague", question_language(question)), "extractive")
        return self.extractive(question, self.evidence(query, top_k))

    def stream(
        self, question: str, history: Sequence[ChatMessage], top_k: int | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer. If the model fails midway, the final Answer
        is the extractive one with a `notice`, and replaces what was streamed."""
        if self.llm is None:
            yield from _whole(self._extractive_chat(question, history, top_k))
            return
        standalone = self.standalone(question, history)
        if is_bare(standalone):  # no history to rewrite "Why?" from: nothing to search for
            yield from _whole(Answer(phrase("vague", question_language(question)), "llm"))
            return
        evidence = self.evidence(standalone, top_k)
        if not self.answerable(evidence):
            # Weak evidence: abstain rather than invite the model to use outside knowledge.
            yield from _whole(Answer(phrase("abstain", question_language(question)), "llm"))
            return
        yield from self._generate(question, standalone, evidence)

    def _generate(
        self, question: str, standalone: str, evidence: Evidence
    ) -> Iterator[str | Answer]:
        assert self.llm is not None
        passages = evidence.retrieval.passages
        messages = answer_messages(standalone, passages, question_language(question))
        rewriter = MarkerRewriter(len(passages))
        try:
            for delta in self.llm.stream(messages):
                if out := rewriter.feed(delta):
                    yield out
            if tail := rewriter.flush():
                yield tail
        except LLMError as exc:
            log.warning("model failed, answering extractively: %s", exc)
            yield self._fallback(question, evidence, str(exc))
            return
        if not rewriter.text.strip():
            yield self._fallback(question, evidence, "the model returned an empty answer")
            return
        cited = [passages[n - 1] for n in rewriter.order]
        quotes = self.quotes(rewriter.text, cited)
        citations = [
            citation(n, passage, quote)
            for n, (passage, quote) in enumerate(zip(cited, quotes, strict=True), start=1)
        ]
        yield Answer(rewriter.text, "llm", citations)

    def _fallback(self, question: str, evidence: Evidence, reason: str) -> Answer:
        notice = f"The language model failed ({reason}); this answer quotes the articles instead."
        return replace(self.extractive(question, evidence), notice=notice)

    def quotes(self, text: str, cited: Sequence[Passage]) -> list[str]:
        """For each cited passage, its sentence closest to the claims that cite it."""
        claims: dict[int, list[str]] = {}
        for span in split_sentences(text):
            sentence = text[span.start : span.end]
            bare = MARKER.sub("", sentence).strip()
            for match in MARKER.finditer(sentence):
                for n in match.group(2).split(","):
                    claims.setdefault(int(n), []).append(bare)
        quotes = []
        for n, passage in enumerate(cited, start=1):
            sentences = [
                passage.text[s.start : s.end]
                for s in split_sentences(passage.text)
                if not _is_heading(passage.text[s.start : s.end])
            ]
            mine = [c for c in claims.get(n, []) if c]
            if not sentences or not mine:
                quotes.append("")
                continue
            vectors = self._cache.get_many(self.embed_model, sentences + mine)
            sims = vectors[: len(sentences)] @ vectors[len(sentences) :].T
            quotes.append(sentences[int(sims.max(axis=1).argmax())])
        return quotes


def _questions(history: Sequence[ChatMessage]) -> list[str]:
    """The user's earlier questions, oldest first."""
    return [m.content for m in history if m.role == "user"]


def _whole(answer: Answer) -> Iterator[str | Answer]:
    """A finished answer as a stream: its text as one delta, then the Answer."""
    yield answer.text
    yield answer
