"""The prompt budget: passages are dropped, then cut to their best sentences, until the
prompt and the longest answer fit the model's context (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from rag.models.chat import Count, Message
from rag.search.passage import Passage

_PER_MESSAGE = 8  # role and framing tokens the chat format adds to each message
_KEEP_SENTENCES = 2


def prompt_tokens(messages: Sequence[Message], count: Count) -> int:
    return sum(count(m["content"]) + _PER_MESSAGE for m in messages)


def fit_passages(
    passages: Sequence[Passage],
    build: Callable[[Sequence[Passage]], list[Message]],
    count: Count,
    budget: int,
    best: Callable[[Passage], list[tuple[int, int]]],
) -> tuple[list[Passage], list[Passage]] | None:
    """The passages to cite and their text as the prompt shows it, within `budget` tokens
    (the context minus the answer). The lowest-scored passages go first; then every
    passage kept is cut to its `best` sentences (spans into its text). None when not even
    one cut passage fits."""
    kept = list(passages)
    while kept and prompt_tokens(build(kept), count) > budget and len(kept) > 1:
        kept.remove(min(kept, key=lambda p: p.score))
    if kept and prompt_tokens(build(kept), count) <= budget:
        return kept, kept
    cut = [_cut(p, best(p)) for p in kept]
    while cut and prompt_tokens(build(cut), count) > budget:
        lowest = min(range(len(cut)), key=lambda i: kept[i].score)
        del cut[lowest], kept[lowest]
    return (kept, cut) if cut else None


def _cut(passage: Passage, spans: list[tuple[int, int]]) -> Passage:
    """The passage shown as its best sentences, in article order, "…" between them."""
    chosen = sorted(spans[:_KEEP_SENTENCES])
    if not chosen:
        return passage
    return replace(passage, text=" … ".join(passage.text[a:b] for a, b in chosen))
