"""Replay a dated corpus week by week against watches with expected alerts (issue 27).

The articles dated up to the expected list's `initial_until` are indexed first and every
watch is created then (its first answer from them). Then, week by week (Monday–Sunday),
that week's articles are added, the corpus is reindexed and the watches are checked, as
`rag watch check` and every update do. An alert in a week the list expects is a hit, in
a week it lists as `borderline` neither hit nor miss, in any other week a false alarm.
The check's cost is timed on its own (the reindex before it is not), with the scored
watches and unscored ones to make up `--watches` in all.

The expected lists for news-dev were written from the articles alone, by reading every
article of the three stories (bench/watches/news-dev.json), before the checks were tuned.

Usage: python -m bench.watch_replay [--expected FILE] [--work DIR] [--watches 20] [--write]
       [--dump FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.report import machine, write_section
from ingest.reindex import reindex
from rag import Assistant, Settings
from rag.search.filters import Filters

HERE = Path(__file__).resolve().parent
NEWS = Settings().eval_dir / "news-dev"  # RAG_EVAL_DIR
EXPECTED = HERE / "watches" / "news-dev.json"
# Unscored watches that make up the count the check's cost is measured with.
PADDING = [
    "Was gibt es Neues bei der Lufthansa?",
    "How is the Corona-Warn-App doing?",
    "Was passiert bei Tönnies?",
    "Wie reagiert die Politik auf die Fleischindustrie?",
]


def article_day(path: Path) -> dt.date:
    for line in path.read_text(encoding="utf-8").splitlines()[1:20]:
        if line.startswith("date:"):
            return dt.date.fromisoformat(line.split(":", 1)[1].strip().strip("\"'")[:10])
    raise ValueError(f"{path} has no date")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def replay(
    articles: Path, expected: dict[str, Any], work: Path, count: int, dump: Path | None = None
) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    settings = Settings(data_dir=work / "data", corpus_dir=work / "corpus", feeds_every_minutes=0)
    settings.corpus_dir.mkdir(parents=True)
    first = dt.date.fromisoformat(expected["initial_until"])
    weeks: dict[dt.date, list[Path]] = defaultdict(list)
    for path in sorted(articles.glob("*.md")):
        day = article_day(path)
        if day <= first:
            shutil.copy(path, settings.corpus_dir / path.name)
        else:
            weeks[monday(day)].append(path)
    assistant = Assistant(settings)
    assistant.reindex()
    ids: dict[str, str] = {}
    answers: list[dict[str, Any]] = []  # with --dump: every scored watch's answers
    for spec in expected["watches"]:
        watch, first_answer = assistant.watch(spec["question"])
        ids[watch.id] = spec["id"]
        answers.append({"watch": spec["id"], "week": "", "answer": first_answer.as_dict()})
    for question in PADDING[: max(0, count - len(ids))]:
        assistant.watch(question)
    raised: dict[str, set[str]] = defaultdict(set)
    details: list[dict[str, Any]] = []
    costs: list[float] = []
    for week in sorted(weeks):
        for path in weeks[week]:
            shutil.copy(path, settings.corpus_dir / path.name)
        reindex(settings, embed_model=assistant.embed_model)  # the update, without its check
        if dump is not None:  # what each check asks, asked beside it (not timed)
            arrived = frozenset(p.name for p in weeks[week])
            for spec in expected["watches"]:
                answer = assistant.ask(spec["question"], filters=Filters(articles=arrived))
                asked = {"watch": spec["id"], "week": week.isoformat(), "arrived": sorted(arrived)}
                answers.append({**asked, "answer": answer.as_dict()})
        start = time.perf_counter()
        alerts = assistant.check_watches()
        costs.append(time.perf_counter() - start)
        for alert in alerts:
            if alert.watch in ids:
                raised[ids[alert.watch]].add(week.isoformat())
                moved = [(c["before"], c["after"]) for c in alert.changed]
                details.append({"watch": ids[alert.watch], "week": week.isoformat(),
                                "articles": alert.articles, "new": alert.new,
                                "changed": moved})  # fmt: skip
    if dump is not None:
        dump.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return {"raised": raised, "details": details, "costs": costs, "weeks": len(weeks),
            "watches": len(assistant.watches.all())}  # fmt: skip


def score(expected: dict[str, Any], raised: dict[str, set[str]]) -> dict[str, Any]:
    rows, hits, alarms, misses = [], 0, 0, 0
    for spec in expected["watches"]:
        want = {a["week"] for a in spec["alerts"]}
        maybe = {a["week"] for a in spec.get("borderline", [])}
        got = raised.get(spec["id"], set())
        tp, fp, fn = len(got & want), len(got - want - maybe), len(want - got)
        hits, alarms, misses = hits + tp, alarms + fp, misses + fn
        rows.append({"id": spec["id"], "question": spec["question"], "expected": len(want),
                     "hits": tp, "false": fp, "missed": fn,
                     "borderline": len(got & maybe)})  # fmt: skip
    precision = hits / (hits + alarms) if hits + alarms else 1.0
    recall = hits / (hits + misses) if hits + misses else 1.0
    return {"precision": precision, "recall": recall, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=NEWS / "articles")
    parser.add_argument("--expected", type=Path, default=EXPECTED)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-watch-replay"))
    parser.add_argument("--watches", type=int, default=20, help="watches in all (cost)")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument(
        "--dump", type=Path, help="write each scored watch's first answer and its answer "
        "over each week's articles (JSON), to judge alert rules offline"
    )  # fmt: skip
    args = parser.parse_args()
    expected = json.loads(args.expected.read_text(encoding="utf-8"))
    run = replay(args.articles, expected, args.work, args.watches, args.dump)
    result = score(expected, run["raised"])
    (args.work / "alerts.json").write_text(
        json.dumps(run["details"], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    costs = run["costs"]
    table = "| watch | question | expected | hits | false alarms | missed | borderline |\n"
    table += "|---|---|---|---|---|---|---|\n"
    for r in result["rows"]:
        table += (f"| {r['id']} | {r['question']} | {r['expected']} | {r['hits']} | "
                  f"{r['false']} | {r['missed']} | {r['borderline']} |\n")  # fmt: skip
    body = (
        f"Machine: {machine()}. `python -m bench.watch_replay --watches {args.watches}"
        f"{' --write' if args.write else ''}`: news-dev's 120 real articles, the ones up to "
        f"{expected['initial_until']} indexed first, then {run['weeks']} weeks with articles "
        f"added week by week (reindex, then `check_watches`), {len(expected['watches'])} "
        f"scored watches (bench/watches/news-dev.json, written from the articles: which "
        f"weeks bring new evidence for each question) and {run['watches']} in all. "
        f"Extractive answers.\n\n"
        f"**Precision {result['precision']:.2f}, recall {result['recall']:.2f}**; a check of "
        f"{run['watches']} watches took {statistics.median(costs):.2f} s (median over the "
        f"weeks; max {max(costs):.2f} s).\n\n{table}"
    )
    print(body)
    if args.write:
        write_section("Watches: alerts on a replay of real news (issue 27)", body)


if __name__ == "__main__":
    main()
