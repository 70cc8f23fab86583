"""Article pages: text without boilerplate, title, date, outlet, author, language, source.

The pages in tests/data/web imitate real outlets' markup (JSON-LD, OpenGraph, `<time>`,
a date in the byline only, meta tags; cookie banners, navigation, related links,
newsletters and comments); tests/data/web/expected.json says what each holds.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from ingest.html import extract_page
from rag.errors import ArticleError
from tests.web_server import PAGES

EXPECTED: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text("utf-8"))
URL = "http://127.0.0.1:8000/"


def _within_a_day(found: str, expected: str) -> bool:
    if not found:
        return False
    gap = dt.date.fromisoformat(found) - dt.date.fromisoformat(expected)
    return abs(gap.days) <= 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_page(name: str) -> None:
    want = EXPECTED[name]
    page = extract_page((PAGES / name).read_bytes(), URL + name)
    assert page.title == want["title"]
    assert page.date == want["date"]
    assert page.outlet == want["outlet"]
    assert page.author == want["author"]
    assert page.language == want["language"]
    assert page.source == (want["source"] or URL + name), "the canonical URL when there is one"
    assert not page.text.startswith(page.title), "the headline is not repeated in the text"


def test_extraction_quality_over_all_pages() -> None:
    """The acceptance measures: dates within a day for at least 85% of the pages, 90% of
    the expected sentences present, 90% of the boilerplate lines absent."""
    dated = sentences = found = boilerplate = absent = 0
    for name, want in EXPECTED.items():
        page = extract_page((PAGES / name).read_bytes(), URL + name)
        dated += _within_a_day(page.date, want["date"])
        sentences += len(want["sentences"])
        found += sum(s in page.text for s in want["sentences"])
        boilerplate += len(want["boilerplate"])
        absent += sum(b not in page.text for b in want["boilerplate"])
    assert dated / len(EXPECTED) >= 0.85
    assert found / sentences >= 0.9
    assert absent / boilerplate >= 0.9


def test_paragraphs_are_separated_by_blank_lines() -> None:
    page = extract_page((PAGES / "de-bahn-streik.html").read_bytes())
    paragraphs = page.text.split("\n\n")
    assert len(paragraphs) >= 6 and all("\n" not in p for p in paragraphs)
    assert "Pendler weichen aufs Auto aus" in paragraphs, "subheadings stay as their own lines"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ((PAGES / "paywall.html").read_bytes(), "no article text"),
        (b"<html><body><nav>Home News</nav></body></html>", "no article text"),
        (b"", "not a readable HTML page"),
    ],
)
def test_pages_without_an_article_are_refused(html: bytes, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        extract_page(html)


def test_language_is_detected_without_a_lang_attribute() -> None:
    html = (PAGES / "en-harbour-og.html").read_text("utf-8").replace(' lang="en-GB"', "")
    assert extract_page(html).language == "en"


def test_xhtml_that_declares_its_encoding() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>\n' + (PAGES / "de-meta-date.html").read_text()
    assert extract_page(html).title == "Stadtwerke erhöhen Strompreise um zwölf Prozent"
