"""The `rag` command: reindex, ask, status, ui. Errors become one line and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rag.answer.types import Answer, ChatMessage
from rag.config import Settings, get_settings
from rag.errors import QuestionError, RagError

if TYPE_CHECKING:
    from rag.api import Assistant

log = logging.getLogger("rag")


def _print_sources(answer: Answer) -> None:
    if answer.notice:
        print(f"\nNote: {answer.notice}")
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            where = f" <{c.source}>" if c.source else ""
            print(f"[{c.n}] {c.title} ({c.doc_id}, chars {c.start_char}-{c.end_char}){where}")
            print(f"    “{c.quote or c.text[:200]}”")


def _stream_answer(items: Iterator[str | Answer]) -> Answer:
    """Print deltas as they arrive, then the sources; returns the final answer."""
    streamed = False
    for item in items:
        if isinstance(item, Answer):
            if item.notice and streamed:
                # The model failed midway: what was printed is replaced by the fallback.
                print("\n\n[the model's answer was interrupted; quoting the articles instead]\n")
                print(item.text, end="")
            elif not streamed:
                print(item.text, end="")
            print()
            _print_sources(item)
            return item
        print(item, end="", flush=True)
        streamed = True
    raise RuntimeError("the answer stream ended without an answer")


def _assistant(settings: Settings) -> Assistant:
    from rag.api import Assistant  # deferred: `rag --help` stays instant

    return Assistant(settings)


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="chunk", desc="embedding", disable=args.json or None)
        bar.n = done
        bar.refresh()

    try:
        summary = _assistant(settings).reindex(args.corpus, reset=args.reset, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        if summary.notice:
            print(summary.notice)
        print(summary.line())
        for skipped in summary.skipped:
            print(f"skipped {skipped.path}: {skipped.reason}")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings)
    if args.json:
        answer = assistant.ask(args.question, top_k=args.top_k)
        print(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
    else:
        _stream_answer(assistant.stream(args.question, top_k=args.top_k))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings)
    history: list[ChatMessage] = []
    print(f"article-rag chat ({assistant.mode_label()}). Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if not question or question.lower() in {"exit", "quit"}:
            return 0
        print()
        try:
            answer = _stream_answer(assistant.stream(question, history, top_k=args.top_k))
        except QuestionError as exc:  # a bad question ends nothing: ask again
            print(f"error: {exc}", file=sys.stderr)
            continue
        history += [ChatMessage("user", question), ChatMessage("assistant", answer.text)]


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings)
    status = assistant.status()
    print(
        f"articles {status.articles}, chunks {status.chunks}, "
        f"indexed at {status.indexed_at}, embedding model {status.embed_model}"
    )
    print(f"answers: {assistant.mode_label()}")
    return 0


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    app = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(args.port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    return subprocess.call(command)


def cmd_eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from rag.evaluation import evaluate_retrieval

    bar = tqdm(unit="chunk", desc="indexing", disable=args.json or None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        metrics = evaluate_retrieval(
            settings, args.docs, args.questions, args.field, k=args.k,
            index_dir=args.index_dir, progress=progress,
        )  # fmt: skip
    finally:
        bar.close()
    if args.json:
        print(json.dumps(metrics))
    else:
        print(" ".join(f"{key} {value}" for key, value in metrics.items()))
    return 0


def cmd_eval_answers(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluation import evaluate_answers

    report = evaluate_answers(_assistant(settings).ask, args.questions)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for r in report["results"]:
        print(f"{'PASS' if r['passed'] else 'FAIL'} {r['id']}: {r['question']}")
    print(
        f"passed {report['passed']}/{report['n']}, evidence recall {report['evidence_recall']}, "
        f"fact accuracy {report['fact_accuracy']}, abstain accuracy {report['abstain_accuracy']}"
    )
    return 0


def add_eval_parser(sub: argparse._SubParsersAction) -> None:
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
    p = kinds.add_parser("answers", help="grade answers on seed-qa questions (current index)")
    p.add_argument("--questions", type=Path, required=True, help="questions (JSON lines)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_eval_answers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Ask questions about a corpus of news articles, with citations."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("reindex", help="index new, changed and deleted articles")
    p.add_argument("--corpus", type=Path, default=None, help="article folder (default: corpus/)")
    p.add_argument("--reset", action="store_true", help="drop the index and rebuild it")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--top-k", type=int, default=None, help="passages to retrieve")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="interactive chat that keeps the conversation")
    p.add_argument("--top-k", type=int, default=None, help="passages to retrieve")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("status", help="show what is indexed")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("ui", help="start the chat UI")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_ui)
    add_eval_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if getattr(args, "top_k", None) is not None and not 1 <= args.top_k <= 50:
        print("error: --top-k must be between 1 and 50", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, get_settings()))
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
