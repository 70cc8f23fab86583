"""UI fixtures: the app under AppTest, pointed at the seed index or at a writable copy."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from rag.config import Settings, get_settings
from ui.render import WORD_JOINER

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
TIMEOUT = 120  # AppTest's default is 3 s; the first run loads the embedding model
AppFactory = Callable[..., AppTest]


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """Build an AppTest whose settings point at `settings`' index and corpus; keyword
    arguments are further environment variables (RAG_LLM_BASE_URL=...)."""

    def build(settings: Settings, **env: str) -> AppTest:
        monkeypatch.setenv("RAG_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("RAG_CORPUS_DIR", str(settings.corpus_dir))
        monkeypatch.setenv("RAG_FEEDS_EVERY_MINUTES", "0")  # no update races the test
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(settings.data_dir.parent)  # no developer's .env is read
        get_settings.cache_clear()
        st.cache_resource.clear()  # cached assistants leak between AppTest instances
        # as `rag ui` runs it: no magic, so no ast.parse per run (cpython#106905)
        st_config.set_option("runner.magicEnabled", False)
        return AppTest.from_file(APP, default_timeout=TIMEOUT)

    yield build
    st.cache_resource.clear()
    get_settings.cache_clear()


@pytest.fixture
def app(make_app: AppFactory, seed_settings: Settings) -> AppTest:
    """The app on the session's seed index (read-only: no uploads or reindexing here)."""
    return make_app(seed_settings)


@pytest.fixture
def own_index(indexed: Settings) -> Settings:
    """A writable copy of the seed corpus and its index, for tests that change them."""
    return indexed


def rendered(markdown: str) -> str:
    """Roughly what a reader sees: escapes resolved, invisible joiners dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def page_text(at: AppTest) -> str:
    """All text elements of the page (main area and sidebar), as rendered."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title"):
        parts.extend(str(element.value) for element in at.get(kind))
    return rendered("\n".join(parts))


def settle(at: AppTest, timeout: float = 300) -> AppTest:
    """Run the app until no background job shows progress: the job a click started has
    finished, and the run that noticed it has told its result (AppTest runs no timers)."""
    deadline = time.monotonic() + timeout
    while at.get("progress"):
        assert time.monotonic() < deadline, "the background job did not finish"
        time.sleep(0.1)
        at.run()
    assert not at.exception, at.exception
    return at
