"""A reindex started in the browser is a job: questions, answers and a reload while it runs
cancel nothing, and the conversation is back after the reload."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, make_settings, reindex
from tests.ui.test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, ask, streamlit_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]
TOWNS = ["Lindau", "Bregenz", "Konstanz", "Friedrichshafen", "Überlingen", "Meersburg",
         "Romanshorn", "Arbon", "Radolfzell", "Kressbronn"]  # fmt: skip


def article(n: int) -> str:
    """One of 40 short dated reports, each with a figure only it states."""
    town = TOWNS[n % len(TOWNS)]
    day = f"2024-05-{n % 28 + 1:02d}"
    return (
        f'---\ntitle: "Hafenbericht {n}: {town}"\ndate: {day}\noutlet: Seekurier\n'
        f"language: de\n---\n"
        f"Im Hafen von {town} legten in der Woche {n} genau {100 + n * 7} Boote an. "
        f"Der Hafenmeister von {town} nannte die Saison ruhig. "
        * 3
        + f"\n\nDie Stadt {town} plant für Bericht {n} einen neuen Steg von {n + 12} Metern."
    )


def test_a_reload_during_a_reindex_cancels_nothing(tmp_path: Path, embed_model: Any) -> None:
    from playwright.sync_api import sync_playwright

    settings = make_settings(tmp_path)
    shutil.copytree(CORPUS, settings.corpus_dir)
    reindex(settings, embed_model=embed_model)  # the seed is indexed; 40 articles are not
    for n in range(40):
        (settings.corpus_dir / f"hafen-{n:02d}.md").write_text(article(n), encoding="utf-8")

    with streamlit_app(settings, tmp_path) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        page.goto(url)
        sidebar = page.get_by_test_id("stSidebar")
        page.get_by_test_id("stChatInputTextArea").wait_for()
        sidebar.get_by_role("button", name="Reindex corpus").click()
        sidebar.get_by_text("Reindexing").wait_for()  # the job's panel, polling
        page.screenshot(path=tmp_path / "job-running.png")

        ask(page, "Who did Microsoft hire to lead its AI division?")
        ask(page, "How much did OpenAI pay for Windsurf?")
        page.wait_for_function("() => location.search.includes('c=')")
        page.reload()
        page.get_by_test_id("stChatInputTextArea").wait_for()
        messages = page.get_by_test_id("stChatMessage")
        messages.nth(3).wait_for()
        shown = [messages.nth(i).inner_text() for i in range(4)]
        assert "Who did Microsoft hire" in shown[0] and "Suleyman" in shown[1]
        assert "How much did OpenAI pay" in shown[2] and "Milliarden" in shown[3]

        # the reindex went on through the questions and the reload, and says so when done
        sidebar.get_by_text(re.compile(r"Reindexed: added 40")).wait_for(timeout=600_000)
        sidebar.get_by_test_id("stMetricValue").first.filter(has_text="41").wait_for()
        page.screenshot(path=tmp_path / "job-done.png")
        page.get_by_test_id("stChatInputTextArea").fill(
            "Wie lang wird der neue Steg in Meersburg für Bericht 5?"
        )
        page.keyboard.press("Enter")
        messages.nth(5).get_by_test_id("stExpander").wait_for()
        assert "17 Metern" in messages.nth(5).inner_text(), "the new articles are searchable"
        browser.close()
    assert not (settings.data_dir / "dirty").exists()
