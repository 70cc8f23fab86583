"""The Python API: `Assistant`, `Answer`, `Citation`. The UI and the CLI use only this."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import LLM

from rag.answer import Answer, ChatMessage, Citation
from rag.config import Settings, get_settings
from rag.engine import Engine
from rag.errors import IndexMissingError, QuestionError
from rag.lexical import LexicalIndex
from rag.llm import ChatModel, as_chat_model, make_chat_model
from rag.manifest import Manifest, ensure_compatible, load_manifest
from rag.models import make_embed_model
from rag.retrieval import HybridRetriever
from rag.store import ChunkStore

__all__ = ["Answer", "ArticleInfo", "Assistant", "ChatMessage", "Citation", "IndexStatus"]


@dataclass(frozen=True)
class IndexStatus:
    articles: int
    chunks: int
    indexed_at: str | None
    embed_model: str


@dataclass(frozen=True)
class ArticleInfo:
    doc_id: str
    title: str
    language: str
    source: str


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and surrounding space; refuse empty or overlong input."""
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
    ).strip()
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > max_chars:
        raise QuestionError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,}"
        )
    return text


class Assistant:
    """Answers questions about the indexed articles, with citations.

    The index is opened on first use and reopened when a reindex has changed it, so a
    long-running assistant (the UI) always answers from the current index.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embed_model: BaseEmbedding | None = None,
        llm: ChatModel | LLM | None = None,
        store: ChunkStore | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self._embed_model = embed_model
        self._store = store
        # Built here so a missing key is reported at once, not at the first question.
        self.llm = as_chat_model(llm) if llm is not None else make_chat_model(self.settings)
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._manifest: Manifest | None = None
        self._stamp: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Assistant:
        return cls(settings or get_settings())

    @property
    def embed_model(self) -> BaseEmbedding:
        if self._embed_model is None:
            self._embed_model = make_embed_model(self.settings)
        return self._embed_model

    def _current(self) -> tuple[Engine, Manifest]:
        path = self.settings.manifest_path
        with self._lock:
            try:
                stamp = path.stat().st_mtime_ns
            except FileNotFoundError:
                raise IndexMissingError(
                    f"no index in {self.settings.data_dir}: run `rag reindex` first"
                ) from None
            if self._engine is None or self._manifest is None or stamp != self._stamp:
                manifest = load_manifest(path)
                if manifest is None or manifest.lexical_dir is None:
                    raise IndexMissingError("the index is incomplete: run `rag reindex`")
                ensure_compatible(
                    manifest,
                    embed_model=self.settings.embed_model_name,
                    store=self.settings.store_identity,
                )
                store = self._store or ChunkStore(self.settings)
                lexical = LexicalIndex.load(self.settings.bm25_dir / manifest.lexical_dir)
                retriever = HybridRetriever.from_settings(
                    self.settings, store, lexical, self.embed_model
                )
                self._engine = Engine(self.settings, retriever, self.embed_model, self.llm)
                self._manifest, self._stamp = manifest, stamp
            return self._engine, self._manifest

    def status(self) -> IndexStatus:
        _engine, manifest = self._current()
        return IndexStatus(
            articles=len(manifest.documents),
            chunks=manifest.chunk_count,
            indexed_at=manifest.indexed_at,
            embed_model=manifest.embed_model,
        )

    def articles(self) -> list[ArticleInfo]:
        """The indexed articles, by document id."""
        _engine, manifest = self._current()
        return [
            ArticleInfo(doc_id, entry.title, entry.language, entry.source)
            for doc_id, entry in sorted(manifest.documents.items())
        ]

    def mode_label(self) -> str:
        """How answers are produced, for status displays (never shows the key)."""
        if self.llm is None:
            return "extractive (quotes from the articles; no language model configured)"
        where = f" at {self.settings.llm_base_url}" if self.settings.llm_base_url else ""
        return f"LLM: {self.llm.name}{where}"

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        """Answer one question from the articles."""
        text = clean_question(question, self.settings.max_question_chars)
        engine, _manifest = self._current()
        return engine.answer(text, top_k)

    def chat(
        self,
        question: str,
        history: Sequence[ChatMessage] = (),
        *,
        top_k: int | None = None,
    ) -> Answer:
        """Answer a question that may follow up on `history` (oldest first)."""
        answer: Answer | None = None
        for item in self.stream(question, history, top_k=top_k):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None  # stream always ends with the Answer
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[ChatMessage] | None = None,
        *,
        top_k: int | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer's text in pieces as it is produced, then the final `Answer`.

        The pieces joined equal `Answer.text`, except when the model fails midway: then
        the final `Answer` is the extractive one, with `notice` saying what failed, and it
        replaces the text streamed so far.
        """
        text = clean_question(question, self.settings.max_question_chars)
        engine, _manifest = self._current()
        yield from engine.stream(text, list(history or ()), top_k)
