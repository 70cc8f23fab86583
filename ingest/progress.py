"""Progress of the embedding work of a reindex, as the CLI's and the UI's bars show it."""

from __future__ import annotations

from collections.abc import Callable

# Called with (texts embedded so far, texts to embed in this run).
Progress = Callable[[int, int], None]


class Meter:
    """Counts embedded texts against the total and reports (done, total)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        if progress:
            progress(0, total)

    def advance(self, n: int) -> None:
        self.done = min(self.done + n, self.total)
        if self.progress:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        """The end: texts that were reused instead of embedded count as done."""
        if self.progress and self.done < self.total:
            self.progress(self.total, self.total)
