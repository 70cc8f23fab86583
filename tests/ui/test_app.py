"""The chat UI through Streamlit's AppTest, on the real seed index."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rag.config import Settings, get_settings

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


@pytest.fixture
def app(seed_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("RAG_DATA_DIR", str(seed_settings.data_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(seed_settings.corpus_dir))
    get_settings.cache_clear()
    st.cache_resource.clear()  # cached assistants leak between AppTest instances
    yield AppTest.from_file(APP, default_timeout=120)
    st.cache_resource.clear()
    get_settings.cache_clear()


def test_ask_shows_answer_and_sources(app: AppTest) -> None:
    app.run()
    assert not app.exception
    app.chat_input[0].set_value("Why is Windsurf the flashpoint?").run()
    assert not app.exception
    page = " ".join(m.value for m in app.markdown)
    assert "[1]" in page
    sources = " ".join(t.value for t in app.text)
    assert "heißt Windsurf" in sources

    app.chat_input[0].set_value("What is the capital of Australia?").run()
    messages = [m for m in app.chat_message]
    assert len(messages) == 4, "the first exchange stays on screen"
    assert "do not answer" in " ".join(m.value for m in app.markdown)
