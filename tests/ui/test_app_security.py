"""The chat UI against a careless or hostile user: no local file through the link box, and
nothing at all without the password when one is set."""

from __future__ import annotations

from pathlib import Path

from rag.config import Settings
from tests.ui.conftest import AppFactory, page_text, rendered
from tests.ui.test_app_news import add_link


def test_the_link_box_takes_links_not_local_files(
    make_app: AppFactory, own_index: Settings, tmp_path: Path
) -> None:
    secret = tmp_path / "secret-notes.md"
    secret.write_text("# Notizen\n\nDas Passwort des Servers lautet Kormoran-17. " * 8, "utf-8")
    at = make_app(own_index)
    at.run()
    for path in (str(secret), str(tmp_path / "missing.md")):
        add_link(at, path)
        assert "only http(s) links can be added here" in rendered(
            " ".join(e.value for e in at.error)
        )
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"
    assert not any("Kormoran" in p.read_text("utf-8") for p in own_index.corpus_dir.rglob("*"))


def test_a_password_guards_everything(make_app: AppFactory, seed_settings: Settings) -> None:
    at = make_app(seed_settings, RAG_UI_PASSWORD="Möwe-am-See")
    at.run()
    assert not at.chat_input and not at.sidebar.button, "nothing but the sign-in form"
    assert "Windsurf" not in page_text(at)
    at.text_input[0].set_value("falsch")
    at.button[0].click().run()
    assert "not the password" in " ".join(e.value for e in at.error)
    assert not at.chat_input
    at.text_input[0].set_value("Möwe-am-See")
    at.button[0].click().run()
    assert not at.exception and at.chat_input, "the chat, once signed in"
    assert "Articles" in {m.label for m in at.metric}
