"""Saved conversations in the chat UI: the URL names the open one, a reload or a restart
reopens it with its filters, the sidebar lists, searches, renames and deletes them, and
answers take a thumbs up or down."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from rag import Assistant
from rag.config import Settings
from tests.ui.conftest import AppFactory, page_text, rendered, settle
from tests.ui.test_app import ask, messages

HIRE = "Who did Microsoft hire to lead its AI division?"
FOLLOW = "When was he hired?"


def sidebar_buttons(at: AppTest) -> list[str]:
    """The conversations the sidebar lists, in order."""
    return [rendered(b.label) for b in at.sidebar.button if str(b.key).startswith("conv-")]


def test_a_conversation_survives_a_reload_with_its_filters(
    make_app: AppFactory, own_index: Settings
) -> None:
    at = make_app(own_index)
    at.run()
    at.sidebar.multiselect(key="filter_languages").set_value(["de"]).run()
    ask(at, HIRE)
    ask(at, FOLLOW)
    cid = _param(at, "c")
    assert cid, "the URL names the conversation"
    assert HIRE in sidebar_buttons(at), "listed under its first question"

    reloaded = make_app(own_index)  # a new session (and a new process's cache): a reload
    reloaded.query_params["c"] = cid
    reloaded.run()
    assert not reloaded.exception
    shown = messages(reloaded)
    assert len(shown) == 4 and HIRE in shown[0] and "Suleyman" in shown[1]
    assert reloaded.sidebar.multiselect(key="filter_languages").value == ["de"]
    [sources, *_] = reloaded.chat_message[1].expander
    assert sources.label.startswith("Sources")
    ask(reloaded, "Which company did OpenAI buy?")
    saved = Assistant(own_index).conversation(cid)
    assert [m.role for m in saved.messages] == ["user", "assistant"] * 3


def test_the_sidebar_renames_searches_and_deletes(
    make_app: AppFactory, own_index: Settings
) -> None:
    bot = Assistant(own_index)
    old = bot.conversations.create("Windsurf und OpenAI")
    at = make_app(own_index)
    at.run()
    ask(at, HIRE)
    assert sidebar_buttons(at)[:2] == [HIRE, "Windsurf und OpenAI"], "the newest first"
    at.sidebar.text_input(key="conversation_search").set_value("windsurf").run()
    assert HIRE not in sidebar_buttons(at) and "Windsurf und OpenAI" in sidebar_buttons(at)
    next(b for b in at.sidebar.button if rendered(b.label) == "Windsurf und OpenAI").click().run()
    assert _param(at, "c") == old.id and messages(at) == []
    at.sidebar.text_input(key="conversation_search").set_value("").run()
    at.sidebar.text_input(key=f"title-{old.id}").set_value("Der Flammpunkt").run()
    next(b for b in at.sidebar.button if b.key == f"rename-{old.id}").click().run()
    assert "Der Flammpunkt" in sidebar_buttons(at)
    next(b for b in at.sidebar.button if b.key == f"delete-{old.id}").click().run()
    assert not at.exception
    assert [c.title for c in bot.conversations.recent()] == [HIRE]
    assert "c" not in at.query_params


def test_thumbs_down_with_a_note_is_kept_with_the_answer(
    make_app: AppFactory, own_index: Settings
) -> None:
    at = make_app(own_index)
    at.run()
    ask(at, HIRE)
    answered = Assistant(own_index).conversation(_param(at, "c")).messages[1]
    key = f"rating-{answered.id}"
    at.session_state[key] = 0  # thumbs down, as a click sets it
    at.run()
    at.text_input(key=key.replace("rating", "note")).set_value("zu knapp").run()
    [rated] = Assistant(own_index).conversations.feedback()
    assert (rated["rating"], rated["note"], rated["question"]) == ("down", "zu knapp", HIRE)


def _param(at: AppTest, name: str) -> str:
    value = at.query_params[name]
    return str(value[0] if isinstance(value, list) else value)


def test_an_unknown_conversation_in_the_url_is_dropped(
    make_app: AppFactory, own_index: Settings
) -> None:
    at = make_app(own_index)
    at.query_params["c"] = "not-a-conversation"
    at.run()
    assert not at.exception
    assert "cannot be opened" in page_text(at)
    assert "c" not in at.query_params
    ask(at, HIRE)  # and the page works on
    assert "Suleyman" in messages(at)[1]


def test_again_asks_the_last_question_anew_in_its_place(
    make_app: AppFactory, own_index: Settings
) -> None:
    at = make_app(own_index)
    at.run()
    ask(at, HIRE)
    next(b for b in at.button if b.label == "Again").click().run()
    assert not at.exception
    shown = messages(at)
    assert len(shown) == 2 and HIRE in shown[0] and "Suleyman" in shown[1]
    saved = Assistant(own_index).conversation(_param(at, "c"))
    assert [m.content for m in saved.messages if m.role == "user"] == [HIRE], "replaced"
    copied = [c.value for c in at.get("code")]
    assert any("Sources:" in c and "Suleyman" in c for c in copied), "the copy text"


def test_an_article_is_read_and_deleted_from_the_list(
    make_app: AppFactory, own_index: Settings
) -> None:
    (own_index.corpus_dir / "rhein.md").write_text(
        "---\ntitle: Rhein\ndate: 2024-05-01\n---\nDer Rhein ist 1233 Kilometer lang.\n", "utf-8"
    )
    Assistant(own_index).reindex()
    at = make_app(own_index)
    at.run()
    assert "Der Rhein ist 1233 Kilometer lang." in page_text(at), "in the Read panel"
    settle(next(b for b in at.button if b.key == "delete-article-rhein.md").click().run())
    assert "Deleted rhein.md" in page_text(at)
    assert not (own_index.corpus_dir / "rhein.md").exists()
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"
