"""What the commands share: the assistant, progress bars, and how sources are printed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from rag.answer.types import Answer, Citation
from rag.config import Settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from rag.api import Assistant


def assistant(settings: Settings) -> Assistant:
    from rag.api import Assistant  # deferred: `rag --help` stays instant

    return Assistant(settings)


class Bar:
    """A tqdm bar for the embedding work, made on the first report (none for a no-op)."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="text", desc="embedding", disable=self.quiet or None)
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def where(c: Citation) -> str:
    """ "outlet, date" of a cited article, as far as they are known."""
    return ", ".join(part for part in (c.outlet, c.date or "") if part)


def print_sources(answer: Answer) -> None:
    if answer.notice:
        print(f"\nNote: {answer.notice}")
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            link = f" <{c.source}>" if c.source else ""
            byline = f" — {where(c)}" if where(c) else ""
            print(
                f"[{c.n}] {c.title}{byline} ({c.doc_id}, chars {c.start_char}-{c.end_char}){link}"
            )
            print(f"    “{c.quote or c.text[:200]}”")
            if c.also:
                copies = "; ".join(
                    ", ".join(p for p in (copy.outlet, copy.date or "") if p) or copy.source
                    for copy in c.also
                )
                print(f"    also in: {copies}")


def stream_answer(items: Iterator[str | Answer]) -> Answer:
    """Print deltas as they arrive, then the sources; returns the final answer."""
    streamed = False
    for item in items:
        if isinstance(item, Answer):
            if item.notice and streamed:
                # The model failed midway: what was printed is replaced by the fallback.
                print("\n\n[the model's answer was interrupted; quoting the articles instead]\n")
                print(item.text, end="")
            elif not streamed:
                print(item.text, end="")
            print()
            print_sources(item)
            return item
        print(item, end="", flush=True)
        streamed = True
    raise RuntimeError("the answer stream ended without an answer")


Progress = Callable[[int, int], None]
