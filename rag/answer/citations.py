"""Citation markers in generated text (pure).

The model cites passages as `[n]` (or `[n, m]`). Markers that point to no passage are
dropped; the rest are renumbered in order of first use, so `[1]` is always the first
source the reader meets. `MarkerRewriter` does this on a stream, holding back only a
possibly unfinished marker, so the streamed text equals the final text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.types import Citation, Copy
from rag.search.passage import Passage
from rag.text.sentences import split_sentences

MARKER = re.compile(r"(\s*)\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
# Text at the end of a chunk that may still grow into a marker: spaces, "[", digits, commas.
_PENDING = re.compile(r"\s*(?:\[[\d,\s]{0,24})?$")


class MarkerRewriter:
    """Rewrites citation markers of a text that arrives in pieces."""

    def __init__(self, passages: int) -> None:
        self.passages = passages
        self.order: list[int] = []  # original passage numbers, in order of first use
        self._pending = ""
        self._out: list[str] = []
        self._raw: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self._out)

    @property
    def raw(self) -> str:
        """What the model wrote, markers as it numbered them."""
        return "".join(self._raw)

    def _number(self, original: int) -> int:
        if original not in self.order:
            self.order.append(original)
        return self.order.index(original) + 1

    def _rewrite(self, match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(2))]
        valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= self.passages]
        if not valid:
            return ""  # an invalid marker goes, with the space before it
        return match.group(1) + "".join(f"[{self._number(n)}]" for n in valid)

    def _emit(self, text: str) -> str:
        out = MARKER.sub(self._rewrite, text)
        self._out.append(out)
        return out

    def feed(self, delta: str) -> str:
        """Add a piece of model output; return the rewritten text that is now final."""
        self._raw.append(delta)
        buffer = self._pending + delta
        tail = _PENDING.search(buffer)
        cut = tail.start() if tail else len(buffer)
        # A complete marker inside the tail region cannot be pending: emit through it.
        ends = [m.end() for m in MARKER.finditer(buffer)]
        if ends and ends[-1] > cut:
            cut = ends[-1]
        self._pending = buffer[cut:]
        return self._emit(buffer[:cut])

    def flush(self) -> str:
        """The end of the output: whatever was held back is final now."""
        rest, self._pending = self._pending, ""
        return self._emit(rest)


@dataclass(frozen=True)
class Claim:
    """A sentence of a generated answer and the passages its markers cite."""

    text: str  # without its markers
    numbers: tuple[int, ...]  # as numbered in the answer text, in order
    start: int  # the sentence's range in the answer text
    end: int


def claims(text: str) -> list[Claim]:
    """The sentences of `text` with the markers that belong to each (pure).

    A marker belongs to the text right before it: "Claim [1]." and "Claim. [1]" both cite
    for "Claim", though sentence splitting puts the second marker at the start of the
    next sentence; so do markers at the end of the answer or of a list item. A marker
    with nothing before it belongs to its own sentence."""
    spans = split_sentences(text)
    if not spans:
        return []
    owned: list[list[int]] = [[] for _ in spans]
    for match in MARKER.finditer(text):
        before = MARKER.sub(lambda m: " " * len(m.group(0)), text[: match.start()]).rstrip()
        at = len(before) - 1 if before else match.start()
        owner = max((i for i, s in enumerate(spans) if s.start <= at), default=0)
        for n in re.split(r"\s*,\s*", match.group(2)):
            if int(n) not in owned[owner]:
                owned[owner].append(int(n))
    out = []
    for s, numbers in zip(spans, owned, strict=True):
        bare = _BULLET.sub("", MARKER.sub("", text[s.start : s.end])).strip()
        if bare or numbers:
            out.append(Claim(bare, tuple(numbers), s.start, s.end))
    return out


def as_read(text: str) -> tuple[str, list[str]]:
    """A text without its markers, and its markers in order: what a reader compares when
    an answer is shown again (moving "Claim. [1]" to "Claim [1]." changes neither)."""
    return MARKER.sub("", text), [f"[{n}]" for m in MARKER.finditer(text) for n in
                                   re.split(r"\s*,\s*", m.group(2))]  # fmt: skip


def rewrite_markers(text: str, passages: int) -> tuple[str, list[int]]:
    """Rewrite a whole text at once; returns the text and the cited passages (1-based)."""
    rewriter = MarkerRewriter(passages)
    rewriter.feed(text)
    rewriter.flush()
    return rewriter.text, rewriter.order


def citation(n: int, passage: Passage, quote: str, support: float | None = None) -> Citation:
    """Citation `[n]` for a retrieved passage, quoting the sentence that supports the claim
    (and how well, for a generated answer's claim)."""
    return Citation(
        n=n,
        doc_id=passage.doc_id,
        title=passage.title,
        source=passage.source,
        text=passage.text,
        quote=quote,
        start_char=passage.start,
        end_char=passage.end,
        score=round(float(passage.score), 4),
        date=passage.date or None,
        outlet=passage.outlet,
        also=tuple(Copy(c["outlet"], c["source"], c["date"] or None) for c in passage.also),
        support=None if support is None else round(support, 4),
    )
