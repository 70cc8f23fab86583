"""`rag eval news`: the graders of news-dev's question format (pure), and a run on the
suite's own dated news."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rag.answer.types import Answer, Citation
from rag.config import Settings
from rag.evaluation.data import EvalDataError
from rag.evaluation.news import check_answer, filters_of, kind_of, news_metrics
from tests.conftest import DATA, NEWS, Cli


def _answer(text: str, *cited: tuple[str, str, str], confidence: str = "high") -> Answer:
    citations = [
        Citation(n, f"doc{n}.md", "T", "", passage, "", 0, 10, 1.0, date=day, outlet=outlet)
        for n, (day, outlet, passage) in enumerate(cited, start=1)
    ]
    return Answer(text, "extractive", citations, confidence=confidence)  # type: ignore[arg-type]


def test_each_field_is_a_constraint() -> None:
    row: dict[str, Any] = {
        "id": "x", "question": "?", "dates": ["2020-06-01", "2020-06-30"],
        "answer_any": ["2,1 Milliarden Euro"], "evidence_any": ["Quartal"],
    }  # fmt: skip
    quarter = ("2020-06-03", "zeit.de", "im ersten Quartal")
    assert check_answer(row, _answer("Ein Verlust von 2,1  Milliarden Euro. [1]", quarter)).passed
    late = _answer("2,1 Milliarden Euro [1]", ("2020-07-01", "zeit.de", "im ersten Quartal"))
    assert "outside 2020-06-01…2020-06-30: 2020-07-01" in check_answer(row, late).problems[0]
    wrong = _answer("1,5 Milliarden Euro [1]", ("2020-06-03", "zeit.de", "kein Treffer"))
    assert len(check_answer(row, wrong).problems) == 2
    outlet = {"id": "o", "question": "?", "outlet": "tagesspiegel.de"}
    assert not check_answer(outlet, _answer("x [1]", ("2020-06-25", "zeit.de", "p"))).passed
    when = {"id": "w", "question": "?", "some_date": "2020-06-25"}
    two = _answer("x [1] [2]", ("2020-06-24", "a", "p"), ("2020-06-25", "b", "q"))
    assert check_answer(when, two).passed
    today = {"id": "t", "question": "?", "today": "2020-07-01", "latest": True}
    after = check_answer(today, _answer("x [1]", ("2020-07-02", "a", "p")))
    assert "after today" in after.problems[0]
    refused = Answer("Die Artikel beantworten das nicht.", "extractive")
    unanswerable = {"id": "u", "question": "?", "answerable": False}
    assert check_answer(unanswerable, refused).passed
    assert not check_answer(unanswerable, _answer("x [1]", ("2020-06-25", "a", "p"))).passed
    assert not check_answer({"id": "n", "question": "?"}, refused).passed, "no answer at all"


def test_kinds_and_flags() -> None:
    assert kind_of({"timeline": "x"}) == "timeline"
    assert kind_of({"question": "?", "latest": True, "today": "2020-01-01"}) == "latest"
    assert kind_of({"question": "?", "today": "2020-01-01", "dates": ["a", "b"]}) == "relative"
    assert kind_of({"question": "?", "flags": ["--since", "2020-01-01"]}) == "flags"
    assert kind_of({"question": "?"}) == "plain"
    filters = filters_of({"flags": ["--outlet", "zeit.de", "--until", "2020-05-31"]})
    assert filters is not None and filters.outlets == ["zeit.de"]
    assert filters.until is not None and filters.until.isoformat() == "2020-05-31"
    with pytest.raises(EvalDataError, match="unknown flag"):
        filters_of({"id": "x", "flags": ["--lang", "de"]})
    metrics = news_metrics([])
    assert metrics["n"] == 0 and metrics["by_kind"] == {}


def test_rag_eval_news_on_the_suites_news(settings: Settings, cli: Cli, tmp_path: Any) -> None:
    """Every kind runs through the real index; the report says what failed and why."""
    questions = DATA / "news-questions.jsonl"
    ran = cli(["eval", "news", "--docs", str(NEWS), "--questions", str(questions),
               "--index-dir", str(tmp_path / "eval-index"), "--json"], settings)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["n"] == 6 and set(report["by_kind"]) == {
        "absolute", "relative", "outlet", "when", "timeline", "unanswerable"
    }  # fmt: skip
    for result in report["results"]:
        assert result["passed"] == (not result["problems"])
    text = cli(["eval", "news", "--docs", str(NEWS), "--questions", str(questions),
                "--index-dir", str(tmp_path / "eval-index")], settings)  # fmt: skip
    assert "passed " in text.stdout.splitlines()[-1] and "timeline " in text.stdout
