"""Answers and timelines on real dated news (the question format of news-dev/README.md):
dates, outlets, flags, latest, "when", unanswerable questions and timelines, graded by
kind (pure), and the run over an index of the articles.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answer.types import Answer
from rag.api import Assistant
from rag.config import Settings
from rag.evaluation.data import EvalDataError, load_jsonl
from rag.evaluation.retrieval import prepare_index
from rag.search.filters import Filters

if TYPE_CHECKING:
    from rag.answer.timeline import Timeline

# A timeline passes when it shows this share of the story's expected days, and none of
# the days that hold only other stories.
TIMELINE_RECALL = 0.8
KINDS = (
    "absolute", "relative", "latest", "outlet", "flags", "when", "plain", "timeline",
    "unanswerable",
)  # fmt: skip


@dataclass(frozen=True)
class NewsCheck:
    id: str
    kind: str
    question: str
    passed: bool
    problems: tuple[str, ...]  # why it failed, one line each
    answer: str  # the answer's text, or the timeline's days
    cited: tuple[str, ...]  # "date outlet doc_id" of each citation or event


def kind_of(row: dict[str, Any]) -> str:
    """The question's kind, as the README's table counts them (pure)."""
    flags = [str(f) for f in row.get("flags", [])]
    if "timeline" in row:
        return "timeline"
    if row.get("answerable") is False:
        return "unanswerable"
    if row.get("latest"):
        return "latest"
    if "--outlet" in flags:
        return "outlet"
    if "--since" in flags or "--until" in flags:
        return "flags"
    if "some_date" in row:
        return "when"
    if "today" in row:
        return "relative"
    return "absolute" if "dates" in row else "plain"


def filters_of(row: dict[str, Any]) -> Filters | None:
    """The command-line flags of a row as filters (EvalDataError for an unknown flag)."""
    flags = [str(f) for f in row.get("flags", [])]
    values: dict[str, Any] = {"since": None, "until": None, "outlets": []}
    for name, value in zip(flags[::2], flags[1::2], strict=False):
        if name == "--outlet":
            values["outlets"].append(value)
        elif name in ("--since", "--until"):
            values[name[2:]] = dt.date.fromisoformat(value)
        else:
            raise EvalDataError(f"question {row.get('id')}: unknown flag {name}")
    filters = Filters(values["since"], values["until"], values["outlets"])
    return None if filters.empty else filters


def _found(needles: Sequence[str], haystacks: Sequence[str]) -> bool:
    """Whether one needle occurs in one haystack (spaces normalised, case kept: the strings
    are verbatim quotes)."""
    hay = [" ".join(h.split()) for h in haystacks]
    return any(" ".join(n.split()) in h for n in needles for h in hay)


def check_answer(row: dict[str, Any], answer: Answer) -> NewsCheck:
    """Grade one answer against a row of news-dev/questions.jsonl (pure)."""
    problems: list[str] = []
    dates = [c.date or "" for c in answer.citations]
    confident = answer.confidence == "high"
    if row.get("answerable") is False:
        if confident:
            problems.append("answered with confidence a question the articles do not answer")
    else:
        if not answer.citations:
            problems.append("no answer (nothing cited)")
        if "dates" in row:
            first, last = row["dates"]
            outside = [d or "undated" for d in dates if not (first <= d <= last)]
            if outside:
                problems.append(f"cites articles outside {first}…{last}: {', '.join(outside)}")
        if "today" in row and any(d > row["today"] for d in dates):
            problems.append(f"cites an article after today ({row['today']})")
        if "outlet" in row:
            others = sorted({c.outlet for c in answer.citations if c.outlet != row["outlet"]})
            if others:
                problems.append(f"cites other outlets than {row['outlet']}: {', '.join(others)}")
        if "some_date" in row and row["some_date"] not in dates:
            problems.append(f"cites no article of {row['some_date']}")
        if row.get("answer_any") and not _found(row["answer_any"], [answer.text]):
            problems.append(f"the answer holds none of {row['answer_any']}")
        if row.get("evidence_any") and not _found(
            row["evidence_any"], [c.text for c in answer.citations]
        ):
            problems.append(f"no cited passage holds any of {row['evidence_any']}")
    cited = tuple(f"{c.date or 'undated'} {c.outlet} {c.doc_id}" for c in answer.citations)
    return NewsCheck(
        str(row.get("id", "")), kind_of(row), str(row["question"]), not problems,
        tuple(problems), answer.text, cited,
    )  # fmt: skip


def check_timeline(row: dict[str, Any], timeline: Timeline) -> NewsCheck:
    """Grade a timeline: most expected days shown, no excluded day (pure)."""
    days = [e.date or "undated" for e in timeline.events]
    expected = list(row.get("expect_dates", []))
    shown = [d for d in expected if d in days]
    problems: list[str] = []
    if expected and len(shown) / len(expected) < TIMELINE_RECALL:
        missing = [d for d in expected if d not in days]
        problems.append(f"shows {len(shown)} of {len(expected)} expected days; missing {missing}")
    excluded = sorted({d for d in row.get("exclude_dates", []) if d in days})
    if excluded:
        problems.append(f"shows days of other stories: {', '.join(excluded)}")
    return NewsCheck(
        str(row.get("id", "")), "timeline", str(row["timeline"]), not problems,
        tuple(problems), " ".join(days),
        tuple(f"{e.date or 'undated'} {e.outlet} {e.doc_id}" for e in timeline.events),
    )  # fmt: skip


def news_metrics(checks: Sequence[NewsCheck]) -> dict[str, Any]:
    """Pass counts and rates, overall and by kind."""
    total, passed = Counter(c.kind for c in checks), Counter(c.kind for c in checks if c.passed)
    by_kind = {
        kind: {
            "n": total[kind],
            "passed": passed[kind],
            "rate": round(passed[kind] / total[kind], 3),
        }
        for kind in KINDS
        if total[kind]
    }
    n = len(checks)
    return {
        "n": n,
        "passed": sum(passed.values()),
        "rate": round(sum(passed.values()) / n, 3) if n else 0.0,
        "by_kind": by_kind,
        "results": [asdict(c) for c in checks],
    }


def evaluate_news(
    settings: Settings,
    docs: Path,
    questions: Path,
    *,
    index_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Index `docs` (into `index_dir`, else a temporary folder), ask every question with its
    own `today`, flags and filters, and grade it."""
    rows = load_jsonl(questions, ["id"])
    for row in rows:
        if "question" not in row and "timeline" not in row:
            raise EvalDataError(f"{questions}: {row['id']} has neither question nor timeline")
    if index_dir is not None:
        return _run(settings, docs, rows, index_dir, progress)
    with tempfile.TemporaryDirectory(prefix="rag-eval-news-") as tmp:
        return _run(settings, docs, rows, Path(tmp), progress)


def _run(
    settings: Settings,
    docs: Path,
    rows: list[dict[str, Any]],
    index_dir: Path,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    local = settings.model_copy(update={"data_dir": index_dir, "corpus_dir": docs})
    first = Assistant(local)
    prepare_index(first, docs, progress)
    assistants: dict[str | None, Assistant] = {}

    def on(today: str | None) -> Assistant:
        """One assistant per reference day, sharing the first one's embedding model."""
        if today not in assistants:
            day = dt.date.fromisoformat(today) if today else local.today
            assistants[today] = Assistant(
                local.model_copy(update={"today": day}), embed_model=first.embed_model
            )
        return assistants[today]

    checks = []
    for row in rows:
        bot = on(row.get("today"))
        if "timeline" in row:
            checks.append(check_timeline(row, bot.timeline(str(row["timeline"]), filters_of(row))))
        else:
            answer = bot.ask(str(row["question"]), filters=filters_of(row))
            checks.append(check_answer(row, answer))
    return news_metrics(checks)
