"""Timelines: the articles relevant to a query in date order, one event per article, each
with its best sentence.

An article belongs when its best sentence clears the abstention threshold of its language
pair, as an answer's would, and scores near the best article's: in a corpus about one
region every article clears the threshold for some query, but the articles on another
story score clearly below the ones on this one. Cross-lingual scores are lifted by the gap
between the two thresholds first, so both languages are held to one scale.

Similarity alone takes in neighbouring stories ("Lufthansa Rettungspaket" is close to
France's rescue package for its airlines), so an article in the query's own language must
also name the query's story: hold its names and nouns (its capitalised words, stemmed;
all words of a query in lower case), all of two and all but one in three of more
("Stellenabbau bei der Bodan-Werft" needs Bodan and Werft at least; "Wann fahren die
Elektrofähren?" needs Elektrofähren). A query whose story no article names gives no
events. Across languages the words differ, and similarity decides alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rag.answer.evidence import Evidence, ScoredSentence, lifted
from rag.answer.follow_up import says_something
from rag.index.bm25 import tokenize
from rag.search.filters import AppliedFilters
from rag.search.passage import Passage
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


def story_words(query: str, language: str) -> set[str]:
    """The stems of the names and nouns of a query: its capitalised words, else all."""
    capitalised = " ".join(w for w in query.split() if w[:1].isupper() and says_something(w))
    return set(tokenize(capitalised, language)) or set(tokenize(query, language))


def names_story(story: str, language: str, passages: Sequence[Passage]) -> bool:
    """Whether an article (its title and the passages found of it) holds the words of the
    story asked about, when written in the story's language (pure)."""
    words = story_words(story, language)
    if not passages or passages[0].language != language or not words:
        return True
    text = " ".join([passages[0].title, *(p.text for p in passages)])
    missing = len(words - set(tokenize(text, language)))
    return missing <= (len(words) - 1) // 2 if len(words) > 2 else missing == 0


def events(
    evidence: Evidence, tuning: Tuning, limit: int, story: str = "", language: str = ""
) -> list[Event]:
    """The best sentence of each article that clears its language pair's threshold and
    names `story` (in `language`), for the `limit` most relevant articles, oldest first
    (undated ones last) (pure)."""
    passages = evidence.retrieval.passages
    of_doc: dict[str, list[Passage]] = {}
    for p in passages:
        of_doc.setdefault(p.doc_id, []).append(p)
    named = {d: names_story(story, language, found) for d, found in of_doc.items()}
    best: dict[str, tuple[float, ScoredSentence]] = {}
    for s, score in zip(evidence.sentences, lifted(evidence, tuning), strict=True):
        doc = passages[s.passage].doc_id
        if named[doc] and (doc not in best or score > best[doc][0]):
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
