"""Timelines: the articles relevant to a query in date order, one event per article, each
with its best sentence.

An article belongs when its best sentence clears the abstention threshold of its language
pair, as an answer's would, and scores near the best article's: in a corpus about one
region every article clears the threshold for some query, but the articles on another
story score clearly below the ones on this one. Cross-lingual scores are lifted by the gap
between the two thresholds first, so both languages are held to one scale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag.answer.evidence import Evidence, ScoredSentence, lifted
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


def events(evidence: Evidence, tuning: Tuning, limit: int) -> list[Event]:
    """The best sentence of each article that clears its language pair's threshold, for the
    `limit` most relevant articles, oldest first (undated ones last) (pure)."""
    passages = evidence.retrieval.passages
    best: dict[str, tuple[float, ScoredSentence]] = {}
    for s, score in zip(evidence.sentences, lifted(evidence, tuning), strict=True):
        doc = passages[s.passage].doc_id
        if doc not in best or score > best[doc][0]:
            best[doc] = (score, s)
    top = max((score for score, _s in best.values()), default=0.0)
    floor = max(tuning.abstain_threshold, top - tuning.timeline_margin)
    ranked = sorted((v for v in best.values() if v[0] >= floor), key=lambda v: -v[0])
    chosen = [s for _score, s in ranked[:limit]]
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
