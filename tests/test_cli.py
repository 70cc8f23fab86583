"""The `rag` command: in-process through `rag.cli.main`, and as the installed command."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.cli.common import clip
from rag.config import Settings
from tests.conftest import Cli, make_settings
from tests.openai_server import FakeOpenAI, Reply

RAG = Path(sys.executable).with_name("rag")


def run(
    args: list[str], settings: Settings, cwd: Path, **env_extra: str
) -> subprocess.CompletedProcess[str]:
    """The installed `rag` command in a subprocess, as a user runs it."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("RAG_") and k != "OPENAI_API_KEY"
    }
    env |= {"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}
    env |= env_extra
    return subprocess.run(
        [str(RAG), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


def test_reindex_then_ask_json(settings: Settings, tmp_path: Path) -> None:
    first = run(["reindex", "--json"], settings, tmp_path)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    # no library chatter below the default WARNING level (bm25s used to log at DEBUG)
    assert "DEBUG" not in first.stderr and "INFO" not in first.stderr, first.stderr
    assert set(summary) == {
        "added", "updated", "removed", "unchanged", "chunks", "skipped", "warnings", "duplicates"
    }  # fmt: skip
    assert summary["added"] == 1 and summary["chunks"] > 5

    again = run(["reindex"], settings, tmp_path)
    assert (
        again.stdout.strip()
        == f"added 0, updated 0, removed 0, unchanged 1, chunks {summary['chunks']}"
    )

    asked = run(["ask", "Why is Windsurf the flashpoint?", "--json"], settings, tmp_path)
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert data["mode"] == "extractive"
    assert set(data["citations"][0]) == {
        "n", "doc_id", "title", "source", "text", "quote", "start_char", "end_char", "score",
        "date", "outlet", "also", "support",
    }  # fmt: skip
    cited = data["citations"][0]["text"]
    assert "heißt Windsurf" in cited and "geistige Eigentum" in cited

    plain = run(["ask", "What is the capital of Australia?", "--top-k", "3"], settings, tmp_path)
    assert (
        plain.returncode == 0 and "do not answer" in plain.stdout and "Sources" not in plain.stdout
    )

    status = run(["status"], settings, tmp_path)
    assert status.returncode == 0 and "articles 1" in status.stdout


def test_reindex_names_each_skipped_file_once(tmp_path: Path, cli: Cli) -> None:
    settings = make_settings(tmp_path)
    settings.corpus_dir.mkdir()
    (settings.corpus_dir / "short.md").write_text("# Kurz\n\nEin kurzer Artikel.\n")
    (settings.corpus_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\nText\n")
    result = cli(["reindex"], settings)
    assert result.returncode == 0, result.stderr
    assert "added 1" in result.stdout
    said = result.stdout + result.stderr
    assert said.count("broken.md") == 1, said
    assert "skipped broken.md: broken front matter (line 2)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "Why is Windsurf the flashpoint?"], "rag reindex"),
        (["ask", "   "], "empty"),
        (["ask", "x", "--top-k", "0"], "top_k must be between 1 and 100"),
    ],
)
def test_user_errors_are_one_line(
    settings: Settings, cli: Cli, args: list[str], message: str
) -> None:
    result = cli(args, settings)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_setting_is_one_line(settings: Settings, tmp_path: Path) -> None:
    env_settings = settings.model_copy(update={"data_dir": settings.data_dir})
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "status"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, "RAG_TOP_K": "many", "RAG_DATA_DIR": str(env_settings.data_dir)},
    )  # fmt: skip
    assert result.returncode != 0 and "RAG_TOP_K" in result.stderr
    assert "Traceback" not in result.stderr


LOW_NOTE = "The articles may not answer this directly.\n\n"


def _llm_env(server: FakeOpenAI) -> dict[str, str]:
    return {"RAG_LLM_BASE_URL": server.base_url, "RAG_LLM_MODEL": "tiny", "RAG_LLM_TIMEOUT": "2",
            "RAG_LLM_MAX_RETRIES": "1"}  # fmt: skip


def _cite_windsurf(request: dict[str, Any]) -> Reply:
    prompt = request["messages"][1]["content"]
    n = re.findall(r"\[(\d+)\] Title:[^\n]*\n[^\[]*?heißt Windsurf", prompt)[0]
    return Reply(f"Microsoft wants all of the IP OpenAI buys [{n}].")


def _ask_json(cli: Cli, settings: Settings, server: FakeOpenAI) -> dict[str, Any]:
    result = cli(["ask", "Why is Windsurf the flashpoint?", "--json"], settings, **_llm_env(server))
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_ask_with_an_openai_compatible_server(
    seed_settings: Settings, cli: Cli, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = _cite_windsurf
    env = _llm_env(openai_server)
    data = _ask_json(cli, seed_settings, openai_server)
    assert data["mode"] == "llm"
    # e5 is unsure of English questions on the one German article: framed as low
    assert data["confidence"] == "low"
    assert data["answer"] == LOW_NOTE + "Microsoft wants all of the IP OpenAI buys [1]."
    assert "heißt Windsurf" in data["citations"][0]["text"]
    assert "heißt Windsurf" in openai_server.chat_requests()[0]["messages"][1]["content"]

    streamed = cli(["ask", "Why is Windsurf the flashpoint?"], seed_settings, **env)
    assert streamed.stdout.startswith(LOW_NOTE + "Microsoft wants all of the IP OpenAI buys [1].")
    assert "Sources:\n[1] OpenAI und Microsoft" in streamed.stdout


def test_failing_server_falls_back_with_a_notice(
    seed_settings: Settings, cli: Cli, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply(status=500)
    env = _llm_env(openai_server)
    data = _ask_json(cli, seed_settings, openai_server)
    assert data["mode"] == "extractive"
    assert "HTTP 500" in data["notice"]
    assert "heißt Windsurf" in data["citations"][0]["text"]
    plain = cli(["ask", "Why is Windsurf the flashpoint?"], seed_settings, **env)
    assert plain.returncode == 0
    assert "Note: The language model failed (the model server answered HTTP 500" in plain.stdout
    assert "Traceback" not in plain.stderr


def test_chat_keeps_the_history(
    seed_settings: Settings, cli: Cli, openai_server: FakeOpenAI
) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        if "standalone" in request["messages"][0]["content"]:
            return Reply("What did OpenAI reply to Microsoft's demand for the Windsurf IP?")
        return _cite_windsurf(request)

    openai_server.responder = respond
    stdin = "Why is Windsurf the flashpoint?\nAnd what did OpenAI answer?\n"
    result = cli(["chat"], seed_settings, stdin=stdin, **_llm_env(openai_server))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Microsoft wants all of the IP OpenAI buys [1].") == 2
    condense = openai_server.chat_requests()[1]
    assert "Why is Windsurf the flashpoint?" in condense["messages"][1]["content"]


def test_a_passage_without_a_quote_is_cut_at_a_word_boundary() -> None:
    text = "Microsoft verlangt Zugriff auf das gesamte geistige Eigentum, das OpenAI erwirbt."
    assert clip(text, 200) == text
    assert clip(text, 40) == "Microsoft verlangt Zugriff auf das…"
    assert clip("Donaudampfschifffahrtsgesellschaft", 10) == "Donaudamp…"
    assert len(clip(text * 5, 200)) <= 200


def test_rated_answers_are_exported_as_test_cases(indexed: Settings, cli: Cli) -> None:
    from rag.db.conversations import Conversations
    from rag.db.database import Database
    from rag.index.layout import IndexLayout

    saved = Conversations(Database(IndexLayout(indexed.data_dir).database))
    chat = saved.create()
    answer = {"answer": "Microsoft hired Mustafa Suleyman. [1]", "citations": []}
    _, good = saved.append(chat.id, "Who did Microsoft hire?", answer)
    _, bad = saved.append(chat.id, "How much did OpenAI pay?", {"answer": "No idea."})
    saved.rate(chat.id, good.id, "up")
    saved.rate(chat.id, bad.id, "down", "the article says 3 billion")
    ran = cli(["eval", "feedback", "--json"], indexed)
    assert ran.returncode == 0, ran.stderr
    rated = json.loads(ran.stdout)["feedback"]
    assert [(r["question"], r["rating"]) for r in rated] == [
        ("How much did OpenAI pay?", "down"), ("Who did Microsoft hire?", "up")
    ]  # fmt: skip
    down = cli(["eval", "feedback", "--down"], indexed)
    assert "- " in down.stdout and "the article says 3 billion" in down.stdout
    assert "1 rated answer\n" in down.stdout
