"""What an update writes and what a merge rewrites: the pure planning of the side index."""

from pathlib import Path

from rag.index.generation import (
    EXPUNGE_SHARE,
    MAX_SEGMENT,
    SMALLEST_TIER,
    Generation,
    SegmentRef,
    changes,
    merges,
    readable,
)
from rag.index.layout import GENERATION_MARK, SIDE_FORMAT, IndexLayout


def test_changes_delete_the_gone_and_changed_and_write_the_new_and_changed() -> None:
    held = {"a.md": "h1 c", "b.md": "h2 c", "c.md": "h3 c"}
    wanted = {"a.md": "h1 c", "b.md": "h2' c", "d.md": "h4 c"}
    gone, new = changes(held, wanted)
    assert gone == {"b.md", "c.md"}
    assert new == ["b.md", "d.md"]
    assert changes(held, held) == (set(), [])
    # new chunk settings: the same content cut another way is a change
    assert changes({"a.md": "h1 c"}, {"a.md": "h1 c2"}) == ({"a.md"}, ["a.md"])


def test_like_sized_segments_merge_once_there_are_factor_of_them() -> None:
    small = [(10, 10)] * 3
    assert merges(small, 4) == []
    assert merges([*small, (20, 20)], 4) == [[0, 1, 2, 3]]
    # another tier does not count towards this one
    assert merges([*small, (SMALLEST_TIER * 5, SMALLEST_TIER * 5)], 4) == []


def test_a_merge_stays_within_the_largest_segment() -> None:
    near_half = MAX_SEGMENT // 2 - 1
    sizes = [(near_half, near_half)] * 4
    groups = merges(sizes, 4)
    assert groups and all(sum(sizes[i][0] for i in g) <= MAX_SEGMENT for g in groups)
    full = [(MAX_SEGMENT, MAX_SEGMENT)] * 12
    assert merges(full, 4) == [], "full segments are not merged again"


def test_a_segment_that_lost_half_its_rows_is_rewritten() -> None:
    total = 1000
    lost = int(total * EXPUNGE_SHARE)
    assert merges([(total - lost, total), (total, total)], 10) == [[0]]
    assert merges([(total - lost + 1, total)], 10) == []


def test_a_generation_with_a_missing_segment_is_not_readable(tmp_path: Path) -> None:
    layout = IndexLayout(tmp_path)
    Generation((SegmentRef("s1", frozenset({"a.md"})),)).save(layout.generation("g"))
    assert readable(layout, "g") is None, "segment s1 was never written"
    assert readable(layout, None) is None
    layout.segment("s1").mkdir(parents=True)
    (layout.segment("s1") / GENERATION_MARK).write_text(str(SIDE_FORMAT), encoding="ascii")
    generation = readable(layout, "g")
    assert generation is not None and generation.segments[0].deleted == {"a.md"}
