"""The one stream protocol: deltas, then a Final that says what the deltas were."""

from __future__ import annotations

from rag import Answer, Delta, Final
from rag.answer.stream import events


def _answer(text: str, mode: str = "llm") -> Answer:
    return Answer(text, mode)  # type: ignore[arg-type]


def test_a_streamed_answer_ends_in_a_final_that_adds_nothing() -> None:
    got = list(events(iter(["Windsurf ", "matters [1].", _answer("Windsurf matters [1].")])))
    assert got[:2] == [Delta("Windsurf "), Delta("matters [1].")]
    assert got[2] == Final(_answer("Windsurf matters [1]."), "Windsurf matters [1].", "", False)


def test_an_answer_not_streamed_is_all_rest() -> None:
    [final] = list(events(iter([_answer("Die Artikel sagen dazu.", "extractive")])))
    assert final == Final(_answer("Die Artikel sagen dazu.", "extractive"), "",
                          "Die Artikel sagen dazu.", False)  # fmt: skip


def test_a_moved_marker_is_no_new_answer_but_needs_restating() -> None:
    """ "Claim. [1]" checked into "Claim [1].": a reader sees the same, the offsets differ."""
    [_, final] = list(events(iter(["Claim. [1]", _answer("Claim [1].")])))
    assert isinstance(final, Final)
    assert final.rest is None and not final.replaces_stream


def test_a_model_that_failed_midway_is_replaced() -> None:
    fallback = _answer("The articles say: Windsurf. [1]", "extractive")
    [_, final] = list(events(iter(["Windsurf is the fl", fallback])))
    assert isinstance(final, Final)
    assert final.replaces_stream and final.rest is None and final.streamed == "Windsurf is the fl"
