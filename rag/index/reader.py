"""Opening the index for questions: the manifest, the store and the side index it names."""

from __future__ import annotations

from dataclasses import dataclass

from rag.config import Settings
from rag.errors import IndexMissingError
from rag.index.layout import IndexLayout
from rag.index.manifest import Manifest, read_manifest
from rag.index.side_index import SideIndex
from rag.index.store import ChunkStore


@dataclass(frozen=True)
class IndexSnapshot:
    """One consistent view: the side index the manifest names, over the store."""

    manifest: Manifest
    store: ChunkStore
    side: SideIndex


def open_index(settings: Settings, *, store: ChunkStore | None = None) -> IndexSnapshot:
    """The index in `settings.data_dir`, checked against the settings' model and store."""
    manifest = read_manifest(settings)
    assert manifest.side_index is not None  # read_manifest refuses an incomplete index
    try:
        side = SideIndex.load(IndexLayout(settings.data_dir), manifest.side_index)
    except (OSError, ValueError) as exc:
        raise IndexMissingError(f"the index is incomplete ({exc}): run `rag reindex`") from exc
    return IndexSnapshot(manifest, store or ChunkStore(settings), side)
