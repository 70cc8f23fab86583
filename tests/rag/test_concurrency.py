"""Many threads on one Assistant; questions while a reindex runs; two reindexes at once."""

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from filelock import FileLock

from rag import Answer, Assistant
from rag.config import Settings
from rag.errors import ReindexBusyError
from rag.index.layout import IndexLayout
from tests.conftest import ARTICLES, reindex

QUESTIONS = {
    "Why is Windsurf the flashpoint?": "heißt Windsurf",
    "Until when is Microsoft OpenAI's exclusive cloud provider?": "bis 2030",
    "Who did Microsoft hire to run an in-house AI division?": "Mustafa Suleyman",
    "What is the capital of Australia?": None,
}


def _check(question: str, answer: Answer) -> None:
    needle = QUESTIONS[question]
    if needle is None:
        assert answer.citations == []
    else:
        assert any(needle in c.text for c in answer.citations), question


def test_fifty_concurrent_asks(seed_assistant: Assistant) -> None:
    questions = [q for _ in range(13) for q in QUESTIONS][:50]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(seed_assistant.ask, questions))
    for question, answer in zip(questions, answers, strict=True):
        _check(question, answer)


def test_questions_during_a_reindex_never_fail(indexed: Settings, embed_model: Any) -> None:
    settings, corpus = indexed, indexed.corpus_dir
    for doc in sorted(ARTICLES.glob("*.md")):
        shutil.copy(doc, corpus / doc.name)
    (corpus / "openai-microsoft-windsurf.de.md").write_text(
        (corpus / "openai-microsoft-windsurf.de.md").read_text() + "\nNachtrag zum Artikel.\n"
    )
    assistant = Assistant(settings, embed_model=embed_model)
    errors: list[BaseException] = []
    answered = 0

    def ask_until_done(done: threading.Event) -> None:
        nonlocal answered
        while not done.is_set():
            try:
                _check(
                    "Why is Windsurf the flashpoint?",
                    assistant.ask("Why is Windsurf the flashpoint?"),
                )
                answered += 1
            except BaseException as exc:  # any failure fails the test below
                errors.append(exc)
                return

    done = threading.Event()
    asker = threading.Thread(target=ask_until_done, args=(done,))
    asker.start()
    try:
        summary = reindex(settings, embed_model=embed_model)
    finally:
        done.set()
        asker.join()
    assert not errors, errors
    assert answered > 0
    assert summary.added == 3 and summary.updated == 1
    assert assistant.status().articles == 4, "the assistant picked up the new index"


def test_second_reindex_is_refused_while_one_runs(settings: Settings, embed_model: Any) -> None:
    settings.data_dir.mkdir(parents=True)
    with (
        FileLock(str(IndexLayout(settings.data_dir).lock)),
        pytest.raises(ReindexBusyError, match="another reindex"),
    ):
        reindex(settings, embed_model=embed_model)
    assert reindex(settings, embed_model=embed_model).added == 1, "free again afterwards"
