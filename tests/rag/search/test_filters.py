"""Filters on publication days, outlets and languages: for Chroma, for the side index, in words."""

import datetime as dt

import numpy as np
import pytest

from rag.index.segment import Facets
from rag.search.filters import (
    AppliedFilters,
    Filters,
    describe,
    facets_mask,
)
from rag.search.outlets import Outlets

D = dt.date
MARCH_4, MARCH_10 = D(2024, 3, 4), D(2024, 3, 10)

# Five chunks: 1, 5, 10 and 15 March 2024 and one undated (0).
FACETS = Facets(
    dates=np.asarray([20240301, 20240305, 20240310, 20240315, 0], dtype=np.int32),
    outlets=["Seekurier", "Der Bote", "Seekurier", "Nordblatt", "Seekurier"],
    authors=["", "", "", "", ""],
    languages=["de", "de", "en", "de", "en"],
    sites=["", "", "", "", ""],
)


@pytest.mark.parametrize(
    ("filters", "empty", "dated"),
    [
        pytest.param(Filters(), True, False, id="none"),
        pytest.param(Filters(since=MARCH_4), False, True, id="since"),
        pytest.param(Filters(until=MARCH_10), False, True, id="until"),
        pytest.param(Filters(outlets=["Seekurier"]), False, False, id="outlets"),
        pytest.param(Filters(languages=["de"]), False, False, id="languages"),
    ],
)
def test_empty_and_dated(filters: Filters, empty: bool, dated: bool) -> None:
    assert (filters.empty, filters.dated) == (empty, dated)


def test_over_keeps_explicit_fields_and_fills_open_ones() -> None:
    other = Filters(D(2023, 1, 1), D(2023, 12, 31), ["Der Bote"], ["en"])
    mine = Filters(since=MARCH_4, outlets=["Seekurier"])
    assert mine.over(other) == Filters(MARCH_4, None, ["Seekurier"], ["en"]), "days as one"
    assert Filters().over(other) == other
    assert other.over(Filters()) == other
    assert Filters(until=MARCH_10, languages=["de"]).over(other) == Filters(
        None, MARCH_10, ["Der Bote"], ["de"]
    )
    assert Filters(outlets=["Seekurier"]).over(other).since == D(2023, 1, 1)


def test_as_dict_gives_iso_days_and_copies_of_the_lists() -> None:
    filters = Filters(since=MARCH_4, outlets=["Seekurier"])
    got = filters.as_dict()
    assert got == {"since": "2024-03-04", "until": None, "outlets": ["Seekurier"], "languages": []}
    got["outlets"].append("Der Bote")
    assert filters.outlets == ["Seekurier"]
    assert Filters().as_dict() == {"since": None, "until": None, "outlets": [], "languages": []}


@pytest.mark.parametrize(
    ("filters", "en", "de"),
    [
        pytest.param(
            Filters(MARCH_4, MARCH_10), "from 4–10 March 2024", "vom 4.–10. März 2024", id="range"
        ),
        pytest.param(
            Filters(since=MARCH_4), "since 4 March 2024", "seit dem 4. März 2024", id="since"
        ),
        pytest.param(
            Filters(until=MARCH_10), "until 10 March 2024", "bis zum 10. März 2024", id="until"
        ),
        pytest.param(Filters(outlets=["Seekurier"]), "", "", id="undated"),
    ],
)
def test_span_in_words(filters: Filters, en: str, de: str) -> None:
    assert filters.span() == filters.span("en") == en
    assert filters.span("de") == de


@pytest.mark.parametrize(
    ("filters", "outlets", "kept"),
    [
        pytest.param(Filters(), [], [1, 1, 1, 1, 1], id="empty-keeps-undated"),
        pytest.param(Filters(since=D(2024, 3, 5)), [], [0, 1, 1, 1, 0], id="since-inclusive"),
        pytest.param(Filters(until=D(2024, 3, 10)), [], [1, 1, 1, 0, 0], id="until-inclusive"),
        pytest.param(Filters(D(2024, 3, 5), D(2024, 3, 10)), [], [0, 1, 1, 0, 0], id="range"),
        pytest.param(Filters(D(2024, 3, 5), D(2024, 3, 5)), [], [0, 1, 0, 0, 0], id="one-day"),
        pytest.param(Filters(since=D(2025, 1, 1)), [], [0, 0, 0, 0, 0], id="after-all"),
        pytest.param(Filters(outlets=["seekurier"]), ["Seekurier"], [1, 0, 1, 0, 1], id="outlet"),
        pytest.param(Filters(outlets=["Tagesblatt"]), [], [0, 0, 0, 0, 0], id="outlet-unknown"),
        pytest.param(Filters(languages=["en"]), [], [0, 0, 1, 0, 1], id="language"),
        pytest.param(
            Filters(since=D(2024, 3, 2), outlets=["Seekurier"], languages=["en"]),
            ["Seekurier"],
            [0, 0, 1, 0, 0],
            id="all",
        ),
    ],
)
def test_facets_mask(filters: Filters, outlets: list[str], kept: list[int]) -> None:
    known = Outlets(zip(FACETS.outlets, FACETS.sites, strict=True))
    mask = facets_mask(FACETS, filters, known.match(filters.outlets))
    assert known.shown(filters.outlets) == (outlets or filters.outlets)
    assert mask.dtype == np.bool_
    assert mask.tolist() == [bool(k) for k in kept]


@pytest.mark.parametrize(
    ("filters", "en", "de"),
    [
        pytest.param(Filters(), "articles", "Artikel", id="none"),
        pytest.param(
            Filters(MARCH_4, MARCH_10),
            "articles from 4–10 March 2024",
            "Artikel vom 4.–10. März 2024",
            id="same-month",
        ),
        pytest.param(
            Filters(MARCH_4, D(2024, 4, 10)),
            "articles from 4 March – 10 April 2024",
            "Artikel vom 4. März – 10. April 2024",
            id="same-year",
        ),
        pytest.param(
            Filters(D(2023, 12, 4), D(2024, 1, 10)),
            "articles from 4 December 2023 – 10 January 2024",
            "Artikel vom 4. Dezember 2023 – 10. Januar 2024",
            id="different-years",
        ),
        pytest.param(
            Filters(D(2023, 3, 4), MARCH_10),
            "articles from 4 March 2023 – 10 March 2024",
            "Artikel vom 4. März 2023 – 10. März 2024",
            id="same-month-different-years",
        ),
        pytest.param(
            Filters(MARCH_4, MARCH_4),
            "articles from 4 March 2024",
            "Artikel vom 4. März 2024",
            id="one-day",
        ),
        pytest.param(
            Filters(since=MARCH_4),
            "articles since 4 March 2024",
            "Artikel seit dem 4. März 2024",
            id="since",
        ),
        pytest.param(
            Filters(until=MARCH_10),
            "articles until 10 March 2024",
            "Artikel bis zum 10. März 2024",
            id="until",
        ),
        pytest.param(
            Filters(outlets=["Seekurier", "Der Bote"]),
            "articles by Seekurier, Der Bote",
            "Artikel von Seekurier, Der Bote",
            id="outlets",
        ),
        pytest.param(
            Filters(languages=["de"]), "articles in German", "Artikel auf Deutsch", id="languages"
        ),
        pytest.param(
            Filters(MARCH_4, MARCH_10, ["Seekurier"], ["de", "en"]),
            "articles from 4–10 March 2024 by Seekurier in German, English",
            "Artikel vom 4.–10. März 2024 von Seekurier auf Deutsch, Englisch",
            id="all",
        ),
    ],
)
def test_describe(filters: Filters, en: str, de: str) -> None:
    assert describe(filters, "en") == en
    assert describe(filters, "de") == de
    assert describe(filters, "fr") == en  # any other language: English


def test_applied_filters_as_dict() -> None:
    applied = AppliedFilters(
        Filters(MARCH_4, MARCH_10, ["Seekurier"], ["de"]),
        latest=True,
        from_question=("since", "until", "latest"),
        phrase="letzte Woche",
        description="articles from 4–10 March 2024",
    )
    assert applied.as_dict() == {
        "since": "2024-03-04",
        "until": "2024-03-10",
        "outlets": ["Seekurier"],
        "languages": ["de"],
        "latest": True,
        "from_question": ["since", "until", "latest"],
        "phrase": "letzte Woche",
        "outlet_phrase": "",
        "description": "articles from 4–10 March 2024",
        "outside": False,
    }
    assert AppliedFilters().as_dict() == {
        "since": None,
        "until": None,
        "outlets": [],
        "languages": [],
        "latest": False,
        "from_question": [],
        "phrase": "",
        "outlet_phrase": "",
        "description": "",
        "outside": False,
    }
