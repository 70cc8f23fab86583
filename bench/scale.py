"""What an index costs as it grows (issue 28): updates, a no-op, questions, memory, disk and
opening, at sizes of 10,000 chunks and up.

Each size is a copy of an XQuAD-de index as `bench.latency` builds it (kept in `--work`
between runs), with a corpus folder written to match it: every copied article's file holds
its XQuAD article's text, and the manifest records that file's hash, so that `rag reindex`
with nothing new is a real no-op over real files. The updates go through the real writer
(`IndexWriter`: store, manifest, a new side-index generation, commit, a merge when
the policy asks): *add10* puts 10 articles (copies of indexed ones under new ids: their
chunk vectors are reused, and the time spent embedding their sentences is not counted, so
the time is the update's own cost, beyond embedding), *remove10* removes them again
(the median of ROUNDS rounds).
Questions are XQuAD dev questions (English and German), as `bench.latency` asks them;
*filtered* is retrieval under a date filter that keeps about half of the chunks, over
unfiltered retrieval (p50).

Usage: python -m bench.scale --base-index DIR [--sizes 10000 100000 1000000] [--work DIR]
       [--n 60] [--json] [--write]
(DIR: an XQuAD-de index, e.g. from `rag eval retrieval --index-dir DIR`).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.latency import EVAL, build, current
from bench.report import machine, peak_rss_mib, write_section
from ingest.load import content_hash
from ingest.reindex import reindex
from rag import Settings
from rag.index.layout import IndexLayout
from rag.index.manifest import load_manifest, save_manifest

ADDED = 10
# Updates measured per size: the median is kept, and the first apart.
ROUNDS = 3
# The same measurement before the side index was split into segments (a whole side index
# rewritten per update), on this machine: no longer runnable, so kept as it was written.
BEFORE = (
    "Before segments (every update rewrote the whole side index; 2026-12-06, same machine): "
    "adding 10 articles took 7.49 s at 10,000 chunks and 87.0 s at 100,000, removing them "
    "6.76 s and 96.6 s."
)
KEYS = (
    "chunks", "add10_s", "remove10_s", "noop_s", "retrieval_p50_ms", "retrieval_p95_ms",
    "answer_p50_ms", "filtered_ratio", "peak_rss_mib", "disk_mib", "open_s",
)  # fmt: skip


def with_corpus(target: Path) -> Settings:
    """Settings over the copy in `target`, with its corpus folder written (once)."""
    settings = Settings(data_dir=target / "data", corpus_dir=target / "corpus")
    layout = IndexLayout(settings.data_dir)
    manifest = load_manifest(layout.manifest)
    assert manifest is not None
    if settings.corpus_dir.is_dir():
        return settings
    for doc_id, entry in manifest.documents.items():
        data = (EVAL / "docs" / doc_id.split("/", 1)[1]).read_bytes()
        path = settings.corpus_dir / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entry.hash = content_hash(data)
        manifest.touch(doc_id)  # changed in place: a save writes only what it is told of
    save_manifest(layout.manifest, manifest)
    return settings


def prepare(base: Path, work: Path, size: int) -> Path:
    target = work / f"scale-{size}"
    if not (target / "corpus").is_dir() or not current(target / "data"):
        shutil.rmtree(target, ignore_errors=True)
        build(base, target / "data", size)
        with_corpus(target)
    return target


def disk_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def questions(n: int) -> list[str]:
    rows = [json.loads(x) for x in (EVAL / "questions.dev.jsonl").open()]
    random.Random(1).shuffle(rows)
    return [r["question_en" if i % 2 else "question_de"] for i, r in enumerate(rows[:n])]


def measure(target: Path, n: int) -> dict[str, Any]:
    """In this process (its own peak memory): every key of KEYS for the copy in `target`."""
    from rag.api import Assistant
    from rag.index.reader import open_index
    from rag.index.writer import IndexWriter
    from rag.search.filters import Filters

    settings = Settings(data_dir=target / "data", corpus_dir=target / "corpus")
    started = time.perf_counter()
    snapshot = open_index(settings)
    open_s = time.perf_counter() - started
    chunks = snapshot.side.live_count
    store = snapshot.store  # the added articles' chunks and vectors are read from it
    days = sorted(e.date for e in snapshot.manifest.documents.values() if e.date)
    # the assistant opens the index itself: this copy, kept, would count twice in the peak
    del snapshot
    gc.collect()
    assistant = Assistant(settings)
    assistant.ask("Wie viele Punkte gab die Verteidigung ab?")  # load the model and index
    half = Filters(since=_day(days[len(days) // 4]), until=_day(days[3 * len(days) // 4]))
    retrieval, answer, filtered = [], [], []
    asked = questions(n)
    for q, other in zip(asked, reversed(asked), strict=True):
        began = time.perf_counter()
        assistant.search(q)
        retrieval.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        assistant.search(other, filters=half)
        filtered.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        assistant.ask(other)
        answer.append((time.perf_counter() - began) * 1000)
    peak = peak_rss_mib()  # of answering questions: before the updates below
    disk = disk_mib(target / "data")

    embedded: list[int] = []
    embedding: list[float] = []  # seconds spent embedding, taken off the update's time

    def embed(batch: list[str]) -> np.ndarray:  # counts what an update had to embed
        began = time.perf_counter()
        embedded.append(len(batch))
        out = np.asarray(assistant.embed_model.get_text_embedding_batch(batch))
        embedding.append(time.perf_counter() - began)
        return out

    def embed_second(batch: list[str]) -> np.ndarray:
        from rag.models.embedding import second_encoder

        began = time.perf_counter()
        embedded.append(len(batch))
        out = np.asarray(second_encoder().embed(batch))
        embedding.append(time.perf_counter() - began)
        return out

    def update(change: Any) -> float:
        embedding.clear()
        began = time.perf_counter()
        manifest = load_manifest(IndexLayout(settings.data_dir).manifest)
        writer = IndexWriter(settings, manifest)
        change(writer)
        writer.save()
        writer.build_side_index(embed, embed_second)
        writer.commit()
        if writer.merge():  # as a reindex does: when the policy asks, after the commit
            writer.commit()
        writer.finish()
        return time.perf_counter() - began - sum(embedding)

    manifest = load_manifest(IndexLayout(settings.data_dir).manifest)
    assert manifest is not None
    sources = sorted(manifest.documents)[:ADDED]

    def add(writer: IndexWriter) -> None:
        from dataclasses import replace

        from rag.index.records import Chunk

        for doc_id in sources:
            entry = manifest.documents[doc_id]
            stored = store.get(entry.chunk_ids)
            vectors = store.embeddings(entry.chunk_ids)
            first = stored[entry.chunk_ids[0]]
            article = replace(first.article, doc_id=f"added/{doc_id}")
            cut = [Chunk(stored[i].index, stored[i].start, stored[i].end, stored[i].text)
                   for i in entry.chunk_ids]  # fmt: skip
            writer.put(article, entry.hash, cut, [vectors[i].tolist() for i in entry.chunk_ids])

    def remove(writer: IndexWriter) -> None:
        for doc_id in sources:
            writer.remove(f"added/{doc_id}")

    adds, removes = [], []
    for _round in range(ROUNDS):
        adds.append(update(add))
        removes.append(update(remove))
    add10, remove10 = float(np.median(adds)), float(np.median(removes))
    started = time.perf_counter()
    summary = reindex(settings)
    noop = time.perf_counter() - started
    if summary.added or summary.updated or summary.removed:
        raise SystemExit(f"the no-op was not one: {summary.line()}")
    return {
        "chunks": chunks,
        "add10_s": round(add10, 2),
        "remove10_s": round(remove10, 2),
        "noop_s": round(noop, 2),
        "retrieval_p50_ms": round(float(np.percentile(retrieval, 50)), 1),
        "retrieval_p95_ms": round(float(np.percentile(retrieval, 95)), 1),
        "answer_p50_ms": round(float(np.percentile(answer, 50)), 1),
        "filtered_ratio": round(float(np.median(filtered) / np.median(retrieval)), 2),
        "peak_rss_mib": round(peak),
        "disk_mib": round(disk),
        "open_s": round(open_s, 2),
        "embedded": sum(embedded),
        "add10_first_s": round(adds[0], 2),
    }


def _day(iso: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(iso)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-index", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-bench-scale"))
    parser.add_argument("--n", type=int, default=60, help="questions per size")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a child's size
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.n)))
        return
    if args.base_index is None:
        parser.error("--base-index is required")
    rows = []
    for size in args.sizes:
        target = prepare(args.base_index, args.work, size)
        child = subprocess.run(
            [sys.executable, "-m", "bench.scale", "--measure", str(target), "--n", str(args.n)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        row = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps({k: row[k] for k in KEYS}) if args.json else row, flush=True)
    if args.write:
        write(rows, args)


PLOT = Path(__file__).resolve().parents[1] / "docs" / "scale.png"


def plot(rows: list[dict[str, Any]]) -> None:
    """Update cost against index size: what issue 28 asks to flatten."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for key, label, style in [
        ("add10_s", f"add {ADDED} articles", "o-"),
        ("remove10_s", f"remove {ADDED} articles", "s-"),
        ("noop_s", "reindex with nothing to do", "^-"),
    ]:
        ax.plot(sizes, [r[key] for r in rows], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("seconds per update (beyond embedding)")
    ax.set_title("article-rag update cost vs index size (2-core CPU)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(PLOT, dpi=120)


def write(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    head = "| " + " | ".join(KEYS) + " |\n|" + "---|" * len(KEYS) + "\n"
    body = "".join("| " + " | ".join(str(r[k]) for k in KEYS) + " |\n" for r in rows)
    sizes = " ".join(map(str, args.sizes))
    first = ", ".join(f"{r['add10_first_s']} s" for r in rows)
    text = (
        f"Machine: {machine()}. `python -m bench.scale --base-index DIR --sizes {sizes} "
        f"--n {args.n} --write` over copies of an XQuAD-de index (bench/scale.py says how), "
        f"the side index in segments. Updates: {ADDED} articles added, then removed, through "
        f"the real writer, {ROUNDS} rounds (the median; the time spent embedding their "
        f"sentences is not counted); the first add after the copy was built: "
        f"{first}.\n\n{head}{body}\n"
        f"Adding {ADDED} articles cost {rows[-1]['add10_s'] / rows[0]['add10_s']:.1f}× as much at "
        f"{rows[-1]['chunks']:,} chunks as at {rows[0]['chunks']:,} (target: within 2×). "
        f"{BEFORE}\n\n"
        f"![update cost vs index size](scale.png)"
    )
    plot(rows)
    write_section("Cost by index size (bench/scale.py, issue 28)", text)


if __name__ == "__main__":
    main()
