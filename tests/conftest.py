"""Shared fixtures: real Chroma in tmp dirs, the real embedding model, the real seed article."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.reindex import reindex
from rag.api import Assistant
from rag.config import Settings
from rag.models import make_embed_model
from tests.openai_server import FakeOpenAI

# Captured before the autouse fixture below clears them: the `live` tests use them.
LIVE_ENV = {
    k: v for k, v in os.environ.items() if k.startswith("RAG_LLM_") or k == "OPENAI_API_KEY"
}

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
EVAL = ROOT.parent / "shared" / "eval"
SEED = "openai-microsoft-windsurf.de.md"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build Settings explicitly; a developer's environment must not leak in."""
    for key in list(os.environ):
        if key.startswith("RAG_") or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key)


def make_settings(root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": root / "index", "corpus_dir": root / "corpus"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def embed_model() -> Any:
    return make_embed_model(Settings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the project's corpus (the seed article)."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory, embed_model: Any) -> Settings:
    """The seed corpus indexed once per session; tests must not modify it."""
    root = tmp_path_factory.mktemp("seed")
    shutil.copytree(CORPUS, root / "corpus")
    settings = make_settings(root)
    reindex(settings, embed_model=embed_model)
    return settings


@pytest.fixture(scope="session")
def seed_assistant(seed_settings: Settings, embed_model: Any) -> Assistant:
    return Assistant(seed_settings, embed_model=embed_model)


def seed_questions() -> list[dict[str, Any]]:
    path = EVAL / "seed-qa.dev.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def llm_assistant(
    seed_settings: Settings, embed_model: Any, openai_server: FakeOpenAI
) -> Assistant:
    """The seed index answered by a model on the local test server."""
    settings = seed_settings.model_copy(
        update={
            "llm_base_url": openai_server.base_url,
            "llm_model": "local-test-model",
            "llm_timeout": 1.0,
            "llm_max_retries": 1,
        }
    )
    return Assistant(settings, embed_model=embed_model)
