"""Shared fixtures: real Chroma in tmp dirs, the real embedding model, the real seed article.

The seed index is built once per run (`seed_settings`); tests that change an index get a
copy of it (`indexed`), and tests that need no index at all start from the corpus alone
(`settings`). The CLI runs in-process through `rag.cli.main` (`cli`); a few smoke tests
start the installed command in a subprocess.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rag import Assistant, ReindexSummary, Settings
from rag.cli import main
from rag.config import get_settings
from rag.models.embedding import make_embed_model
from tests.openai_server import FakeOpenAI
from tests.web_server import SlowHeaders, WebServer

# Captured before the autouse fixture below clears them: the `live` tests use them.
LIVE_ENV = {
    k: v for k, v in os.environ.items() if k.startswith("RAG_LLM_") or k == "OPENAI_API_KEY"
}

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
ARTICLES = DATA / "articles"  # small extra articles: German and English local news
# Dated articles from three outlets on three stories that evolve over months (job cuts
# that grow and are corrected, electric ferries that are delayed, a flood), plus an undated note.
NEWS = DATA / "news"
NEWS_TODAY = "2024-06-12"  # a Wednesday: "last week" is 3–9 June 2024
NEWS_LATER = "2024-10-01"  # after every article of tests/data/news: all of it is news
SEED = "openai-microsoft-windsurf.de.md"
# RAG_EVAL_DIR (default ../shared/eval, beside the repository): read, never copied here.
_eval = Settings(_env_file=None).eval_dir  # type: ignore[call-arg]
EVAL = _eval if _eval.is_absolute() else ROOT / _eval
XQUAD = EVAL / "xquad-de"
needs_xquad = pytest.mark.skipif(
    not (XQUAD / "questions.dev.jsonl").is_file(),
    reason=f"no XQuAD-de evaluation data in {EVAL}: set RAG_EVAL_DIR to run these tests",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build Settings explicitly; a developer's environment must not leak in."""
    for key in list(os.environ):
        if key.startswith("RAG_") or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key)


def make_settings(root: Path, **overrides: Any) -> Settings:
    # no feed schedule unless a test turns it on: a background update would race the test
    values: dict[str, Any] = {
        "data_dir": root / "index", "corpus_dir": root / "corpus", "feeds_every_minutes": 0
    }  # fmt: skip
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def reindex(settings: Settings, *, embed_model: Any, **kwargs: Any) -> ReindexSummary:
    """The public reindex (`Assistant.reindex`), with the session's embedding model."""
    return Assistant(settings, embed_model=embed_model).reindex(**kwargs)


def seed_questions() -> list[dict[str, Any]]:
    path = DATA / "seed-qa.dev.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


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
    """The seed corpus, not indexed yet."""
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
def news_settings(tmp_path_factory: pytest.TempPathFactory, embed_model: Any) -> Settings:
    """tests/data/news indexed once per session, read against NEWS_TODAY; read-only."""
    root = tmp_path_factory.mktemp("news")
    shutil.copytree(NEWS, root / "corpus")
    settings = make_settings(root, today=NEWS_TODAY)
    reindex(settings, embed_model=embed_model)
    return settings


@pytest.fixture(scope="session")
def news_assistant(news_settings: Settings, embed_model: Any) -> Assistant:
    return Assistant(news_settings, embed_model=embed_model)


@pytest.fixture(scope="session")
def news_later(news_settings: Settings, embed_model: Any) -> Assistant:
    """The same index read against NEWS_LATER, for questions about the latest news."""
    later = news_settings.model_copy(update={"today": dt.date.fromisoformat(NEWS_LATER)})
    return Assistant(later, embed_model=embed_model)


@pytest.fixture
def indexed(tmp_path: Path, seed_settings: Settings) -> Settings:
    """A writable copy of the seed corpus and its index, for tests that change them."""
    settings = make_settings(tmp_path)
    shutil.copytree(seed_settings.corpus_dir, settings.corpus_dir)
    # the index only: conversations other tests saved on the seed stay there
    shutil.copytree(
        seed_settings.data_dir, settings.data_dir, ignore=shutil.ignore_patterns("rag.sqlite3*")
    )
    return settings


@pytest.fixture
def assistant_for(embed_model: Any) -> Callable[[Settings], Assistant]:
    """An Assistant over `settings` that shares the session's embedding model."""
    return lambda settings: Assistant(settings, embed_model=embed_model)


@pytest.fixture(scope="session")
def seed_assistant(seed_settings: Settings, embed_model: Any) -> Assistant:
    return Assistant(seed_settings, embed_model=embed_model)


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebServer]:
    """A real HTTP server on 127.0.0.1 with news pages, feeds and faults (tests/web_server.py);
    the reserved `.example` names of the pages' own sites resolve to it, as a hosts file
    would have them."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".example"):
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    server = WebServer().start()
    yield server
    server.stop()


@pytest.fixture
def slow_headers() -> Iterator[SlowHeaders]:
    """A server on 127.0.0.1 whose headers trickle for 30 s (tests/web_server.py)."""
    server = SlowHeaders()
    yield server
    server.stop.set()
    server.sock.close()


@pytest.fixture
def newsroom(indexed: Settings) -> Settings:
    """The seed index, allowed to fetch from 127.0.0.1 (where `web` serves), with a short
    fetch timeout."""
    return indexed.model_copy(update={"fetch_allow_private": True, "fetch_timeout": 2.0})


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


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """`rag ARGS...` in this process, with `settings`' folders and extra RAG_* variables,
    as a user's shell would pass them; returns its exit code and output."""

    def run(args: list[str], settings: Settings, *, stdin: str | None = None, **env: str) -> Ran:
        monkeypatch.setenv("RAG_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("RAG_CORPUS_DIR", str(settings.corpus_dir))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(settings.data_dir.parent)  # no developer's .env is read
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            code = main(args)
        except SystemExit as exc:  # argparse refuses bad arguments this way
            code = int(exc.code or 0)
        finally:
            get_settings.cache_clear()
            for key in ["RAG_DATA_DIR", "RAG_CORPUS_DIR", *env]:
                monkeypatch.delenv(key, raising=False)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    yield run
    get_settings.cache_clear()
