"""The embedded Chroma store opened from many threads at once."""

import threading
from pathlib import Path

from rag.config import Settings
from rag.index.store import ChunkStore
from tests.conftest import make_settings


def _open_at_once(settings: Settings, threads: int) -> list[Exception]:
    """Open `settings`' store from `threads` threads released together; their failures."""
    start, errors = threading.Barrier(threads), []

    def open_and_count() -> None:
        start.wait()
        try:
            assert list(ChunkStore(settings, create=True).ids()) == []
        except Exception as exc:  # collected: any failure fails the test
            errors.append(exc)

    running = [threading.Thread(target=open_and_count) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return errors


def test_threads_opening_one_store_at_once_all_get_a_working_store(tmp_path: Path) -> None:
    """chromadb registers a path's shared System before it has started it; a thread that
    opened the path in that moment got a store without bindings."""
    for attempt in range(3):  # fresh paths: the race is only at a path's first opening
        assert _open_at_once(make_settings(tmp_path / str(attempt)), 8) == []
