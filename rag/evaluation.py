"""Evaluation: retrieval hit metrics on XQuAD-style data, answer checks on seed-qa data.

The metric functions are pure; `evaluate_retrieval` and `evaluate_answers` run them
against a real index, through the Assistant like any other caller.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.types import Answer
from rag.api import Assistant
from rag.config import Settings
from rag.errors import RagError


class EvalDataError(RagError):
    """The evaluation file is missing, unreadable or lacks a field."""


# ---------------------------------------------------------------- pure metric functions


def covers(start: int, end: int, answer_start: int, answer_end: int) -> bool:
    """Whether a chunk's range [start, end) holds the whole answer span."""
    return start <= answer_start and answer_end <= end


def hit_rank(
    retrieved: Sequence[tuple[str, int, int]], doc: str, answer_start: int, answer_end: int
) -> int | None:
    """1-based rank of the first retrieved (doc_id, start, end) that covers the answer."""
    for rank, (doc_id, start, end) in enumerate(retrieved, 1):
        if doc_id == doc and covers(start, end, answer_start, answer_end):
            return rank
    return None


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else 0.0


def retrieval_metrics(
    ranks: Sequence[int | None], latencies_ms: Sequence[float] = (), *, k: int = 10
) -> dict[str, float | int]:
    """Recall@1/5/10 (hits within the first n ranks), MRR@k and latency percentiles."""
    n = len(ranks)

    def recall(cut: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= cut) / n if n else 0.0

    mrr = sum(1.0 / r for r in ranks if r is not None and r <= k) / n if n else 0.0
    return {
        "recall@1": round(recall(1), 4),
        "recall@5": round(recall(5), 4),
        "recall@10": round(recall(10), 4),
        f"mrr@{k}": round(mrr, 4),
        "n": n,
        "p50_ms": round(percentile(latencies_ms, 50), 2),
        "p95_ms": round(percentile(latencies_ms, 95), 2),
    }


@dataclass(frozen=True)
class AnswerCheck:
    id: str
    question: str
    passed: bool
    evidence_found: float  # share of the evidence strings found in the cited passages
    facts_found: float  # share of the answer-fact groups present in the answer text
    abstained: bool
    should_abstain: bool
    answer: str


def check_answer(row: dict[str, Any], answer_text: str, passages: Sequence[str]) -> AnswerCheck:
    """Grade one answer against a seed-qa row (pure).

    Evidence must appear in the retrieved passages, every fact group must have one
    member in the answer (case-insensitive), and an abstention must cite nothing.
    """
    should = bool(row.get("abstain", False))
    abstained = not passages
    evidence = row.get("evidence", [])
    facts = row.get("answer_facts", [])
    joined = "\n".join(passages)
    lowered = answer_text.lower()
    ev = sum(1 for e in evidence if e in joined) / len(evidence) if evidence else 1.0
    present = sum(1 for group in facts if any(f.lower() in lowered for f in group))
    fa = present / len(facts) if facts else 1.0
    passed = abstained if should else (not abstained and ev == 1.0 and fa == 1.0)
    return AnswerCheck(
        id=str(row.get("id", "")),
        question=str(row["question"]),
        passed=passed,
        evidence_found=ev,
        facts_found=fa,
        abstained=abstained,
        should_abstain=should,
        answer=answer_text,
    )


def answer_metrics(checks: Sequence[AnswerCheck]) -> dict[str, Any]:
    """Evidence recall and fact accuracy over answerable rows, abstention accuracy over all."""
    answerable = [c for c in checks if not c.should_abstain]

    def mean(values: Iterable[float]) -> float:
        values = list(values)
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "n": len(checks),
        "passed": sum(c.passed for c in checks),
        "evidence_recall": mean(c.evidence_found for c in answerable),
        "fact_accuracy": mean(c.facts_found == 1.0 for c in answerable),
        "abstain_accuracy": mean(c.abstained == c.should_abstain for c in checks),
        "results": [asdict(c) for c in checks],
    }


# ---------------------------------------------------------------- runners


def load_jsonl(path: Path, required: Sequence[str]) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise EvalDataError(f"cannot read questions from {path}: {exc}") from exc
    for i, row in enumerate(rows, 1):
        missing = [f for f in required if f not in row]
        if missing:
            raise EvalDataError(f"{path} line {i}: missing field(s) {', '.join(missing)}")
    return rows


def prepare_index(
    assistant: Assistant, docs: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """Index `docs` with the normal reindex (a no-op when current). An index built with
    another embedding model or store is rebuilt, so a reused --index-dir always works;
    other chunk settings need nothing here: the reindex re-cuts those articles itself."""
    assistant.reindex(docs, rebuild_mismatched=True, progress=progress)


def evaluate_retrieval(
    settings: Settings,
    docs: Path,
    questions: Path,
    field: str,
    *,
    k: int = 10,
    index_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, float | int]:
    """Index `docs` (into `index_dir`, else a temporary folder) and score every question."""
    rows = load_jsonl(questions, [field, "doc", "answer_start", "answer_end"])
    if index_dir is not None:
        return _run_retrieval(settings, docs, rows, field, k, index_dir, progress)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        return _run_retrieval(settings, docs, rows, field, k, Path(tmp), progress)


def _run_retrieval(
    settings: Settings,
    docs: Path,
    rows: list[dict[str, Any]],
    field: str,
    k: int,
    index_dir: Path,
    progress: Callable[[int, int], None] | None,
) -> dict[str, float | int]:
    local = settings.model_copy(update={"data_dir": index_dir, "corpus_dir": docs})
    assistant = Assistant(local)
    prepare_index(assistant, docs, progress)
    assistant.search("warm-up")  # model load and first-query costs are not latency
    ranks: list[int | None] = []
    latencies: list[float] = []
    for row in rows:
        began = time.perf_counter()
        passages = assistant.search(str(row[field]), top_k=k)
        latencies.append((time.perf_counter() - began) * 1000)
        found = [(p.doc_id, p.start, p.end) for p in passages]
        ranks.append(hit_rank(found, row["doc"], int(row["answer_start"]), int(row["answer_end"])))
    return retrieval_metrics(ranks, latencies, k=k)


def evaluate_answers(
    ask: Callable[[str], Answer], questions: Path, *, top_k: int | None = None
) -> dict[str, Any]:
    """Ask every seed-qa question through `ask` and grade the answers."""
    rows = load_jsonl(questions, ["question"])
    checks = []
    for row in rows:
        answer = ask(str(row["question"]))
        checks.append(check_answer(row, answer.text, [c.text for c in answer.citations]))
    return answer_metrics(checks)
