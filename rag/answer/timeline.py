"""Timelines: the articles of a story in date order, one event per article, each with its
best sentence for the query (which articles tell the story: rag.answer.story).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag.answer.evidence import Evidence
from rag.answer.story import story_articles
from rag.search.filters import AppliedFilters
from rag.tuning import Tuning


@dataclass(frozen=True)
class Event:
    date: str | None  # the article's publication day, ISO
    outlet: str
    title: str
    doc_id: str
    source: str
    quote: str  # the article's sentence that is closest to the query
    start_char: int  # the quote's range in the article body
    end_char: int


@dataclass(frozen=True)
class Timeline:
    query: str
    filters: AppliedFilters = field(default_factory=AppliedFilters)
    events: list[Event] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "filters": self.filters.as_dict(),
            "events": [asdict(e) for e in self.events],
        }


def events(
    evidence: Evidence, tuning: Tuning, limit: int, story: str = "", language: str = ""
) -> list[Event]:
    """The best sentence of each article that clears its language pair's threshold and
    names `story` (in `language`), for the `limit` most relevant articles, oldest first
    (undated ones last) (pure)."""
    chosen = [a.best for a in story_articles(evidence, tuning, story, language)[:limit]]
    passages = evidence.retrieval.passages
    found = [
        Event(
            date=passages[s.passage].date or None,
            outlet=passages[s.passage].outlet,
            title=passages[s.passage].title,
            doc_id=passages[s.passage].doc_id,
            source=passages[s.passage].source,
            quote=s.text,
            start_char=s.start,
            end_char=s.end,
        )
        for s in chosen
    ]
    return sorted(found, key=lambda e: (e.date is None, e.date or "", e.doc_id))
