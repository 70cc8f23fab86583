"""Watches in the chat UI: "Watch" under an answer, the sidebar's list with an unread
count once new articles move the story, and an alert opened with its new sources."""

from __future__ import annotations

from rag import Assistant
from rag.config import Settings
from tests.test_cli_watch import NEWS, QUESTION
from tests.ui.conftest import AppFactory, page_text
from tests.ui.test_app import ask


def test_watch_an_answer_and_open_its_alert(make_app: AppFactory, own_index: Settings) -> None:
    at = make_app(own_index)
    at.run()
    ask(at, QUESTION)
    next(b for b in at.button if b.label == "Watch").click().run()
    assert not at.exception
    [watch] = Assistant(own_index).watches.all()
    assert watch.question == QUESTION
    assert any(e.label == "Watches (1)" for e in at.sidebar.expander)

    # New articles arrive (as a feed update or an upload would bring them).
    (own_index.corpus_dir / "windsurf-preis.md").write_text(NEWS, encoding="utf-8")
    Assistant(own_index).reindex()
    at.run()
    assert any(e.label == "Watches (1 · 1 new)" for e in at.sidebar.expander)
    [alert] = [b for b in at.sidebar.button if str(b.key).startswith("alert-")]
    alert.click().run()
    assert not at.exception
    shown = page_text(at)
    assert "3 Milliarden Dollar (" in shown and "4 Milliarden Dollar (" in shown
    assert "nun 4 Milliarden Dollar bezahlt" in shown
    assert any(e.label.startswith("Sources") for e in at.expander)
    assert Assistant(own_index).watches.alerts(unread=True) == [], "opened means read"
    next(b for b in at.button if b.label == "Close").click().run()
    assert not any(b.label == "Close" for b in at.main.button), "the alert is closed"
