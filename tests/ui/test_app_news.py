"""The chat UI with news from the web: add by link, feeds, the article list, dated sources."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from rag.config import Settings
from tests.ui.conftest import AppFactory, page_text
from tests.ui.test_app import ask, messages, text_of, upload
from tests.web_server import PAGES, WebServer

FETCH = {"RAG_FETCH_ALLOW_PRIVATE": "true", "RAG_FETCH_TIMEOUT": "2"}


def add_link(at: AppTest, url: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Link to a news article").set_value(url)
    next(b for b in at.button if b.label == "Add and index").click().run()
    assert not at.exception, at.exception
    return at


def test_add_a_link_and_see_outlet_and_date_in_the_sources(
    make_app: AppFactory, own_index: Settings, web: WebServer
) -> None:
    at = make_app(own_index, **FETCH)
    at.run()
    add_link(at, web.url("de-bahn-streik.html"))
    shown = page_text(at)
    assert "Added *Bahnstreik legt Regionalverkehr am Bodensee lahm* (Lindauer Tagblatt" in shown
    assert {m.label: m.value for m in at.metric}["Articles"] == "2"
    [articles] = [e for e in at.expander if e.label.startswith("Articles (")]
    listed = text_of(articles)
    assert listed.index("Bahnstreik") < listed.index("Windsurf"), "newest first, undated last"
    assert "Lindauer Tagblatt · 2025-03-04" in listed

    ask(at, "Wie lange soll der Bahnstreik am Bodensee dauern?")
    reply = at.chat_message[1]
    [sources] = reply.expander
    captions = " ".join(str(c.value) for c in sources.caption)
    assert "Lindauer Tagblatt · 2025\\-03\\-04" in captions


def test_a_link_that_cannot_be_added_says_why_and_keeps_everything(
    make_app: AppFactory, own_index: Settings, web: WebServer
) -> None:
    at = make_app(own_index, **FETCH)
    at.run()
    add_link(at, web.url("paywall.html"))
    assert "no article text" in " ".join(e.value for e in at.error)
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"


def test_upload_a_saved_page(make_app: AppFactory, own_index: Settings) -> None:
    at = make_app(own_index)
    at.run()
    upload(at, "seite.html", (PAGES / "en-harbour-og.html").read_bytes())
    assert "Added *Harbour reopens after six weeks of dredging*" in page_text(at)
    saved = list(own_index.corpus_dir.rglob("*harbour*.md"))
    assert len(saved) == 1 and "outlet: Lakeside Courier" in saved[0].read_text()


def test_feeds_in_the_sidebar(make_app: AppFactory, own_index: Settings, web: WebServer) -> None:
    at = make_app(own_index, **FETCH)
    at.run()
    assert "Update feeds" not in [b.label for b in at.button], "no feeds yet"
    next(t for t in at.text_input if t.label.startswith("Feed URL")).set_value(
        web.url("feeds/lakeside.atom")
    )
    next(b for b in at.button if b.label == "Add feed").click().run()
    assert "Feed added." in page_text(at)
    next(b for b in at.button if b.label == "Update feeds").click().run()
    assert not at.exception
    shown = page_text(at)
    assert "Feeds 1: 2 new entries, 2 added" in shown
    assert "Added *Ferry operator orders two electric boats*" in shown
    assert {m.label: m.value for m in at.metric}["Articles"] == "3"
    [feeds] = [e for e in at.expander if e.label.startswith("Feeds (")]
    assert "Lakeside Courier" in text_of(feeds) and "2 entries" in text_of(feeds)
    ask(at, "How many passengers will the electric ferries carry?")
    assert "300 passengers" in messages(at)[1]
