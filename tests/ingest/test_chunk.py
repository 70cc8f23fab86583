from pathlib import Path

import pytest

from ingest.chunk import chunk_text
from ingest.load import read_article
from rag.index.ids import chunk_id
from tests.conftest import CORPUS, SEED


def _seed_text() -> str:
    return read_article(CORPUS / SEED, CORPUS, max_bytes=10**7).text


@pytest.mark.parametrize(
    "text",
    [
        _seed_text(),
        "Eine Zeile ohne Punkt",
        "Erster Satz. Zweiter Satz!\n\n\nDritter Absatz?  Mit Leerzeichen.  \n",
        "Wort " * 2000,  # one "sentence" far longer than a chunk
        "x" * 5000,  # no whitespace at all
        "Kurz.\nKurz.\nKurz.\n" * 200,
        "  \n\n  führende Leerzeichen. Und z.B. Abkürzungen wie Dr. Müller am 3. Mai.",
    ],
)
def test_offsets_round_trip(text: str) -> None:
    chunks = chunk_text(text, max_chars=600, min_chars=150, overlap=1)
    assert chunks, "non-empty text yields chunks"
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 600
        assert chunk.text == chunk.text.strip()
    # Every non-space character is covered by some chunk.
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_seed_passages_are_about_one_paragraph() -> None:
    text = _seed_text()
    chunks = chunk_text(text)
    assert 8 <= len(chunks) <= 25
    windsurf = [c for c in chunks if "heißt Windsurf" in c.text]
    assert len(windsurf) == 1
    assert "Zugriff auf das gesamte geistige Eigentum" in windsurf[0].text


def test_headings_join_the_next_paragraph() -> None:
    text = _seed_text()
    chunk = next(c for c in chunk_text(text) if "Die Ehe, die nicht mehr funktioniert" in c.text)
    # read as the article is (rag.text.wraps): its paragraphs apart by a blank line
    assert chunk.text.startswith("Die Ehe, die nicht mehr funktioniert\n\nDie OpenAI-Microsoft")


def test_split_paragraph_chunks_overlap_by_a_sentence() -> None:
    sentences = [f"Satz Nummer {i} erzählt etwas über das Thema." for i in range(40)]
    text = " ".join(sentences)
    chunks = chunk_text(text, max_chars=300, min_chars=100, overlap=1)
    assert len(chunks) > 3
    for left, right in zip(chunks, chunks[1:], strict=False):
        assert right.start < left.end, "neighbours share text"
        last_sentence = left.text[left.text.rfind("Satz") :]
        assert right.text.startswith(last_sentence)


def test_no_overlap_across_paragraphs() -> None:
    text = "\n\n".join(f"Absatz {i}. " + "Inhalt des Absatzes. " * 12 for i in range(5))
    chunks = chunk_text(text, max_chars=1000, min_chars=100, overlap=1)
    assert all(b.start >= a.end for a, b in zip(chunks, chunks[1:], strict=False))


def test_chunking_and_ids_are_deterministic() -> None:
    text = _seed_text()
    first = [chunk_id("a.md", c.start, c.end) for c in chunk_text(text)]
    second = [chunk_id("a.md", c.start, c.end) for c in chunk_text(text)]
    assert first == second
    assert len(set(first)) == len(first)


def test_empty_text_has_no_chunks(tmp_path: Path) -> None:
    assert chunk_text("") == []
    assert chunk_text(" \n\n ") == []
