"""Chat models: OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio).

The `openai` SDK is used directly: it retries timeouts, 408/409/429 and 5xx with bounded
exponential backoff (0.5 s doubling to 8 s, honouring Retry-After), `max_retries` times.
Every failure leaves this module as `LLMError` with a message that names no secret.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import httpx

from rag.config import Settings
from rag.errors import ConfigError, LLMError

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class ChatModel(Protocol):
    """What the engine needs from a language model."""

    name: str

    def complete(self, messages: Sequence[Message]) -> str: ...

    def stream(self, messages: Sequence[Message]) -> Iterator[str]: ...


def describe_failure(exc: BaseException, settings_timeout: float | None = None) -> str:
    """A short, secret-free reason for a failed model call."""
    import openai  # deferred (0.8 s to import): extractive mode never loads it

    if isinstance(exc, openai.AuthenticationError):
        return "the model server rejected the API key (HTTP 401): check OPENAI_API_KEY"
    if isinstance(exc, openai.PermissionDeniedError):
        return "the API key may not use this model (HTTP 403)"
    if isinstance(exc, openai.NotFoundError):
        return (
            "the model or endpoint was not found (HTTP 404): "
            "check RAG_LLM_MODEL and RAG_LLM_BASE_URL"
        )
    if isinstance(exc, openai.RateLimitError):
        return "the model server is rate-limiting requests (HTTP 429)"
    if isinstance(exc, openai.APIStatusError):
        return f"the model server answered HTTP {exc.status_code}"
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        limit = f" after {settings_timeout:g} s" if settings_timeout else ""
        return f"the model server did not answer in time{limit}"
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return "the connection to the model server failed or was dropped"
    return f"the model call failed ({exc.__class__.__name__})"


class OpenAIChatModel:
    """Chat completions over the OpenAI protocol; unknown model names are fine."""

    def __init__(self, settings: Settings) -> None:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        if not key and not settings.llm_base_url:
            raise ConfigError(
                "no language model configured: set OPENAI_API_KEY, or RAG_LLM_BASE_URL for "
                "a local OpenAI-compatible server, or use RAG_ANSWER_MODE=extractive"
            )
        self.name = settings.llm_model
        self.timeout = settings.llm_timeout
        self._settings = settings
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The SDK client, made on first use (importing openai takes ~0.8 s)."""
        if self._client is None:
            import openai

            secret = self._settings.openai_api_key
            key = secret.get_secret_value() if secret else ""
            # Local servers ignore the key, but the SDK insists on one.
            self._client = openai.OpenAI(
                api_key=key or "not-needed",
                base_url=self._settings.llm_base_url,
                timeout=self._settings.llm_timeout,
                max_retries=self._settings.llm_max_retries,
            )
        return self._client

    def _create(self, messages: Sequence[Message], stream: bool) -> Any:
        return self.client.chat.completions.create(
            model=self.name,
            messages=list(messages),
            temperature=0.1,
            stream=stream,
        )

    def complete(self, messages: Sequence[Message]) -> str:
        import openai

        try:
            response = self._create(messages, stream=False)
            content = response.choices[0].message.content if response.choices else None
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise LLMError(describe_failure(exc, self.timeout)) from exc
        return content or ""

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        import openai

        try:
            for chunk in self._create(messages, stream=True):
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise LLMError(describe_failure(exc, self.timeout)) from exc


class LlamaIndexChatModel:
    """Any llama-index LLM (OpenAILike, Ollama, ...) as a ChatModel.

    Its own retry policy applies; whatever it raises becomes LLMError, so the engine's
    extractive fallback covers every backend alike.
    """

    def __init__(self, llm: Any) -> None:
        self._llm = llm
        self.name = str(getattr(llm, "model", None) or llm.class_name())

    @staticmethod
    def _messages(messages: Sequence[Message]) -> list[Any]:
        from llama_index.core.llms import ChatMessage as LlamaMessage

        return [LlamaMessage(role=m["role"], content=m["content"]) for m in messages]

    def complete(self, messages: Sequence[Message]) -> str:
        try:
            return str(self._llm.chat(self._messages(messages)).message.content or "")
        except Exception as exc:  # a foreign backend: translate anything at this edge
            raise LLMError(describe_failure(exc)) from exc

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        try:
            for chunk in self._llm.stream_chat(self._messages(messages)):
                if chunk.delta:
                    yield chunk.delta
        except Exception as exc:
            raise LLMError(describe_failure(exc)) from exc


def as_chat_model(llm: Any) -> ChatModel:
    """Accept our ChatModel or a llama-index LLM."""
    from llama_index.core.llms import LLM

    return LlamaIndexChatModel(llm) if isinstance(llm, LLM) else llm


def llm_enabled(settings: Settings) -> bool:
    """Whether answers are generated: `auto` means when a key or a base URL is set."""
    if settings.answer_mode == "auto":
        return bool(settings.openai_api_key or settings.llm_base_url)
    return settings.answer_mode == "llm"


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None in extractive mode."""
    return OpenAIChatModel(settings) if llm_enabled(settings) else None
