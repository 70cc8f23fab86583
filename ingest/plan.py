"""What a reindex has to do, decided from the manifest and the corpus alone (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.load import Article
from rag.index.manifest import Manifest


@dataclass
class Plan:
    pending: list[Article] = field(default_factory=list)  # new or changed: to embed
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)  # doc ids whose file is gone
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (doc id, twin kept)

    @property
    def changes(self) -> bool:
        return bool(self.pending or self.removed)


def plan(
    manifest: Manifest,
    articles: Sequence[Article],
    unreadable: Sequence[str] = (),
    *,
    chunking: str,
) -> Plan:
    """Compare the corpus with the manifest.

    An article is pending when it is new, its content changed, or it was cut with other
    chunk settings than `chunking`. Of identical articles the one already indexed is
    kept, else the first by name. An indexed article whose file is unreadable now
    (listed in `unreadable`) is kept as it is.
    """
    indexed = manifest.documents
    kept: dict[str, Article] = {}
    result = Plan()
    for article in sorted(articles, key=lambda a: (a.doc_id not in indexed, a.doc_id)):
        twin = kept.setdefault(article.content_hash, article)
        if twin is not article:
            result.duplicates.append((article.doc_id, twin.doc_id))
    present = {a.doc_id for a in kept.values()} | set(unreadable)
    result.removed = [d for d in indexed if d not in present]
    for article in sorted(kept.values(), key=lambda a: a.doc_id):
        entry = indexed.get(article.doc_id)
        if entry is None:
            result.pending.append(article)
            result.added += 1
        elif entry.hash != article.content_hash or entry.chunking != chunking:
            result.pending.append(article)
            result.updated += 1
        else:
            result.unchanged += 1
    return result
