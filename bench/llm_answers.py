"""Generated answers from a real model, outside CI (issue 19): the seed questions asked
through any OpenAI-compatible endpoint, each answer graded as `rag eval answers` grades it,
with what the claim check did and the time.

Usage: RAG_LLM_BASE_URL=http://127.0.0.1:8091/v1 RAG_LLM_MODEL=NAME \\
           python -m bench.llm_answers --index-dir DIR [--repeat 2] [--label "..."] [--write]
  (DIR: an index of the seed corpus, e.g. from `RAG_DATA_DIR=DIR rag reindex`)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.report import machine, write_section
from rag import Assistant, Settings
from rag.evaluation import check_answer, load_jsonl

SEED_QA = Path(__file__).resolve().parents[1] / "tests" / "data" / "seed-qa.dev.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=1, help="times each question is asked")
    ap.add_argument("--label", default="", help="the model as the table names it")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    settings = Settings(data_dir=args.index_dir, answer_mode="llm")
    assistant = Assistant(settings)
    rows = load_jsonl(SEED_QA, ["question"])
    lines = [
        f"Machine: {machine()}. Model: {args.label or settings.llm_model} at "
        f"`RAG_LLM_BASE_URL` (context {settings.llm_context_tokens} tokens, answers up to "
        f"{settings.llm_max_tokens}). `python -m bench.llm_answers --index-dir DIR "
        f"--repeat {args.repeat} --write`.",
        "",
        "| question | run | passed | mode | confidence | cited | unsupported | notice | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    passed = total = llm_cited = bare = 0
    for row in rows:
        for run in range(1, args.repeat + 1):
            began = time.perf_counter()
            answer = assistant.ask(str(row["question"]))
            seconds = time.perf_counter() - began
            check = check_answer(row, answer.text, [c.text for c in answer.citations])
            total += 1
            passed += check.passed
            llm_cited += answer.mode == "llm" and bool(answer.citations)
            # the one thing that must not happen: the model's text with no sources, unsaid
            bare += answer.mode == "llm" and not answer.citations and answer.confidence != "none"
            notice = answer.notice.split(";")[0][:70]
            lines.append(
                f"| {row['id']} {row['question']} | {run} | {'yes' if check.passed else 'no'} | "
                f"{answer.mode} | {answer.confidence} | {len(answer.citations)} | "
                f"{len(answer.unsupported)} | "
                f"{notice} | {seconds:.1f} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        f"{passed} of {total} answers pass the seed checks; {llm_cited} are the model's own "
        "answers with citations that passed the claim check, the rest the cited extractive "
        f"answer with its notice or an abstention. Model answers without citations that "
        f"are not an abstention: {bare}.",
    ]
    print("\n".join(lines[-1:]))
    if args.write:
        write_section("Generated answers from a real model (issue 19)", "\n".join(lines))


if __name__ == "__main__":
    main()
