"""Answer checks on seed-qa data: evidence, facts and abstention (pure), and the run."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rag.answer.types import Answer
from rag.evaluation.data import load_jsonl


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
