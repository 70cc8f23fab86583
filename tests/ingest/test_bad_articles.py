"""Messy corpora: bad files are skipped with a reason, good ones indexed, nothing lost."""

import shutil
from pathlib import Path
from typing import Any

from rag import Assistant
from rag.config import Settings
from tests.conftest import DATA, SEED, reindex
from tests.openai_server import FakeOpenAI, Reply


def _messy_corpus(corpus: Path) -> None:
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    latin = "Der Bürgermeister von Köln eröffnete die Brücke über den Rhein für Fußgänger."
    (corpus / "latin1.txt").write_bytes(latin.encode("latin-1"))
    (corpus / "empty.md").write_text("")
    (corpus / "front-only.md").write_text("---\ntitle: Nothing\n---\n")
    (corpus / "broken.md").write_text("---\ntitle: [oops\n---\nText.")
    (corpus / "huge.txt").write_text("Wort " * 1_200_000)  # 6 MB, over the 5 MB limit
    (corpus / "copy.md").write_bytes((corpus / SEED).read_bytes())
    shutil.copy(DATA / "injection.md", corpus / "injection.md")
    shutil.copy(DATA / "script.md", corpus / "script.md")


def test_messy_corpus_is_indexed_with_reasons(
    settings: Settings, corpus: Path, embed_model: Any
) -> None:
    _messy_corpus(corpus)
    summary = reindex(settings, embed_model=embed_model)
    reasons = {s.path: s.reason for s in summary.skipped}
    twins = {"copy.md", SEED} & set(reasons)
    assert len(twins) == 1, "one of two identical articles is kept"
    bad = {"binary.txt", "empty.md", "front-only.md", "broken.md", "huge.txt"}
    assert set(reasons) - twins == bad
    assert "binary" in reasons["binary.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "front matter" in reasons["broken.md"]
    assert "same content" in reasons[twins.pop()]
    assert summary.added == 4  # seed, latin1 (decoded), injection, script

    assistant = Assistant(settings, embed_model=embed_model)
    answer = assistant.ask("Why is Windsurf the flashpoint?")
    assert any("heißt Windsurf" in c.text for c in answer.citations)
    assert "PWNED" not in answer.text
    script = assistant.ask("Was kostet die neue Rheinbrücke in Köln?")
    assert script.citations
    assert "<script" not in script.citations[0].text
    latin = assistant.ask("Wer eröffnete die Brücke über den Rhein?")
    assert any("Bürgermeister" in c.text for c in latin.citations)


def test_an_indexed_article_that_turns_bad_is_kept(indexed: Settings, embed_model: Any) -> None:
    settings, corpus = indexed, indexed.corpus_dir
    first = reindex(settings, embed_model=embed_model)
    (corpus / SEED).write_bytes(b"\x00\x01 corrupted by a bad editor")
    summary = reindex(settings, embed_model=embed_model)
    assert summary.removed == 0
    assert summary.chunks == first.chunks
    assert [s.path for s in summary.skipped] == [SEED]
    assert (
        Assistant(settings, embed_model=embed_model)
        .ask("Why is Windsurf the flashpoint?")
        .citations
    )


def test_injection_never_reaches_the_model_or_the_answer(
    indexed: Settings, embed_model: Any, openai_server: FakeOpenAI
) -> None:
    settings, corpus = indexed, indexed.corpus_dir
    shutil.copy(DATA / "injection.md", corpus / "injection.md")
    reindex(settings, embed_model=embed_model)
    extractive = Assistant(settings, embed_model=embed_model)
    question = "Was ist Windsurf?"
    retrieved = " ".join(p.text for p in extractive.search(question))
    assert "Ignore all previous instructions" in retrieved, "the injection is retrieved"
    assert "PWNED" not in extractive.ask(question).text

    openai_server.responder = lambda _r: Reply("Windsurf ist ein Startup [1].")
    llm = Assistant(
        settings.model_copy(update={"llm_base_url": openai_server.base_url}),
        embed_model=embed_model,
    )
    answer = llm.ask(question)
    assert answer.mode == "llm"
    prompt = openai_server.chat_requests()[0]["messages"][1]["content"]
    assert "Windsurf ist ein Startup für KI-Entwicklungswerkzeuge" in prompt
    assert "PWNED" not in prompt
    assert "[instruction-like text removed]" in prompt
