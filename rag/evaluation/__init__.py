"""Evaluation: retrieval hit metrics on XQuAD-style data, answer checks on seed-qa data,
abstention on XQuAD with answer paragraphs cut out.

The metric functions are pure; the runners use them against a real index, through the
Assistant like any other caller.
"""

from rag.evaluation.answers import AnswerCheck, answer_metrics, check_answer, evaluate_answers
from rag.evaluation.data import EvalDataError, load_jsonl
from rag.evaluation.retrieval import (
    covers,
    evaluate_retrieval,
    hit_rank,
    percentile,
    prepare_index,
    retrieval_metrics,
)

__all__ = [
    "AnswerCheck",
    "EvalDataError",
    "answer_metrics",
    "check_answer",
    "covers",
    "evaluate_answers",
    "evaluate_retrieval",
    "hit_rank",
    "load_jsonl",
    "percentile",
    "prepare_index",
    "retrieval_metrics",
]
