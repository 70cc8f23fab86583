"""Abstention on XQuAD-style data: answer what the articles state, refuse what they do not.

Every article that holds a question loses its paragraphs with an even index (0, 2, 4…,
paragraphs separated by blank lines); the others stay whole. A question whose paragraph
was kept is answerable; one whose paragraph was cut and whose German answer occurs
nowhere in the kept corpus is on-topic unanswerable (same article, missing fact). A fixed
list of off-topic questions is asked too. The metric functions are pure.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.answer.types import Answer
from rag.api import Assistant
from rag.config import Settings
from rag.evaluation.data import EvalDataError, load_jsonl
from rag.evaluation.retrieval import percentile, prepare_index

# The project's off-topic questions (English and German), beside the tests that use them.
OFF_TOPIC = Path(__file__).resolve().parents[2] / "tests" / "data" / "off-topic.jsonl"
_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs: blocks separated by blank lines."""
    return [p for p in _BLANK_LINES.split(text.strip()) if p.strip()]


def cut_even_paragraphs(text: str) -> str:
    """The text without its paragraphs 0, 2, 4…"""
    return "\n\n".join(p for i, p in enumerate(paragraphs(text)) if i % 2 == 1)


@dataclass(frozen=True)
class Split:
    corpus: dict[str, str]  # file name -> text to index
    answerable: list[dict[str, Any]]
    unanswerable: list[dict[str, Any]]  # on-topic: the answer's paragraph was cut


def split_for_abstention(docs: Mapping[str, str], rows: Sequence[dict[str, Any]]) -> Split:
    """The corpus with the questions' articles cut, and the rows that count (pure)."""
    asked = {str(row["doc"]) for row in rows}
    corpus = {
        name: cut_even_paragraphs(text) if name in asked else text for name, text in docs.items()
    }
    kept = "\n".join(corpus.values()).lower()
    answerable, unanswerable = [], []
    for row in rows:
        if row["doc"] not in docs:
            raise EvalDataError(f"question {row.get('id', '?')} is on {row['doc']}, not in docs")
        if int(row["paragraph"]) % 2 == 1:
            answerable.append(row)
        elif str(row["answer_de"]).lower() not in kept:
            unanswerable.append(row)
    return Split(corpus, answerable, unanswerable)


def answered_with(answer: Answer, expected: str) -> bool:
    """A confident answer whose text holds the expected answer (case-insensitive)."""
    return answer.confidence == "high" and expected.lower() in answer.text.lower()


def abstention_metrics(
    answerable: Sequence[tuple[Answer, str]],
    unanswerable: Sequence[Answer],
    off_topic: Sequence[Answer],
    latencies_ms: Sequence[float],
) -> dict[str, float | int]:
    """The shares the abstention issue asks for (pure). `answerable` pairs each answer with
    the expected answer text."""

    def share(hits: Sequence[bool]) -> float:
        return round(sum(hits) / len(hits), 4) if hits else 0.0

    return {
        "answered_correct": share([answered_with(a, expected) for a, expected in answerable]),
        "refused_on_topic": share([a.confidence != "high" for a in unanswerable]),
        "abstained_on_topic": share([not a.citations for a in unanswerable]),
        "refused_off_topic": share([a.confidence != "high" for a in off_topic]),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "p50_ms": round(percentile(latencies_ms, 50), 2),
    }


def evaluate_abstention(
    settings: Settings,
    docs: Path,
    questions: Path,
    field: str,
    *,
    index_dir: Path | None = None,
    off_topic: Path = OFF_TOPIC,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, float | int]:
    """Cut the questions' articles, index the result (into `index_dir`, else a temporary
    folder) with the normal ingest, and ask every counted question and the off-topic ones."""
    rows = load_jsonl(questions, [field, "doc", "paragraph", "answer_de"])
    strays = load_jsonl(off_topic, ["question"])
    try:
        texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(docs.glob("*.txt"))}
    except OSError as exc:
        raise EvalDataError(f"cannot read the articles in {docs}: {exc}") from exc
    if not texts:
        raise EvalDataError(f"no .txt articles in {docs}")
    split = split_for_abstention(texts, rows)
    with tempfile.TemporaryDirectory(prefix="rag-abstention-") as tmp:
        root = index_dir or Path(tmp)
        corpus = root / "corpus"
        write_corpus(corpus, split.corpus)
        local = settings.model_copy(update={"data_dir": root / "index", "corpus_dir": corpus})
        assistant = Assistant(local)
        prepare_index(assistant, corpus, progress)
        assistant.ask("warm-up")  # model load and first-query costs are not latency
        latencies: list[float] = []

        def ask(question: str) -> Answer:
            began = time.perf_counter()
            answer = assistant.ask(question)
            latencies.append((time.perf_counter() - began) * 1000)
            return answer

        answerable = [(ask(str(r[field])), str(r["answer_de"])) for r in split.answerable]
        unanswerable = [ask(str(r[field])) for r in split.unanswerable]
        off = [ask(str(r["question"])) for r in strays]
        return abstention_metrics(answerable, unanswerable, off, latencies)


def write_corpus(folder: Path, texts: Mapping[str, str]) -> None:
    """The cut corpus as files, rewritten only where they differ (the reindex stays a no-op
    for a reused index folder) and without files that are no longer part of it."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in folder.glob("*.txt")) - set(texts):
        (folder / stale).unlink()
    for name, text in texts.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
