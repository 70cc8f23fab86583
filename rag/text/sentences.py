"""Sentence and paragraph boundaries with character offsets (pure functions, no I/O).

Shared by the chunker (passages are packed from sentences) and the extractive answer
(which quotes whole sentences), so both agree on what a sentence is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with a period without ending the sentence (German and English).
_ABBREVIATIONS = frozenset(
    """
    abs bzw ca chr dr etc evtl ggf hr inkl jh jr mio mrd nr prof sog st str usw vgl
    z.b u.a d.h o.ä s.o u.ä e.g i.e mr mrs ms no vs inc ltd co corp fig approx dept
    jan feb mär apr jun jul aug sep sept okt oct nov dez dec
    """.split()
)
_MONTHS = frozenset(
    """januar februar märz april mai juni juli august september oktober november
    dezember""".split()
)
# "des 20. Jahrhunderts", "im 3. Jahrtausend": ordinals before any form of these.
_ORDINAL_NOUNS = ("jahrhundert", "jahrtausend", "jahrestag", "lebensjahr")
# Part of `Settings.chunking`: a change here re-cuts every article on the next reindex, so
# stored sentence spans always follow the rules quoted from.
SPLITTER_VERSION = 3
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”“»«)\]]*\s+")
_WORD_BEFORE = re.compile(r"(\S+)$")
_BLOCK_START = re.compile(r"\s*(#|[-*+] |\d+[.)] |>|```|\|)")
_TERMINAL = ".!?…:;\"'”“»«)"
_WRAP_WIDTH = 100


@dataclass(frozen=True)
class Span:
    """A sentence: `text[start:end]`, inside paragraph number `paragraph`."""

    start: int
    end: int
    paragraph: int


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, trimmed of surrounding whitespace.

    Blank lines always separate paragraphs. A single newline does too, unless the text is
    hard-wrapped (no line longer than 100 characters) and the line before it looks
    wrapped: long, without terminal punctuation, and followed by ordinary text rather
    than a Markdown block.
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        lines.append((pos, pos + len(raw.rstrip("\r\n"))))
        pos += len(raw)
    # Text with any long line is not hard-wrapped: every newline ends a paragraph.
    hard_wrapped = all(end - start <= _WRAP_WIDTH for start, end in lines)
    paragraphs: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in lines:
        line = text[start:end]
        if not line.strip():
            if current:
                paragraphs.append(current)
            current = None
            continue
        if current is None:
            current = (start, end)
            continue
        previous = text[current[0] : current[1]]
        last_line = previous.rsplit("\n", 1)[-1].rstrip()
        wrapped = (
            hard_wrapped
            and len(last_line) >= 50
            and not last_line.endswith(tuple(_TERMINAL))
            and not _BLOCK_START.match(line)
            and not _BLOCK_START.match(last_line)
        )
        if wrapped:
            current = (current[0], end)
        else:
            paragraphs.append(current)
            current = (start, end)
    if current:
        paragraphs.append(current)
    return [_trim(text, s, e) for s, e in paragraphs if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_false_boundary(text: str, dot: int, next_start: int) -> bool:
    """True when the period at `dot` belongs to an abbreviation, initial or ordinal."""
    if text[dot] != ".":
        return False
    match = _WORD_BEFORE.search(text, 0, dot)
    word = match.group(1).lower().lstrip("(\"'„“") if match else ""
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    if word.isdigit() and len(word) <= 2:
        following = re.match(r"[^\W\d_]+", text[next_start:])
        noun = following.group(0).lower() if following else ""
        return noun in _MONTHS or noun.startswith(_ORDINAL_NOUNS)
    return False


def ends_falsely(before: str, after: str) -> bool:
    """Whether the period that ends `before` does not end a sentence when `after` follows
    (an abbreviation, an initial, an ordinal before a month): for joining wrapped lines."""
    text = f"{before.rstrip()} {after.lstrip()}"
    dot = len(before.rstrip()) - 1
    return _is_false_boundary(text, dot, dot + 2)


def split_sentences(text: str) -> list[Span]:
    """Sentences of every paragraph, in order, with offsets into `text`."""
    spans: list[Span] = []
    for number, (p_start, p_end) in enumerate(paragraph_spans(text)):
        start = p_start
        for match in _BOUNDARY.finditer(text, p_start, p_end):
            next_start = match.end()
            punct_end = match.start() + len(match.group(0).rstrip())
            if next_start >= p_end:
                break
            following = text[next_start]
            if not (following.isupper() or following.isdigit() or following in "\"'„“»«(["):
                continue
            if _is_false_boundary(text, match.start(), next_start):
                continue
            spans.append(Span(start, punct_end, number))
            start = next_start
        if start < p_end:
            spans.append(Span(start, p_end, number))
    return spans


def is_question(text: str) -> bool:
    """Whether a sentence asks rather than states ("Haben Sie drei Minuten Zeit?"), its
    closing quotes and brackets aside."""
    return text.rstrip(" \"'”“»)").endswith("?")
