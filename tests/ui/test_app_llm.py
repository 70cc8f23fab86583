"""The chat UI with a language model: a real OpenAI-protocol server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from rag.config import Settings
from tests.openai_server import FakeOpenAI, Reply
from tests.ui.conftest import AppFactory, page_text, rendered
from tests.ui.test_app import WINDSURF, ask, messages, text_of

# Model output with Markdown that must be shown, not followed.
GENERATED = (
    "**Windsurf** is the trigger [1]. See [this](http://evil.example) or http://evil.example."
)


def is_condense(request: dict[str, Any]) -> bool:
    return "standalone" in request["messages"][0]["content"]


def prompt(request: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in request["messages"])


@pytest.fixture
def llm_app(make_app: AppFactory, seed_settings: Settings, openai_server: FakeOpenAI) -> AppTest:
    at = make_app(
        seed_settings,
        RAG_LLM_BASE_URL=openai_server.base_url,
        RAG_LLM_MODEL="local-test-model",
        RAG_LLM_TIMEOUT="2",
        RAG_LLM_MAX_RETRIES="0",
    )
    at.run()
    assert not at.exception
    return at


def test_generated_answer_is_streamed_escaped_and_cited(
    llm_app: AppTest, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply(GENERATED, chunk_chars=5)
    assert "Answers: LLM: local-test-model" in page_text(llm_app)
    ask(llm_app, WINDSURF)
    reply = llm_app.chat_message[1]
    # e5 is unsure the one German article answers this English question: the answer is
    # framed as low and shown muted (a caption), with its sources
    [body] = [c for c in reply.caption if "may not answer" in c.value]
    shown = str(body.value)
    assert "\\(http" in shown and "http\\:\u2060//" in shown, "links in model text are inert"
    assert rendered(shown) == "The articles may not answer this directly.\n\n" + GENERATED
    [sources] = reply.expander
    assert sources.label == "Sources (1)" and "Windsurf" in text_of(sources)
    assert not reply.warning


def test_follow_up_sends_the_conversation(llm_app: AppTest, openai_server: FakeOpenAI) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        if is_condense(request):
            return Reply("What did OpenAI answer to Microsoft's demand for Windsurf's IP?")
        return Reply("OpenAI refused [1].")

    openai_server.responder = respond
    ask(llm_app, WINDSURF)
    ask(llm_app, "And what did OpenAI answer?")
    condense = [r for r in openai_server.chat_requests() if is_condense(r)]
    assert len(condense) == 1
    assert WINDSURF in prompt(condense[0]) and "OpenAI refused" in prompt(condense[0])
    assert len(llm_app.chat_message) == 4


@pytest.mark.parametrize(
    ("reply", "notice"),
    [
        (Reply(status=500), "HTTP 500"),
        (Reply("Windsurf is the flash point of it all", drop_after=2), "dropped"),
    ],
)
def test_model_failure_shows_notice_and_the_extractive_answer(
    llm_app: AppTest, openai_server: FakeOpenAI, reply: Reply, notice: str
) -> None:
    openai_server.responder = lambda _r: reply
    ask(llm_app, WINDSURF)
    answer = llm_app.chat_message[1]
    assert notice in rendered(answer.warning[0].value)
    text = messages(llm_app)[1]
    assert "heißt Windsurf" in text and "[1]" in text, "the cited extractive answer"
    assert "flash point of it all" not in text, "a half-streamed answer is replaced"
    assert answer.expander[0].label.startswith("Sources")
    llm_app.run()
    assert notice in rendered(llm_app.chat_message[1].warning[0].value), "kept on rerun"


def test_a_statement_no_passage_supports_is_marked(
    llm_app: AppTest, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply(
        "Microsoft hired Mustafa Suleyman to lead an internal AI division. "
        "The CEO of Windsurf is Varun Mohan."
    )
    ask(llm_app, "Who did Microsoft hire to lead its internal AI division?")
    reply = llm_app.chat_message[1]
    marks = [c.value for c in reply.caption if "Not found in the passages" in c.value]
    assert len(marks) == 1 and "Varun Mohan" in marks[0]
    assert not reply.warning
