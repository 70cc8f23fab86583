"""Safe Markdown for text the app did not write: article passages, titles, model answers.

`st.markdown` understands more than Markdown: raw HTML (dropped), LaTeX between `$`,
colour directives like `:red[…]`, and GFM turns bare URLs and e-mail addresses into links.
Text from an article or a language model must never become a link, an image, HTML or a
formula, so every string of theirs passes through one of the functions here first.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote, urlsplit

from rag import Answer, Delta, StreamEvent, byline

WORD_JOINER = "\u2060"
# GFM finds bare "http://…", "www.…" and "name@host" after escapes are resolved, so a
# backslash cannot stop it; an invisible word joiner inside each pattern does. Only
# look-behind is used, which keeps the escaping of a prefix a prefix of the whole (streaming).
_AUTOLINK = re.compile(r"(?<=:)(?=/)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
# In answers: what could start a link, an image, HTML, an entity, math or a directive.
# `[` stays so citation markers read "[1]": without "(" or "]:" after it, it is plain text.
_ANSWER_SPECIAL = re.compile(r"([\\<>()$&:])")
# In the downloaded file, which people also read as plain text: only what hides a target
# (inline and reference links, images), HTML and entities is escaped; a bare URL stays
# readable, since the reader sees where it goes.
_EXPORT_SPECIAL = re.compile(r"([<>])|(?<=\])([(:\[])|(!)(?=\[)|(&)(?=#?\w+;)")
_ALL_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")
_SAFE_URL_CHARS = "/:?#=&%@+,;~.-_!*'"


def answer_markdown(text: str) -> str:
    """A model's answer keeps its lists and emphasis but cannot link, embed or inject."""
    return _ANSWER_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def export_markdown(text: str) -> str:
    """Article or model text for the Markdown download: readable, yet no links or HTML."""
    return _EXPORT_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def escaped_stream(
    events: Iterable[StreamEvent],
    answers: list[Answer],
    on_item: Callable[[], object] | None = None,
) -> Iterator[str]:
    """The text deltas of `Assistant.stream`, escaped; its final `Answer` goes into
    `answers` (the UI then draws the answer's own text in place of the streamed one).

    The escaping of a prefix is a prefix of the escaping of the whole, so each delta is the
    new part of the escaped text so far: a URL split across deltas is still broken up.
    `on_item` runs for every item (the UI clears its "searching" note with it).
    """
    raw, shown = "", ""
    for event in events:
        if on_item is not None:
            on_item()
        if not isinstance(event, Delta):
            answers.append(event.answer)
            continue
        raw += event.text
        safe = answer_markdown(raw)
        delta, shown = safe[len(shown) :], safe
        if delta:
            yield delta


def _escape_line(line: str) -> str:
    return _ALL_PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, line))


def literal_markdown(text: str) -> str:
    """Article text shown verbatim: no Markdown at all, each line its own paragraph."""
    return "\n\n".join(_escape_line(line.strip()) for line in text.splitlines() if line.strip())


def passage_markdown(passage: str, quote_text: str, colour: str = "yellow") -> str:
    """The passage verbatim, with the cited sentence highlighted (when it is found)."""
    start = passage.find(quote_text) if quote_text.strip() else -1
    if start < 0:
        return literal_markdown(passage)
    end = start + len(quote_text)
    segments = [(passage[:start], False), (passage[start:end], True), (passage[end:], False)]
    paragraphs = [""]
    for text, marked in segments:
        for i, line in enumerate(text.split("\n")):
            if i:
                paragraphs.append("")
            if not line.strip():
                paragraphs[-1] += line
            elif marked:
                # The highlight directive cannot span paragraphs: one per line of the quote.
                lead, core, trail = _split_space(line)
                paragraphs[-1] += f"{lead}:{colour}-background[{_escape_line(core)}]{trail}"
            else:
                paragraphs[-1] += _escape_line(line)
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return lead, core, trail


def safe_url(source: str) -> str | None:
    """An http(s) URL fit for a Markdown link target, or None for anything else."""
    url = source.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # Percent-encode what could close the link target or open HTML: ( ) < > space quotes.
    return quote(url, safe=_SAFE_URL_CHARS)


def source_link(source: str) -> str:
    """Markdown for an article's source: a link for http(s) URLs, plain text otherwise."""
    url = safe_url(source)
    if url is None:
        return _escape_line(source.strip())
    host = urlsplit(url).hostname or url
    return f"[{_escape_line(host.removeprefix('www.'))} ↗]({url})"


def copy_markdown(outlet: str, date: str, source: str) -> str:
    """Where else a story appeared: "Seekurier 2025-06-03 [seekurier.example ↗](…)"."""
    where = byline(outlet, date, sep=" ", escape=_escape_line)
    link = source_link(source) if source else ""
    return " ".join(p for p in (where, link) if p)


_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def linked_markers(markdown: str, sources: dict[int, str]) -> str:
    """An escaped answer whose `[n]` markers link to their article's page (`sources`: a
    citation's number to its source; one that is no http(s) URL stays plain) (pure)."""

    def link(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        parts = []
        for n in numbers:
            url = safe_url(sources.get(n, ""))
            parts.append(f"[\\[{n}\\]]({url})" if url else f"[{n}]")
        return " ".join(parts) if len(numbers) > 1 else parts[0]

    return _MARKER.sub(link, markdown)
