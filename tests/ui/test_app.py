"""The chat UI through Streamlit's AppTest, on the real seed index."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from filelock import FileLock
from streamlit.testing.v1 import AppTest

from rag import ArticleInfo, Citation
from rag.config import Settings
from rag.index.layout import FORMAT, IndexLayout
from rag.index.manifest import load_manifest, save_manifest
from tests.ui.conftest import AppFactory, page_text, rendered, settle
from ui.corpus import example_questions
from ui.history import Turn

WINDSURF = "Why is Windsurf the flashpoint?"


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def text_of(block: Any) -> str:
    """Its Markdown and captions in screen order (a low-confidence answer is a caption)."""
    shown = [n for n in block if getattr(n, "type", "") in ("markdown", "caption")]
    return rendered("\n".join(str(m.value) for m in shown))


def messages(at: AppTest) -> list[str]:
    """The text of each chat message on screen, in order."""
    return [text_of(m) for m in at.chat_message]


def download_enabled(at: AppTest) -> bool:
    [button] = at.get("download_button")
    return not button.proto.disabled


def test_ask_shows_answer_and_sources(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert not download_enabled(app), "nothing to download yet"
    ask(app, WINDSURF)
    assert download_enabled(app), "the answer just given can be downloaded"
    user, reply = messages(app)
    assert user == WINDSURF
    assert "[1]" in reply and "Windsurf" in reply
    [sources] = [e for e in app.expander if e.label.startswith("Sources")]
    passages = text_of(sources)
    assert "heißt Windsurf" in passages
    # The cited sentence is highlighted inside its passage.
    assert ":yellow-background[Die Zündschnur" in " ".join(m.value for m in sources.markdown)


def test_second_question_keeps_first_exchange_and_reruns_keep_history(app: AppTest) -> None:
    app.run()
    ask(app, WINDSURF)
    first = messages(app)
    ask(app, "Warum streiten OpenAI und Microsoft?")
    assert messages(app)[:2] == first, "the first exchange stays on screen"
    assert len(app.chat_message) == 4

    app.run()  # a plain rerun, as any widget interaction causes
    app.slider[0].set_value(3).run()
    assert len(app.chat_message) == 4
    assert messages(app)[:2] == first
    assert len([e for e in app.expander if e.label.startswith("Sources")]) == 2


def test_follow_ups_use_the_conversation_only_when_they_lean_on_it(app: AppTest) -> None:
    app.run()
    ask(app, WINDSURF)
    ask(app, "Warum?")  # leans on the Windsurf question: answered from its passages, in German
    # framed as low: e5 cannot tell whether the passages answer a bare "why"
    assert messages(app)[3].startswith("Die Artikel beantworten das möglicherweise nicht direkt")
    assert "Windsurf" in messages(app)[3]
    ask(app, "Wer hat die Fußball-WM 2014 gewonnen?")  # unrelated: not the topic's passages
    assert messages(app)[5] == "Die Artikel beantworten diese Frage nicht."
    assert len([e for e in app.expander if e.label.startswith("Sources")]) == 2


def test_fallback_notice_is_shown_with_the_cited_answer(app: AppTest) -> None:
    citation = Citation(1, "a.md", "Titel", "", "Ein Satz. Noch einer.", "Ein Satz.", 0, 21, 0.9)
    notice = "The language model timed out; showing the quoted answer instead."
    app.session_state["turns"] = [
        Turn("user", "Frage?"),
        Turn("assistant", "Ein Satz. [1]", (citation,), notice),
    ]
    app.run()
    assert not app.exception
    reply = app.chat_message[1]
    assert "timed out" in rendered(reply.warning[0].value)
    assert "Ein Satz. [1]" in text_of(reply)
    assert any(e.label == "Sources (1)" for e in reply.expander)


def test_unanswerable_question_says_so(app: AppTest) -> None:
    app.run()
    ask(app, "What is the capital of Australia?")
    assert "do not answer" in messages(app)[1]


def test_refused_question_shows_error_and_keeps_conversation(app: AppTest) -> None:
    app.run()
    ask(app, WINDSURF)
    first = messages(app)
    ask(app, "\x00\x07")  # only control characters: the assistant refuses it as empty
    assert "the question is empty" in " ".join(e.value for e in app.error)
    assert messages(app)[:2] == first
    app.run()
    assert len(app.chat_message) == 2, "the refused question is not kept"


def test_empty_state_examples_ask_their_question(app: AppTest) -> None:
    app.run()
    text = page_text(app)
    assert "**1 article** in German: *OpenAI und Microsoft: Wie der Windsurf-Kauf" in text
    example = (
        "What do the articles say about “OpenAI und Microsoft: Wie der Windsurf-Kauf die "
        "KI-Allianz zerreißt”?"
    )
    assert [b.label for b in app.button if "articles say" in b.label] == [example], "its title"

    next(b for b in app.button if b.label == example).click().run()
    assert not app.exception
    user, reply = messages(app)
    assert user == example and "[1]" in reply
    assert example not in [b.label for b in app.button], "the examples make way for the chat"


def test_examples_come_from_the_newest_stories() -> None:
    def article(title: str, date: str | None) -> ArticleInfo:
        return ArticleInfo(title.lower(), title, "de", "", date, "", "", 0)

    corpus = [article("Alt", "2024-01-02"), article("Ohne Datum", None),
              article("Neu", "2024-06-01")]  # fmt: skip
    assert example_questions(corpus) == [
        "What's the latest news?",
        "What do the articles say about “Neu”?",
        "What do the articles say about “Alt”?",
    ]
    assert example_questions([article("Ohne Datum", None)]) == [
        "What do the articles say about “Ohne Datum”?"
    ]
    same_story = [article("Lufthansa meldet Rekordverlust von 6,7 Milliarden", "2020-08-06"),
                  article("Lufthansa erleidet Rekordverlust durch Corona", "2020-08-05"),
                  article("Wirecard-Skandal: Braun verhaftet", "2020-06-23")]  # fmt: skip
    assert example_questions(same_story)[1:] == [
        "What do the articles say about “Lufthansa meldet Rekordverlust von 6,7 Milliarden”?",
        "What do the articles say about “Wirecard-Skandal: Braun verhaftet”?",
    ], "one question per story"


def test_new_chat_clears_the_conversation(app: AppTest) -> None:
    app.run()
    ask(app, WINDSURF)
    next(b for b in app.button if b.label == "New chat").click().run()
    assert len(app.chat_message) == 0
    assert any(b.label.startswith("What do the articles say") for b in app.main.button)
    assert "c" not in app.query_params, "a new conversation starts with the next question"


def test_sidebar_shows_corpus_status(app: AppTest) -> None:
    app.run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"Articles": "1", "Passages": "15"}
    sidebar = page_text(app)
    assert "multilingual-e5-small" in sidebar and "extractive" in sidebar
    assert "Last indexed: 20" in sidebar


def test_no_index_offers_to_build_it(make_app: AppFactory, own_index: Settings) -> None:
    shutil.rmtree(own_index.data_dir)
    at = make_app(own_index)
    at.run()
    assert not at.exception
    assert "No index yet" in page_text(at)
    assert at.chat_input[0].disabled

    settle(next(b for b in at.button if b.label == "Build the index").click().run())
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"
    assert "added 1" in page_text(at)
    ask(at, WINDSURF)
    assert "[1]" in messages(at)[1]


def test_reindex_button_shows_summary(make_app: AppFactory, own_index: Settings) -> None:
    at = make_app(own_index)
    at.run()
    settle(next(b for b in at.button if b.label == "Reindex corpus").click().run())
    assert "unchanged 1, chunks 15" in page_text(at)


ARTICLE = """---
title: "Neue Regeln für Rechenzentren"
language: de
---
Die Stadt Lindau verlangt ab 2026, dass jedes neue Rechenzentrum seine Abwärme an das
Fernwärmenetz abgibt. Der Bürgermeister nennt die Regel einen Gewinn für das Klima.
""".encode()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    return settle(next(b for b in at.button if b.label == "Add and index").click().run())


def test_upload_adds_and_indexes_an_article(make_app: AppFactory, own_index: Settings) -> None:
    at = make_app(own_index)
    at.run()
    upload(at, "Neue Regeln für Rechenzentren.md", ARTICLE)
    saved = own_index.corpus_dir / "Neue-Regeln-fur-Rechenzentren.md"
    assert saved.read_bytes() == ARTICLE
    assert {m.label: m.value for m in at.metric}["Articles"] == "2"
    assert "Added" in page_text(at)

    ask(at, "Was verlangt Lindau von Rechenzentren?")
    assert "Abwärme" in messages(at)[1]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("notes.pdf", b"%PDF-1.7 text", "only .md, .txt and .html"),
        ("../../evil.md", b"# Evil\nEscapes the corpus folder.", "not a plain file name"),
        ("..\\evil.txt", b"Escapes the corpus folder.", "not a plain file name"),
        ("empty.md", b"---\ntitle: x\n---\n", "no text"),
        ("big.txt", b"x" * 5_000_001, "too large"),  # RAG_MAX_ARTICLE_BYTES, the one limit
    ],
)
def test_bad_upload_is_rejected(
    make_app: AppFactory, own_index: Settings, name: str, data: bytes, reason: str
) -> None:
    before = sorted(own_index.corpus_dir.iterdir())
    at = make_app(own_index)
    at.run()
    upload(at, name, data)
    errors = " ".join(e.value for e in at.error)
    assert reason in errors.replace("\\", "")
    assert sorted(own_index.corpus_dir.iterdir()) == before
    assert not list(own_index.corpus_dir.parent.parent.rglob("evil.*"))
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"


def test_duplicate_upload_is_refused(make_app: AppFactory, own_index: Settings) -> None:
    seed = next(own_index.corpus_dir.glob("*.md"))
    at = make_app(own_index)
    at.run()
    upload(at, "copy.md", seed.read_bytes())
    assert "same content" in " ".join(e.value for e in at.error)
    assert not (own_index.corpus_dir / "copy.md").exists()


def test_busy_index_refuses_the_upload_before_saving_it(
    make_app: AppFactory, own_index: Settings
) -> None:
    """The index's lock is taken first: nothing is saved that the index does not hold."""
    at = make_app(own_index)
    at.run()
    with FileLock(str(IndexLayout(own_index.data_dir).lock)):  # as if `rag reindex` ran
        upload(at, "neu.md", ARTICLE)
    assert "another reindex is running" in " ".join(e.value for e in at.error)
    assert not (own_index.corpus_dir / "neu.md").exists()
    upload(at, "neu.md", ARTICLE)  # once it has finished
    assert (own_index.corpus_dir / "neu.md").read_bytes() == ARTICLE


def test_an_index_of_an_older_format_is_rebuilt_from_the_sidebar(
    make_app: AppFactory, own_index: Settings
) -> None:
    path = IndexLayout(own_index.data_dir).manifest
    manifest = load_manifest(path)
    assert manifest is not None
    manifest.format = FORMAT - 1
    save_manifest(path, manifest)
    at = make_app(own_index)
    at.run()
    assert not at.exception
    assert "run `rag reindex` to rebuild it" in page_text(at)
    settle(next(b for b in at.button if b.label == "Reindex corpus").click().run())
    assert "rebuilt it from the corpus" in page_text(at)
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"
    ask(at, WINDSURF)
    assert "[1]" in messages(at)[1]
