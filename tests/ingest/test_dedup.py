"""Syndicated copies: found by MinHash LSH, confirmed on the text, the earliest kept."""

from __future__ import annotations

from pathlib import Path

from ingest.dedup import (
    Candidate,
    find_copies,
    jaccard,
    load_signatures,
    save_signatures,
    shingles,
    signature,
)
from ingest.html import extract_page
from ingest.metadata import read_when
from tests.web_server import PAGES

SEEKURIER = extract_page((PAGES / "agency-seekurier.html").read_bytes()).text
TAGBLATT = extract_page((PAGES / "agency-tagblatt.html").read_bytes()).text
OTHER = extract_page((PAGES / "de-bahn-streik.html").read_bytes()).text
TEXTS = {"a.md": TAGBLATT, "b.md": SEEKURIER, "c.md": OTHER}


def _candidates(**when: str) -> list[Candidate]:
    return [
        Candidate(doc, read_when(when.get(doc.split(".")[0], "")), False, signature(text))
        for doc, text in TEXTS.items()
    ]


def test_two_outlets_copy_of_one_story_is_found_and_the_earliest_kept() -> None:
    assert 0.5 < jaccard(shingles(SEEKURIER), shingles(TAGBLATT)) < 0.8
    assert jaccard(shingles(SEEKURIER), shingles(OTHER)) < 0.05
    same_day = _candidates(a="2025-06-03T10:45:00+02:00", b="2025-06-03T08:05:00+02:00")
    assert find_copies(same_day, TEXTS.__getitem__) == {"a.md": "b.md"}, "08:05 before 10:45"
    earlier = _candidates(a="2025-06-02", b="2025-06-03T08:05:00+02:00")
    assert find_copies(earlier, TEXTS.__getitem__) == {"b.md": "a.md"}
    undated = _candidates(b="2025-06-03")
    assert find_copies(undated, TEXTS.__getitem__) == {"a.md": "b.md"}, "undated ones last"


def test_the_copy_already_indexed_stays_kept_at_the_same_time() -> None:
    a, b, c = _candidates(a="2025-06-03", b="2025-06-03")
    kept_b = [a, Candidate(b.doc_id, b.when, True, b.signature), c]
    assert find_copies(kept_b, TEXTS.__getitem__) == {"a.md": "b.md"}


def test_signatures_round_trip(tmp_path: Path) -> None:
    sigs = {"h1": signature(SEEKURIER), "h2": signature(OTHER)}
    save_signatures(tmp_path / "s.npz", sigs)
    loaded = load_signatures(tmp_path / "s.npz")
    assert loaded.keys() == sigs.keys() and (loaded["h1"] == sigs["h1"]).all()
    assert load_signatures(tmp_path / "missing.npz") == {}
