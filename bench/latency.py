"""Retrieval and extractive-answer latency (p50/p95) and peak memory at 1k, 10k, 100k chunks.

The large corpora are copies of an XQuAD-de index under fresh ids (`copyNNNN/<article>`).
Embedding 100k chunks would take hours here, so each copy reuses the stored chunk and
sentence vectors, with a little noise so that the HNSW graph sees distinct points. BM25
is built over the copied texts as usual. Copied article a of A is dated DAYS · a / A days
after FIRST_DAY, so a date filter keeps a known share of the chunks (bench.filtered_latency);
the dates go through the real writers (Chroma metadata and the side index's facets). Each
size is measured in its own process (peak memory per size); questions are XQuAD dev
questions, English and German mixed, each asked once after a warm-up, retrievals and whole
answers taking turns.

Each size is measured --runs times (fresh processes); the table gives the medians.

Usage: python -m bench.latency --base-index DIR [--sizes 1000 10000 100000] [--n 100] [--runs 3]
(DIR: an XQuAD-de index, e.g. from `rag eval retrieval --index-dir DIR`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import random
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.report import child_runs, machine, peak_rss_mib, write_section
from ingest.load import content_hash
from rag import Settings
from rag.errors import IndexMismatchError
from rag.index.generation import MAX_SEGMENT, Generation, SegmentRef, readable
from rag.index.layout import IndexLayout
from rag.index.manifest import DocEntry, Manifest, load_manifest, save_manifest
from rag.index.reader import open_index
from rag.index.records import ArticleMeta, Chunk
from rag.index.segment import Segment, stamp
from rag.index.store import ChunkStore

EVAL = Settings().eval_dir / "xquad-de"  # RAG_EVAL_DIR
PLOT = Path(__file__).resolve().parents[1] / "docs" / "latency.png"
FIRST_DAY = dt.date(2023, 1, 1)  # the copies' publication days: DAYS days from here
DAYS = 1000


def article_day(article: int, articles: int) -> str:
    """Publication day (ISO) of copied article `article` of `articles`: evenly over DAYS days."""
    return (FIRST_DAY + dt.timedelta(days=article * DAYS // articles)).isoformat()


def build(base: Path, target: Path, size: int) -> None:
    """An index of `size` chunks copied from the index in `base` (kept for the next run,
    unless it is of another format than this version writes)."""
    if current(target):
        return
    shutil.rmtree(target, ignore_errors=True)
    src = open_index(Settings(data_dir=base))
    ids, sentences = src.side.ids, src.side.sentences
    chunks, vectors = src.store.get(ids), src.store.embeddings(ids)
    rng = np.random.default_rng(0)
    dst = Settings(data_dir=target)
    out = ChunkStore(dst, create=True)
    out.reset()
    new = Manifest(embed_model=dst.embed_model_name, store=dst.store_identity)
    rows: list[tuple[ArticleMeta, Chunk, np.ndarray]] = []
    texts: list[str] = []
    articles: list[ArticleMeta] = []
    chunk_vectors: list[np.ndarray] = []
    positions: list[int] = []
    docs = {doc: i for i, doc in enumerate(sorted({c.article.doc_id for c in chunks.values()}))}
    copy, dated = 0, -(-size // len(ids)) * len(docs)  # articles to date, at most
    while len(rows) < size:
        for pos, cid in enumerate(ids[: size - len(rows)]):
            chunk = chunks[cid]
            day = article_day(copy * len(docs) + docs[chunk.article.doc_id], dated)
            article = replace(
                chunk.article, doc_id=f"copy{copy:04d}/{chunk.article.doc_id}", date=day
            )
            vec = vectors[cid] + rng.normal(0, 0.01, vectors[cid].shape).astype(np.float32)
            vec /= np.linalg.norm(vec)
            rows.append((article, Chunk(chunk.index, chunk.start, chunk.end, chunk.text), vec))
            texts.append(chunk.text)
            articles.append(article)
            chunk_vectors.append(vec.astype(np.float16))
            positions.append(pos)
        copy += 1
    new_ids = out.add_chunks((a, c, v.tolist()) for a, c, v in rows)
    for (article, _chunk, _vec), new_id in zip(rows, new_ids, strict=True):
        entry = new.documents.setdefault(
            article.doc_id,
            # its XQuAD file's hash, as a corpus folder of the files gives it (bench.scale
            # writes one): the segments then hold the version the manifest names
            DocEntry(hash=digest(article.doc_id.split("/", 1)[1]), title=article.title,
                     language=article.language,
                     source="", chunk_ids=[], chunking=dst.chunking, date=article.date),
        )  # fmt: skip
        entry.chunk_ids.append(new_id)
    copied = sentences.take(np.asarray(positions, dtype=np.int64))
    layout = IndexLayout(target)
    stamps = {doc: stamp(entry.hash, entry.chunking) for doc, entry in new.documents.items()}
    refs = []
    for first in range(0, len(new_ids), MAX_SEGMENT):  # as a rebuild writes them
        rows = np.arange(first, min(first + MAX_SEGMENT, len(new_ids)))
        Segment.build(
            new_ids[first : rows[-1] + 1],
            texts[first : rows[-1] + 1],
            articles[first : rows[-1] + 1],
            chunk_vectors[first : rows[-1] + 1],
            copied.take(rows),
            stamps,
        ).save(layout.segment(f"copy{first}"))
        refs.append(SegmentRef(f"copy{first}"))
    Generation(tuple(refs)).save(layout.generation("gen0"))
    new.side_index = "gen0"
    save_manifest(layout.manifest, new)


@functools.cache
def digest(doc: str) -> str:
    """The content hash of XQuAD-de article file `doc`."""
    return content_hash((EVAL / "docs" / doc).read_bytes())


def current(target: Path) -> bool:
    layout = IndexLayout(target)
    try:
        manifest = load_manifest(layout.manifest)
    except IndexMismatchError:  # another format: rebuilt
        return False
    # Copies built before they were dated, or with a side index of another format, are
    # rebuilt too.
    return (
        manifest is not None
        and readable(layout, manifest.side_index) is not None
        and all(entry.date for entry in manifest.documents.values())
    )


def measure(index: Path, n: int) -> dict[str, float]:
    """In this process: p50/p95 of retrieval and of a whole extractive answer, peak memory."""
    from rag.api import Assistant

    rows = [json.loads(x) for x in (EVAL / "questions.dev.jsonl").open()]
    random.Random(1).shuffle(rows)
    questions = [r["question_en" if i % 2 else "question_de"] for i, r in enumerate(rows[:n])]
    assistant = Assistant(Settings(data_dir=index))
    assistant.ask("Wie viele Punkte gab die Verteidigung ab?")  # load model and index
    retrieval, answer = [], []
    # Interleaved, so drift in the shared host's load and first touches of memory-mapped
    # pages fall on both alike; the answers run in the other order, so no answer follows
    # its own question's retrieval.
    for q, other in zip(questions, reversed(questions), strict=True):
        began = time.perf_counter()
        assistant.search(q)
        retrieval.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        assistant.ask(other)
        answer.append((time.perf_counter() - began) * 1000)
    return {
        "retrieval_p50": float(np.percentile(retrieval, 50)),
        "retrieval_p95": float(np.percentile(retrieval, 95)),
        "answer_p50": float(np.percentile(answer, 50)),
        "answer_p95": float(np.percentile(answer, 95)),
        "peak_mib": peak_rss_mib(),
    }


def plot(results: dict[int, dict[str, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for key, label, style in [
        ("retrieval_p50", "retrieval p50", "o-"),
        ("retrieval_p95", "retrieval p95", "o--"),
        ("answer_p50", "extractive answer p50", "s-"),
        ("answer_p95", "extractive answer p95", "s--"),
    ]:
        ax.plot(sizes, [results[s][key] for s in sizes], style, label=label)
    ax.plot([1e4, 1e5], [30, 80], "k_", markersize=14, mew=2, label="retrieval p50 targets")
    ax.plot([1e4], [150], "kx", label="answer p50 target (10k)")
    ax.set_ylim(bottom=0)
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("latency per question (ms)")
    ax.set_title("article-rag latency vs corpus size (2-core CPU)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(PLOT, dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-index", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/rag-bench-latency"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--n", type=int, default=100, help="questions per size")
    ap.add_argument("--runs", type=int, default=3, help="measurements per size (medians)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child process mode
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.n)))
        return
    results: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        target = args.work / f"chunks-{size}"
        began = time.perf_counter()
        build(args.base_index, target, size)
        print(f"{size}: store ready in {time.perf_counter() - began:.0f} s", flush=True)
        runs = child_runs("bench.latency", args.base_index, target, args.n, args.runs)
        results[size] = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
    plot(results)
    rows = "\n".join(
        f"| {s:,} | {r['retrieval_p50']:.0f} / {r['retrieval_p95']:.0f} "
        f"| {r['answer_p50']:.0f} / {r['answer_p95']:.0f} | {r['peak_mib']:.0f} |"
        for s, r in sorted(results.items())
    )
    body = f"""
`python -m bench.latency --base-index DIR --n {args.n} --runs {args.runs}` — {machine()}.
{args.n} XQuAD dev questions per size (half English, half German), each asked once after a
warm-up, retrievals and whole answers taking turns; each size measured in {args.runs} fresh
processes, the table gives the medians.
Retrieval = embed the question, dense + BM25 candidates, sentence scores, fusion, fetch the
passages. Answer = `Assistant.ask` in extractive mode (retrieval + sentence scoring from
stored vectors + composing the answer). Peak memory is the process's peak resident size,
which counts the pages of memory-mapped index files it touched (BM25, sentence vectors).

| chunks | retrieval p50 / p95 (ms) | extractive answer p50 / p95 (ms) | peak memory (MiB) |
|---|---|---|---|
{rows}

![latency vs corpus size](latency.png)
"""
    write_section("Latency by corpus size", body)
    print(body)


if __name__ == "__main__":
    main()
