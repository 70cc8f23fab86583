"""Retrieval and extractive-answer latency (p50/p95) and peak memory at 1k, 10k, 100k chunks.

The large corpora are copies of an XQuAD-de index under fresh ids (`copyNNNN/<article>`).
Embedding 100k chunks would take hours here, so each copy reuses the stored chunk and
sentence vectors, with a little noise so that the HNSW graph sees distinct points. BM25
is built over the copied texts as usual. Each size is measured in its own process
(peak memory per size); questions are XQuAD dev questions, English and German mixed,
each asked once after a warm-up, retrievals and whole answers taking turns.

Each size is measured --runs times (fresh processes); the table gives the medians.

Usage: python -m bench.latency --base-index DIR [--sizes 1000 10000 100000] [--n 100] [--runs 3]
(DIR: an XQuAD-de index, e.g. from `rag eval retrieval --index-dir DIR`).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.report import machine, peak_rss_mib, write_section
from ingest.chunk import chunk_id
from rag.config import Settings
from rag.lexical import LexicalIndex
from rag.lexical_format import is_current
from rag.manifest import DocEntry, Manifest, load_manifest, save_manifest
from rag.sentence_vectors import SentenceVectors
from rag.store import WRITE_BATCH, ChunkStore

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "xquad-de"
PLOT = Path(__file__).resolve().parents[1] / "docs" / "latency.png"


def build(base: Path, target: Path, size: int) -> None:
    """A store of `size` chunks copied from the index in `base` (kept for the next run,
    unless its BM25 generation is in an older format than this version writes)."""
    if _current(target):
        return
    shutil.rmtree(target, ignore_errors=True)
    src = Settings(data_dir=base)
    manifest = load_manifest(src.manifest_path)
    if manifest is None or manifest.lexical_dir is None:
        raise SystemExit(f"no index in {base}")
    lexical = LexicalIndex.load(src.bm25_dir / manifest.lexical_dir)
    assert lexical.sentences is not None, "base index has no sentence vectors"
    store = ChunkStore(src)
    ids = lexical.ids
    records, vectors = store.get(ids), store.embeddings(ids)
    rng = np.random.default_rng(0)
    dst = Settings(data_dir=target)
    out = ChunkStore(dst, create=True)
    out.reset()
    new = Manifest(embed_model=dst.embed_model_name)
    all_ids, texts, langs, sent_parts, span_parts, counts = [], [], [], [], [], []
    second_parts, chunk_vectors = [], []
    batch: dict[str, list] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}

    def flush() -> None:
        if batch["ids"]:
            out.collection.add(**batch)
            for values in batch.values():
                values.clear()

    copy = 0
    while len(all_ids) < size:
        for pos, cid in enumerate(ids):
            if len(all_ids) >= size:
                break
            text, meta = records[cid]
            doc = f"copy{copy:04d}/{meta['doc_id']}"
            new_id = chunk_id(doc, int(meta["start_char"]), int(meta["end_char"]))
            vec = vectors[cid] + rng.normal(0, 0.01, vectors[cid].shape).astype(np.float32)
            vec /= np.linalg.norm(vec)
            batch["ids"].append(new_id)
            batch["embeddings"].append(vec.tolist())
            chunk_vectors.append(vec.astype(np.float16))
            batch["documents"].append(text)
            batch["metadatas"].append({**meta, "doc_id": doc})
            entry = new.documents.setdefault(
                doc, DocEntry(hash=f"{copy}", title="", language="de", source="", chunk_ids=[])
            )
            entry.chunk_ids.append(new_id)
            all_ids.append(new_id)
            texts.append(text)
            langs.append(str(meta.get("language", "de")))
            span_parts.append(lexical.sentences.chunk_spans(pos))
            sent_parts.append(np.asarray(lexical.sentences.chunk_vectors(pos)))
            if lexical.sentences.second is not None:
                second_parts.append(np.asarray(lexical.sentences.chunk_vectors(pos, "second")))
            counts.append(len(span_parts[-1]))
            if len(batch["ids"]) >= WRITE_BATCH:
                flush()
        copy += 1
    flush()
    index = LexicalIndex.build(all_ids, texts, langs)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    index.sentences = SentenceVectors(
        [lexical.sentences.keys[i % len(ids)] for i in range(len(all_ids))],  # copies in order
        offsets,
        np.concatenate(span_parts),
        np.concatenate(sent_parts),
        np.concatenate(second_parts) if second_parts else None,
    )
    index.vectors = np.stack(chunk_vectors)
    index.save(dst.bm25_dir / "gen0")
    new.lexical_dir = "gen0"
    save_manifest(dst.manifest_path, new)


def _current(target: Path) -> bool:
    settings = Settings(data_dir=target)
    manifest = load_manifest(settings.manifest_path)
    if manifest is None or manifest.lexical_dir is None:
        return False
    return is_current(settings.bm25_dir / manifest.lexical_dir, has_chunks=True)


def measure(index: Path, n: int) -> dict[str, float]:
    """In this process: p50/p95 of retrieval and of a whole extractive answer, peak memory."""
    from rag.api import Assistant

    rows = [json.loads(x) for x in (EVAL / "questions.dev.jsonl").open()]
    random.Random(1).shuffle(rows)
    questions = [r["question_en" if i % 2 else "question_de"] for i, r in enumerate(rows[:n])]
    assistant = Assistant(Settings(data_dir=index))
    engine, _ = assistant._current()
    assistant.ask("Wie viele Punkte gab die Verteidigung ab?")  # load model and index
    retrieval, answer = [], []
    # Interleaved, so drift in the shared host's load and first touches of memory-mapped
    # pages fall on both alike; the answers run in the other order, so no answer follows
    # its own question's retrieval.
    for q, other in zip(questions, reversed(questions), strict=True):
        began = time.perf_counter()
        engine.retriever.search(q)
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
        runs = []
        for _ in range(args.runs):
            child = subprocess.run(
                [sys.executable, "-m", "bench.latency", "--base-index", str(args.base_index),
                 "--measure", str(target), "--n", str(args.n)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(size, runs[-1], flush=True)
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
