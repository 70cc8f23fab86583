"""What a reindex has to do, decided from the manifest and the corpus alone (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.load import Article, CorpusFile
from rag.index.manifest import Manifest, ManifestSummary


@dataclass(frozen=True)
class Item:
    """An article of the corpus as the plan sees it."""

    doc_id: str
    content_hash: str
    article: Article | None  # parsed; None: indexed as it is, and not read again


@dataclass
class Plan:
    pending: list[Article] = field(default_factory=list)  # new or changed: to embed
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)  # indexed doc ids not to be indexed now
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (doc id, twin kept)
    copies: dict[str, str] = field(default_factory=dict)  # syndicated copy -> the copy kept
    # The kept copy's doc id -> its copies' {doc_id, outlet, source, date} (ingest.apply).
    also: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.pending or self.removed)


def indexed_as_is(manifest: Manifest | ManifestSummary, file: CorpusFile, chunking: str) -> bool:
    """Whether `file` is indexed with this content and these chunk settings."""
    entry = manifest.documents.get(file.doc_id)
    return entry is not None and entry.hash == file.content_hash and entry.chunking == chunking


def nothing_changed(
    manifest: Manifest | ManifestSummary, files: Sequence[CorpusFile], chunking: str
) -> bool:
    """Whether the corpus is what the manifest describes: every file indexed as it is, or
    recorded with this content as a copy, a twin or an unreadable file, and every indexed
    article still there. Needs no file to be parsed."""
    present: set[str] = set()
    for file in files:
        recorded = manifest.copies.get(file.doc_id) or manifest.skipped.get(file.doc_id)
        if not indexed_as_is(manifest, file, chunking) and (
            recorded is None or recorded.hash != file.content_hash
        ):
            return False
        present.add(file.doc_id)
    return set(manifest.documents) <= present


def exact_twins(
    manifest: Manifest, items: Sequence[Item]
) -> tuple[list[Item], list[tuple[str, str]]]:
    """The items to index, and (doc id, twin kept) for files with identical content: of
    those the one already indexed is kept, else the first by name."""
    kept: dict[str, Item] = {}
    twins: list[tuple[str, str]] = []
    for item in sorted(items, key=lambda i: (i.doc_id not in manifest.documents, i.doc_id)):
        first = kept.setdefault(item.content_hash, item)
        if first is not item:
            twins.append((item.doc_id, first.doc_id))
    return sorted(kept.values(), key=lambda i: i.doc_id), twins


def plan(
    manifest: Manifest,
    items: Sequence[Item],
    unreadable: Sequence[str] = (),
    *,
    chunking: str,
    copies: dict[str, str] | None = None,
) -> Plan:
    """Compare the corpus with the manifest.

    `items` holds one item per distinct content (see exact_twins); `copies` maps each
    syndicated copy to the copy that is indexed (ingest.dedup). An article is pending when
    it is new, its content changed, or it was cut with other chunk settings than
    `chunking`. An indexed article whose file is unreadable now (in `unreadable`) is kept
    as it is."""
    copies = copies or {}
    indexed = manifest.documents
    result = Plan(copies=dict(copies))
    kept = [item for item in items if item.doc_id not in copies]
    present = {item.doc_id for item in kept} | set(unreadable)
    result.removed = [d for d in indexed if d not in present]
    for item in kept:
        entry = indexed.get(item.doc_id)
        if item.article is None or (
            entry is not None and entry.hash == item.content_hash and entry.chunking == chunking
        ):
            result.unchanged += 1
        else:
            result.pending.append(item.article)
            if entry is None:
                result.added += 1
            else:
                result.updated += 1
    return result
