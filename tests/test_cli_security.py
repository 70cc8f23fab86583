"""The `rag` command against hostile input: escape sequences from articles and models never
reach the terminal, bad links are one skipped line each, and `rag ui` keeps to this
machine unless a password guards it. Each test failed before the fix it guards."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from rag import Assistant
from rag.config import Settings
from tests.conftest import Cli
from tests.openai_server import FakeOpenAI, Reply
from tests.web_server import Response, WebServer

ESCAPES = ("\x1b", "\x07", "\x9b")
HOSTILE = (
    "---\ntitle: 'Werft\x1b]0;owned\x07'\ndate: 2025-06-03\n---\n"
    "Die Bodan-Werft streicht 40 Stellen\x1b[2J, teilte der Betriebsrat am Dienstag mit."
    "\x1b]52;c;cm0gLXJmIH4=\x07 Die Gewerkschaft kündigte Widerstand gegen den Abbau an. " * 3
)


def _clean(text: str) -> bool:
    return not any(ch in text for ch in ESCAPES)


def test_escape_sequences_from_articles_never_reach_the_terminal(
    indexed: Settings, cli: Cli, embed_model: Any
) -> None:
    (indexed.corpus_dir / "werft.md").write_text(HOSTILE, "utf-8")
    Assistant(indexed, embed_model=embed_model).reindex()
    asked = cli(["ask", "Wie viele Stellen streicht die Bodan-Werft?"], indexed)
    assert "40 Stellen" in asked.stdout and _clean(asked.stdout + asked.stderr)
    timeline = cli(["timeline", "Stellenabbau bei der Bodan-Werft"], indexed)
    assert "Werft" in timeline.stdout and _clean(timeline.stdout)


def test_escape_sequences_from_a_model_never_reach_the_terminal(
    seed_settings: Settings, cli: Cli, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply(
        "Windsurf\x1b[2J ist der Zündfunke\x1b]52;c;ZXZpbA==\x07 [1]."
    )
    asked = cli(
        ["ask", "Why is Windsurf the flashpoint?"],
        seed_settings,
        RAG_LLM_BASE_URL=openai_server.base_url,
        RAG_LLM_MODEL="tiny",
        RAG_LLM_MAX_RETRIES="0",
    )
    assert "Zündfunke" in asked.stdout and _clean(asked.stdout + asked.stderr)


def test_malformed_links_are_skipped_and_the_good_ones_added(
    newsroom: Settings, cli: Cli, web: WebServer
) -> None:
    web.extra["/to-script.html"] = Response(302, headers={"Location": "javascript:alert(1)"})
    bad = [
        "http://[::1",
        "http://news.example:99999/a",
        "http://" + "a" * 300 + ".example/",
        web.url("to-script.html"),
    ]
    ran = cli(
        ["add", *bad, web.url("en-harbour-og.html")],
        newsroom,
        RAG_FETCH_ALLOW_PRIVATE="true",
        RAG_FETCH_TIMEOUT="5",
    )
    assert "Traceback" not in ran.stderr and ran.returncode == 1
    assert ran.stdout.count("skipped ") == 4, ran.stdout
    assert "added lakesidecourier.example/" in ran.stdout


def test_rag_ui_on_another_address_needs_a_password(settings: Settings, cli: Cli) -> None:
    ran = cli(["ui", "--host", "0.0.0.0", "--port", "8599"], settings)
    assert ran.returncode == 1 and "RAG_UI_PASSWORD" in ran.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> list[str]:
    """The local addresses listening on `port` (from /proc: nothing is sent anywhere)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                found.append(address)
    return found


def test_rag_ui_listens_on_loopback_and_stops_on_sigterm(seed_settings: Settings) -> None:
    """`rag ui` becomes the Streamlit server: bound to 127.0.0.1, and a SIGTERM stops it
    with nothing left running."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_DATA_DIR": str(seed_settings.data_dir),
            "RAG_CORPUS_DIR": str(seed_settings.corpus_dir)}  # fmt: skip
    ui = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ui", "--port", str(port)],
        env=env,
        cwd=seed_settings.data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert time.monotonic() < deadline, "the UI did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert _listening(port) == ["0100007F"], "127.0.0.1 only"
        ui.send_signal(signal.SIGTERM)
        ui.wait(timeout=30)
        time.sleep(0.5)
        assert _listening(port) == [], "nothing is left serving"
    finally:  # whatever is left of its process group (before the fix: Streamlit itself)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(ui.pid, signal.SIGKILL)
