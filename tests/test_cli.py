"""The `rag` command in a subprocess, as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import Settings


def run(args: list[str], settings: Settings, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("RAG_") and k != "OPENAI_API_KEY"
    }
    env |= {"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=600,
    )  # fmt: skip


def test_reindex_then_ask_json(settings: Settings, tmp_path: Path) -> None:
    first = run(["reindex", "--json"], settings, tmp_path)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert set(summary) == {"added", "updated", "removed", "unchanged", "chunks", "skipped"}
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
        "n", "doc_id", "title", "source", "text", "quote", "start_char", "end_char", "score"
    }  # fmt: skip
    cited = data["citations"][0]["text"]
    assert "heißt Windsurf" in cited and "geistige Eigentum" in cited

    plain = run(["ask", "What is the capital of Australia?", "--top-k", "3"], settings, tmp_path)
    assert (
        plain.returncode == 0 and "do not answer" in plain.stdout and "Sources" not in plain.stdout
    )

    status = run(["status"], settings, tmp_path)
    assert status.returncode == 0 and "articles 1" in status.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "Why is Windsurf the flashpoint?"], "rag reindex"),
        (["ask", "   "], "empty"),
        (["ask", "x", "--top-k", "0"], "--top-k"),
    ],
)
def test_user_errors_are_one_line(
    settings: Settings, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(args, settings, tmp_path)
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
