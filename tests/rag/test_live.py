"""The generated-answer happy path against a real endpoint.

Runs only when OPENAI_API_KEY or RAG_LLM_BASE_URL (and optionally RAG_LLM_MODEL) is set in
the environment that starts pytest; skipped otherwise.
"""

from typing import Any

import pytest
from pydantic import SecretStr

from rag import Assistant, ChatMessage, Delta, Final
from rag.config import Settings
from tests.conftest import LIVE_ENV

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not (LIVE_ENV.get("OPENAI_API_KEY") or LIVE_ENV.get("RAG_LLM_BASE_URL")),
        reason="no live endpoint: set OPENAI_API_KEY or RAG_LLM_BASE_URL",
    ),
]


@pytest.fixture
def live(seed_settings: Settings, embed_model: Any) -> Assistant:
    update: dict[str, Any] = {"llm_base_url": LIVE_ENV.get("RAG_LLM_BASE_URL")}
    if "RAG_LLM_MODEL" in LIVE_ENV:
        update["llm_model"] = LIVE_ENV["RAG_LLM_MODEL"]
    if "OPENAI_API_KEY" in LIVE_ENV:
        update["openai_api_key"] = SecretStr(LIVE_ENV["OPENAI_API_KEY"])
    return Assistant(seed_settings.model_copy(update=update), embed_model=embed_model)


def test_live_answer_is_cited(live: Assistant) -> None:
    answer = live.ask("Why is Windsurf the flashpoint?")
    assert answer.mode == "llm", answer.notice
    assert "[1]" in answer.text
    assert any("heißt Windsurf" in c.text for c in answer.citations)


def test_live_stream_and_follow_up(live: Assistant) -> None:
    *deltas, last = live.stream("Warum streiten OpenAI und Microsoft?")
    assert isinstance(last, Final) and not last.replaces_stream
    final = last.answer
    assert "".join(d.text for d in deltas if isinstance(d, Delta)) == final.text
    history = [
        ChatMessage("user", "Why is Windsurf the flashpoint?"),
        ChatMessage("assistant", final.text),
    ]
    follow = live.chat("And what did OpenAI answer?", history)
    assert follow.citations
