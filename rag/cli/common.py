"""What the commands share: the assistant, progress bars, and how sources are printed."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from rag.answer.types import Answer, Delta, StreamEvent
from rag.config import Settings
from rag.text.byline import byline
from rag.text.controls import printable

if TYPE_CHECKING:
    from tqdm import tqdm

    from rag import AppliedFilters, Filters
    from rag.api import Assistant


def say(
    *parts: object, sep: str = " ", end: str = "\n", file: TextIO | None = None, flush: bool = False
) -> None:
    """print() for what may come from articles, pages, feeds or a model: no control
    character or escape sequence reaches the terminal (a clear screen, a window title, a
    clipboard write)."""
    print(printable(sep.join(map(str, parts))), end=end, file=file, flush=flush)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: use YYYY-MM-DD") from None


def _language(text: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a language code such as de or en")
    return text


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="articles from this day on")
    p.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="articles up to this day")
    p.add_argument("--outlet", action="append", default=[], help="only this outlet (repeatable)")
    p.add_argument("--lang", action="append", default=[], type=_language, help="de, en, …")


def filters_of(args: argparse.Namespace) -> Filters | None:
    from rag import Filters

    filters = Filters(args.since, args.until, list(args.outlet), list(args.lang))
    return None if filters.empty else filters


def print_filters(applied: AppliedFilters | None) -> None:
    """ "Searched articles from 3–9 June 2024 (from “last week”)", when anything was."""
    if applied is None or not (applied.description or applied.latest):
        return
    phrases = [p for p in (applied.phrase, applied.outlet_phrase) if p]
    said = " (from " + " and ".join(f"“{p}”" for p in phrases) + ")" if phrases else ""
    newest = ", newest first" if applied.latest else ""
    beyond = "; none answered, so all articles were searched" if applied.outside else ""
    say(f"Searched {applied.description or 'all articles'}{said}{newest}{beyond}.")


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


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def print_sources(answer: Answer) -> None:
    print_filters(answer.filters)
    if answer.notice:
        say(f"\nNote: {answer.notice}")
    for claim in answer.unsupported:
        say(f"Not found in the passages: “{claim}”")
    if answer.citations:
        say("\nSources:")
        for c in answer.citations:
            link = f" <{c.source}>" if c.source else ""
            by = f" — {byline(c.outlet, c.date)}" if c.outlet or c.date else ""
            say(f"[{c.n}] {c.title}{by} ({c.doc_id}, chars {c.start_char}-{c.end_char}){link}")
            say(f"    “{c.quote or clip(c.text, 200)}”")
            if c.also:
                copies = "; ".join(byline(copy.outlet, copy.date) or copy.source for copy in c.also)
                say(f"    also in: {copies}")


def stream_answer(events: Iterator[StreamEvent]) -> Answer:
    """Print deltas as they arrive, then the sources; returns the final answer."""
    for event in events:
        if isinstance(event, Delta):
            say(event.text, end="", flush=True)
            continue
        answer = event.answer
        if event.replaces_stream:
            # The model failed midway (the articles quoted instead), or the claim check
            # moved markers to other claims or passages: the answer as it stands.
            failed = answer.mode == "extractive"
            say("\n\n[the model's answer was set aside; quoting the articles instead]\n"
                if failed else "\n\n[citations checked]\n")  # fmt: skip
            say(answer.text, end="")
        elif event.rest:  # what a reader sees is what was streamed; a moved marker aside
            say(event.rest, end="")
        say()
        print_sources(answer)
        return answer
    raise RuntimeError("the answer stream ended without an answer")


Progress = Callable[[int, int], None]
