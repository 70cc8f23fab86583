"""`rag eval`: retrieval and answer quality on evaluation data."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.cli.common import Progress, assistant, say
from rag.config import Settings


def _indexed(quiet: bool, run: Callable[[Progress], dict[str, Any]]) -> dict[str, Any]:
    """`run(progress)` with a bar for the indexing it does first (none when `quiet`)."""
    from tqdm import tqdm

    bar = tqdm(unit="chunk", desc="indexing", disable=quiet or None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        return run(progress)
    finally:
        bar.close()


def _print_metrics(metrics: dict[str, Any], as_json: bool) -> int:
    if as_json:
        say(json.dumps(metrics))
    else:
        say(" ".join(f"{key} {value}" for key, value in metrics.items()))
    return 0


def cmd_eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation import evaluate_retrieval

    metrics = _indexed(args.json, lambda progress: evaluate_retrieval(
        settings, args.docs, args.questions, args.field, k=args.k,
        index_dir=args.index_dir, progress=progress,
    ))  # fmt: skip
    return _print_metrics(metrics, args.json)


def cmd_eval_abstention(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation.abstention import OFF_TOPIC, evaluate_abstention

    metrics = _indexed(args.json, lambda progress: evaluate_abstention(
        settings, args.docs, args.questions, args.field, index_dir=args.index_dir,
        off_topic=args.off_topic or OFF_TOPIC, progress=progress,
    ))  # fmt: skip
    return _print_metrics(metrics, args.json)


def cmd_eval_answers(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation import evaluate_answers

    report = evaluate_answers(assistant(settings).ask, args.questions)
    if args.json:
        say(json.dumps(report, ensure_ascii=False))
        return 0
    for r in report["results"]:
        say(f"{'PASS' if r['passed'] else 'FAIL'} {r['id']}: {r['question']}")
    say(
        f"passed {report['passed']}/{report['n']}, evidence recall {report['evidence_recall']}, "
        f"fact accuracy {report['fact_accuracy']}, abstain accuracy {report['abstain_accuracy']}"
    )
    return 0


def cmd_eval_news(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation.news import evaluate_news

    report = _indexed(args.json, lambda progress: evaluate_news(
        settings, args.docs, args.questions, index_dir=args.index_dir, progress=progress,
    ))  # fmt: skip
    if args.json:
        say(json.dumps(report, ensure_ascii=False))
        return 0
    for r in report["results"]:
        say(f"{'PASS' if r['passed'] else 'FAIL'} {r['id']} [{r['kind']}] {r['question']}")
        for problem in r["problems"]:
            say(f"    {problem}")
    kinds = ", ".join(f"{k} {v['passed']}/{v['n']}" for k, v in report["by_kind"].items())
    say(f"passed {report['passed']}/{report['n']} ({report['rate']:.0%}): {kinds}")
    return 0


def cmd_eval_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """The answers users rated, with their questions: the makings of test cases."""
    rated = assistant(settings).conversations.feedback()
    if args.down:
        rated = [r for r in rated if r["rating"] == "down"]
    if args.json:
        say(json.dumps({"feedback": rated}, ensure_ascii=False))
        return 0
    for r in rated:
        thumb = "+" if r["rating"] == "up" else "-"
        note = f"  ({r['note']})" if r["note"] else ""
        say(f"{thumb} {r['rated'][:16]} {r['question']}{note}")
    say(f"{len(rated)} rated answer{'' if len(rated) == 1 else 's'}")
    return 0


def add_parser(sub: Any) -> None:
    evaluate = sub.add_parser("eval", help="measure retrieval and answer quality")
    kinds = evaluate.add_subparsers(dest="kind", required=True)
    p = kinds.add_parser("retrieval", help="Recall@1/5/10, MRR and latency on XQuAD-style data")
    p.add_argument("--docs", type=Path, required=True, help="folder of articles to index")
    p.add_argument("--questions", type=Path, required=True, help="questions (JSON lines)")
    p.add_argument("--field", choices=["question_en", "question_de"], default="question_en")
    p.add_argument("--k", type=int, default=10, help="passages retrieved per question")
    p.add_argument("--index-dir", type=Path, default=None, help="reusable index (default: temp)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_eval_retrieval)
    p = kinds.add_parser(
        "abstention",
        help="answered and refused shares on XQuAD-style data with answer paragraphs cut",
    )
    p.add_argument("--docs", type=Path, required=True, help="folder of articles (.txt)")
    p.add_argument("--questions", type=Path, required=True, help="questions (JSON lines)")
    p.add_argument("--field", choices=["question_en", "question_de"], default="question_en")
    p.add_argument(
        "--index-dir", type=Path, default=None,
        help="reusable folder for the cut corpus and its index (default: temp)",
    )  # fmt: skip
    p.add_argument(
        "--off-topic", type=Path, default=None,
        help="off-topic questions (JSON lines; default: the project's tests/data list)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_eval_abstention)
    p = kinds.add_parser(
        "news", help="dated questions and timelines on real news (news-dev's format), by kind"
    )
    p.add_argument("--docs", type=Path, required=True, help="folder of dated articles to index")
    p.add_argument("--questions", type=Path, required=True, help="questions (JSON lines)")
    p.add_argument("--index-dir", type=Path, default=None, help="reusable index (default: temp)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_eval_news)
    p = kinds.add_parser("answers", help="grade answers on seed-qa questions (current index)")
    p.add_argument("--questions", type=Path, required=True, help="questions (JSON lines)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_eval_answers)
    p = kinds.add_parser(
        "feedback", help="the answers users rated up or down in saved conversations"
    )
    p.add_argument("--down", action="store_true", help="only the answers rated down")
    p.add_argument("--json", action="store_true", help="print them as JSON, with each answer")
    p.set_defaults(func=cmd_eval_feedback)
