"""The real app in a real browser: `streamlit run` driven by headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from tests.conftest import CORPUS, NEWS, make_settings, reindex
from tests.ui.conftest import APP

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Two dated articles beside the undated ones.
DATED = ("2024-06-03-seekurier-pegel.md", "2024-06-06-tagblatt-pegel.md")
WAIT_MS = 90_000  # generous: the first question loads the embedding model on a busy machine
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]

# An article that tries every way of smuggling markup into the page; one paragraph, so
# one passage shows all of it.
HOSTILE_BODY = " ".join(
    [
        "Der Quantenkühlschrank von Brixen kostet $5 und $7, siehe [Klick](http://evil.example/a).",
        "Mehr unter https://evil.example/b, www.evil.example und chef@evil.example :red[rot].",
        "Sein Hersteller <script>window.pwned=1</script> <img src=x onerror=window.pwned=1> wirbt.",
        "Der Quantenkühlschrank zeigt ![Bild](http://evil.example/p.png) auf jeder Messe.",
    ]
)
HOSTILE = f"""---
title: "Brixen <img src=x onerror=window.pwned=1> [Klick](http://evil.example/t)"
source: https://example.org/brixen
language: de
---
{HOSTILE_BODY}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embed_model: Any) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free port, over the seed article, a hostile one and a
    dated one."""
    root = tmp_path_factory.mktemp("browser")
    settings = make_settings(root)
    shutil.copytree(CORPUS, settings.corpus_dir)
    (settings.corpus_dir / "brixen.md").write_text(HOSTILE, encoding="utf-8")
    for name in DATED:
        shutil.copy(NEWS / name, settings.corpus_dir / name)
    reindex(settings, embed_model=embed_model)

    with streamlit_app(settings, root) as url:
        yield url


@contextlib.contextmanager
def streamlit_app(settings: Settings, root: Path) -> Iterator[str]:
    """`streamlit run ui/app.py` over `settings` on a free port; its URL while it runs."""
    port = free_port()
    # Only the test's settings: no RAG_* or API key from the developer's environment, and a
    # working directory without a .env file.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("RAG_") and k != "OPENAI_API_KEY"
    }
    env.update(RAG_DATA_DIR=str(settings.data_dir), RAG_CORPUS_DIR=str(settings.corpus_dir),
               RAG_FEEDS_EVERY_MINUTES=str(settings.feeds_every_minutes))  # fmt: skip
    log = root / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", APP,
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--runner.magicEnabled", "false",  # as rag ui
    ]  # fmt: skip
    with log.open("wb") as out:
        # A session of its own, so the whole process group can be ended afterwards.
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(WAIT_MS)
            page.goto(server)
            page.get_by_test_id("stChatInputTextArea").wait_for()
            yield page
        finally:
            browser.close()


def ask(page: Any, question: str) -> Any:
    """Type a question, wait for the answer and open its sources; return the sources panel."""
    sources = page.get_by_test_id("stExpander").filter(has_text="Sources (")
    before = sources.count()  # this answer's panel is the next one, not the last one seen:
    # while it is being answered, `.last` is the previous answer's, and a click closes that
    page.get_by_test_id("stChatInputTextArea").fill(question)
    page.keyboard.press("Enter")
    expander = sources.nth(before)
    expander.wait_for()
    expander.locator("summary").click()
    details = expander.get_by_test_id("stExpanderDetails")
    details.wait_for()
    page.wait_for_timeout(600)  # let the expander's opening animation finish (screenshots)
    return details


def test_windsurf_question_shows_answer_and_passage(page: Any, tmp_path: Path) -> None:
    main = page.get_by_test_id("stMainBlockContainer")
    sidebar = page.get_by_test_id("stSidebar")
    main.get_by_role("button").filter(has_text="What's the latest news?").wait_for()
    sidebar.get_by_text("Passages", exact=True).wait_for()
    page.screenshot(path=tmp_path / "empty-state.png")
    sidebar.screenshot(path=tmp_path / "sidebar.png")

    sources = ask(page, "Why is Windsurf the flashpoint?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    assert "[1]" in answer.inner_text()
    # e5 is unsure the German article answers this English question: muted, sources kept
    muted = answer.get_by_test_id("stCaptionContainer").filter(has_text="may not answer")
    assert "Die Zündschnur" in muted.inner_text()
    passage = sources.get_by_text("heißt Windsurf").first
    assert passage.is_visible()
    assert "Die Zündschnur" in sources.inner_text()

    page.set_viewport_size({"width": 1280, "height": 1600})
    page.screenshot(path=tmp_path / "answer-with-sources.png")
    assert (tmp_path / "answer-with-sources.png").stat().st_size > 10_000


def test_hostile_article_renders_as_plain_text(page: Any, tmp_path: Path) -> None:
    sources = ask(page, "Was kostet der Quantenkühlschrank von Brixen?")
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.screenshot(path=tmp_path / "hostile.png")
    main = page.get_by_test_id("stMainBlockContainer")
    text = main.inner_text().replace("\u2060", "")
    assert "[Klick](http://evil.example/a)" in text, "the markup is shown, not interpreted"
    assert "$5 und $7" in text and ":red[rot]" in text and "chef@evil.example" in text
    assert "<img src=x onerror=window.pwned=1>" in text  # (ingest drops <script> blocks)
    assert "![Bild](http://evil.example/p.png)" in text
    assert main.locator("a[href*='evil']").count() == 0
    assert main.locator("img").count() == 0
    assert main.locator(".katex").count() == 0
    assert page.evaluate("() => window.pwned") is None
    # The article's own source is a real link.
    assert sources.locator("a[href='https://example.org/brixen']").count() >= 1


def test_a_day_typed_into_the_sidebar_filters_and_the_timeline_opens(
    page: Any, tmp_path: Path
) -> None:
    """The date input and the toggle as a browser drives them: typed, confirmed, shown."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stDateInput").first.locator("input").fill("2024-06-05")
    page.keyboard.press("Enter")
    sidebar.get_by_text("Search only").click()  # leaving the field sends the day
    sidebar.get_by_text("Articles without a date are left out").wait_for()
    sources = ask(page, "Wie hoch stand der Pegel in Konstanz?")
    assert "5,51 Metern" in sources.inner_text()
    answer = page.get_by_test_id("stChatMessage").nth(1)
    answer.get_by_text("since 5 June 2024").wait_for()
    answer.get_by_text("Timeline", exact=True).click()
    answer.get_by_text("2024-06-06 · Lindauer Tagblatt").wait_for()
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.screenshot(path=tmp_path / "filtered-with-timeline.png")
    text = answer.inner_text()
    assert "Windsurf" not in text and "Brixen" not in text, "undated articles are left out"
    assert "2024-06-03" not in text, "nor an article before the day"
