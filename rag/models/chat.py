"""Chat models: OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio).

The `openai` SDK is used directly: it retries timeouts, 408/409/429 and 5xx with bounded
exponential backoff (0.5 s doubling to 8 s, honouring Retry-After), `max_retries` times,
fewer when the attempts would not fit `llm_deadline` together. A stream must start (and
keep going) within `llm_first_token_timeout`.
Every failure leaves this module as `LLMError` with a message that names no secret.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import httpx

from rag.config import Settings
from rag.errors import ConfigError, LLMError

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}
Count = Callable[[str], int]  # tokens of a text


def estimate_tokens(text: str) -> int:
    """A count few tokenizers exceed: BPE vocabularies average 3–4 characters per token in
    English and German, so 2.5 leaves room for names, numbers and umlauts."""
    return math.ceil(len(text) / 2.5)


def token_counter(settings: Settings) -> Count:
    """The model's tokenizer for OpenAI's own models (tiktoken, when its vocabulary is at
    hand), else the conservative estimate: a local server's model is not known by name."""
    if settings.llm_base_url is None and settings.openai_api_key is not None:
        try:
            import tiktoken

            encoding = tiktoken.encoding_for_model(settings.llm_model)
            return lambda text: len(encoding.encode(text, disallowed_special=()))
        except Exception as exc:  # an unknown model, or a vocabulary it cannot download
            log.info("no tokenizer for %s, estimating tokens: %s", settings.llm_model, exc)
    return estimate_tokens


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
        said = server_message(exc.body) or ""
        if exc.status_code == 400 and _CONTEXT.search(said):
            return f"the model's context is smaller than the prompt (the server said: {said})"
        return f"the model server answered HTTP {exc.status_code}" + (f": {said}" if said else "")
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        limit = f" after {settings_timeout:g} s" if settings_timeout else ""
        return f"the model server did not answer in time{limit}"
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return "the connection to the model server failed or was dropped"
    return f"the model call failed ({exc.__class__.__name__})"


_CONTEXT = re.compile(r"context|token|too long|exceed", re.IGNORECASE)


def server_message(body: object, limit: int = 200) -> str:
    """The error message of a server's JSON body ({"error": {"message": ...}} or
    {"message": ...} or a string), shortened; "" when there is none."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message", "") if isinstance(inner, dict) else inner
    else:
        message = body
    text = " ".join(str(message or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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

    def _create(self, messages: Sequence[Message], stream: bool, began: float) -> Any:
        """One call, its retries bounded so that all attempts fit the deadline."""
        s = self._settings
        left = s.llm_deadline - (time.monotonic() - began)
        if left <= 0:
            raise LLMError(f"the model server did not answer within {s.llm_deadline:g} s")
        # A stream's read timeout is the wait for its first token, and then between tokens.
        each = min(s.llm_timeout, s.llm_first_token_timeout if stream else s.llm_timeout, left)
        fit = int((left + 0.05) // each)  # attempts of `each` seconds that fit what is left
        retries = max(0, min(s.llm_max_retries, fit - 1))
        extra = {"seed": s.llm_seed} if s.llm_seed is not None else {}
        return self.client.with_options(timeout=each, max_retries=retries).chat.completions.create(
            model=self.name,
            messages=list(messages),
            temperature=s.llm_temperature,
            max_tokens=s.llm_max_tokens,
            stream=stream,
            **extra,
        )

    def complete(self, messages: Sequence[Message]) -> str:
        import openai

        try:
            response = self._create(messages, stream=False, began=time.monotonic())
            content = response.choices[0].message.content if response.choices else None
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise LLMError(describe_failure(exc, self.timeout)) from exc
        return content or ""

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        import openai

        began = time.monotonic()
        deadline = self._settings.llm_deadline
        response = None
        try:
            response = self._create(messages, stream=True, began=began)
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
                if time.monotonic() - began > deadline:
                    raise LLMError(f"the model did not finish its answer within {deadline:g} s")
        except (openai.OpenAIError, httpx.HTTPError) as exc:
            raise LLMError(describe_failure(exc, self.timeout)) from exc
        finally:
            if response is not None:
                response.close()  # a stream given up on frees its connection now


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
