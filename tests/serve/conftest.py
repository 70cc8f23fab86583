"""A real uvicorn server on 127.0.0.1 and a free port, over the seed index."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from rag import Assistant
from rag.config import Settings
from rag.serve.app import create_app

Serve = Callable[..., str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve(embed_model: Any) -> Iterator[Serve]:
    """Start the API over `settings` (with overrides); returns its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(settings: Settings, **overrides: Any) -> str:
        settings = settings.model_copy(update=overrides)
        app = create_app(Assistant(settings, embed_model=embed_model), settings)
        port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def finished(url: str, response: Any, **headers: str) -> dict[str, Any]:
    """The job a 202 response started, once it has finished (long-polled, no sleeps)."""
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    deadline = time.monotonic() + 300
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job {job['id']} did not finish"
        job = httpx.get(
            f"{url}/v1/jobs/{job['id']}", params={"wait": 30}, headers=headers, timeout=60
        ).json()
    return dict(job)
