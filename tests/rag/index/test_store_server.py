"""Server mode against a real `chroma run` on a free local port."""

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from rag import Assistant, Filters
from rag.config import Settings
from rag.errors import IndexMismatchError, StoreUnavailableError
from rag.index.layout import IndexLayout
from rag.index.store import ChunkStore
from tests.conftest import NEWS, NEWS_TODAY, Cli, make_settings, reindex

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free port; yields its URL once the heartbeat answers."""
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    with chroma_server(tmp_path / "server") as url:
        yield url


def test_ingest_and_ask_against_a_chroma_server(
    tmp_path: Path, corpus: Path, chroma_url: str, embed_model: Any
) -> None:
    settings = make_settings(tmp_path, chroma_url=chroma_url)
    first = reindex(settings, embed_model=embed_model)
    assert first.added == 1
    assert not IndexLayout(settings.data_dir).chroma.exists(), "only the side index is local"
    store = ChunkStore(settings)
    stored = set(store.ids())  # ids alone (include=[]) over HTTP, as a healing run reads them
    assert stored == {c.chunk_id for c in store.chunks()}
    assert len(stored) == first.chunks
    answer = Assistant(settings, embed_model=embed_model).ask("Why is Windsurf the flashpoint?")
    assert "heißt Windsurf" in answer.citations[0].text
    (corpus / "openai-microsoft-windsurf.de.md").unlink()
    assert reindex(settings, embed_model=embed_model).removed == 1
    assert reindex(settings, embed_model=embed_model).chunks == 0

    local = make_settings(tmp_path)  # same index folder, other store
    with pytest.raises(IndexMismatchError, match="Chroma store"):
        reindex(local, embed_model=embed_model)


def test_unreachable_server_is_a_clear_error(
    tmp_path: Path, corpus: Path, embed_model: Any, cli: Cli
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    settings: Settings = make_settings(tmp_path, chroma_url=url)
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        reindex(settings, embed_model=embed_model)
    for args in (["reindex"], ["ask", "Why is Windsurf the flashpoint?"]):
        result = cli(args, settings, RAG_CHROMA_URL=url)
        assert result.returncode == 1

        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_server_that_goes_away_is_a_clear_error(
    tmp_path: Path, corpus: Path, embed_model: Any
) -> None:
    with chroma_server(tmp_path / "srv") as url:
        settings = make_settings(tmp_path, chroma_url=url)
        reindex(settings, embed_model=embed_model)
        assistant = Assistant(settings, embed_model=embed_model)
        assert assistant.ask("Why is Windsurf the flashpoint?").citations
    with pytest.raises(StoreUnavailableError):
        assistant.ask("Why is Windsurf the flashpoint?")


def test_filters_work_against_a_chroma_server(
    tmp_path: Path, chroma_url: str, embed_model: Any
) -> None:
    """Filters with the vectors in a Chroma server: the same passages as the embedded
    store gives, none outside the filter."""
    shutil.copytree(NEWS, tmp_path / "corpus")
    remote = make_settings(tmp_path, chroma_url=chroma_url, today=NEWS_TODAY)
    reindex(remote, embed_model=embed_model)
    bot = Assistant(remote, embed_model=embed_model)
    june = Filters(dt.date(2024, 6, 1), dt.date(2024, 6, 10))
    found = bot.search("Wie hoch stand der Pegel?", top_k=10, filters=june)
    assert {p.doc_id for p in found} == {
        "2024-06-03-seekurier-pegel.md",
        "2024-06-06-tagblatt-pegel.md",
        "2024-06-10-lrt-flood-falls.md",
    }
    both = Filters(since=dt.date(2024, 8, 1), outlets=["lake region times"], languages=["en"])
    assert {p.doc_id for p in bot.search("shipyard jobs", top_k=10, filters=both)} == {
        "2024-08-22-lrt-social-plan.md",
        "2024-09-30-lrt-ferry-launched.md",
    }
    answer = bot.ask("How high did the water rise last week?")
    assert answer.citations
    assert all("2024-06-03" <= (c.date or "") <= "2024-06-09" for c in answer.citations)
