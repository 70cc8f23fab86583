"""A generation of the side index: which segments it reads and which of their articles
are deleted since. Each update writes a new one (a small file) and the manifest names it,
so a question keeps the generation it opened while the next is written.

The planning is pure: what an update writes (`changes`) and which segments a merge
rewrites (`merges`, a tiered policy as Lucene's: segments of like size are merged when
there are `factor` of them (Settings.merge_factor), so a chunk is rewritten about
log_factor(corpus) times).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.index.layout import GENERATION_MARK, SIDE_FORMAT, IndexLayout

_SEGMENTS = "generation.json"
SMALLEST_TIER = 1_000  # chunks: smaller segments are all of one tier
MAX_SEGMENT = 100_000  # chunks: merges write no bigger segment, a rebuild none either
EXPUNGE_SHARE = 0.5  # a segment that has lost this share of its rows is rewritten


@dataclass(frozen=True)
class SegmentRef:
    name: str
    deleted: frozenset[str] = frozenset()  # doc ids whose rows are no longer live


@dataclass(frozen=True)
class Generation:
    segments: tuple[SegmentRef, ...]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        rows = [{"name": s.name, "deleted": sorted(s.deleted)} for s in self.segments]
        (folder / _SEGMENTS).write_text(json.dumps({"segments": rows}), encoding="utf-8")
        (folder / GENERATION_MARK).write_text(str(SIDE_FORMAT), encoding="ascii")  # last

    @classmethod
    def load(cls, folder: Path) -> Generation:
        data = json.loads((folder / _SEGMENTS).read_text(encoding="utf-8"))
        return cls(tuple(SegmentRef(s["name"], frozenset(s["deleted"])) for s in data["segments"]))


def readable(layout: IndexLayout, name: str | None) -> Generation | None:
    """Generation `name` if it is of this format, whole, and its segments are there."""
    if name is None or not layout.generation_current(name):
        return None
    try:
        generation = Generation.load(layout.generation(name))
    except (OSError, ValueError, KeyError):
        return None
    whole = all(layout.generation_current(r.name, segment=True) for r in generation.segments)
    return generation if whole else None


def changes(held: Mapping[str, str], wanted: Mapping[str, str]) -> tuple[set[str], list[str]]:
    """From the articles a generation holds live and those the manifest has (doc id ->
    stamp): which to delete (gone or changed) and which to write (new or changed)."""
    gone = {doc for doc, version in held.items() if wanted.get(doc) != version}
    new = [doc for doc, version in wanted.items() if held.get(doc) != version]
    return gone, new


def _tier(live: int, factor: int) -> int:
    return int(math.log(max(live, SMALLEST_TIER) / SMALLEST_TIER, factor) + 1e-9)


def merges(sizes: Sequence[tuple[int, int]], factor: int) -> list[list[int]]:
    """Groups of segments (positions in `sizes`: live and total rows of each) to merge
    into one each: a tier with `factor` segments below MAX_SEGMENT / 2, smallest first
    while the result stays within it, and any segment that lost EXPUNGE_SHARE of its
    rows (alone, unless its tier merges)."""
    groups: list[list[int]] = []
    taken: set[int] = set()
    tiers: dict[int, list[int]] = {}
    for i, (live, _total) in enumerate(sizes):
        if live < MAX_SEGMENT // 2:
            tiers.setdefault(_tier(live, factor), []).append(i)
    for tier in sorted(tiers):
        members = sorted(tiers[tier], key=lambda i: sizes[i][0])
        if len(members) < factor:
            continue
        group, rows = [], 0
        for i in members:
            if rows + sizes[i][0] > MAX_SEGMENT:
                break
            group.append(i)
            rows += sizes[i][0]
        if len(group) > 1:
            groups.append(group)
            taken.update(group)
    for i, (live, total) in enumerate(sizes):
        if i not in taken and total and (total - live) / total >= EXPUNGE_SHARE:
            groups.append([i])
    return groups
