"""Two `rag serve` processes over one data directory and one `chroma run` server: an
update made through either is answered by the other at its next question, and their
writes are serialised (issue 28, replicas)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from rag.config import Settings
from tests.conftest import make_settings, reindex
from tests.rag.index.test_store_server import chroma_server
from tests.serve.conftest import finished

RAG = Path(sys.executable).with_name("rag")
WERFT = """---
title: Bodan-Werft streicht Stellen
date: 2026-11-30
outlet: Seekurier
language: de
---
Die Bodan-Werft in Kressbronn streicht 140 ihrer 420 Stellen, teilte die Geschäftsführung
am Montag mit. Grund seien fehlende Aufträge im Yachtbau.
""".encode()
FAEHRE = """---
title: Neue Fähre auf dem Bodensee
date: 2026-12-01
outlet: Seekurier
language: de
---
Die neue Fähre zwischen Konstanz und Meersburg fährt ab März mit Batteriestrom und bietet
Platz für 700 Fahrgäste.
""".encode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def replica(settings: Settings) -> Iterator[str]:
    """`rag serve` in its own process over `settings`; yields its URL once it answers."""
    port = _free_port()
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(settings.data_dir),
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
        "RAG_CHROMA_URL": str(settings.chroma_url),
        "RAG_FEEDS_EVERY_MINUTES": "0",
    }
    proc = subprocess.Popen(
        [str(RAG), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "rag serve exited"
            assert time.monotonic() < deadline, "rag serve did not start"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ask(url: str, question: str) -> dict[str, Any]:
    response = httpx.post(url + "/v1/ask", json={"question": question}, timeout=120)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_two_servers_over_one_index_answer_what_either_added(
    tmp_path: Path, corpus: Path, embed_model: Any
) -> None:
    with ExitStack() as stack:
        chroma = stack.enter_context(chroma_server(tmp_path / "server"))
        settings = make_settings(tmp_path, chroma_url=chroma)
        assert reindex(settings, embed_model=embed_model).added == 1
        first = stack.enter_context(replica(settings))
        second = stack.enter_context(replica(settings))
        assert _ask(second, "Wie viele Stellen streicht die Bodan-Werft?")["confidence"] != "high"

        added = httpx.post(first + "/v1/articles/upload", files={"file": ("werft.md", WERFT)})
        assert finished(first, added)["state"] == "done"
        answer = _ask(second, "Wie viele Stellen streicht die Bodan-Werft?")
        assert "140" in answer["answer"], "the other replica's first question sees it"
        assert answer["citations"][0]["doc_id"] == "werft.md"

        # both write at once: one update at a time (the other is refused, and says why, or
        # waits its turn), and both replicas end up agreeing
        one = httpx.post(second + "/v1/articles/upload", files={"file": ("faehre.md", FAEHRE)})
        other = httpx.post(first + "/v1/reindex")
        assert finished(second, one)["state"] == "done"
        if other.status_code == 409:
            assert other.json()["error"]["code"] == "reindex_busy"
        else:
            job = finished(first, other)
            assert job["state"] == "done" or "reindex is running" in job["error"], job
        ferry = _ask(first, "Wie viele Fahrgäste passen auf die neue Fähre?")
        assert "700" in ferry["answer"]
        statuses = [httpx.get(u + "/v1/status").json() for u in (first, second)]
        assert statuses[0]["articles"] == statuses[1]["articles"] == 3
        assert statuses[0]["chunks"] == statuses[1]["chunks"]
