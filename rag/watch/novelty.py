"""Whether a watch's new answer moves the story: new, confident evidence its user has not
been given, and the figures that changed (pure).

A quote is new when it states a figure that no quote given before stated (the same
value of the same unit: "1.400 Stellen"), or, without figures, when it shares less than
half of its words with every quote given before: a later article restating a figure or a
sentence is no news.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from rag.answer.types import Answer, Citation
from rag.text.figures import Figure, figures

RESTATED = 0.5  # a quote sharing this share of its words with one given before restates it
SUMMARY_CHARS = 300
_WORD = re.compile(r"[^\W\d_][\w-]{3,}")
_COMMON = frozenset(
    "dass sich nach auch noch eine einen einem einer eines sind wird werden wurde wurden "
    "sein seine seiner haben hatte hatten nicht mehr aber oder über unter dies diese dieser "
    "dieses wenn weil sowie bisher laut sagte teilte with that this from have were been their "
    "they which about after would there".split()
)


def words(text: str) -> set[str]:
    """A sentence's words that carry content, lower-cased (pure)."""
    return {w for w in (m.lower() for m in _WORD.findall(text)) if w not in _COMMON}


def _figures_of(citation: Mapping[str, Any]) -> list[Figure]:
    return figures(str(citation.get("quote") or ""))


def is_new(quote: str, given: Sequence[Mapping[str, Any]]) -> bool:
    """Whether `quote` tells the watch's user something the `given` citations did not."""
    stated = figures(quote)
    if stated:
        known = {(f.value, f.unit) for c in given for f in _figures_of(c)}
        return any((f.value, f.unit) not in known for f in stated)
    mine = words(quote)
    if not mine:
        return False
    for citation in given:
        theirs = words(str(citation.get("quote") or ""))
        if len(mine & theirs) >= RESTATED * len(mine):
            return False
    return True


def changed_figures(
    new: Sequence[Citation], given: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """For each figure of a new quote whose unit a given quote counted with another value
    (the latest such), both, with their dates and citations."""
    changed: list[dict[str, Any]] = []
    seen: set[tuple[float, str]] = set()
    for citation in new:
        for figure in figures(citation.quote):
            before = _latest_with_unit(figure.unit, given)
            if before is None or before[0].value == figure.value:
                continue
            if (figure.value, figure.unit) in seen:
                continue
            seen.add((figure.value, figure.unit))
            old_figure, old = before
            changed.append({
                "before": old_figure.text, "after": figure.text,
                "before_date": old.get("date"), "after_date": citation.date,
                "before_citation": dict(old), "after_citation": citation.as_dict(),
            })  # fmt: skip
    return changed


def _latest_with_unit(
    unit: str, given: Sequence[Mapping[str, Any]]
) -> tuple[Figure, Mapping[str, Any]] | None:
    found: tuple[Figure, Mapping[str, Any]] | None = None
    for citation in given:  # oldest first: the last one found is the latest
        for figure in _figures_of(citation):
            if figure.unit == unit:
                latest = found is None or str(citation.get("date") or "") >= str(
                    found[1].get("date") or ""
                )
                if latest:
                    found = (figure, citation)
    return found


def judge(
    answer: Answer,
    arrived: Collection[str],
    given: Sequence[Mapping[str, Any]],
    relevant: Collection[int] | None = None,
) -> dict[str, Any] | None:
    """The alert a watch's answer over newly arrived articles raises, or None: it must
    quote the new articles themselves where they answer the question (`relevant`: those
    citations' numbers, rag.watch.relevance; None: all of a confident answer), and say
    something not given before."""
    if answer.confidence == "none" or (answer.filters is not None and answer.filters.outside):
        return None
    if relevant is None:
        relevant = {c.n for c in answer.citations} if answer.confidence == "high" else set()
    fresh = [c for c in answer.citations if c.doc_id in arrived and c.quote and c.n in relevant]
    new = [c for c in fresh if is_new(c.quote, given)]
    if not new:
        return None
    quotes = list(dict.fromkeys(c.quote for c in new))
    changed = changed_figures(new, given)
    if changed:
        first = changed[0]
        summary = f"{first['before']} → {first['after']}: " + quotes[0]
    else:
        summary = " ".join(quotes)
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return {"articles": sorted({c.doc_id for c in new}), "answer": answer.as_dict(),
            "new": quotes, "changed": changed, "summary": summary}  # fmt: skip
