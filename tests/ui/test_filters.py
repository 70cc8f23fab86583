"""The chips and the timeline as Markdown (pure): what the app did not write is escaped."""

from __future__ import annotations

import datetime as dt

from rag import AppliedFilters, Event, Filters, Timeline
from tests.ui.conftest import rendered
from ui.filters import chips_markdown, timeline_markdown

JUNE = Filters(dt.date(2024, 6, 3), dt.date(2024, 6, 9))


def test_no_chips_when_nothing_limited_the_search() -> None:
    assert chips_markdown(None) == ""
    assert chips_markdown(AppliedFilters()) == ""


def test_chips_mark_what_the_question_asked_for() -> None:
    asked = AppliedFilters(JUNE, from_question=("since", "until"), phrase="last week")
    assert chips_markdown(asked) == (
        ":blue-badge[:material/calendar_month: from 3–9 June 2024 · read from “last week”]"
    )
    given = AppliedFilters(Filters(JUNE.since, JUNE.until, ["Seekurier"], ["de"]), latest=True)
    chips = chips_markdown(given)
    assert ":blue-badge[:material/calendar_month: from 3–9 June 2024]" in chips
    assert ":violet-badge[:material/newspaper: Seekurier]" in chips
    assert ":gray-badge[:material/translate: German]" in chips
    assert ":orange-badge[:material/schedule: newest first]" in chips


def test_chips_say_an_outlet_read_from_the_question_and_an_answer_from_outside() -> None:
    read = AppliedFilters(
        Filters(outlets=["Seekurier"]), from_question=("outlets",), outlet_phrase="laut Seekurier"
    )
    assert chips_markdown(read) == (
        ":violet-badge[:material/newspaper: Seekurier · read from “laut Seekurier”]"
    )
    outside = chips_markdown(AppliedFilters(JUNE, outside=True))
    assert ":red-badge[:material/travel_explore: answered from all articles]" in outside


def test_an_outlet_name_cannot_close_its_badge_or_link() -> None:
    chips = chips_markdown(AppliedFilters(Filters(outlets=["Evil] [x](http://e.vil)"])))
    assert chips.count("]") - chips.count("\\]") == 1, "only the badge's own bracket closes it"
    assert "](http" not in chips


def test_timeline_markdown_lists_events_and_says_when_there_are_none() -> None:
    event = Event(
        "2024-06-03", "Seekurier", "Pegel *steigt*", "a.md", "https://seekurier.example/a",
        "Der Pegel stieg auf 5,32 Meter.", 0, 31,
    )  # fmt: skip
    undated = Event(None, "", "Notiz", "n.md", "", "Ein Museum.", 0, 11)
    shown = timeline_markdown(Timeline("Pegel", AppliedFilters(), [event, undated]))
    first, second = shown.split("\n- ")
    assert rendered(first).startswith("- **2024-06-03 · Seekurier** — *Pegel *steigt**")
    assert "\\*steigt\\*" in first, "a title's Markdown is shown, not applied"
    assert "[seekurier\\.example ↗](https://seekurier.example/a)" in first
    assert rendered(second).startswith("**undated** — *Notiz*")
    empty = Timeline("Pegel", AppliedFilters(JUNE), [])
    assert timeline_markdown(empty) == "No articles within these filters are about this."
    assert timeline_markdown(Timeline("x")) == "No articles in the index are about this."
