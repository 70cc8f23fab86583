"""The answer stream every interface reads: text deltas, then the final answer with what
it means for the text already shown (rag.answer.types.Final)."""

from __future__ import annotations

from collections.abc import Iterator

from rag.answer.citations import as_read
from rag.answer.types import Answer, Delta, Final, StreamEvent


def events(items: Iterator[str | Answer]) -> Iterator[StreamEvent]:
    """The engine's pieces of text and its final Answer as typed events."""
    streamed = ""
    for item in items:
        if isinstance(item, Answer):
            rest = item.text[len(streamed) :] if item.text.startswith(streamed) else None
            changed = bool(streamed) and as_read(streamed) != as_read(item.text)
            yield Final(item, streamed, rest, changed)
            return
        streamed += item
        yield Delta(item)
    raise RuntimeError("the answer stream ended without an answer")
