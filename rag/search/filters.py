"""Which articles a search may use: publication days, outlets, languages (pure).

Both days are inclusive. Articles without a date never match a date filter. An outlet
matches by any of its names or its site (rag.search.outlets). A filter is a mask over the
side index's facets, applied to the dense and the BM25 candidates before either side's
top-k is taken, so a chunk outside the filter never appears (Chroma's own `where` took
150–350 ms at 100k chunks: docs/benchmarks.md, "Filtered retrieval").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.errors import QuestionError
from rag.index.records import day_number
from rag.text.dates import long_date

if TYPE_CHECKING:  # the answer types name these filters: keep them light to import
    from rag.index.segment import Facets
    from rag.search.outlets import OutletMatch


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    outlets: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    # Only these articles (doc ids; empty: all). Set by a watch's check, never by a user:
    # as_dict leaves it out, so answers do not list them.
    articles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            day = getattr(self, name)
            if isinstance(day, dt.datetime):  # a moment: its day
                object.__setattr__(self, name, day.date())
            elif day is not None and not isinstance(day, dt.date):
                raise QuestionError(f"a filter's day must be a date, not {day!r}")
        if self.since and self.until and self.since > self.until:
            raise QuestionError(
                f"the filter's first day ({self.since}) is after its last ({self.until})"
            )

    @property
    def empty(self) -> bool:
        return not (self.since or self.until or self.outlets or self.languages or self.articles)

    @property
    def dated(self) -> bool:
        return bool(self.since or self.until)

    def over(self, other: Filters) -> Filters:
        """These filters, with `other`'s for whatever these leave open; the days count as
        one (a range is never half one filter's and half the other's)."""
        since, until = (self.since, self.until) if self.dated else (other.since, other.until)
        return Filters(
            since,
            until,
            self.outlets or other.outlets,
            self.languages or other.languages,
            self.articles or other.articles,
        )

    def span(self, language: str = "en") -> str:
        """The days in words: "from 4–10 March 2024", "since 1 May 2024"; "" when undated."""
        return _span(self.since, self.until, language == "de") if self.dated else ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Filters:
        """The filters `as_dict` wrote (QuestionError for a day that is not one)."""

        def day(value: Any) -> dt.date | None:
            try:
                return dt.date.fromisoformat(str(value)) if value else None
            except ValueError as exc:
                raise QuestionError(f"{value!r} is not a day (YYYY-MM-DD)") from exc

        return cls(
            day(data.get("since")),
            day(data.get("until")),
            [str(o) for o in data.get("outlets") or []],
            [str(lang) for lang in data.get("languages") or []],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "outlets": list(self.outlets),
            "languages": list(self.languages),
        }


def facets_mask(facets: Facets, filters: Filters, outlets: OutletMatch) -> np.ndarray:
    """Which chunks of the side index the filters keep; `outlets`: what the filters'
    outlets match (rag.search.outlets)."""
    keep = np.ones(len(facets.dates), dtype=bool)
    if filters.since:
        keep &= facets.dates >= day_number(filters.since.isoformat())
    if filters.until:
        keep &= (facets.dates > 0) & (facets.dates <= day_number(filters.until.isoformat()))
    if filters.outlets:
        pairs = set(zip(facets.outlets, facets.sites, strict=True))
        kept = {pair for pair in pairs if outlets.keeps(*pair)}  # few pairs, many chunks
        chunks = zip(facets.outlets, facets.sites, strict=True)
        keep &= np.fromiter((pair in kept for pair in chunks), bool, len(facets.outlets))
    if filters.languages:
        languages = set(filters.languages)
        keep &= np.fromiter((la in languages for la in facets.languages), bool, len(keep))
    return keep


_LANGUAGE_NAMES = {
    "en": {"de": "German", "en": "English", "fr": "French", "es": "Spanish", "it": "Italian"},
    "de": {
        "de": "Deutsch",
        "en": "Englisch",
        "fr": "Französisch",
        "es": "Spanisch",
        "it": "Italienisch",
    },
}


def describe(filters: Filters, language: str) -> str:
    """The filters in words: "articles from 4–10 March 2024 by Seekurier" (pure)."""
    parts: list[str] = []
    de = language == "de"
    if filters.dated:
        parts.append(_span(filters.since, filters.until, de))
    if filters.outlets:
        parts.append(("von " if de else "by ") + ", ".join(filters.outlets))
    if filters.languages:
        names = _LANGUAGE_NAMES["de" if de else "en"]
        spoken = [names.get(code, code) for code in filters.languages]
        parts.append(("auf " if de else "in ") + ", ".join(spoken))
    lead = "Artikel" if de else "articles"
    return " ".join([lead, *parts]) if parts else lead


def _span(since: dt.date | None, until: dt.date | None, de: bool) -> str:
    language = "de" if de else "en"
    if since and until:
        if since == until:
            return ("vom " if de else "from ") + long_date(since, language)
        same_year, same_month = since.year == until.year, since.month == until.month
        first = long_date(since, language, year=not same_year, month=not (same_year and same_month))
        joiner = "–" if same_year and same_month else " – "
        return ("vom " if de else "from ") + first + joiner + long_date(until, language)
    if since:
        return ("seit dem " if de else "since ") + long_date(since, language)
    assert until is not None
    return ("bis zum " if de else "until ") + long_date(until, language)


@dataclass(frozen=True)
class AppliedFilters:
    """The filters a search used, and which of them the question itself asked for."""

    filters: Filters = field(default_factory=Filters)
    latest: bool = False  # the newest relevant articles were asked for
    from_question: tuple[str, ...] = ()  # of "since", "until", "latest", "outlets"
    phrase: str = ""  # the question's words the days were read from ("last week")
    outlet_phrase: str = ""  # and the outlet ("laut Zeit")
    description: str = ""  # "articles from 4–10 March 2024", in English for interfaces' labels
    # The articles these filters keep did not answer, and the answer is from all articles.
    outside: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AppliedFilters:
        """The applied filters `as_dict` wrote (a saved answer's)."""
        return cls(
            Filters.from_dict(data),
            bool(data.get("latest")),
            tuple(str(x) for x in data.get("from_question") or ()),
            str(data.get("phrase") or ""),
            str(data.get("outlet_phrase") or ""),
            str(data.get("description") or ""),
            bool(data.get("outside")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.filters.as_dict(),
            "latest": self.latest,
            "from_question": list(self.from_question),
            "phrase": self.phrase,
            "outlet_phrase": self.outlet_phrase,
            "description": self.description,
            "outside": self.outside,
        }
