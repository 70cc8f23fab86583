"""The chat UI with news from the web: add by link, feeds, the article list, dated sources."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from streamlit.testing.v1 import AppTest

from rag.config import Settings
from tests.conftest import NEWS_TODAY
from tests.ui.conftest import AppFactory, page_text, rendered, settle
from tests.ui.test_app import ask, messages, text_of, upload
from tests.web_server import PAGES, WebServer
from ui.history import conversation_markdown

FETCH = {"RAG_FETCH_ALLOW_PRIVATE": "true", "RAG_FETCH_TIMEOUT": "2"}


def add_link(at: AppTest, url: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Link to a news article").set_value(url)
    return settle(next(b for b in at.button if b.label == "Add and index").click().run())


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
    for url, said in ((web.url("de-bahn-streik.html"), "not a feed (text/html)"),
                      (web.url("feeds/lakeside.atom"), "Feed added.")):  # fmt: skip
        next(t for t in at.text_input if t.label.startswith("Feed URL")).set_value(url)
        next(b for b in at.button if b.label == "Add feed").click().run()
        assert said in page_text(at), "fetched once to see it is a feed"
    settle(next(b for b in at.button if b.label == "Update feeds").click().run())
    shown = page_text(at)
    assert "Feeds 1: 2 new entries, 2 added" in shown
    assert "Added *Ferry operator orders two electric boats*" in shown
    assert {m.label: m.value for m in at.metric}["Articles"] == "3"
    [feeds] = [e for e in at.expander if e.label.startswith("Feeds (")]
    listed = text_of(feeds)
    assert "Lakeside Courier" in listed and "2 entries" in listed and "2 new entries" in listed
    ask(at, "How many passengers will the electric ferries carry?")
    assert "300 passengers" in messages(at)[1]
    next(b for b in at.button if b.key == "remove-feed-0").click().run()
    assert "its articles stay in the corpus" in page_text(at)
    assert "Update feeds" not in [b.label for b in at.button]
    assert {m.label: m.value for m in at.metric}["Articles"] == "3"


def sidebar_widget(at: AppTest, kind: str, label: str) -> Any:
    return next(w for w in at.sidebar.get(kind) if w.label == label)


def chips(at: AppTest, n: int) -> str:
    """The badges above the n-th chat message."""
    return " ".join(m.value for m in at.chat_message[n].markdown if "-badge[" in m.value)


def test_sidebar_filters_limit_the_answer_and_show_as_chips(
    make_app: AppFactory, news_settings: Settings
) -> None:
    at = make_app(news_settings, RAG_TODAY=NEWS_TODAY)
    at.run()
    outlets = sidebar_widget(at, "multiselect", "Outlets")
    assert outlets.options == ["Lake Region Times", "Lindauer Tagblatt", "Seekurier"]
    languages = sidebar_widget(at, "multiselect", "Languages")
    assert languages.options == ["German", "English"]  # shown by name, codes underneath
    outlets.set_value(["Seekurier"]).run()
    ask(at, "Wie viele Stellen streicht die Werft?")
    assert ":violet-badge[:material/newspaper: Seekurier]" in chips(at, 1)
    [sources] = at.chat_message[1].expander
    captions = " ".join(str(c.value) for c in sources.caption)
    assert "Seekurier · 2024" in captions
    assert "Tagblatt" not in captions and "Lake Region" not in captions

    # A time in the question shows too, with the words it was read from.
    ask(at, "Wie hoch stieg der Wasserstand letzte Woche?")
    assert "from 3–9 June 2024 · read from “letzte Woche”" in rendered(chips(at, 3))
    assert "Seekurier" in chips(at, 3)
    assert "Sources" in at.chat_message[3].expander[0].label

    # Reruns keep the chips of earlier answers; the export says what each answer searched.
    at.run()
    assert "Seekurier" in chips(at, 1)
    markdown = conversation_markdown(at.session_state.turns)
    assert "_Searched: articles from 3–9 June 2024 by Seekurier_" in markdown


def test_dates_in_the_sidebar_and_clearing_them(
    make_app: AppFactory, news_settings: Settings
) -> None:
    at = make_app(news_settings)
    at.run()
    since = sidebar_widget(at, "date_input", "Published from")
    since.set_value(dt.date(2024, 8, 1)).run()
    assert "Articles without a date are left out" in page_text(at)
    ask(at, "Wie viele Stellen streicht die Werft?")
    assert "since 1 August 2024" in rendered(chips(at, 1))
    [sources] = at.chat_message[1].expander
    assert "2024\\-08\\-22" in " ".join(str(c.value) for c in sources.caption)
    next(b for b in at.sidebar.button if b.label == "Clear filters").click().run()
    assert sidebar_widget(at, "date_input", "Published from").value is None
    ask(at, "Wie viele Stellen streicht die Werft?")
    assert chips(at, 3) == "", "nothing limited the second search"


def test_a_filter_matching_nothing_says_so_in_the_chat(
    make_app: AppFactory, news_settings: Settings
) -> None:
    at = make_app(news_settings, RAG_TODAY=NEWS_TODAY)
    at.run()
    sidebar_widget(at, "multiselect", "Outlets").set_value(["Lake Region Times"]).run()
    ask(at, "What happened last week?")
    reply = messages(at)[1]
    assert reply.endswith("No articles from 3–9 June 2024 by Lake Region Times match this search.")


def test_a_filter_that_hides_the_answer_says_so_in_the_chat(
    make_app: AppFactory, news_settings: Settings
) -> None:
    at = make_app(news_settings, RAG_TODAY=NEWS_TODAY)
    at.run()
    sidebar_widget(at, "date_input", "Published from").set_value(dt.date(2024, 8, 1)).run()
    ask(at, "Wie hoch stieg der Pegel des Bodensees?")
    reply = messages(at)[1]
    assert "Die Artikel seit dem 1. August 2024 beantworten das möglicherweise nicht." in reply
    assert "5,51 Metern" in reply
    assert "answered from all articles" in chips(at, 1)


def test_timeline_toggle_shows_the_questions_articles_in_date_order(
    make_app: AppFactory, news_settings: Settings
) -> None:
    at = make_app(news_settings)
    at.run()
    ask(at, "Wann fahren die Elektrofähren?")
    [toggle] = at.chat_message[1].toggle
    assert toggle.label == "Timeline" and not toggle.value
    toggle.set_value(True).run()
    shown = rendered(text_of(at.chat_message[1]))
    days = re.findall(r"^- \*\*(\d{4}-\d\d-\d\d) · ", shown, re.MULTILINE)
    assert days == ["2024-02-12", "2024-05-28", "2024-08-05", "2024-09-30"], shown
    assert "Elektrofähren kommen später" in shown
    at.run()  # kept across reruns without searching again
    assert at.session_state.timelines and len(at.chat_message[1].toggle) == 1
    assert rendered(text_of(at.chat_message[1])).count("2024-05-28 · Seekurier") == 1


def test_a_first_day_after_the_last_is_refused_not_swapped(
    make_app: AppFactory, news_settings: Settings
) -> None:
    """The filters' rule is Filters' own: the sidebar says what is wrong and asks nothing."""
    at = make_app(news_settings, RAG_TODAY=NEWS_TODAY)
    at.run()
    sidebar_widget(at, "date_input", "Published from").set_value(dt.date(2024, 6, 6)).run()
    sidebar_widget(at, "date_input", "Published until").set_value(dt.date(2024, 6, 3)).run()
    assert not at.exception
    assert "is after its last" in " ".join(e.value for e in at.sidebar.error)
    assert at.chat_input[0].disabled
    sidebar_widget(at, "date_input", "Published until").set_value(dt.date(2024, 6, 9)).run()
    assert not at.sidebar.error and not at.chat_input[0].disabled
