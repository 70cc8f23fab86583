"""The embedded Chroma store opened from many threads at once."""

import threading
from pathlib import Path

from rag.index.store import ChunkStore
from tests.conftest import make_settings


def test_threads_opening_one_store_at_once_all_get_a_working_store(tmp_path: Path) -> None:
    """chromadb registers a path's shared System before it has started it; a thread that
    opened the path in that moment got a store without bindings."""
    for attempt in range(3):  # fresh paths: the race is only at a path's first opening
        settings = make_settings(tmp_path / str(attempt))
        start, errors = threading.Barrier(8), []

        def open_and_count() -> None:
            start.wait()
            try:
                assert list(ChunkStore(settings, create=True).ids()) == []
            except Exception as exc:  # collected: any failure fails the test below
                errors.append(exc)

        threads = [threading.Thread(target=open_and_count) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
