"""Sentence-aware chunking into passages of about one paragraph (pure, no I/O).

Invariant: for every chunk, `text[chunk.start:chunk.end] == chunk.text`.
"""

from __future__ import annotations

from rag.config import Settings
from rag.index.records import Chunk
from rag.text.sentences import Span, split_sentences


def _bounded(text: str, spans: list[Span], max_chars: int) -> list[Span]:
    """Split sentences longer than `max_chars` at whitespace (or hard, if there is none)."""
    out: list[Span] = []
    for span in spans:
        start = span.start
        while span.end - start > max_chars:
            cut = text.rfind(" ", start + 1, start + max_chars)
            if cut <= start:
                cut = start + max_chars
            out.append(Span(start, cut, span.paragraph))
            start = cut
            while start < span.end and text[start].isspace():
                start += 1
        if start < span.end:
            out.append(Span(start, span.end, span.paragraph))
    return out


def chunk_with(text: str, settings: Settings) -> list[Chunk]:
    """`chunk_text` with the chunk settings of `settings` (as every reindex cuts)."""
    return chunk_text(
        text,
        max_chars=settings.chunk_max_chars,
        min_chars=settings.chunk_min_chars,
        overlap=settings.chunk_overlap_sentences,
    )


def chunk_text(
    text: str, *, max_chars: int = 1600, min_chars: int = 200, overlap: int = 1
) -> list[Chunk]:
    """Pack sentences into chunks.

    A chunk ends at a paragraph break once it holds `min_chars` (so headings and short
    lines join the next paragraph), and before it would exceed `max_chars`. When a long
    paragraph has to be split, the next chunk repeats its last `overlap` sentences so
    that no statement loses its context at the cut.
    """
    spans = _bounded(text, split_sentences(text), max_chars)
    groups: list[list[Span]] = []
    current: list[Span] = []
    for span in spans:
        if current:
            length = span.end - current[0].start
            new_paragraph = span.paragraph != current[-1].paragraph
            if new_paragraph and current[-1].end - current[0].start >= min_chars:
                groups.append(current)
                current = []
            elif length > max_chars:
                groups.append(current)
                carried = current[-overlap:] if overlap else []
                carried = [s for s in carried if s.paragraph == span.paragraph]
                if carried and span.end - carried[0].start > max_chars:
                    carried = []
                current = list(carried)
        current.append(span)
    if current:
        groups.append(current)
    chunks = []
    for index, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        chunks.append(Chunk(index, start, end, text[start:end]))
    return chunks
